/**
 * The whole-process half of `npm run bench:encode`: what a user measures. Each run is a fresh
 * process: `node bin/walrus-edge.js blob-id FILE --n-shards N` against bench/encode-wasm-blob-id.ts
 * (the official encoder on the same file), alternating, so start-up, module loading, wasm
 * compilation, worker threads and the file read are all counted. For each: median wall seconds,
 * median CPU seconds (user + system over all threads, from bench/encode-usage-preload.ts) and the
 * largest peak RSS, then the ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessUsage } from './encode-usage-preload.js';
import { xorshiftFill } from './pseudo-random.js';

const MIB = 1024 * 1024;
/** A run slower than this is a hang, not a measurement. */
const RUN_TIMEOUT_MS = 600_000;

export interface ProcessCase {
  readonly nShards: number;
  readonly bytes: number;
  readonly runs: number;
}

export interface ProcessRun {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly blobId: string;
}

export interface ProcessSummary {
  readonly benchCase: ProcessCase;
  readonly wasm: readonly ProcessRun[];
  readonly edge: readonly ProcessRun[];
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const PRELOAD = here('./encode-usage-preload.js');
const WASM_SCRIPT = here('./encode-wasm-blob-id.js');
const CLI = here('../../bin/walrus-edge.js');

function runOnce(args: readonly string[], usageFile: string): ProcessRun {
  rmSync(usageFile, { force: true });
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', PRELOAD, ...args], {
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, ENCODE_USAGE_FILE: usageFile },
  });
  const wallSeconds = (performance.now() - start) / 1000;
  if (child.status !== 0) {
    throw new Error(`${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  }
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as ProcessUsage;
  const blobId = child.stdout.trim().split('\n').at(-1)!;
  return { wallSeconds, ...usage, blobId };
}

export function measureProcesses(cases: readonly ProcessCase[]): ProcessSummary[] {
  const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-bench-'));
  try {
    const usageFile = join(dir, 'usage.json');
    return cases.map((benchCase) => {
      const file = join(dir, `blob-${benchCase.bytes}.bin`);
      writeFileSync(file, xorshiftFill(new Uint8Array(benchCase.bytes), 0xff));
      const n = String(benchCase.nShards);
      const wasm: ProcessRun[] = [];
      const edge: ProcessRun[] = [];
      for (let run = 0; run < benchCase.runs; run++) {
        wasm.push(runOnce([WASM_SCRIPT, file, n], usageFile));
        edge.push(runOnce([CLI, 'blob-id', file, '--n-shards', n], usageFile));
      }
      rmSync(file);
      console.error(`done whole-process n=${n} ${benchCase.bytes / MIB} MiB`);
      return { benchCase, wasm, edge };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Markdown rows; `failures` counts disagreeing blob IDs. */
export function processTable(summaries: readonly ProcessSummary[]): {
  lines: string[];
  failures: number;
} {
  const lines = [
    '| n | blob | wasm wall s | edge wall s | speedup | wasm CPU s | edge CPU s | CPU ratio | wasm peak RSS MiB | edge peak RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  let failures = 0;
  for (const { benchCase, wasm, edge } of summaries) {
    const ids = new Set([...wasm, ...edge].map((run) => run.blobId));
    if (ids.size !== 1) {
      console.error(`blob IDs differ for n=${benchCase.nShards} bytes=${benchCase.bytes}`);
      failures++;
    }
    const wall = [median(wasm.map((r) => r.wallSeconds)), median(edge.map((r) => r.wallSeconds))];
    const cpu = [median(wasm.map((r) => r.cpuSeconds)), median(edge.map((r) => r.cpuSeconds))];
    const rss = [wasm, edge].map((runs) => Math.max(...runs.map((r) => r.peakRssBytes)) / MIB);
    lines.push(
      `| ${benchCase.nShards} | ${benchCase.bytes / MIB} MiB | ${wall[0].toFixed(3)} | ${wall[1].toFixed(3)} | ` +
        `${(wall[0] / wall[1]).toFixed(2)}x | ${cpu[0].toFixed(2)} | ${cpu[1].toFixed(2)} | ` +
        `${(cpu[0] / cpu[1]).toFixed(2)}x | ${rss[0].toFixed(0)} | ${rss[1].toFixed(0)} |`,
    );
  }
  return { lines, failures };
}
