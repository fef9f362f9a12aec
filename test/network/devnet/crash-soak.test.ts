/**
 * The crash soak's short version (bench/soak/crash-soak.ts; `npm run bench:soak` runs it for as
 * long as asked): on a 7-node devnet, nodes are SIGKILLed and restarted at random (two down at
 * most: 30 of 100 shards, within f = 33) while a writer stores and a reader reads for 40 s. Then
 * every certified blob reads back byte for byte and every node holds every sliver of its shards:
 * no read returned wrong bytes and no confirmed sliver was lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, startDevnet } from '../../../bench/edge/devnet.js';
import { readSoakNetwork, runCrashSoak } from '../../../bench/soak/crash-soak.js';

const SOAK_MS = 40_000;

let root: string;
let devnet: Devnet;
let stopRestarted: () => Promise<void> = async () => {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-edge-crash-soak-'));
  devnet = await startDevnet({ dataDir: join(root, 'net'), nodes: 7, shards: 100 });
}, 300_000);

afterAll(async () => {
  await stopRestarted();
  const left = (await devnet?.stop()) ?? [];
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 60_000);

describe('crash soak (short)', () => {
  it('nodes killed and restarted under a writer and a reader: no wrong bytes, nothing lost', async () => {
    const lines: string[] = [];
    const run = await runCrashSoak(readSoakNetwork(devnet.dataDir), {
      durationMs: SOAK_MS,
      downMax: 2,
      seed: 20261205,
      log: (line) => lines.push(line),
    });
    stopRestarted = run.stopRestarted;
    const { report } = run;
    console.log(JSON.stringify(report));
    expect(report.crashes, lines.join('\n')).toBeGreaterThanOrEqual(5);
    expect(report.stores).toBeGreaterThanOrEqual(3);
    expect(report.reads).toBeGreaterThanOrEqual(3);
    expect(report.wrongBytes).toBe(0);
    expect(report.lostBlobs).toBe(0);
    expect(report.missingSlivers).toBe(0);
    expect(report.unexpectedExits).toEqual([]);
  }, 400_000);
});
