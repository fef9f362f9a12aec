/**
 * The storage node as a process, built from dist (`npx tsc -p tsconfig.build.json`): it creates its
 * protocol key (mode 0600) on first start, logs one JSON object per line, stops cleanly on
 * SIGTERM, and loses nothing it confirmed when it is killed with SIGKILL in the middle of a burst
 * of uploads. Every process started here is killed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blsVerify } from '../../../core/bls.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import type { FileChainState } from '../../../node-reference/testing/file-chain.js';
import {
  type TestBlob,
  metadataUrl,
  sliverUrl,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { expectBytes } from '../../helpers/bytes.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const MAIN = join(ROOT, 'dist/node-reference/main.js');
const START_TIMEOUT_MS = 20_000;
const N_SHARDS = 10;
const ALL_SHARDS = Array.from({ length: N_SHARDS }, (_, i) => i);
const SEED = 20_261_124;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: () => string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
let workDir: string;

function start(configPath: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, '--config', configPath], {
    env: { ...process.env, ...env },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolveExit) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        resolveExit({ code, signal });
      }),
  );
  const lines = () => out.split('\n').filter((line) => line !== '');
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node did not start: ${out}${err}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      for (const line of lines()) {
        const record = JSON.parse(line) as { event: string; url?: string };
        if (record.event === 'node.listening') {
          clearTimeout(timer);
          resolveStart({ child, url: record.url!, lines, exited });
          return;
        }
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}: ${out}${err}`));
    });
  });
}

function writeChain(path: string, blobs: readonly TestBlob[]): void {
  const state: FileChainState = {
    nShards: N_SHARDS,
    epoch: 3,
    shards: ALL_SHARDS,
    blobs: blobs.map((blob, i) => ({
      blobId: blob.blobIdText,
      objects: [
        {
          objectId: `0x${(i + 1).toString(16)}`,
          deletable: false,
          registeredEpoch: 3,
          endEpoch: 40,
          certifiedEpoch: null,
          deleted: false,
        },
      ],
    })),
  };
  writeFileSync(path, JSON.stringify(state));
}

function writeConfig(dir: string): string {
  const path = join(dir, 'node.json');
  writeFileSync(
    path,
    JSON.stringify({
      listen: '127.0.0.1:0',
      dataDir: './data',
      chain: { stateFile: './chain.json' },
    }),
  );
  return path;
}

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run npx tsc -p tsconfig.build.json first`);
  workDir = mkdtempSync(join(tmpdir(), 'walrus-node-process-'));
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

describe('storage node process', () => {
  it('creates its key, logs JSON lines, and stops cleanly on SIGTERM', async () => {
    const dir = join(workDir, 'clean');
    mkdirSync(dir, { recursive: true });
    writeChain(join(dir, 'chain.json'), []);
    const config = writeConfig(dir);
    const first = await start(config);
    const keyFile = join(dir, 'data', 'protocol.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const health = (await (await fetch(`${first.url}/v1/health`)).json()) as {
      success: { data: { publicKey: string; epoch: number } };
    };
    expect(health.success.data.epoch).toBe(3);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const events = first.lines().map((line) => JSON.parse(line) as { event: string; time: string });
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'key.created',
        'node.started',
        'node.listening',
        'node.stopping',
        'node.stopped',
      ]),
    );
    for (const event of events) expect(Number.isNaN(Date.parse(event.time))).toBe(false);

    const key = readFileSync(keyFile, 'utf8');
    const second = await start(config);
    const again = (await (await fetch(`${second.url}/v1/health`)).json()) as typeof health;
    expect(again.success.data.publicKey).toBe(health.success.data.publicKey);
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
    expect(second.lines().some((line) => line.includes('"key.created"'))).toBe(false);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });

  it(`loses nothing it confirmed when killed with SIGKILL mid-burst (seed ${SEED})`, async () => {
    const dir = join(workDir, 'kill');
    mkdirSync(dir, { recursive: true });
    const blobs = Array.from({ length: 40 }, (_, i) =>
      testBlob(1_500 + ((SEED + i * 7919) % 20_000), N_SHARDS, SEED + i),
    );
    writeChain(join(dir, 'chain.json'), blobs);
    const config = writeConfig(dir);
    const node = await start(config);

    const confirmed: TestBlob[] = [];
    let killed = false;
    let nextBlob = 0;
    const CONFIRMED_BEFORE_KILL = 8;
    const worker = async () => {
      while (!killed && nextBlob < blobs.length) {
        const blob = blobs[nextBlob++];
        try {
          await uploadBlob(node.url, blob, ALL_SHARDS);
          const response = await fetch(
            `${node.url}/v1/blobs/${blob.blobIdText}/confirmation/permanent`,
          );
          if (response.status !== 200) continue;
          const body = (await response.json()) as {
            success: { data: { signed: { serializedMessage: string; signature: string } } };
          };
          const message = new Uint8Array(
            Buffer.from(body.success.data.signed.serializedMessage, 'base64'),
          );
          expectBytes(message, storageConfirmationMessage(3, blob.blobId, { kind: 'permanent' }));
          confirmed.push(blob);
          if (confirmed.length >= CONFIRMED_BEFORE_KILL && !killed) {
            // Other workers are in the middle of their sliver PUTs right now.
            killed = true;
            node.child.kill('SIGKILL');
          }
        } catch {
          // Connection refused or reset: the node is gone.
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(killed).toBe(true);
    expect((await node.exited).signal).toBe('SIGKILL');
    expect(confirmed.length).toBeGreaterThanOrEqual(CONFIRMED_BEFORE_KILL);
    expect(confirmed.length).toBeLessThan(blobs.length);

    const restarted = await start(config);
    try {
      const health = (await (await fetch(`${restarted.url}/v1/health`)).json()) as {
        success: { data: { publicKey: string } };
      };
      const nodeKey = new Uint8Array(Buffer.from(health.success.data.publicKey, 'base64'));
      for (const blob of confirmed) {
        const metadata = await fetch(metadataUrl(restarted.url, blob));
        expect(metadata.status, blob.blobIdText).toBe(200);
        await metadata.arrayBuffer();
        for (const pairIndex of ALL_SHARDS) {
          for (const axis of ['primary', 'secondary'] as const) {
            const response = await fetch(sliverUrl(restarted.url, blob, pairIndex, axis));
            expect(response.status, `${blob.blobIdText} ${axis} ${pairIndex}`).toBe(200);
            expectBytes(
              new Uint8Array(await response.arrayBuffer()),
              blob.sliverBcs(pairIndex, axis),
            );
          }
        }
        const confirmation = await fetch(
          `${restarted.url}/v1/blobs/${blob.blobIdText}/confirmation/permanent`,
        );
        expect(confirmation.status).toBe(200);
        const body = (await confirmation.json()) as {
          success: { data: { signed: { serializedMessage: string; signature: string } } };
        };
        const signature = new Uint8Array(Buffer.from(body.success.data.signed.signature, 'base64'));
        expect(
          blsVerify(
            signature,
            nodeKey,
            storageConfirmationMessage(3, blob.blobId, { kind: 'permanent' }),
          ),
        ).toBe(true);
      }
      // The blobs cut off by the kill can be completed after the restart.
      const unfinished = blobs.filter((blob) => !confirmed.includes(blob)).slice(0, 3);
      for (const blob of unfinished) {
        await uploadBlob(restarted.url, blob, ALL_SHARDS);
        expect(
          (await fetch(`${restarted.url}/v1/blobs/${blob.blobIdText}/confirmation/permanent`))
            .status,
        ).toBe(200);
      }
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });

  it('crashing between a sliver write and its flush corrupts nothing (fail point)', async () => {
    const dir = join(workDir, 'fail-point');
    mkdirSync(dir, { recursive: true });
    const blobs = [0, 1].map((i) => testBlob(4_000 + 3_000 * i, N_SHARDS, SEED + 1000 + i));
    writeChain(join(dir, 'chain.json'), blobs);
    const config = writeConfig(dir);
    const first = await start(config);
    await uploadBlob(first.url, blobs[0], ALL_SHARDS);
    expect(
      (await fetch(`${first.url}/v1/blobs/${blobs[0].blobIdText}/confirmation/permanent`)).status,
    ).toBe(200);
    first.child.kill('SIGTERM');
    await first.exited;

    // The node kills itself with SIGKILL right after committing a sliver, before the fsync.
    const crashing = await start(config, {
      WALRUS_NODE_FAIL_POINTS: 'sliver-after-write-before-flush=crash',
    });
    await expect(uploadBlob(crashing.url, blobs[1], ALL_SHARDS)).rejects.toThrow();
    expect((await crashing.exited).signal).toBe('SIGKILL');
    expect(crashing.lines().some((line) => line.includes('"fail_points.enabled"'))).toBe(true);

    const restarted = await start(config);
    try {
      for (const pairIndex of ALL_SHARDS) {
        const response = await fetch(sliverUrl(restarted.url, blobs[0], pairIndex, 'primary'));
        expectBytes(
          new Uint8Array(await response.arrayBuffer()),
          blobs[0].sliverBcs(pairIndex, 'primary'),
        );
      }
      // Whatever of the interrupted blob survived is whole; the upload completes and confirms.
      await uploadBlob(restarted.url, blobs[1], ALL_SHARDS);
      const confirmation = await fetch(
        `${restarted.url}/v1/blobs/${blobs[1].blobIdText}/confirmation/permanent`,
      );
      expect(confirmation.status).toBe(200);
      await confirmation.arrayBuffer();
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});
