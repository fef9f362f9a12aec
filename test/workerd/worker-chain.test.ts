/**
 * Reads that follow the Blob object on chain (unit level, `worker.fetch` with envs of its own)
 * against the main devnet: Walrus's by-object-id route with blob attributes as headers, and a
 * deleted deletable blob leaving the edge once its status TTL has passed. The test changes Blob
 * objects with the chain adapter, signed by the wallet the Worker publishes with here
 * (`publisherSecretKeys[3]`, this file's own; see DevnetValues), one transaction at a time.
 *
 * The Worker keeps an object lookup for 60 s per isolate (workers/object-read.ts): every object
 * whose attributes a test sets is a fresh one, set before the Worker first looks it up.
 */
import { describe, expect, inject, it } from 'vitest';
import { randomBytes } from '../helpers/random.js';
import { CACHE_CONTROL_DELETABLE, CACHE_CONTROL_UNCERTIFIED } from './helpers.js';
import {
  ORIGIN,
  type Call,
  type Stored,
  awaitCertified,
  awaitNodesCertified,
  chainOf,
  devnetEnv,
  expectBlobHeaders,
  expectBytes,
  get,
  head,
  parseMultipart,
  reasonOf,
  sleep,
  storeBlob,
  signerOf,
  unitCall,
} from './worker-harness.js';

const devnet = inject('devnet');
const WALLET = 3;
const call = unitCall(devnetEnv(devnet, WALLET));
const chain = chainOf(devnet);
const signer = signerOf(devnet.publisherSecretKeys[WALLET]);
const OCTET_STREAM = 'application/octet-stream';

const byObjectId = (objectId: string, init: RequestInit = {}) =>
  new Request(`${ORIGIN}/v1/blobs/by-object-id/${objectId}`, init);

/** 32 random bytes as a 0x-prefixed Sui object ID. */
function unknownObjectId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

describe('GET/HEAD /v1/blobs/by-object-id/{objectId}', () => {
  it('serves the bytes of the Blob object’s blob, with its caching and sniffed type', async () => {
    const stored = await storeBlob(call, randomBytes(20_011, 0x0b1e));
    const expected = {
      etag: `"${stored.blobId}"`,
      // The object says certified and deletable: the Worker needs no node to know it.
      cacheControl: CACHE_CONTROL_DELETABLE,
      contentType: OCTET_STREAM,
    };
    const reply = await call(byObjectId(stored.objectId));
    expect(reply.status).toBe(200);
    expectBlobHeaders(reply, { ...expected, contentLength: stored.bytes.length });
    await expectBytes(reply.body, stored.bytes);
    expect(reply.headers.get('content-disposition')).toBeNull();

    const headed = await call(byObjectId(stored.objectId, { method: 'HEAD' }));
    expect(headed.status).toBe(200);
    expectBlobHeaders(headed, { ...expected, contentLength: stored.bytes.length });
    expect(headed.body.length).toBe(0);

    const ranged = await call(byObjectId(stored.objectId, { headers: { range: 'bytes=100-199' } }));
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${stored.bytes.length}`);
    expectBlobHeaders(ranged, { ...expected, contentLength: 100 });
    await expectBytes(ranged.body, stored.bytes.subarray(100, 200));
  });

  it('turns allow-listed attributes into headers, never over the Worker’s own', async () => {
    const stored = await storeBlob(call, randomBytes(20_011, 0x0b1f));
    await chain.setBlobAttributes(
      stored.objectId,
      {
        'content-type': 'image/png',
        'content-disposition': 'inline; filename="x.png"',
        'content-language': 'en',
        // Allow-listed, but the Worker sends the stored bytes as they are: `identity` stays.
        'content-encoding': 'gzip',
        'x-not-allowed': 'v',
      },
      signer,
    );
    const expected = {
      etag: `"${stored.blobId}"`,
      cacheControl: CACHE_CONTROL_DELETABLE,
      contentType: 'image/png',
    };
    const expectAttributes = (reply: Awaited<ReturnType<Call>>, label: string) => {
      expect(reply.headers.get('content-disposition'), label).toBe('inline; filename="x.png"');
      expect(reply.headers.get('content-language'), label).toBe('en');
      expect(reply.headers.get('x-not-allowed'), label).toBeNull();
    };

    const reply = await call(byObjectId(stored.objectId));
    expect(reply.status).toBe(200);
    expectBlobHeaders(reply, { ...expected, contentLength: stored.bytes.length }, 'GET');
    expectAttributes(reply, 'GET');
    await expectBytes(reply.body, stored.bytes);

    const headed = await call(byObjectId(stored.objectId, { method: 'HEAD' }));
    expectBlobHeaders(headed, { ...expected, contentLength: stored.bytes.length }, 'HEAD');
    expectAttributes(headed, 'HEAD');

    const ranged = await call(byObjectId(stored.objectId, { headers: { range: 'bytes=0-9' } }));
    expect(ranged.status).toBe(206);
    expectBlobHeaders(ranged, { ...expected, contentLength: 10 }, '206');
    expectAttributes(ranged, '206');
    await expectBytes(ranged.body, stored.bytes.subarray(0, 10));

    // Read by blob ID, the same bytes have their sniffed type and none of the object's attributes
    // (and that read fills the whole-object cache) ... once the nodes, which learn of the
    // certification by polling the chain, report it (the object itself said so at once).
    await awaitNodesCertified(devnet, stored.blobId);
    const byBlobId = await call(get(stored.blobId));
    expectBlobHeaders(
      byBlobId,
      { ...expected, contentType: OCTET_STREAM, contentLength: stored.bytes.length },
      'by blob ID',
    );
    expect(byBlobId.headers.get('content-disposition')).toBeNull();
    expect(byBlobId.headers.get('content-language')).toBeNull();
    await expectBytes(byBlobId.body, stored.bytes);
    // ... while by object ID, from that cached object, the attributes still hold.
    const again = await call(byObjectId(stored.objectId));
    expectBlobHeaders(again, { ...expected, contentLength: stored.bytes.length }, 'GET again');
    expectAttributes(again, 'GET again');
    await expectBytes(again.body, stored.bytes);
  });

  it('sandboxes a blob whose content-type attribute names active content', async () => {
    const stored = await storeBlob(call, randomBytes(3_001, 0x0b20));
    await chain.setBlobAttributes(stored.objectId, { 'content-type': 'image/svg+xml' }, signer);
    const reply = await call(byObjectId(stored.objectId));
    expect(reply.status).toBe(200);
    expectBlobHeaders(reply, {
      etag: `"${stored.blobId}"`,
      cacheControl: CACHE_CONTROL_DELETABLE,
      contentType: 'image/svg+xml',
      contentLength: stored.bytes.length,
      sandboxed: true,
    });
    await expectBytes(reply.body, stored.bytes);
  });

  it('sniffs the type when the content-type attribute is not a media type', async () => {
    // A PNG signature and IHDR chunk, then random bytes; the attribute is a media range.
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    const bytes = new Uint8Array(4_000);
    bytes.set(randomBytes(bytes.length, 0x0b21));
    bytes.set(png);
    const stored = await storeBlob(call, bytes);
    await chain.setBlobAttributes(stored.objectId, { 'content-type': 'image/*' }, signer);
    const expected = {
      etag: `"${stored.blobId}"`,
      cacheControl: CACHE_CONTROL_DELETABLE,
      contentType: 'image/png',
    };
    const reply = await call(byObjectId(stored.objectId));
    expect(reply.status).toBe(200);
    expectBlobHeaders(reply, { ...expected, contentLength: bytes.length }, 'GET');
    await expectBytes(reply.body, bytes);
    const headed = await call(byObjectId(stored.objectId, { method: 'HEAD' }));
    expectBlobHeaders(headed, { ...expected, contentLength: bytes.length }, 'HEAD');
    const parts = await call(
      byObjectId(stored.objectId, { headers: { range: 'bytes=0-9,1000-1009' } }),
    );
    expect(parts.status).toBe(206);
    expect(
      parseMultipart(parts.body, parts.headers.get('content-type')!).map((p) => p.contentType),
    ).toEqual(['image/png', 'image/png']);
  });

  it('answers 400 to a malformed object ID, 404 OBJECT_NOT_FOUND to an unknown one', async () => {
    for (const objectId of ['abc', '0x', '0xzz', `0x${'a'.repeat(65)}`, '12ab', '0x12%20']) {
      const reply = await call(byObjectId(objectId));
      expect(reply.status, objectId).toBe(400);
      expect(reply.headers.get('cache-control'), objectId).toBe('no-store');
      expect(await reasonOf(reply), objectId).toBe('INVALID_OBJECT_ID');
    }
    // Well-formed, but no such object; and an object that is not a Blob (the System object).
    for (const objectId of [unknownObjectId(), devnet.systemObjectId]) {
      const reply = await call(byObjectId(objectId));
      expect(reply.status, objectId).toBe(404);
      expect(reply.headers.get('cache-control'), objectId).toBe('no-store');
      expect(await reasonOf(reply), objectId).toBe('OBJECT_NOT_FOUND');
    }
  });
});

describe('a deleted deletable blob', () => {
  /** Nodes see a deletion within ~1 s (they poll the chain every 500 ms); the status TTL is 1 s. */
  const GONE_MS_MAX = 10_000;
  const POLL_MS = 200;
  const ONE_SECOND = 'public, max-age=1, no-transform';
  const shortTtl = unitCall(devnetEnv(devnet, WALLET, { DELETABLE_STATUS_TTL_S: '1' }));

  /**
   * Stores a blob, reads it whole through `read` (so its bytes are in the edge cache), deletes its
   * Blob object, then repeats the read until it is no longer a 200 or GONE_MS_MAX has passed; until
   * then only the stored bytes may be served. Returns the stored blob and the last reply.
   */
  async function readAcrossDeletion(seed: number, read: (stored: Stored) => Request) {
    const stored = await storeBlob(call, randomBytes(30_007, seed));
    await awaitCertified(shortTtl, stored.blobId, ONE_SECOND, CACHE_CONTROL_UNCERTIFIED);
    const cached = await shortTtl(read(stored));
    expect(cached.status).toBe(200);
    expectBlobHeaders(cached, {
      etag: `"${stored.blobId}"`,
      cacheControl: ONE_SECOND,
      contentType: OCTET_STREAM,
      contentLength: stored.bytes.length,
    });
    await expectBytes(cached.body, stored.bytes);

    await chain.deleteBlob(stored.objectId, signer);
    const deadline = Date.now() + GONE_MS_MAX;
    let reply = await shortTtl(read(stored));
    while (reply.status === 200 && Date.now() < deadline) {
      await expectBytes(reply.body, stored.bytes);
      await sleep(POLL_MS);
      reply = await shortTtl(read(stored));
    }
    return { stored, reply };
  }

  it('stops being served by blob ID once DELETABLE_STATUS_TTL_S=1 has passed', async () => {
    const { stored, reply } = await readAcrossDeletion(0xde1e, (blob) => get(blob.blobId));
    expect(reply.status, `still served ${GONE_MS_MAX} ms after the deletion`).toBe(404);
    expect(await reasonOf(reply)).toBe('BLOB_NOT_FOUND');
    // Forgotten: every other form of read says so too.
    for (const request of [head(stored.blobId), get(stored.blobId, { range: 'bytes=0-9' })]) {
      const gone = await shortTtl(request);
      expect(gone.status, request.method).toBe(404);
    }
  });

  it('stops being served by object ID once DELETABLE_STATUS_TTL_S=1 has passed', async () => {
    const { reply } = await readAcrossDeletion(0xde1f, (blob) => byObjectId(blob.objectId));
    expect(reply.status, `still served ${GONE_MS_MAX} ms after the deletion`).toBe(404);
    expect(await reasonOf(reply)).toBe('OBJECT_NOT_FOUND');
  });
});
