/**
 * Chaos on a whole devnet (`npm start -- --nodes 10 --shards 100 --faults-files`): every Byzantine
 * mode of node-reference/faults.ts on nodes holding up to f = 33 shards, then past f. Each case
 * names its expected outcome and checks it for a store through the SDK, reads through the SDK, the
 * CLI and the Worker (a fresh blob per case, so no read is a cache hit), and the blob's status:
 * within f, exact bytes and a certified status; past f, exact bytes or a clear error, never wrong
 * bytes. A cheating writer's inconsistent blob is proven, invalidated on chain and refused by
 * every reader, the Worker's cache included. The modes are switched on running nodes by rewriting
 * their faults files and sending SIGHUP. The table of outcomes and times is printed at the end.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { WalrusEdgeClient } from '../../../client/index.js';
import { BlobInconsistentError } from '../../../client/read/errors.js';
import { storeBlob } from '../../../client/store.js';
import { inconsistentEncoding } from '../../../client/testing/inconsistent-encoding.js';
import { SuiChain } from '../../../core/chain/sui-chain.js';
import { shardForPair } from '../../../core/encoding/mapping.js';
import { randomBytes } from '../../helpers/random.js';

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'dist', 'devnet', 'launcher', 'main.js');
const BIN = join(ROOT, 'bin', 'walrus-edge.js');
const READY_TIMEOUT_MS = 180_000;
const NODES = 10;
const SHARDS = 100;
/** f for n = 100: the most shards that may be faulty (n ≥ 3f + 1). */
const F = 33;
const BLOB_BYTES = 200_000;
/** The Worker trusts a deletable blob's status this long here: how soon an invalidation shows. */
const DELETABLE_STATUS_TTL_S = 2;
/** A node acts on SIGHUP at its next event-loop turn; this leaves it time to. */
const SIGHUP_SETTLE_MS = 300;
/** No operation may stall: a case's every step ends within this, whatever the nodes do. */
const STEP_TIMEOUT_MS = 60_000;

interface NetworkNode {
  name: string;
  url: string;
  shards: number[];
  pid: number;
  faultsFile: string;
}
interface Network {
  ledgerUrl: string;
  packageId: string;
  systemObjectId: string;
  walletKeyFile: string;
  aggregatorUrl: string;
  nodes: NetworkNode[];
}

let dir: string;
let launcher: ChildProcess;
let network: Network;
let chain: SuiChain;
let client: WalrusEdgeClient;
let signer: Ed25519Keypair;
const table: string[][] = [['fault', 'shards', 'operation', 'outcome', 'time']];
let seed = 1;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Puts `specs[i]` on node i (none where absent) and waits for the nodes to take it. */
async function setFaults(specs: Record<number, string>): Promise<void> {
  network.nodes.forEach((node, i) => {
    writeFileSync(node.faultsFile, specs[i] ?? '');
    if (alive(node.pid)) process.kill(node.pid, 'SIGHUP');
  });
  await new Promise((resolve) => setTimeout(resolve, SIGHUP_SETTLE_MS));
}

const shardsOf = (indices: readonly number[]) =>
  indices.reduce((sum, i) => sum + network.nodes[i].shards.length, 0);

async function timed<T>(
  fault: string,
  shards: number,
  operation: string,
  step: () => Promise<T>,
  outcomeOf: (value: T) => string,
): Promise<T> {
  const started = Date.now();
  try {
    const value = await step();
    table.push([fault, String(shards), operation, outcomeOf(value), ms(started)]);
    return value;
  } catch (error) {
    table.push([fault, String(shards), operation, `error: ${short(error)}`, ms(started)]);
    throw error;
  }
}
const ms = (started: number) => `${((Date.now() - started) / 1000).toFixed(2)} s`;
const short = (error: unknown) => String((error as Error).message ?? error).slice(0, 80);

async function cliRead(blobId: string, out: string): Promise<{ code: number; stderr: string }> {
  try {
    await run('node', [BIN, 'read', blobId, '--out', out, '--network', join(dir, 'network.json')], {
      timeout: STEP_TIMEOUT_MS,
      env: { ...process.env, WALRUS_EDGE_NO_PROGRESS: '1' },
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

async function workerRead(blobId: string): Promise<{ status: number; bytes: Uint8Array }> {
  const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`, {
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/**
 * Within f: the store certifies, and every reader returns the exact bytes; more than f shards'
 * nodes report the blob certified.
 */
async function expectHealthyOutcome(fault: string, faulty: readonly number[]): Promise<void> {
  const shards = shardsOf(faulty);
  expect(shards).toBeLessThanOrEqual(F);
  const bytes = randomBytes(BLOB_BYTES, seed++);
  const stored = await timed(
    fault,
    shards,
    'store (SDK)',
    () => client.store(bytes, { epochs: 2, deletable: false, signer }),
    (r) => `certified in epoch ${r.certifiedEpoch}`,
  );
  expect(stored.certifiedEpoch).toBeGreaterThanOrEqual(1);
  const read = await timed(
    fault,
    shards,
    'read (SDK)',
    () => client.read(stored.blobId),
    (b) => (Buffer.from(b).equals(Buffer.from(bytes)) ? 'exact bytes' : 'WRONG BYTES'),
  );
  expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
  const out = join(dir, `read-${seed}.bin`);
  const cli = await timed(
    fault,
    shards,
    'read (CLI)',
    () => cliRead(stored.blobId, out),
    (r) =>
      r.code !== 0
        ? `exit ${r.code}`
        : readFileSync(out).equals(Buffer.from(bytes))
          ? 'exact bytes'
          : 'WRONG BYTES',
  );
  expect(cli.stderr).toBe('');
  expect(readFileSync(out).equals(Buffer.from(bytes))).toBe(true);
  const viaWorker = await timed(
    fault,
    shards,
    'read (Worker)',
    () => workerRead(stored.blobId),
    (r) =>
      r.status !== 200
        ? `HTTP ${r.status}`
        : Buffer.from(r.bytes).equals(Buffer.from(bytes))
          ? 'exact bytes'
          : 'WRONG BYTES',
  );
  expect(viaWorker.status).toBe(200);
  expect(Buffer.from(viaWorker.bytes).equals(Buffer.from(bytes))).toBe(true);
  const status = await timed(
    fault,
    shards,
    'status (SDK)',
    () => client.status(stored.blobId),
    (s) => (s === undefined ? 'no agreement' : `${s.status.kind}, weight ${s.weight}`),
  );
  expect(status?.status.kind).toBe('permanent');
  expect(status?.weight).toBeGreaterThan(F);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'walrus-edge-chaos-'));
  const args = ['--data-dir', join(dir, 'net'), '--port', '0', '--faults-files'];
  args.push('--worker-var', `DELETABLE_STATUS_TTL_S=${DELETABLE_STATUS_TTL_S}`);
  launcher = spawn(
    'node',
    [LAUNCHER, ...args, '--nodes', String(NODES), '--shards', String(SHARDS)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`devnet not ready:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    launcher.stdout!.on('data', onData);
    launcher.stderr!.on('data', onData);
    launcher.once('exit', (code) => reject(new Error(`launcher exited ${code}:\n${output}`)));
  });
  dir = join(dir, 'net');
  network = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')) as Network;
  chain = new SuiChain({
    url: network.ledgerUrl,
    packageId: network.packageId,
    systemObjectId: network.systemObjectId,
  });
  client = new WalrusEdgeClient({ chain });
  signer = Ed25519Keypair.fromSecretKey(
    decodeSuiPrivateKey(readFileSync(network.walletKeyFile, 'utf8').trim()).secretKey,
  );
}, READY_TIMEOUT_MS + 10_000);

afterAll(async () => {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  console.log(
    table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')).join('\n'),
  );
  if (launcher !== undefined && launcher.exitCode === null) {
    const exited = new Promise((resolve) => launcher.once('exit', resolve));
    launcher.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
  }
  const leaked = (network?.nodes ?? []).map((n) => n.pid).filter((pid) => pid > 0 && alive(pid));
  for (const pid of leaked) {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGKILL');
  }
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  expect(leaked).toEqual([]);
}, 60_000);

describe('invalid blobs, all the way', () => {
  it('an inconsistent encoding certified by a cheating writer is proven, invalidated on chain, refused by every reader and cache, and dropped by the nodes', async () => {
    const bytes = randomBytes(BLOB_BYTES, seed++);
    const { encoded, alteredPair } = inconsistentEncoding(bytes, SHARDS, 5);
    // The node that will find out is held (SIGSTOP) until the Worker has served and cached the
    // blob, so that the cache has something to stop serving.
    const shard = shardForPair(alteredPair, encoded.blobId, SHARDS);
    const detector = network.nodes.find((node) => node.shards.includes(shard))!;
    process.kill(detector.pid, 'SIGSTOP');
    const started = Date.now();
    let stored: Awaited<ReturnType<typeof storeBlob>>;
    try {
      // The writer withholds the altered sliver: its node must recover it from the others'
      // symbols, decodes the honest sliver and finds it contradicts the metadata.
      stored = await storeBlob(bytes, {
        chain,
        signer,
        epochs: 2,
        deletable: true,
        encode: () => encoded,
        withholdSliver: (pair, axis) => pair === alteredPair && axis === 'secondary',
      });
      expect(stored.certifiedEpoch).toBeGreaterThanOrEqual(1);
      table.push(['inconsistent writer', '-', 'store (SDK hook)', 'certified', ms(started)]);
      const cached = await workerRead(stored.blobId);
      expect(cached.status).toBe(200);
      table.push([
        'inconsistent writer',
        '-',
        'read (Worker), before proof',
        'HTTP 200, cached',
        '',
      ]);
    } finally {
      process.kill(detector.pid, 'SIGCONT');
    }
    const proven = Date.now();
    let status: Awaited<ReturnType<typeof client.status>>;
    for (;;) {
      status = await client.status(stored.blobId);
      if (status?.status.kind === 'invalid') break;
      expect(Date.now() - proven, 'the blob is invalidated within a minute').toBeLessThan(60_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    table.push([
      'inconsistent writer',
      '-',
      'proof, f+1 attestations, invalidate_blob_id',
      `status invalid, weight ${status.weight}`,
      ms(proven),
    ]);
    const sdk = await client.read(stored.blobId).catch((e: Error) => e);
    expect(sdk).toBeInstanceOf(BlobInconsistentError);
    expect((sdk as Error).message).toMatch(/marked invalid by the network/);
    const cli = await cliRead(stored.blobId, join(dir, 'invalid.bin'));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^error: invalid blob: /);
    table.push(['inconsistent writer', '-', 'read (CLI)', cli.stderr.split('\n')[0], '']);
    // The cached copy is served no longer than the deletable status's TTL (2 s on this devnet).
    await new Promise((resolve) => setTimeout(resolve, (DELETABLE_STATUS_TTL_S + 1) * 1000));
    const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${stored.blobId}`);
    const error = (await response.json()) as {
      error: { message: string; details: { reason: string }[] };
    };
    expect(response.status, error.error.message).toBe(410);
    expect(error.error.details[0].reason).toBe('BLOB_INVALID');
    table.push([
      'inconsistent writer',
      '-',
      'read (Worker), after the status TTL',
      `HTTP ${response.status} BLOB_INVALID`,
      '',
    ]);
    // Every node dropped the blob's data.
    for (const node of network.nodes) {
      const metadata = await fetch(`${node.url}/v1/blobs/${stored.blobId}/metadata`);
      expect(metadata.status, node.name).toBeGreaterThanOrEqual(400);
      await metadata.arrayBuffer();
    }
  });
});

/** Three nodes of ten: 30 shards, within f = 33. */
const THREE = [7, 8, 9];
const WITHIN_F_MODES = [
  'corrupt-slivers',
  'corrupt-metadata',
  'lie-status=invalid',
  'lie-status=nonexistent',
  'hang',
  'slow=3000',
  'error-5xx',
  'reset-mid-body',
  'withhold-confirmations',
  'forge-confirmations=key',
  'forge-confirmations=message',
];

describe('chaos: Byzantine nodes within f', () => {
  it('the devnet has 10 nodes of 10 shards, each reading a faults file', () => {
    expect(network.nodes).toHaveLength(NODES);
    expect(network.nodes.every((n) => n.shards.length === SHARDS / NODES)).toBe(true);
    expect(network.nodes.every((n) => n.faultsFile.endsWith('faults'))).toBe(true);
  });

  for (const mode of WITHIN_F_MODES) {
    it(`${mode} on 3 nodes (30 shards): expected certified store, exact bytes everywhere, status certified`, async () => {
      await setFaults(Object.fromEntries(THREE.map((i) => [i, mode])));
      await expectHealthyOutcome(mode, THREE);
    });
  }

  it('corrupt-recovery-symbols on 1 node while 2 hang: rows rebuilt from honest symbols; expected exact bytes', async () => {
    await setFaults({ 7: 'hang', 8: 'hang', 9: 'corrupt-recovery-symbols' });
    await expectHealthyOutcome('2 hang + 1 corrupt-recovery-symbols', THREE);
  });

  it('mixed: one hung, one lying (slivers, metadata, status, confirmations), one killed; expected exact bytes', async () => {
    await setFaults({
      7: 'hang',
      8: 'corrupt-slivers,corrupt-metadata,corrupt-recovery-symbols,lie-status,forge-confirmations',
    });
    process.kill(network.nodes[9].pid, 'SIGKILL');
    await expectHealthyOutcome('mixed: hang + liar + down', THREE);
  });
});

describe('chaos: more than f shards faulty', () => {
  it('4 nodes (40 shards > f) serve corrupted slivers: exact bytes or a clear error, never wrong bytes', async () => {
    // Node 9 is down since the mixed case; 6, 7, 8 lie: with node 9, 40 shards are faulty.
    await setFaults({ 6: 'corrupt-slivers', 7: 'corrupt-slivers', 8: 'corrupt-slivers' });
    const fault = 'corrupt-slivers x3 + 1 down';
    const shards = shardsOf([6, 7, 8, 9]);
    expect(shards).toBeGreaterThan(F);
    const bytes = randomBytes(BLOB_BYTES, seed++);
    const stored = await timed(
      fault,
      shards,
      'store (SDK)',
      () => client.store(bytes, { epochs: 2, deletable: false, signer }),
      (r) => `certified in epoch ${r.certifiedEpoch}`,
    );
    const read = await timed(
      fault,
      shards,
      'read (SDK)',
      () => client.read(stored.blobId).catch((e: Error) => e),
      (r) =>
        r instanceof Error
          ? `error: ${short(r)}`
          : Buffer.from(r).equals(Buffer.from(bytes))
            ? 'exact bytes'
            : 'WRONG BYTES',
    );
    if (!(read instanceof Error)) expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
    const viaWorker = await timed(
      fault,
      shards,
      'read (Worker)',
      () => workerRead(stored.blobId),
      (r) =>
        r.status !== 200
          ? `HTTP ${r.status}`
          : Buffer.from(r.bytes).equals(Buffer.from(bytes))
            ? 'exact bytes'
            : 'WRONG BYTES',
    );
    if (viaWorker.status === 200)
      expect(Buffer.from(viaWorker.bytes).equals(Buffer.from(bytes))).toBe(true);
    else expect(viaWorker.status).toBeGreaterThanOrEqual(400);
  });

  it('7 nodes (70 shards) answer 5xx: a store fails and a read fails, each with a clear error', async () => {
    const bytes = randomBytes(BLOB_BYTES, seed++);
    await setFaults({});
    const before = await client.store(bytes, { epochs: 2, deletable: false, signer });
    const failing = [2, 3, 4, 5, 6, 7, 8];
    await setFaults(Object.fromEntries(failing.map((i) => [i, 'error-5xx'])));
    const fault = 'error-5xx x7 + 1 down';
    const shards = shardsOf([...failing, 9]);
    const store = await timed(
      fault,
      shards,
      'store (SDK)',
      () =>
        client.store(randomBytes(BLOB_BYTES, seed++), { epochs: 2, deletable: false, signer }).then(
          () => 'stored',
          (e: Error) => e,
        ),
      (r) => (r instanceof Error ? `error: ${short(r)}` : 'STORED WITHOUT A QUORUM'),
    );
    expect(store).toBeInstanceOf(Error);
    const read = await timed(
      fault,
      shards,
      'read (SDK)',
      () => client.read(before.blobId).catch((e: Error) => e),
      (r) => (r instanceof Error ? `error: ${short(r)}` : 'bytes'),
    );
    expect(read).toBeInstanceOf(Error);
    const out = join(dir, 'past-f.bin');
    const cli = await timed(
      fault,
      shards,
      'read (CLI)',
      () => cliRead(before.blobId, out),
      (r) => (r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`),
    );
    expect(cli.code).not.toBe(0);
    expect(cli.stderr.length).toBeGreaterThan(0);
    const viaWorker = await timed(
      fault,
      shards,
      'read (Worker)',
      () => workerRead(before.blobId),
      (r) => `HTTP ${r.status}`,
    );
    expect(viaWorker.status).toBe(503);
    await setFaults({});
  });
});
