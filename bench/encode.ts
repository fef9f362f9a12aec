/**
 * `npm run bench:encode`: walrus-edge's Red Stuff encoder against the official @mysten/walrus-wasm
 * in the same run. Every measurement is a fresh process (bench/encode-child.ts), so peak RSS is the
 * case's own; runs alternate between the implementations to spread machine noise evenly.
 *
 * Prints the median encode time of each, the speed ratio, peak RSS and the memory budget the
 * project set: peak RSS ≤ 3 × blob + 150 MiB. Exits non-zero if a case is slower than walrus-wasm,
 * over budget, or if the two disagree on the blob ID.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EncodeMeasurement } from './encode-child.js';

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

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
  console.log(
    `walrus-edge encode vs @mysten/walrus-wasm 0.3.0 (median of runs, fresh process each; ${process.version})`,
  );
  console.log(rows.join('\n'));
  return failures === 0 ? 0 : 1;
}

process.exitCode = main();
