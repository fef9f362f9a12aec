/**
 * Unit level (docs/style.md §5): the Worker module imported into the test and called as
 * `worker.fetch(request, env, ctx)` inside workerd, with an env built from the devnet that
 * test/workerd/global-setup.ts started and provided.
 */
import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../../workers/index.js';
import { withBodyDeadline } from '../../client/body-deadline.js';
import { bytesEqual } from '../../core/bytes.js';
import { EdgeCache } from '../../workers/edge-cache.js';
import { unitFetch } from './worker-harness.js';
import { ORIGIN, blobApiSuite } from './blob-api-suite.js';
import { errorReason } from './helpers.js';

const devnet = inject('devnet');
/** Small, so the 413 test sends little; still above the largest blob the suite stores (~3 MB). */
const BODY_BYTES_MAX = 4 * 1024 * 1024;

const env: Env = {
  SUI_RPC_URL: devnet.ledgerUrl,
  WALRUS_PACKAGE_ID: devnet.packageId,
  WALRUS_SYSTEM_OBJECT_ID: devnet.systemObjectId,
  PUBLISHER_SECRET_KEY: devnet.publisherSecretKeys[1],
  PUBLISHER_BODY_BYTES_MAX: String(BODY_BYTES_MAX),
};

const send = (request: Request, withEnv: Env = env) => unitFetch(request, withEnv);

describe('worker.fetch (unit level)', () => {
  blobApiSuite({ send, nShards: devnet.nShards, bodyBytesMax: BODY_BYTES_MAX });

  it('answers 501 PUBLISHER_DISABLED without a wallet', async () => {
    const { PUBLISHER_SECRET_KEY: _, ...withoutWallet } = env;
    const response = await send(
      new Request(`${ORIGIN}/v1/blobs?epochs=1`, { method: 'PUT', body: 'x' }),
      withoutWallet,
    );
    expect(response.status).toBe(501);
    expect(await errorReason(response)).toBe('PUBLISHER_DISABLED');
  });
});

describe('withBodyDeadline in workerd (client/body-deadline.ts)', () => {
  const BODY_BYTES = 1024 * 1024 + 17;
  const deadline = (chunksCopiedByConsumer: boolean) => ({
    idleMs: 5_000,
    abort: () => {},
    onStall: () => new Error('stalled'),
    chunksCopiedByConsumer,
  });
  const pattern = () => {
    const bytes = new Uint8Array(BODY_BYTES);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >>> 11)) & 0xff;
    return bytes;
  };

  /** Reads the body, copying each chunk as it comes, and keeps the chunks themselves too. */
  async function readKeeping(body: ReadableStream<Uint8Array>) {
    const reader = body.getReader();
    const kept: Uint8Array[] = [];
    const copied = new Uint8Array(BODY_BYTES);
    let at = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      copied.set(value, at);
      at += value.length;
      kept.push(value);
    }
    return { kept, copied: copied.subarray(0, at) };
  }

  it('reads a body in gathered pieces; with chunksCopiedByConsumer, one buffer serves them all', async () => {
    const bytes = pattern();
    const reused = await readKeeping(
      withBodyDeadline(new Response(bytes.slice()), deadline(true)).body!,
    );
    // (bytesEqual: vitest's toEqual takes seconds over a megabyte.)
    expect(bytesEqual(reused.copied, bytes)).toBe(true);
    expect(reused.kept.length).toBeGreaterThan(1);
    // Each read handed the previous piece's buffer back: a chunk kept past the next read is
    // detached (empty), never overwritten with later bytes.
    for (const chunk of reused.kept.slice(0, -1)) expect(chunk.length).toBe(0);

    const fresh = await readKeeping(
      withBodyDeadline(new Response(bytes.slice()), deadline(false)).body!,
    );
    let at = 0;
    for (const chunk of fresh.kept) {
      expect(bytesEqual(chunk, bytes.subarray(at, at + chunk.length))).toBe(true);
      at += chunk.length;
    }
    expect(at).toBe(BODY_BYTES);
  });
});

describe('EdgeCache.putBytes (workers/edge-cache.ts)', () => {
  it('stores bytes given as pieces (a segment’s rows) exactly, while the pieces also go elsewhere', async () => {
    const pending: Promise<unknown>[] = [];
    const cache = new EdgeCache(await caches.open('put-pieces'), ORIGIN, (p) => pending.push(p));
    const pieces = [1000, 1, 70_000, 0, 333].map((length, i) =>
      Uint8Array.from({ length }, (_, j) => (i * 101 + j * 7) & 0xff),
    );
    const whole = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
    pieces.reduce((at, piece) => (whole.set(piece, at), at + piece.length), 0);
    const key = cache.key('segment', 'test-blob', '3', '0');
    // The same pieces are read by another stream meanwhile, as a client's response reads them.
    const client = new Response(
      new ReadableStream({
        start(controller) {
          for (const piece of pieces) controller.enqueue(piece);
          controller.close();
        },
      }),
    ).arrayBuffer();
    cache.putBytes(key, pieces, 60);
    expect(bytesEqual(new Uint8Array(await client), whole)).toBe(true);
    await Promise.all(pending);
    const stored = await cache.getBytes(key);
    expect(stored === undefined ? undefined : bytesEqual(stored, whole)).toBe(true);
    expect(pieces.map((piece) => piece.length)).toEqual([1000, 1, 70_000, 0, 333]);
  });
});
