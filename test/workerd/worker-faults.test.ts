/**
 * The Worker (unit level, `worker.fetch`) against the `faults` devnet while storage nodes are
 * stopped with SIGSTOP through the global setup's fault control: a stopped node keeps its sockets
 * open and answers nothing, the worst kind of down. Every test continues the nodes it stopped
 * (`afterEach` continues all of them whatever happened), and only this file uses this devnet, so
 * no other file sees the faults. The tests run one after another, as vitest runs a file. Quilt
 * patches are here too: their hits with every node stopped are the proof they are cached.
 *
 * A read that waited on a stopped node would hang: it shows up as the test's own timeout, never as
 * a timing assert.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { randomBytes } from '../helpers/random.js';
import { blobIdFromString } from '../../core/blob-id.js';
import { shardForPair } from '../../core/encoding/mapping.js';
import { HOT_OBJECT_BYTES_MAX } from '../../workers/hot-objects.js';
import { CACHE_CONTROL_DELETABLE, CACHE_CONTROL_UNCERTIFIED, expectedBlobId } from './helpers.js';
import {
  expectPatch,
  expectPatchHeaders,
  patchByIdUrl,
  patchByIdentifierUrl,
  quiltIdOf,
  storeQuilt,
  testCollection,
} from './quilt-harness.js';
import {
  ORIGIN,
  awaitCertified,
  awaitNodesCertified,
  devnetEnv,
  expectBlobHeaders,
  expectBytes,
  get,
  head,
  nodeAction,
  parseMultipart,
  reasonOf,
  rowRange,
  rowsOnNode,
  sleep,
  storeBlob,
  unitCall,
} from './worker-harness.js';

const devnet = inject('devnetFaults');
const controlUrl = inject('faultControlUrl');
const call = unitCall(devnetEnv(devnet, 0));
/** Small blobs: one segment each, several rows, quick to store. */
const BLOB_BYTES = 150_001;
const OCTET_STREAM = 'application/octet-stream';
/** A read that waits on a stopped node hangs: fail well before the project's 60 s. */
const FAULT_TEST_TIMEOUT_MS = 40_000;
/** Past a 1 s status TTL. */
const STATUS_STALE_WAIT_MS = 1_100;

const setAll = (action: 'stop' | 'cont') =>
  Promise.all(devnet.nodes.map((node) => nodeAction(controlUrl, devnet, node.name, action)));

afterEach(async () => {
  await setAll('cont');
});

/**
 * Stores seeded bytes and waits until `via` serves them as certified (`certified`: its deletable
 * policy) with HEADs only, which read metadata and status but no byte.
 */
async function storedCertified(
  seed: number,
  via = call,
  certified = CACHE_CONTROL_DELETABLE,
  bytes = BLOB_BYTES,
) {
  const stored = await storeBlob(call, randomBytes(bytes, seed));
  await awaitCertified(via, stored.blobId, certified, CACHE_CONTROL_UNCERTIFIED);
  return stored;
}

/** Walrus's byte-range route (200, an ETag of its own, clipped at the end) with no node asked. */
async function expectByteRangeHit(
  blobId: string,
  bytes: Uint8Array,
  start: number,
  length: number,
): Promise<void> {
  const served = Math.min(length, bytes.length - start);
  const reply = await call(
    new Request(`${ORIGIN}/v1/blobs/${blobId}/byte-range?start=${start}&length=${length}`),
  );
  expect(reply.status).toBe(200);
  expectBlobHeaders(reply, {
    etag: `"${blobId}-${start}-${served}"`,
    cacheControl: CACHE_CONTROL_DELETABLE,
    contentType: OCTET_STREAM,
    contentLength: served,
  });
  await expectBytes(reply.body, bytes.subarray(start, start + served));
}

describe('worker.fetch with storage nodes stopped (SIGSTOP)', () => {
  it(
    'serves a cached blob with every node stopped: GET, Range, multipart, 304, HEAD, 416',
    async () => {
      const { blobId, bytes } = await storedCertified(0xfa17);
      const length = bytes.length;
      const etag = `"${blobId}"`;
      // The full read fills the whole-object cache (certified, small enough).
      const filled = await call(get(blobId));
      expect(filled.status).toBe(200);
      await expectBytes(filled.body, bytes);

      await setAll('stop');
      const full = await call(get(blobId));
      expect(full.status).toBe(200);
      expectBlobHeaders(full, {
        etag,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType: OCTET_STREAM,
        contentLength: length,
      });
      await expectBytes(full.body, bytes);

      const ranged = await call(get(blobId, { range: 'bytes=1000-60999' }));
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes 1000-60999/${length}`);
      expectBlobHeaders(ranged, {
        etag,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType: OCTET_STREAM,
        contentLength: 60_000,
      });
      await expectBytes(ranged.body, bytes.subarray(1000, 61_000));

      const multi = await call(get(blobId, { range: 'bytes=-100,0-99' }));
      expect(multi.status).toBe(206);
      expect(multi.headers.get('content-length')).toBe(String(multi.body.length));
      const parts = parseMultipart(multi.body, multi.headers.get('content-type')!);
      expect(parts.map((part) => [part.contentType, part.contentRange])).toEqual([
        [OCTET_STREAM, `bytes 0-99/${length}`],
        [OCTET_STREAM, `bytes ${length - 100}-${length - 1}/${length}`],
      ]);
      await expectBytes(parts[0].body, bytes.subarray(0, 100));
      await expectBytes(parts[1].body, bytes.subarray(length - 100));

      const notModified = await call(get(blobId, { 'if-none-match': etag }));
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('etag')).toBe(etag);
      expect(notModified.headers.get('cache-control')).toBe(CACHE_CONTROL_DELETABLE);
      expect(notModified.body.length).toBe(0);

      const headed = await call(head(blobId));
      expect(headed.status).toBe(200);
      expectBlobHeaders(headed, {
        etag,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType: OCTET_STREAM,
        contentLength: length,
      });
      expect(headed.body.length).toBe(0);

      const unsatisfiable = await call(get(blobId, { range: `bytes=${length}-` }));
      expect(unsatisfiable.status).toBe(416);
      expect(unsatisfiable.headers.get('content-range')).toBe(`bytes */${length}`);
      expect(await reasonOf(unsatisfiable)).toBe('RANGE_NOT_SATISFIABLE');

      await expectByteRangeHit(blobId, bytes, 1000, 60_000);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'serves Walrus’s byte-range route from a blob cached whole in the Cache API, every node stopped',
    async () => {
      // Past the isolate's hot objects: the bytes come from the Cache API's entry, cut by range.
      const { blobId, bytes } = await storedCertified(
        0xfa19,
        call,
        CACHE_CONTROL_DELETABLE,
        3 * HOT_OBJECT_BYTES_MAX,
      );
      const filled = await call(get(blobId));
      expect(filled.status).toBe(200);
      await expectBytes(filled.body, bytes);
      await setAll('stop');
      await expectByteRangeHit(blobId, bytes, 1000, 60_000);
      await expectByteRangeHit(blobId, bytes, bytes.length - 5, 100);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'answers HEAD, 416 and 304 of a never-read blob from metadata and status, every node stopped',
    async () => {
      // awaitCertified only HEADs: metadata and status are known, no byte was ever read.
      const { blobId, bytes } = await storedCertified(0xfa18);
      const length = bytes.length;
      const etag = `"${blobId}"`;
      await setAll('stop');

      const headed = await call(head(blobId));
      expect(headed.status).toBe(200);
      // The type is unknown until a byte is read: a HEAD does not fetch slivers to sniff it.
      expectBlobHeaders(headed, {
        etag,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType: null,
        contentLength: length,
      });
      expect(headed.body.length).toBe(0);

      for (const range of [`bytes=${length}-`, `bytes=${length + 10}-${length + 20}`, 'bytes=-0']) {
        const unsatisfiable = await call(get(blobId, { range }));
        expect(unsatisfiable.status, range).toBe(416);
        expect(unsatisfiable.headers.get('content-range'), range).toBe(`bytes */${length}`);
        expect(await reasonOf(unsatisfiable), range).toBe('RANGE_NOT_SATISFIABLE');
      }

      const notModified = await call(get(blobId, { 'if-none-match': `W/${etag}` }));
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('etag')).toBe(etag);
      expect(notModified.headers.get('cache-control')).toBe(CACHE_CONTROL_DELETABLE);
      expect(notModified.body.length).toBe(0);

      const failed = await call(get(blobId, { 'if-match': '"another"' }));
      expect(failed.status).toBe(412);
      expect(failed.body.length).toBe(0);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'reads a fresh blob exactly with one node hung, and a range of rows that node holds',
    async () => {
      const nShards = devnet.nShards;
      // The whole blob: the hung node holds its first row (read before the status line goes out).
      const wholeBytes = randomBytes(BLOB_BYTES, 0xfa19);
      const wholeId = expectedBlobId(wholeBytes, nShards);
      const firstShard = shardForPair(0, blobIdFromString(wholeId), nShards);
      const victim = devnet.nodes.find((node) => node.shards.includes(firstShard))!;
      // The ranged blob: the first seed whose rows include one on the hung node, past row 0.
      let seed = 0xfa20;
      let rangedBytes = randomBytes(BLOB_BYTES, seed);
      let rows = rowsOnNode(expectedBlobId(rangedBytes, nShards), nShards, victim);
      while (rows.filter((row) => row > 0).length === 0) {
        rangedBytes = randomBytes(BLOB_BYTES, ++seed);
        rows = rowsOnNode(expectedBlobId(rangedBytes, nShards), nShards, victim);
      }
      const row = rows.filter((r) => r > 0)[0];

      const whole = await storeBlob(call, wholeBytes);
      const ranged = await storeBlob(call, rangedBytes);
      expect(whole.blobId).toBe(wholeId);
      // Asked of the nodes directly: the Worker has seen neither blob, nothing of them is cached.
      await awaitNodesCertified(devnet, whole.blobId);
      await awaitNodesCertified(devnet, ranged.blobId);

      await nodeAction(controlUrl, devnet, victim.name, 'stop');
      const full = await call(get(whole.blobId));
      expect(full.status).toBe(200);
      expectBlobHeaders(full, {
        etag: `"${whole.blobId}"`,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType: OCTET_STREAM,
        contentLength: BLOB_BYTES,
      });
      await expectBytes(full.body, wholeBytes);

      // A range inside one row of the hung node (a few bytes in from each end of the row).
      const { start, end } = rowRange(row, BLOB_BYTES, nShards);
      const part = await call(get(ranged.blobId, { range: `bytes=${start + 3}-${end - 5}` }));
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes ${start + 3}-${end - 5}/${BLOB_BYTES}`);
      expectBlobHeaders(part, {
        etag: `"${ranged.blobId}"`,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType: OCTET_STREAM,
        contentLength: end - 5 - (start + 3) + 1,
      });
      await expectBytes(part.body, rangedBytes.subarray(start + 3, end - 4));
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'serves a cached blob whose status went stale while every node is stopped',
    async () => {
      // The operator's shortest deletable TTL: the status is stale a second after it was read.
      const stale = unitCall(devnetEnv(devnet, 0, { DELETABLE_STATUS_TTL_S: '1' }));
      const oneSecond = 'public, max-age=1, no-transform';
      // Its status is first read through this Worker, so it is trusted for 1 s only.
      const { blobId, bytes } = await storedCertified(0xfa21, stale, oneSecond);
      const filled = await stale(get(blobId));
      expect(filled.status).toBe(200);
      await expectBytes(filled.body, bytes);

      await setAll('stop');
      await sleep(STATUS_STALE_WAIT_MS);
      // The nodes are asked (1 s each, in parallel), none answers: the cached bytes are served.
      const full = await stale(get(blobId));
      expect(full.status).toBe(200);
      expectBlobHeaders(full, {
        etag: `"${blobId}"`,
        cacheControl: oneSecond,
        contentType: OCTET_STREAM,
        contentLength: bytes.length,
      });
      await expectBytes(full.body, bytes);
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'serves cached quilt patches and the patch list with every node stopped',
    async () => {
      const files = testCollection(0xfa22);
      const stored = await storeQuilt(call, files);
      const quiltId = quiltIdOf(stored);
      await awaitNodesCertified(devnet, quiltId);
      const listUrl = `${ORIGIN}/v1/quilts/${quiltId}/patches`;
      const certified = { quiltId, cacheControl: CACHE_CONTROL_DELETABLE };
      // Misses: the index and every patch from the nodes, verified, then kept at the edge.
      for (const file of files) {
        const reply = await call(new Request(patchByIdentifierUrl(quiltId, file.identifier)));
        await expectPatch(reply, file, certified);
      }
      const listed = await call(new Request(listUrl));
      expect(listed.status).toBe(200);

      await setAll('stop');
      // Hits: no node can answer, yet every route serves the verified bytes and headers.
      for (const patch of stored.storedQuiltBlobs) {
        const file = files.find((candidate) => candidate.identifier === patch.identifier)!;
        const byIdentifier = await call(
          new Request(patchByIdentifierUrl(quiltId, file.identifier)),
        );
        await expectPatch(byIdentifier, file, { ...certified, label: `${file.identifier} (id)` });
        const byId = await call(new Request(patchByIdUrl(patch.quiltPatchId)));
        await expectPatch(byId, file, certified);
      }
      const large = files.find((file) => file.identifier === 'large.bin')!;
      const largeUrl = patchByIdentifierUrl(quiltId, large.identifier);
      const ranged = await call(new Request(largeUrl, { headers: { range: 'bytes=100-199' } }));
      expect(ranged.status).toBe(206);
      expectPatchHeaders(ranged, large, certified);
      await expectBytes(ranged.body, large.bytes.subarray(100, 200));
      const notModified = await call(
        new Request(largeUrl, { headers: { 'if-none-match': `"${quiltId}"` } }),
      );
      expect(notModified.status).toBe(304);
      const relisted = await call(new Request(listUrl));
      expect(relisted.status).toBe(200);
      expect(relisted.text()).toBe(listed.text());
      // The index is cached too: an identifier it lacks is a 404 without any node.
      const unknown = await call(new Request(patchByIdentifierUrl(quiltId, 'nobody')));
      expect(unknown.status).toBe(404);
      expect(await reasonOf(unknown)).toBe('QUILT_PATCH_NOT_FOUND');
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'serves a cached quilt patch whose status went stale while every node is stopped',
    async () => {
      const stale = unitCall(devnetEnv(devnet, 0, { DELETABLE_STATUS_TTL_S: '1' }));
      const files = testCollection(0xfa23);
      const stored = await storeQuilt(stale, files);
      const quiltId = quiltIdOf(stored);
      await awaitNodesCertified(devnet, quiltId);
      const file = files.find((candidate) => candidate.identifier === 'pic.png')!;
      const url = patchByIdentifierUrl(quiltId, file.identifier);
      await expectPatch(await stale(new Request(url)), file, {
        quiltId,
        cacheControl: 'public, max-age=1, no-transform',
      });

      await setAll('stop');
      await sleep(STATUS_STALE_WAIT_MS);
      // No node confirms the stale status: the patch is served, and clients keep it briefly.
      await expectPatch(await stale(new Request(url)), file, {
        quiltId,
        cacheControl: CACHE_CONTROL_UNCERTIFIED,
      });
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
