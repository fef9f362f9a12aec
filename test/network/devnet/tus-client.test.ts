/**
 * Upload sessions driven by tus-js-client — the tus client dApps and Uppy use — in Node against a
 * devnet's Worker (4 nodes, 16 shards): a chunked upload interrupted after its first chunk and
 * resumed from HEAD's offset by a new client, termination, the one-time endpoint, 413/409/410/401
 * and a tampered token, a storage node killed while the session distributes, and 20 concurrent
 * sessions. Every certified blob has the ID `walrus-edge blob-id` computes for the same file, and
 * the aggregator serves its bytes.
 */
import { execFile } from 'node:child_process';
import { Agent } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, startDevnet } from '../../../bench/edge/devnet.js';
import { type UploadSession, createUploadSession } from '../../../client/upload-sessions.js';
import { randomBytes } from '../../helpers/random.js';

const run = promisify(execFile);
const BIN = new URL('../../../bin/walrus-edge.js', import.meta.url).pathname;
const CHUNK_BYTES = 256 * 1024;
const CERTIFIED_TIMEOUT_MS = 120_000;
const TUS = { 'tus-resumable': '1.0.0' };
/**
 * workerd closes a keep-alive connection after 5 s idle (KJ's fixed pipeline timeout) and sends
 * no Keep-Alive hint; Node's global agent keeps idle sockets exactly 5 s too, so a request sent
 * on a socket idle for ~5 s races the close and dies with "socket hang up" (a CI run lost the 20
 * concurrent sessions test that way). Idle sockets are dropped well before workerd's close.
 */
const IDLE_SOCKET_MS = 2_000;
const tusHttp = new tus.DefaultHttpStack({
  agent: new Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
});

let root: string;
let devnet: Devnet;
let network: { aggregatorUrl: string; publisherUrl: string; uploadApiKey: string };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-edge-tus-client-'));
  devnet = await startDevnet({ dataDir: join(root, 'net'), nodes: 4, shards: 16 });
  network = JSON.parse(readFileSync(devnet.networkFile, 'utf8'));
}, 300_000);

afterAll(async () => {
  const left = (await devnet?.stop()) ?? [];
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 60_000);

const session = (maxBytes: number, extra: { expiresIn?: number } = {}) =>
  createUploadSession(network.publisherUrl, network.uploadApiKey, {
    epochs: 2,
    maxBytes,
    ...extra,
  });

/** Runs a tus-js-client upload to its end; resolves with the upload URL. */
function upload(
  bytes: Uint8Array,
  options: Partial<tus.UploadOptions> & { endpoint?: string; uploadUrl?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new tus.Upload(Buffer.from(bytes), {
      chunkSize: CHUNK_BYTES,
      retryDelays: [],
      httpStack: tusHttp,
      ...options,
      onSuccess: () => resolve(client.url!),
      onError: reject,
    });
    client.start();
  });
}

async function certified(statusUrl: string): Promise<{ blobId: string; state: string }> {
  const deadline = Date.now() + CERTIFIED_TIMEOUT_MS;
  for (;;) {
    const status = (await (await fetch(statusUrl)).json()) as {
      state: string;
      blobId?: string;
      error?: string;
    };
    if (status.state === 'certified') return { blobId: status.blobId!, state: status.state };
    if (['failed', 'expired'].includes(status.state) || Date.now() > deadline)
      throw new Error(`session ${status.state}: ${status.error ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function blobIdOf(bytes: Uint8Array): Promise<string> {
  const file = join(root, `file-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(file, bytes);
  const { stdout } = await run('node', [BIN, 'blob-id', file, '--n-shards', '16', '--json']);
  return (JSON.parse(stdout) as { blobId: string }).blobId;
}

async function expectServed(blobId: string, bytes: Uint8Array): Promise<void> {
  const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`);
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
}

describe('tus-js-client against upload sessions', () => {
  it('uploads in chunks, is interrupted after the first, and resumes from HEAD with a new client', async () => {
    const bytes = randomBytes(CHUNK_BYTES * 4 + 1234, 101);
    const s = await session(bytes.length);
    const firstUrl = await new Promise<string>((resolve, reject) => {
      const client: tus.Upload = new tus.Upload(Buffer.from(bytes), {
        endpoint: s.uploadEndpoint,
        chunkSize: CHUNK_BYTES,
        retryDelays: [],
        httpStack: tusHttp,
        onChunkComplete: () => {
          // Interrupted once the first chunk is acknowledged, as a closed laptop would be.
          void client.abort(false).then(() => resolve(client.url!));
        },
        onError: reject,
      });
      client.start();
    });
    const head = await fetch(firstUrl, { method: 'HEAD', headers: TUS });
    const acknowledged = Number(head.headers.get('upload-offset'));
    expect(acknowledged).toBe(CHUNK_BYTES);
    let resumedFrom = -1;
    await upload(bytes, {
      uploadUrl: firstUrl,
      onProgress: (sent: number) => {
        if (resumedFrom < 0) resumedFrom = sent;
      },
    });
    expect(resumedFrom).toBeGreaterThanOrEqual(acknowledged);
    const { blobId } = await certified(s.statusUrl);
    expect(blobId).toBe(await blobIdOf(bytes));
    await expectServed(blobId, bytes);
  });

  it('terminates an upload; the endpoint is then gone', async () => {
    const bytes = randomBytes(CHUNK_BYTES * 3, 102);
    const s = await session(bytes.length);
    const url = await new Promise<string>((resolve, reject) => {
      const client: tus.Upload = new tus.Upload(Buffer.from(bytes), {
        endpoint: s.uploadEndpoint,
        chunkSize: CHUNK_BYTES,
        retryDelays: [],
        httpStack: tusHttp,
        onChunkComplete: () => void client.abort(true).then(() => resolve(client.url!)),
        onError: reject,
      });
      client.start();
    });
    const head = await fetch(url, { method: 'HEAD', headers: TUS });
    expect([404, 410]).toContain(head.status);
  });

  it('refuses what it must: 413 over maxBytes, 403 a second creation, 409 a wrong offset, 401 a tampered token, 410 expired', async () => {
    const bytes = randomBytes(CHUNK_BYTES, 103);
    const small = await session(1000);
    await expect(upload(bytes, { endpoint: small.uploadEndpoint })).rejects.toThrow(/413/);

    const once: UploadSession = await session(bytes.length);
    await upload(bytes, { endpoint: once.uploadEndpoint });
    await expect(upload(bytes, { endpoint: once.uploadEndpoint })).rejects.toThrow(/403/);

    const offsets = await session(bytes.length);
    const created = await fetch(offsets.uploadEndpoint, {
      method: 'POST',
      headers: { ...TUS, 'upload-length': String(bytes.length) },
    });
    expect(created.status).toBe(201);
    const wrong = await fetch(created.headers.get('location')!, {
      method: 'PATCH',
      headers: { ...TUS, 'upload-offset': '7', 'content-type': 'application/offset+octet-stream' },
      body: bytes.slice(0, 10) as Uint8Array<ArrayBuffer>,
    });
    expect(wrong.status).toBe(409);

    const tampered = await session(bytes.length);
    const last = tampered.uploadEndpoint.at(-1) === 'A' ? 'B' : 'A';
    await expect(
      upload(bytes, { endpoint: tampered.uploadEndpoint.slice(0, -1) + last }),
    ).rejects.toThrow(/401/);

    const expiring = await session(bytes.length, { expiresIn: 10 });
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    await expect(upload(bytes, { endpoint: expiring.uploadEndpoint })).rejects.toThrow(/410/);
  }, 60_000);

  it('certifies with a storage node killed while the session distributes', async () => {
    const bytes = randomBytes(CHUNK_BYTES * 2 + 77, 104);
    const s = await session(bytes.length);
    const killed = devnet.network.nodes[0];
    await upload(bytes, {
      endpoint: s.uploadEndpoint,
      // The last chunk's acknowledgement is when the session starts encoding and distributing.
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'PATCH' && Number(res.getHeader('upload-offset')) === bytes.length)
          process.kill(killed.pid, 'SIGKILL');
      },
    });
    const { blobId } = await certified(s.statusUrl);
    expect(blobId).toBe(await blobIdOf(bytes));
    await expectServed(blobId, bytes);
  });

  it('20 concurrent sessions all certify', async () => {
    const blobs = Array.from({ length: 20 }, (_, i) => randomBytes(50_000 + i, 200 + i));
    const ids = await Promise.all(
      blobs.map(async (bytes) => {
        const s = await session(bytes.length);
        await upload(bytes, { endpoint: s.uploadEndpoint });
        return (await certified(s.statusUrl)).blobId;
      }),
    );
    for (const [i, bytes] of blobs.entries()) expect(ids[i]).toBe(await blobIdOf(bytes));
    await expectServed(ids[0], blobs[0]);
  }, 300_000);
});
