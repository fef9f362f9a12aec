/**
 * `npm run bench:edge [-- --big]`: whole-process figures of the edge gateway, each a ratio to a
 * baseline measured in the same run. It starts a devnet as a user does (`npm start`'s launcher:
 * 7 nodes, 100 shards), stores blobs with the CLI and talks to the Worker only over HTTP, so it
 * runs unchanged against any Worker that keeps the aggregator API:
 *
 *  - 48 KiB blob read again and again, req/s, vs the Worker's static /status (small.ts);
 *  - 64 MiB blob, cache hit and cache miss, MB/s, vs nginx serving the same file (large.ts);
 *  - 8 MiB reads with one node hung, Worker and CLI, vs healthy reads (faults.ts);
 *  - 64 MiB read with f shards' nodes down: time vs a healthy miss just before, node bytes vs
 *    blob size;
 *  - with --big, workerd's peak RSS and the isolate's own peak while streaming 1 GiB vs Workers'
 *    128 MB (big.ts, isolate-memory.ts).
 *
 * Cold start (spawn to ready, the first read) and the machine's load go in a context table. The
 * results print as markdown and go to bench/results/edge-<date>.json. Everything started is
 * stopped at the end, on Ctrl-C and on errors (cleanup.ts), and the bench checks nothing is left.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIG_FIGURES, bigBlobRss } from './edge/big.js';
import { cleanupAll, installCleanupHandlers, onCleanup } from './edge/cleanup.js';
import { BenchRun, log, seconds } from './edge/context.js';
import { type Devnet, startDevnet } from './edge/devnet.js';
import { F_DOWN_FIGURES, HUNG_FIGURES, fShardsDownRead, hungNodeReads } from './edge/faults.js';
import { READ_CLIENT } from './edge/http.js';
import { LARGE_FIGURES, largeBlobReads } from './edge/large.js';
import { loadGenerator } from './edge/load.js';
import { BENCH_EDGE_USAGE, UsageError, parseBenchOptions } from './edge/options.js';
import { pidsMentioning } from './edge/proc.js';
import { markdownTable, writeResults } from './edge/report.js';
import { SMALL_FIGURES, smallBlobLoad } from './edge/small.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const NODES = 7;
const SHARDS = 100;

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

function gitDescription(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain') === '' ? '' : ' (uncommitted changes)';
    const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
    return `${branch} ${git('rev-parse', '--short', 'HEAD')}${dirty}`;
  } catch {
    return 'unknown';
  }
}

/** The parts on the main devnet, in an order that keeps the nodes healthy until the last one. */
async function mainDevnetParts(run: BenchRun, devnet: Devnet): Promise<void> {
  await run.part('48 KiB blob under load', SMALL_FIGURES, () => smallBlobLoad(run, devnet));
  await run.part('64 MiB blob: nginx, cache miss, cache hit', LARGE_FIGURES, () =>
    largeBlobReads(run, devnet),
  );
  await run.part('8 MiB reads with one node hung', HUNG_FIGURES, () => hungNodeReads(run, devnet));
  // Last: its nodes stay down.
  await run.part('64 MiB reads, healthy then with f shards down', F_DOWN_FIGURES, () =>
    fShardsDownRead(run, devnet),
  );
}

async function bench(run: BenchRun): Promise<void> {
  let devnet: Devnet | undefined;
  await run.part('devnet start (7 nodes, 100 shards)', [], async () => {
    devnet = await startDevnet({
      dataDir: join(run.scratchDir, 'net'),
      nodes: NODES,
      shards: SHARDS,
    });
    run.detail(
      'cold start: spawning the launcher to "ready" (7 nodes, 100 shards)',
      seconds(devnet.readyMs),
    );
  });
  if (devnet !== undefined) {
    try {
      await mainDevnetParts(run, devnet);
    } finally {
      const left = await devnet.stop();
      run.detail(
        'main devnet: processes left after stop',
        left.length === 0 ? 'none' : left.join(', '),
      );
    }
  }
  if (run.options.big) {
    await run.part(`1 GiB streamed read (n = ${run.options.bigShards})`, BIG_FIGURES, () =>
      bigBlobRss(run),
    );
  } else {
    run.detail('1 GiB streamed read', 'not run (pass --big)');
  }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  installCleanupHandlers();
  const startedAt = new Date();
  const scratchDir = mkdtempSync(join(tmpdir(), 'walrus-edge-bench-edge-'));
  // Registered first, so it runs last: after every process using the dir has stopped.
  onCleanup('temp dir', () => rmSync(scratchDir, { recursive: true, force: true }));
  const run = new BenchRun(options, scratchDir);
  const loadAtStart = uptime();
  log(`${gitDescription()}; scratch ${scratchDir}; ${loadAtStart}`);
  try {
    await bench(run);
  } finally {
    await cleanupAll();
  }
  const left = pidsMentioning(scratchDir);
  run.detail(
    'processes mentioning the temp dir after cleanup (pgrep -f)',
    left.length === 0 ? 'none' : left.join(', '),
  );
  const totalS = (Date.now() - startedAt.getTime()) / 1000;
  run.detail('waited for the devnet to go idle before', run.settles.join('; '));
  run.detail('load generator', loadGenerator());
  run.detail('single-read client', READ_CLIENT);
  run.detail(
    'machine',
    `${cpus().length} cores, Node ${process.version}; ` +
      `at start: ${loadAtStart}; at end: ${uptime()}`,
  );
  run.detail('code under test', gitDescription());
  run.detail(
    'time per part',
    run.parts
      .map((p) => `${p.name} ${p.seconds.toFixed(0)} s${p.error ? ' (failed)' : ''}`)
      .join('; '),
  );
  run.detail('whole bench', `${totalS.toFixed(0)} s`);
  const table = markdownTable(run.figures, run.details);
  process.stdout.write(`\n${table}\n\n`);
  const path = writeResults(RESULTS_DIR, startedAt, {
    startedAt: startedAt.toISOString(),
    options,
    figures: run.figures,
    details: run.details,
    parts: run.parts,
    leftoverPids: left,
  });
  process.stdout.write(`results: ${path}\n`);
  return run.failed || left.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  if (error.message !== '') process.stderr.write(`error: ${error.message}\n`);
  process.stderr.write(BENCH_EDGE_USAGE + '\n');
  process.exitCode = error.message === '' ? 0 : 2;
}
