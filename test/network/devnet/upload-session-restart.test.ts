/**
 * Upload sessions on a whole devnet (launcher process, 4 nodes, 16 shards). A session survives a restart of the whole devnet, its Worker (Miniflare: the Durable
 * Objects and the R2 staging bucket) included: `walrus-edge session create --json` (CLI and SDK)
 * makes the session, part of the blob goes up by tus, every process stops, the launcher starts again
 * on the same data dir, HEAD gives the acknowledged offset, the rest goes up from there, and the
 * blob is certified with the ID `walrus-edge blob-id` computes and served byte for byte. Then a
 * storage node hangs (SIGSTOP) while a session's blob is distributed, and it is certified anyway.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../devnet/launcher/ports.js';
import { randomBytes } from '../../helpers/random.js';

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;
const LAUNCHER = join(ROOT, 'dist', 'devnet', 'launcher', 'main.js');
const BIN = join(ROOT, 'bin', 'walrus-edge.js');
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const TUS = { 'tus-resumable': '1.0.0' };

const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-session-restart-'));
let launcher: ChildProcess | undefined;
/** One Worker port for both runs: the session's URLs name it. */
let port: number | undefined;

interface NetworkFile {
  aggregatorUrl: string;
  publisherUrl: string;
  nodes: { name: string; shards: number[]; pid: number }[];
}

async function startDevnet(): Promise<NetworkFile> {
  port ??= await freePort();
  const child = spawn(
    'node',
    [LAUNCHER, '--data-dir', dir, '--port', String(port), '--nodes', '4', '--shards', '16'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  launcher = child;
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
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`launcher exited ${code}:\n${output}`)));
  });
  return JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8'));
}

async function stopDevnet(): Promise<void> {
  const child = launcher;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function cli(...args: string[]): Promise<string> {
  // blob-id is offline: it takes no network file.
  const network = args[0] === 'blob-id' ? [] : ['--network', join(dir, 'network.json')];
  const { stdout } = await run('node', [BIN, ...args, ...network], {
    timeout: 60_000,
    env: { ...process.env, WALRUS_EDGE_NO_PROGRESS: '1' },
  });
  return stdout;
}

/** A hung node, continued whatever happens (a stopped process ignores SIGTERM). */
let hungPid: number | undefined;

afterAll(async () => {
  if (hungPid !== undefined) process.kill(hungPid, 'SIGCONT');
  await stopDevnet();
  rmSync(dir, { recursive: true, force: true });
}, STOP_TIMEOUT_MS + 5_000);

describe('an upload session across a restart of the devnet and its Worker', () => {
  it('resumes from the acknowledged offset and certifies the blob', async () => {
    let network = await startDevnet();
    const bytes = randomBytes(1_500_007, 0x5e55);
    const file = join(dir, 'blob.bin');
    writeFileSync(file, bytes);
    const session = JSON.parse(
      await cli('session', 'create', '--epochs', '2', '--max-bytes', '2000000', '--json'),
    ) as { uploadEndpoint: string; statusUrl: string; maxBytes: number; sessionId: string };
    expect(session.maxBytes).toBe(2_000_000);
    expect(session.uploadEndpoint.startsWith(`${network.publisherUrl}/v1/uploads/`)).toBe(true);

    const created = await fetch(session.uploadEndpoint, {
      method: 'POST',
      headers: { ...TUS, 'upload-length': String(bytes.length) },
    });
    expect(created.status).toBe(201);
    const uploadUrl = created.headers.get('location')!;
    const first = await fetch(uploadUrl, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: bytes.slice(0, 600_000) as Uint8Array<ArrayBuffer>,
    });
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe('600000');

    await stopDevnet();
    network = await startDevnet();
    // Same port, same URLs: the session's object and its staged bytes came back from disk.
    expect(uploadUrl.startsWith(network.publisherUrl)).toBe(true);
    const head = await fetch(uploadUrl, { method: 'HEAD', headers: TUS });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('600000');
    expect(head.headers.get('upload-length')).toBe(String(bytes.length));
    const rest = await fetch(uploadUrl, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'upload-offset': '600000',
        'content-type': 'application/offset+octet-stream',
      },
      body: bytes.slice(600_000) as Uint8Array<ArrayBuffer>,
    });
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe(String(bytes.length));

    let status: { state: string; blobId?: string; error?: string } = { state: 'uploading' };
    const deadline = Date.now() + 60_000;
    while (!['certified', 'failed', 'expired'].includes(status.state) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = await (await fetch(session.statusUrl)).json();
    }
    expect(status.state, status.error).toBe('certified');
    const blobId = JSON.parse(await cli('blob-id', file, '--n-shards', '16', '--json')).blobId;
    expect(status.blobId).toBe(blobId);
    const read = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`);
    expect(read.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await read.arrayBuffer()), Buffer.from(bytes))).toBe(0);
  }, 300_000);

  it('certifies with a storage node hung (SIGSTOP) during distribution', async () => {
    const network = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')) as NetworkFile;
    // 4 of the 16 shards, within f = 5.
    const victim = network.nodes[1];
    expect(victim.shards.length).toBeLessThanOrEqual(5);
    const bytes = randomBytes(700_001, 0x4a4a);
    const session = JSON.parse(
      await cli('session', 'create', '--epochs', '1', '--max-bytes', '700001', '--json'),
    ) as { uploadEndpoint: string; statusUrl: string };
    hungPid = victim.pid;
    process.kill(victim.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const put = await fetch(session.uploadEndpoint, {
        method: 'PUT',
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      expect(put.status).toBe(200);
      let status: { state: string; blobId?: string; error?: string } = { state: 'encoding' };
      while (!['certified', 'failed'].includes(status.state) && Date.now() - started < 60_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = await (await fetch(session.statusUrl)).json();
      }
      expect(status.state, status.error).toBe('certified');
      // Quorum without the hung node: far sooner than its requests' deadlines.
      expect(Date.now() - started).toBeLessThan(30_000);
      const read = await fetch(`${network.aggregatorUrl}/v1/blobs/${status.blobId}`);
      expect(Buffer.compare(Buffer.from(await read.arrayBuffer()), Buffer.from(bytes))).toBe(0);
    } finally {
      process.kill(victim.pid, 'SIGCONT');
      hungPid = undefined;
    }
  }, 120_000);
});
