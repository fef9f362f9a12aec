/**
 * `npm run bench:soak -- [--duration S] [--down-max N] [--seed N]`: the crash soak of
 * bench/soak/crash-soak.ts on a fresh devnet (7 nodes, 100 shards: two nodes down at once hold at
 * most 30 shards, within f = 33), for as long as asked (default 10 minutes). Prints what happened
 * and exits non-zero if any blob read back wrong, any certified blob was lost or any node is
 * missing a sliver after recovery. `npm test` runs a short version (crash-soak.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, installCleanupHandlers, onCleanup } from './edge/cleanup.js';
import { startDevnet } from './edge/devnet.js';
import { readSoakNetwork, runCrashSoak } from './soak/crash-soak.js';

const DURATION_S_DEFAULT = 600;
const DOWN_MAX_DEFAULT = 2;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      'down-max': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const durationS = Number(values.duration ?? DURATION_S_DEFAULT);
  const downMax = Number(values['down-max'] ?? DOWN_MAX_DEFAULT);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  if (!(durationS > 0) || !Number.isInteger(downMax) || downMax < 0)
    throw new Error('usage: bench:soak -- [--duration S] [--down-max N] [--seed N]');
  installCleanupHandlers();
  const root = mkdtempSync(join(tmpdir(), 'walrus-edge-soak-'));
  onCleanup('soak dir', () => rmSync(root, { recursive: true, force: true }));
  const devnet = await startDevnet({ dataDir: join(root, 'net'), nodes: 7, shards: 100 });
  const log = (line: string) =>
    process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  log(`devnet up in ${(devnet.readyMs / 1000).toFixed(1)} s; soaking ${durationS} s, seed ${seed}`);
  const { report, stopRestarted } = await runCrashSoak(readSoakNetwork(devnet.dataDir), {
    durationMs: durationS * 1000,
    downMax,
    seed,
    log,
  });
  onCleanup('restarted nodes', stopRestarted);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const failed =
    report.wrongBytes > 0 ||
    report.lostBlobs > 0 ||
    report.missingSlivers > 0 ||
    report.unexpectedExits.length > 0;
  await cleanupAll();
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench:soak failed: ${(error as Error).stack ?? error}\n`);
  await cleanupAll();
  process.exitCode = 1;
});
