/**
 * The devnet as a user runs it: `npm start`'s launcher in a child process (7 nodes, 100 shards,
 * ledger, Worker), then the `walrus-edge` CLI in child processes and plain HTTP to the Worker.
 * Files of several sizes are stored, read back byte for byte from the CLI and from the Worker, and
 * read again with two nodes (30 of 100 shards, within f = 33) killed. Nothing may be left running.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { WalrusEdgeClient } from '../../../client/index.js';
import { blobIdToString } from '../../../core/blob-id.js';
import { SuiChain } from '../../../core/chain/sui-chain.js';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { blobLayout } from '../../../core/encoding/blob-layout.js';
import { SEGMENT_BYTES_TARGET } from '../../../workers/blob-body.js';
import { randomBytes } from '../../helpers/random.js';

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'dist', 'devnet', 'launcher', 'main.js');
const BIN = join(ROOT, 'bin', 'walrus-edge.js');
const READY_TIMEOUT_MS = 180_000;
const SIZES = [0, 1, 1000, 1_048_579, 20_000_000];

interface Network {
  nShards: number;
  aggregatorUrl: string;
  nodes: { name: string; url: string; shards: number[]; pid: number }[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let dir: string;
let launcher: ChildProcess;
let network: Network;
const stored = new Map<number, { blobId: string; file: string; digest: string }>();

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run('node', [BIN, ...args, '--network', join(dir, 'network.json')], {
    timeout: 120_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, WALRUS_EDGE_NO_PROGRESS: '1' },
  });
  return stdout;
}

async function workerRead(
  blobId: string,
): Promise<{ status: number; bytes: Uint8Array; length: string | null }> {
  const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`, {
    signal: AbortSignal.timeout(60_000),
  });
  return {
    status: response.status,
    bytes: new Uint8Array(await response.arrayBuffer()),
    length: response.headers.get('content-length'),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'walrus-edge-devnet-'));
  launcher = spawn('node', [LAUNCHER, '--data-dir', join(dir, 'net'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
}, READY_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (launcher !== undefined && launcher.exitCode === null) {
    const exited = new Promise((resolve) => launcher.once('exit', resolve));
    launcher.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
  }
  // The launcher stops its children; anything still alive is a leak (and is killed here).
  const leaked = (network?.nodes ?? []).map((n) => n.pid).filter((pid) => pid > 0 && alive(pid));
  for (const pid of leaked) process.kill(pid, 'SIGKILL');
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  expect(leaked).toEqual([]);
}, 60_000);

describe('npm start devnet end to end', () => {
  it('writes a network.json describing 7 nodes holding all 100 shards', () => {
    expect(network.nShards).toBe(100);
    expect(network.nodes).toHaveLength(7);
    expect(network.nodes.flatMap((n) => n.shards).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(existsSync(join(dir, 'wallet.key'))).toBe(true);
  });

  it('stores files of several sizes from the CLI, with the blob IDs the encoder computes', async () => {
    for (const size of SIZES) {
      const bytes = randomBytes(size, size + 7);
      const file = join(dir, `file-${size}.bin`);
      writeFileSync(file, bytes);
      const result = JSON.parse(await cli('store', file, '--epochs', '2', '--json'));
      expect(result.size).toBe(size);
      expect(result.blobId).toBe(blobIdToString(encodeBlob(bytes, 100).blobId));
      expect(result.certifiedEpoch).toBeGreaterThanOrEqual(1);
      stored.set(size, { blobId: result.blobId, file, digest: sha256(bytes) });
    }
  });

  it('serves ranges of a many-segment blob across segment boundaries before it is cached whole', async () => {
    // Ranges (not full reads) first: the blob is not cached whole yet, so these are cut from
    // segments read from the nodes, as views of their rows.
    const size = 20_000_000;
    const { blobId, file } = stored.get(size)!;
    const bytes = readFileSync(file);
    const segmentBytes =
      Math.floor(SEGMENT_BYTES_TARGET / blobLayout(size, 100).primarySliverBytes) *
      blobLayout(size, 100).primarySliverBytes;
    expect(Math.ceil(size / segmentBytes)).toBeGreaterThanOrEqual(3);
    const url = `${network.aggregatorUrl}/v1/blobs/${blobId}`;
    const get = async (target: string, headers: Record<string, string> = {}) => {
      const response = await fetch(target, { headers, signal: AbortSignal.timeout(60_000) });
      return { response, body: Buffer.from(await response.arrayBuffer()) };
    };
    // Across the first boundary, and from inside the second segment to inside the third.
    for (const [start, end] of [
      [segmentBytes - 1000, segmentBytes + 999],
      [segmentBytes + 5, 2 * segmentBytes + 77_777],
    ]) {
      const { response, body } = await get(url, { range: `bytes=${start}-${end}` });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(body.equals(bytes.subarray(start, end + 1))).toBe(true);
      const walrus = await get(`${url}/byte-range?start=${start}&length=${end - start + 1}`);
      expect(walrus.response.status).toBe(200);
      expect(walrus.body.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    // Two ranges in different segments: multipart/byteranges carrying both, exactly.
    const tail = [2 * segmentBytes - 3, size - 1];
    const { response, body } = await get(url, {
      range: `bytes=0-99,${tail[0]}-${tail[1]}`,
    });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/byteranges; boundary=/);
    const first = body.indexOf(bytes.subarray(0, 100));
    const second = body.indexOf(bytes.subarray(tail[0], tail[1] + 1));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(body.includes(`Content-Range: bytes ${tail[0]}-${tail[1]}/${size}`)).toBe(true);
  });

  it('reads every file back byte for byte from the CLI and from the Worker', async () => {
    for (const [size, { blobId, digest }] of stored) {
      const out = join(dir, `read-${size}.bin`);
      await cli('read', blobId, '--out', out);
      expect(sha256(readFileSync(out))).toBe(digest);
      const viaWorker = await workerRead(blobId);
      expect(viaWorker.status).toBe(200);
      expect(viaWorker.length).toBe(String(size));
      expect(sha256(viaWorker.bytes)).toBe(digest);
    }
  });

  it('still reads everything with two nodes (30 shards) killed', async () => {
    const victims = network.nodes.slice(0, 2);
    expect(victims.reduce((sum, n) => sum + n.shards.length, 0)).toBeLessThanOrEqual(33);
    for (const victim of victims) process.kill(victim.pid, 'SIGKILL');
    for (const [size, { blobId, digest }] of stored) {
      const out = join(dir, `again-${size}.bin`);
      await cli('read', blobId, '--out', out);
      expect(sha256(readFileSync(out))).toBe(digest);
      const viaWorker = await workerRead(blobId);
      expect(viaWorker.status).toBe(200);
      expect(sha256(viaWorker.bytes)).toBe(digest);
    }
  });

  it('the SDK stores, reads and reports status through the same network', async () => {
    const net = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8'));
    const chain = new SuiChain({
      url: net.ledgerUrl,
      packageId: net.packageId,
      systemObjectId: net.systemObjectId,
    });
    const signer = Ed25519Keypair.fromSecretKey(
      decodeSuiPrivateKey(readFileSync(net.walletKeyFile, 'utf8').trim()).secretKey,
    );
    const client = new WalrusEdgeClient({ chain });
    const bytes = randomBytes(300_000, 99);
    const stored = await client.store(bytes, { epochs: 1, deletable: false, signer });
    expect(stored.blobObject.deletable).toBe(false);
    expect(sha256(await client.read(stored.blobId))).toBe(sha256(bytes));
    const status = await client.status(stored.blobId);
    expect(status?.status.kind).toBe('permanent');
    expect(status?.weight).toBeGreaterThan(33);
  });

  it('answers 404 for a blob that was never stored', async () => {
    const unknown = blobIdToString(
      encodeBlob(new TextEncoder().encode('never stored'), 100).blobId,
    );
    expect((await workerRead(unknown)).status).toBe(404);
  });
});
