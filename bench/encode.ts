/**
 * `npm run bench:encode`: walrus-edge's Red Stuff encoder against the official @mysten/walrus-wasm
 * in the same run, two ways:
 *
 * - in process: the encode call alone, timed inside a fresh process per measurement
 *   (bench/encode-child.ts), so peak RSS is the case's own. Prints the median encode time of each,
 *   the speed ratio, peak RSS and the memory budget the project set: peak RSS ≤ 3 × blob + 150 MiB;
 * - whole process, as a user measures it (bench/encode-process.ts): `walrus-edge blob-id FILE`
 *   against a script running the wasm on the same file, with start-up, threads and the file read
 *   counted: wall and CPU seconds, peak RSS and their ratios.
 *
 * Runs alternate between the implementations to spread machine noise evenly; the load average is
 * printed with the tables, since wall times on a shared machine mean little without it. Exits
 * non-zero if an in-process case is slower than walrus-wasm or over budget, or if the two disagree
 * on a blob ID.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { EncodeMeasurement } from './encode-child.js';
import { type ProcessCase, measureProcesses, median, processTable } from './encode-process.js';

const MIB = 1024 * 1024;
const RSS_OVERHEAD_BYTES_MAX = 150 * MIB;
const RSS_BLOB_FACTOR_MAX = 3;

interface BenchCase {
  readonly nShards: number;
  readonly bytes: number;
  readonly runs: number;
}

const CASES: readonly BenchCase[] = [
  { nShards: 1000, bytes: 1 * MIB, runs: 5 },
  { nShards: 1000, bytes: 64 * MIB, runs: 3 },
  { nShards: 100, bytes: 64 * MIB, runs: 3 },
];

/** Whole-process cases: blob-id at Walrus mainnet's n, median of 5 as the task of issue 9 set. */
const PROCESS_CASES: readonly ProcessCase[] = [
  { nShards: 1000, bytes: 1 * MIB, runs: 5 },
  { nShards: 1000, bytes: 64 * MIB, runs: 5 },
];

const CHILD = fileURLToPath(new URL('./encode-child.js', import.meta.url));

function measure(impl: 'edge' | 'wasm', benchCase: BenchCase, seed: number): EncodeMeasurement {
  const stdout = execFileSync(
    process.execPath,
    [
      CHILD,
      '--impl',
      impl,
      '--n-shards',
      String(benchCase.nShards),
      '--bytes',
      String(benchCase.bytes),
      '--seed',
      String(seed),
    ],
    { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as EncodeMeasurement;
}

const mib = (bytes: number) => (bytes / MIB).toFixed(0);

function main(): number {
  const rows: string[] = [];
  let failures = 0;
  rows.push(
    '| n | blob | walrus-wasm s | walrus-edge s | speedup | wasm peak RSS MiB | edge peak RSS MiB | edge RSS budget MiB | verdict |',
  );
  rows.push('|---|---|---|---|---|---|---|---|---|');
  for (const benchCase of CASES) {
    const wasm: EncodeMeasurement[] = [];
    const edge: EncodeMeasurement[] = [];
    for (let run = 0; run < benchCase.runs; run++) {
      wasm.push(measure('wasm', benchCase, run + 1));
      edge.push(measure('edge', benchCase, run + 1));
      if (wasm[run].blobId !== edge[run].blobId) {
        console.error(
          `blob IDs differ for n=${benchCase.nShards} bytes=${benchCase.bytes} seed=${run + 1}`,
        );
        failures++;
      }
    }
    const wasmSeconds = median(wasm.map((m) => m.seconds));
    const edgeSeconds = median(edge.map((m) => m.seconds));
    const wasmRss = Math.max(...wasm.map((m) => m.peakRssBytes));
    const edgeRss = Math.max(...edge.map((m) => m.peakRssBytes));
    const budget = RSS_BLOB_FACTOR_MAX * benchCase.bytes + RSS_OVERHEAD_BYTES_MAX;
    const ok = edgeSeconds < wasmSeconds && edgeRss <= budget;
    if (!ok) failures++;
    rows.push(
      `| ${benchCase.nShards} | ${mib(benchCase.bytes)} MiB | ${wasmSeconds.toFixed(3)} | ${edgeSeconds.toFixed(3)} | ` +
        `${(wasmSeconds / edgeSeconds).toFixed(2)}x | ${mib(wasmRss)} | ${mib(edgeRss)} | ${mib(budget)} | ${ok ? 'ok' : 'FAIL'} |`,
    );
    console.error(`done n=${benchCase.nShards} ${mib(benchCase.bytes)} MiB`);
  }
  const loadBefore = loadavg()[0];
  const whole = processTable(measureProcesses(PROCESS_CASES));
  failures += whole.failures;
  const load = `load average ${loadBefore.toFixed(2)} before the whole-process runs, ${loadavg()[0].toFixed(2)} after`;
  console.log(
    `walrus-edge encode vs @mysten/walrus-wasm 0.3.0, in process (median of runs, fresh process each; ${process.version})`,
  );
  console.log(rows.join('\n'));
  console.log(
    `\nwhole process: walrus-edge blob-id FILE vs walrus-wasm compute_metadata on FILE (median of runs; CPU = user + system, all threads; ${load})`,
  );
  console.log(whole.lines.join('\n'));
  if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
    // Node reads the extra CA certificates (and its root store) at every process start.
    console.log(
      'note: NODE_EXTRA_CA_CERTS is set, which adds ~70 ms to every Node start (both sides) here',
    );
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = main();
