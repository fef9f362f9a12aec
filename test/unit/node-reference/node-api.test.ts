/**
 * The reference storage node's REST API over real HTTP (an in-process node on 127.0.0.1:0 and a
 * MemoryChain): storing and reading metadata and slivers byte for byte, the batch read, statuses,
 * confirmations, pending uploads, deletion and expiry, hostile input, concurrency caps and CORS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blsVerify } from '../../../core/bls.js';
import { encodeBlobMetadata, encodeBlobMetadataWithId } from '../../../core/encoding/metadata.js';
import { encodeSliverData } from '../../../core/encoding/sliver-data.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import { decodeSliverBatch } from '../../../core/node-api/sliver-batch.js';
import { disableAllFailPoints, enableFailPoint } from '../../../node-reference/fail-points.js';
import {
  type TestBlob,
  errorOf,
  metadataUrl,
  pairsOnShards,
  putBytes,
  sliverUrl,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { expectBytes } from '../../helpers/bytes.js';

const N_SHARDS = 10;
const SHARDS = [1, 4, 8];
const NOT_HELD = [0, 2, 3, 5, 6, 7, 9];

let dataDir: string;
let chain: MemoryChain;
let node: Awaited<ReturnType<typeof startTestNode>>;
let url: string;
let seed = 1;

const nextBlob = (size = 3000): TestBlob => testBlob(size, N_SHARDS, seed++);
const base = (blob: TestBlob) => `${url}/v1/blobs/${blob.blobIdText}`;
const json = async (response: Response) =>
  (await response.json()) as { success: { code: number; data: unknown } };
const pairNotHeld = (blob: TestBlob) => pairsOnShards(blob, NOT_HELD)[0];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'walrus-node-api-'));
  chain = new MemoryChain({ nShards: N_SHARDS });
  chain.assignShards('a', SHARDS);
  node = await startTestNode({
    chain,
    name: 'a',
    dataDir,
    limits: { recoveryRequestsInFlightMax: 2 },
  });
  url = node.url;
});

afterAll(async () => {
  disableAllFailPoints();
  await node?.close(0);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('storing and reading', () => {
  it('refuses metadata of an unregistered blob', async () => {
    const blob = nextBlob();
    const reply = await errorOf(await putBytes(metadataUrl(url, blob), blob.metadataBcs));
    expect(reply).toMatchObject({ status: 400, reason: 'NOT_REGISTERED' });
    expect(reply.body.error).toMatchObject({ code: 400, status: 'FAILED_PRECONDITION' });
    expect(reply.body.error.details[0]).toEqual({
      '@type': 'ErrorInfo',
      reason: 'NOT_REGISTERED',
      domain: 'storage.walrus.space',
    });
  });

  it('stores metadata and slivers and serves them back byte for byte', async () => {
    const blob = nextBlob(5000);
    await chain.registerBlob({ blobId: blob.blobId });
    const first = await putBytes(metadataUrl(url, blob), blob.metadataBcs);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({
      success: { code: 201, data: 'metadata successfully stored' },
    });
    expect((await putBytes(metadataUrl(url, blob), blob.metadataBcs, null)).status).toBe(200);

    const metadata = await fetch(metadataUrl(url, blob));
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toBe('application/octet-stream');
    expectBytes(
      new Uint8Array(await metadata.arrayBuffer()),
      encodeBlobMetadataWithId(blob.blobId, blob.encoded.metadata),
    );
    expect((await json(await fetch(`${base(blob)}/metadata/status`))).success.data).toBe('stored');

    for (const pairIndex of pairsOnShards(blob, SHARDS)) {
      for (const axis of ['primary', 'secondary'] as const) {
        expect(
          (await json(await fetch(sliverUrl(url, blob, pairIndex, axis, '/status')))).success.data,
        ).toBe('nonexistent');
        const put = await putBytes(
          sliverUrl(url, blob, pairIndex, axis),
          blob.sliverBcs(pairIndex, axis),
        );
        expect(put.status).toBe(201);
        await put.arrayBuffer();
        const again = await putBytes(
          sliverUrl(url, blob, pairIndex, axis),
          blob.sliverBcs(pairIndex, axis),
        );
        expect(again.status).toBe(200);
        await again.arrayBuffer();
        const got = await fetch(sliverUrl(url, blob, pairIndex, axis));
        expect(got.status).toBe(200);
        expectBytes(
          new Uint8Array(await got.arrayBuffer()),
          blob.sliverBcs(pairIndex, axis),
          `${axis} sliver ${pairIndex}`,
        );
        expect(
          (await json(await fetch(sliverUrl(url, blob, pairIndex, axis, '/status')))).success.data,
        ).toBe('stored');
      }
    }
  });

  it('serves many slivers in one batch read', async () => {
    const blob = nextBlob(4000);
    await chain.registerBlob({ blobId: blob.blobId });
    await uploadBlob(url, blob, SHARDS);
    const pairs = pairsOnShards(blob, SHARDS);
    for (const axis of ['primary', 'secondary'] as const) {
      // Repeated and unordered on purpose: entries come back distinct and ascending.
      const list = [pairs[2], `${pairs[0]}-${pairs[0]}`, pairs[1], pairs[0]].join(',');
      const response = await fetch(`${base(blob)}/slivers?axis=${axis}&pairs=${list}`);
      expect(response.status).toBe(200);
      const entries = decodeSliverBatch(new Uint8Array(await response.arrayBuffer()));
      expect(entries.map((e) => e.pairIndex)).toEqual(pairs);
      for (const entry of entries)
        expectBytes(entry.sliver!, blob.sliverBcs(entry.pairIndex, axis));
    }
    const notHeld = await errorOf(
      await fetch(`${base(blob)}/slivers?axis=primary&pairs=${pairs[0]},${pairNotHeld(blob)}`),
    );
    expect(notHeld).toMatchObject({ status: 400, reason: 'SHARD_NOT_ASSIGNED' });
    const tooMany = await errorOf(
      await fetch(`${base(blob)}/slivers?axis=primary&pairs=${Array(110).fill('0-9').join(',')}`),
    );
    expect(tooMany).toMatchObject({ status: 400, reason: 'BATCH_TOO_LARGE' });
    expect(await errorOf(await fetch(`${base(blob)}/slivers?axis=diagonal&pairs=1`))).toMatchObject(
      { reason: 'INVALID_QUERY' },
    );
    expect(
      await errorOf(await fetch(`${base(blob)}/slivers?axis=primary&pairs=3-1`)),
    ).toMatchObject({ reason: 'INVALID_QUERY' });
  });
});

describe('hostile input gets the right 4xx and the node keeps serving', () => {
  let blob: TestBlob;
  let held: number[];

  beforeAll(async () => {
    blob = nextBlob(2500);
    await chain.registerBlob({ blobId: blob.blobId });
    held = pairsOnShards(blob, SHARDS);
  });

  it('rejects bad metadata', async () => {
    const tampered = {
      ...blob.encoded.metadata,
      hashes: blob.encoded.metadata.hashes.map((pair, p) =>
        p === 0 ? { ...pair, primary: pair.primary.map((b) => b ^ 1) } : pair,
      ),
    };
    const cases: [string, Promise<Response>, number, string][] = [
      [
        'tampered hash',
        putBytes(metadataUrl(url, blob), encodeBlobMetadata(tampered)),
        400,
        'INVALID_METADATA',
      ],
      [
        'garbage BCS',
        putBytes(metadataUrl(url, blob), Uint8Array.of(9, 9, 9)),
        400,
        'INVALID_CONTENT_TYPE',
      ],
      [
        'trailing byte',
        putBytes(metadataUrl(url, blob), Uint8Array.from([...blob.metadataBcs, 0])),
        400,
        'INVALID_CONTENT_TYPE',
      ],
      [
        'wrong content type',
        putBytes(metadataUrl(url, blob), blob.metadataBcs, 'application/json'),
        400,
        'INVALID_CONTENT_TYPE',
      ],
      ['bad blob ID', fetch(`${url}/v1/blobs/not-a-blob-id/metadata`), 400, 'INVALID_BLOB_ID'],
      ['unknown metadata', fetch(metadataUrl(url, nextBlob())), 404, 'METADATA_NOT_FOUND'],
      [
        'sliver before metadata',
        putBytes(sliverUrl(url, blob, held[0], 'primary'), blob.sliverBcs(held[0], 'primary')),
        400,
        'METADATA_NOT_FOUND',
      ],
    ];
    for (const [what, request, status, reason] of cases) {
      expect(await errorOf(await request), what).toMatchObject({ status, reason });
    }
    expect((await putBytes(metadataUrl(url, blob), blob.metadataBcs)).status).toBe(201);
  });

  it('rejects bad slivers', async () => {
    const [p, q] = held;
    const good = blob.sliverBcs(p, 'primary');
    const tampered = good.slice();
    tampered[tampered.length - 10] ^= 0x40;
    const symbolBytes = blob.encoded.layout.symbolBytes;
    const short = encodeSliverData({
      data: blob.encoded.primarySliver(p).slice(symbolBytes),
      symbolBytes,
      index: p,
    });
    const oversized = new Uint8Array(good.length + 1000);
    const cases: [string, Promise<Response>, number, string][] = [
      [
        'tampered data',
        putBytes(sliverUrl(url, blob, p, 'primary'), tampered),
        400,
        'INVALID_SLIVER',
      ],
      ['wrong size', putBytes(sliverUrl(url, blob, p, 'primary'), short), 400, 'INVALID_SLIVER'],
      [
        'wrong index',
        putBytes(sliverUrl(url, blob, q, 'primary'), good),
        400,
        'SLIVER_INDEX_MISMATCH',
      ],
      [
        'wrong axis',
        putBytes(sliverUrl(url, blob, p, 'primary'), blob.sliverBcs(p, 'secondary')),
        400,
        'SLIVER_INDEX_MISMATCH',
      ],
      // A primary sliver is longer than any secondary one: over the exact limit for that axis.
      [
        'primary as secondary',
        putBytes(sliverUrl(url, blob, p, 'secondary'), good),
        413,
        'SLIVER_TOO_LARGE',
      ],
      [
        'wrong shard',
        putBytes(
          sliverUrl(url, blob, pairNotHeld(blob), 'primary'),
          blob.sliverBcs(pairNotHeld(blob), 'primary'),
        ),
        400,
        'SHARD_NOT_ASSIGNED',
      ],
      [
        'index out of range',
        putBytes(sliverUrl(url, blob, N_SHARDS, 'primary'), good),
        400,
        'INDEX_OUT_OF_RANGE',
      ],
      [
        'oversized body',
        putBytes(sliverUrl(url, blob, p, 'primary'), oversized),
        413,
        'SLIVER_TOO_LARGE',
      ],
      [
        'garbage BCS',
        putBytes(sliverUrl(url, blob, p, 'primary'), Uint8Array.of(0xff, 0xff, 0xff)),
        400,
        'INVALID_CONTENT_TYPE',
      ],
      [
        'wrong content type',
        putBytes(sliverUrl(url, blob, p, 'primary'), good, 'text/plain'),
        400,
        'INVALID_CONTENT_TYPE',
      ],
      [
        'bad axis',
        putBytes(sliverUrl(url, blob, p, 'primary').replace('/primary', '/tertiary'), good),
        400,
        'INVALID_PATH',
      ],
      ['missing sliver', fetch(sliverUrl(url, blob, p, 'primary')), 404, 'SLIVER_NOT_FOUND'],
      ['unknown route', fetch(`${url}/v1/nothing/here`), 404, 'NOT_FOUND'],
    ];
    for (const [what, request, status, reason] of cases) {
      expect(await errorOf(await request), what).toMatchObject({ status, reason });
    }
    expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    const stored = await putBytes(sliverUrl(url, blob, p, 'primary'), good);
    expect(stored.status).toBe(201);
    await stored.arrayBuffer();
  });
});

describe('confirmations', () => {
  it('signs only once every sliver of every held shard is stored', async () => {
    const blob = nextBlob(6000);
    const objectId = await chain.registerBlob({ blobId: blob.blobId });
    const confirmation = `${base(blob)}/confirmation/permanent`;
    expect(await errorOf(await fetch(confirmation))).toMatchObject({
      status: 400,
      reason: 'MISSING_SLIVERS',
    });
    const pairs = pairsOnShards(blob, SHARDS);
    expect((await putBytes(metadataUrl(url, blob), blob.metadataBcs)).status).toBe(201);
    for (const pairIndex of pairs) {
      for (const axis of ['primary', 'secondary'] as const) {
        expect(await errorOf(await fetch(confirmation))).toMatchObject({
          reason: 'MISSING_SLIVERS',
        });
        const put = await putBytes(
          sliverUrl(url, blob, pairIndex, axis),
          blob.sliverBcs(pairIndex, axis),
        );
        expect(put.status).toBe(201);
        await put.arrayBuffer();
      }
    }
    const response = await fetch(confirmation);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      success: { code: number; data: { signed: { serializedMessage: string; signature: string } } };
    };
    expect(body.success.code).toBe(200);
    const message = new Uint8Array(
      Buffer.from(body.success.data.signed.serializedMessage, 'base64'),
    );
    const signature = new Uint8Array(Buffer.from(body.success.data.signed.signature, 'base64'));
    expectBytes(
      message,
      storageConfirmationMessage(chain.currentEpoch(), blob.blobId, { kind: 'permanent' }),
    );
    expect(blsVerify(signature, node.service.publicKey, message)).toBe(true);

    // The deletable route names a Blob object; this blob has only a permanent one.
    const hex = Buffer.from(objectId).toString('hex');
    expect(
      await errorOf(await fetch(`${base(blob)}/confirmation/deletable/0x${hex}`)),
    ).toMatchObject({ reason: 'NOT_REGISTERED' });
  });

  it('signs deletable confirmations for the right object only', async () => {
    const blob = nextBlob(3500);
    const objectId = await chain.registerBlob({ blobId: blob.blobId, deletable: true });
    await uploadBlob(url, blob, SHARDS);
    const hex = Buffer.from(objectId).toString('hex');
    const response = await fetch(`${base(blob)}/confirmation/deletable/0x${hex}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      success: { data: { signed: { serializedMessage: string; signature: string } } };
    };
    const message = new Uint8Array(
      Buffer.from(body.success.data.signed.serializedMessage, 'base64'),
    );
    expectBytes(
      message,
      storageConfirmationMessage(chain.currentEpoch(), blob.blobId, {
        kind: 'deletable',
        objectId,
      }),
    );
    expect(
      blsVerify(
        new Uint8Array(Buffer.from(body.success.data.signed.signature, 'base64')),
        node.service.publicKey,
        message,
      ),
    ).toBe(true);
    const other = `0x${'ab'.repeat(32)}`;
    expect(
      await errorOf(await fetch(`${base(blob)}/confirmation/deletable/${other}`)),
    ).toMatchObject({ reason: 'NOT_REGISTERED' });
    expect(await errorOf(await fetch(`${base(blob)}/confirmation/permanent`))).toMatchObject({
      reason: 'NOT_REGISTERED',
    });
  });
});

describe('pending uploads', () => {
  it('buffers uploads before the registration and stores them when it arrives', async () => {
    const blob = nextBlob(4500);
    await uploadBlob(url, blob, SHARDS, '?pending=true');
    expect((await json(await fetch(`${base(blob)}/metadata/status`))).success.data).toBe(
      'buffered',
    );
    const [p] = pairsOnShards(blob, SHARDS);
    expect(
      (await json(await fetch(sliverUrl(url, blob, p, 'secondary', '/status')))).success.data,
    ).toBe('buffered');
    expect(await errorOf(await fetch(`${base(blob)}/confirmation/permanent`))).toMatchObject({
      reason: 'NOT_REGISTERED',
    });

    // A long-polling confirmation request, answered once the registration is seen.
    const waiting = fetch(
      `${base(blob)}/confirmation/permanent?wait_for_registration=true&wait_millis=4000`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await chain.registerBlob({ blobId: blob.blobId });
    const response = await waiting;
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect((await json(await fetch(`${base(blob)}/metadata/status`))).success.data).toBe('stored');
    expectBytes(
      new Uint8Array(await (await fetch(sliverUrl(url, blob, p, 'secondary'))).arrayBuffer()),
      blob.sliverBcs(p, 'secondary'),
    );
  });

  it('refuses pending uploads beyond the memory budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walrus-node-pending-'));
    const small = await startTestNode({
      chain,
      name: 'a',
      dataDir: dir,
      pending: { bytesMax: 4096 },
    });
    try {
      const blob = nextBlob(20_000);
      expect(
        (await putBytes(metadataUrl(small.url, blob, '?pending=true'), blob.metadataBcs)).status,
      ).toBe(202);
      const [p] = pairsOnShards(blob, SHARDS);
      const reply = await errorOf(
        await putBytes(
          sliverUrl(small.url, blob, p, 'primary', '?pending=true'),
          blob.sliverBcs(p, 'primary'),
        ),
      );
      expect(reply).toMatchObject({ status: 400, reason: 'CACHE_SATURATED' });
    } finally {
      await small.close(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('blob status, deletion and expiry', () => {
  it('reports the status a registration implies', async () => {
    const blob = nextBlob();
    expect((await json(await fetch(`${base(blob)}/status`))).success.data).toBe('nonexistent');
    const objectId = await chain.registerBlob({
      blobId: blob.blobId,
      endEpoch: chain.currentEpoch() + 5,
    });
    await chain.certifyBlob(blob.blobId, objectId);
    const status = (await json(await fetch(`${base(blob)}/status`))).success.data as {
      permanent: Record<string, unknown>;
    };
    expect(status.permanent).toMatchObject({
      endEpoch: chain.currentEpoch() + 5,
      isCertified: true,
      deletableCounts: { count_deletable_total: 0, count_deletable_certified: 0 },
      initialCertifiedEpoch: chain.currentEpoch(),
    });
    expect(status.permanent.statusEvent).toMatchObject({ eventSeq: '0' });
    await chain.invalidateBlob(blob.blobId);
    expect((await json(await fetch(`${base(blob)}/status`))).success.data).toHaveProperty(
      'invalid',
    );
  });

  it('deletes the data of a deleted deletable blob', async () => {
    const blob = nextBlob();
    const objectId = await chain.registerBlob({ blobId: blob.blobId, deletable: true });
    await uploadBlob(url, blob, SHARDS);
    const [p] = pairsOnShards(blob, SHARDS);
    expect((await fetch(sliverUrl(url, blob, p, 'primary'))).status).toBe(200);
    await chain.deleteBlob(blob.blobId, objectId);
    expect(await errorOf(await fetch(metadataUrl(url, blob)))).toMatchObject({
      status: 404,
      reason: 'METADATA_NOT_FOUND',
    });
    expect(await errorOf(await fetch(sliverUrl(url, blob, p, 'primary')))).toMatchObject({
      status: 404,
      reason: 'SLIVER_NOT_FOUND',
    });
    expect(
      (await json(await fetch(sliverUrl(url, blob, p, 'primary', '/status')))).success.data,
    ).toBe('nonexistent');
  });

  it('deletes the data of blobs that expire at an epoch change', async () => {
    const blob = nextBlob();
    const lasting = nextBlob();
    await chain.registerBlob({ blobId: blob.blobId, endEpoch: chain.currentEpoch() + 1 });
    await chain.registerBlob({ blobId: lasting.blobId, endEpoch: chain.currentEpoch() + 5 });
    await uploadBlob(url, blob, SHARDS);
    await uploadBlob(url, lasting, SHARDS);
    await chain.advanceEpoch();
    expect((await fetch(metadataUrl(url, blob))).status).toBe(404);
    expect((await fetch(metadataUrl(url, lasting))).status).toBe(200);
    expect(await errorOf(await fetch(`${base(blob)}/confirmation/permanent`))).toMatchObject({
      reason: 'NOT_REGISTERED',
    });
    const confirmation = await fetch(`${base(lasting)}/confirmation/permanent`);
    expect(confirmation.status).toBe(200);
    const body = (await confirmation.json()) as {
      success: { data: { signed: { serializedMessage: string } } };
    };
    // Confirmations carry the node's current epoch.
    expect(Buffer.from(body.success.data.signed.serializedMessage, 'base64').readUInt32LE(3)).toBe(
      chain.currentEpoch(),
    );
  });
});

describe('operational behaviour', () => {
  it('answers 503 when a concurrency cap is full, and serves again once it frees', async () => {
    const blob = nextBlob();
    await chain.registerBlob({ blobId: blob.blobId });
    await uploadBlob(url, blob, SHARDS);
    let release!: () => void;
    enableFailPoint('recovery-symbols-before-compute', {
      kind: 'wait',
      until: new Promise<void>((r) => (release = r)),
    });
    const symbols = `${base(blob)}/recoverySymbols?targetSliver=0&targetType=primary`;
    const held = [fetch(symbols), fetch(symbols)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await errorOf(await fetch(symbols));
    expect(refused).toMatchObject({ status: 503, reason: 'UNAVAILABLE' });
    expect(refused.body.error.details[0].domain).toBe('global');
    disableAllFailPoints();
    release();
    for (const response of await Promise.all(held)) {
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect((await fetch(symbols)).status).toBe(200);
  });

  it('turns an internal failure into a generic 500 and keeps serving', async () => {
    const blob = nextBlob();
    await chain.registerBlob({ blobId: blob.blobId });
    expect((await putBytes(metadataUrl(url, blob), blob.metadataBcs)).status).toBe(201);
    const [p] = pairsOnShards(blob, SHARDS);
    enableFailPoint('sliver-after-write-before-flush', { kind: 'throw' });
    const failed = await errorOf(
      await putBytes(sliverUrl(url, blob, p, 'primary'), blob.sliverBcs(p, 'primary')),
    );
    disableAllFailPoints();
    expect(failed).toMatchObject({ status: 500, reason: 'INTERNAL_ERROR' });
    expect(failed.body.error.message).toBe('an internal error has occurred, please report it');
    expect(JSON.stringify(failed.body)).not.toContain('fail point');
    expect(failed.body.error.details[1]).toMatchObject({ '@type': 'DebugInfo' });
    const retried = await putBytes(
      sliverUrl(url, blob, p, 'primary'),
      blob.sliverBcs(p, 'primary'),
    );
    expect([200, 201]).toContain(retried.status);
    await retried.arrayBuffer();
    expectBytes(
      new Uint8Array(await (await fetch(sliverUrl(url, blob, p, 'primary'))).arrayBuffer()),
      blob.sliverBcs(p, 'primary'),
    );
  });

  it('allows any origin and exposes the range headers, on errors too', async () => {
    const preflight = await fetch(`${url}/v1/health`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.org',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'range, if-none-match',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('range, if-none-match');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    for (const response of [await fetch(`${url}/v1/health`), await fetch(`${url}/v1/nope`)]) {
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-expose-headers')).toContain('Content-Range');
      expect(response.headers.get('access-control-expose-headers')).toContain('ETag');
      await response.arrayBuffer();
    }
  });

  it('answers HEAD like GET, without a body', async () => {
    const blob = nextBlob();
    await chain.registerBlob({ blobId: blob.blobId });
    await uploadBlob(url, blob, SHARDS);
    const head = await fetch(metadataUrl(url, blob), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/octet-stream');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    expect((await fetch(metadataUrl(url, nextBlob()), { method: 'HEAD' })).status).toBe(404);
  });

  it('reports health', async () => {
    const health = (await json(await fetch(`${url}/v1/health?detailed=true`))).success
      .data as Record<string, any>;
    expect(health.epoch).toBe(chain.currentEpoch());
    expect(health.publicKey).toBe(Buffer.from(node.service.publicKey).toString('base64'));
    expect(health.shardSummary).toMatchObject({
      owned: SHARDS.length,
      ownedShardStatus: { ready: SHARDS.length },
    });
    expect(health.shardDetail.owned.map((s: { shard: number }) => s.shard)).toEqual(SHARDS);
  });
});
