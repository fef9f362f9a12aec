/**
 * Quilts through the Worker (unit level, `worker.fetch`) against the main devnet (wallet 4, this
 * file's own) and the node-down devnet (wallet 1): `PUT /v1/quilts` builds the same quilt as
 * core/quilt's encoder and stores it byte for byte; hostile forms are refused before anything is
 * paid for.
 */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeQuilt } from '../../core/quilt/quilt-blob.js';
import { blobIdFromString, blobIdToString, toBase64Url } from '../../core/blob-id.js';
import { encodingParams } from '../../core/encoding/config.js';
import { quiltPatchIdBytes, quiltPatchIdToString } from '../../core/quilt/patch-id.js';
import { randomBytes } from '../helpers/random.js';
import { type Env } from '../../workers/index.js';
import {
  CACHE_CONTROL_DELETABLE,
  CORS_EXPOSED_HEADERS,
  type ErrorBody,
  unknownBlobId,
} from './helpers.js';
import {
  OCTET_STREAM,
  type QuiltStoreAnswer,
  type TestFile,
  expectPatch,
  expectPatchHeaders,
  patchByIdUrl,
  patchByIdentifierUrl,
  putQuilt,
  quiltFiles,
  quiltForm,
  quiltIdOf,
  storeQuilt,
  storedTags,
  testCollection,
} from './quilt-harness.js';
import {
  ORIGIN,
  type Reply,
  awaitNodesCertified,
  chainOf,
  devnetEnv,
  expectBytes,
  parseMultipart,
  reasonOf,
  storeBlob,
  unitCall,
} from './worker-harness.js';

const devnet = inject('devnet');
/** Small enough to send past cheaply, large enough for the quilt below. */
const QUILT_BODY_BYTES_MAX = 512 * 1024;
const env: Env = devnetEnv(devnet, 4, {
  PUBLISHER_QUILT_BODY_BYTES_MAX: String(QUILT_BODY_BYTES_MAX),
});
const call = unitCall(env);
const utf8 = new TextEncoder();
const FILES = testCollection(1);

function expectCors(reply: Reply, label = ''): void {
  expect(reply.headers.get('access-control-allow-origin'), label).toBe('*');
  expect(reply.headers.get('access-control-expose-headers'), label).toBe(CORS_EXPOSED_HEADERS);
}

/** The collection stored through the publisher, certified: every read test uses it. */
let answer: QuiltStoreAnswer;
let quiltId: string;
const local = encodeQuilt(quiltFiles(FILES), devnet.nShards);
const fileOf = (identifier: string) => FILES.find((file) => file.identifier === identifier)!;
const patchIdOf = (identifier: string) =>
  answer.storedQuiltBlobs.find((patch) => patch.identifier === identifier)!.quiltPatchId;

beforeAll(async () => {
  answer = await storeQuilt(call, FILES);
  quiltId = quiltIdOf(answer);
  // Asked of the nodes directly: the Worker has seen nothing of the quilt yet.
  await awaitNodesCertified(devnet, quiltId);
});

describe('publisher PUT /v1/quilts', () => {
  it("answers Walrus's JSON: the encoder's quilt ID, patch IDs and ranges in index order", () => {
    const blob = answer.blobStoreResult.newlyCreated.blobObject;
    expect(blob.blobId).toBe(blobIdToString(local.quiltId));
    expect(blob.size).toBe(local.quilt.length);
    expect(blob.certifiedEpoch).not.toBeNull();
    expect(answer.storedQuiltBlobs).toEqual(
      local.patchIds.map(({ identifier, quiltPatchId, range }) => ({
        identifier,
        quiltPatchId,
        range: [range[0], range[1]],
      })),
    );
    // Index order is UTF-8 byte order of the identifiers; the ghost entry of _metadata is ignored.
    expect(answer.storedQuiltBlobs.map((patch) => patch.identifier)).toEqual([
      'data.bin',
      'drawing.svg',
      'empty',
      'hello.txt',
      'large.bin',
      'pic.png',
      'ñandú/日本 🐦.json',
    ]);
  });

  it('marks the Blob object as a quilt, as Walrus writers do', async () => {
    const objectId = answer.blobStoreResult.newlyCreated.blobObject.id;
    const attributes = await chainOf(devnet).readBlobAttributes(objectId);
    expect(Object.fromEntries(attributes)).toEqual({ _walrusBlobType: 'quilt' });
  });

  it('stored the quilt byte for byte: the blob read back is the encoder’s quilt', async () => {
    const reply = await call(new Request(`${ORIGIN}/v1/blobs/${quiltId}`));
    expect(reply.status).toBe(200);
    await expectBytes(reply.body, local.quilt);
  });
});

describe('patch reads', () => {
  const certified = () => ({ quiltId, cacheControl: CACHE_CONTROL_DELETABLE });

  it('reads every patch by identifier (index and patch columns from the nodes)', async () => {
    for (const file of FILES) {
      const reply = await call(new Request(patchByIdentifierUrl(quiltId, file.identifier)));
      await expectPatch(reply, file, certified());
      expectCors(reply, file.identifier);
    }
  });

  it('reads every patch by patch ID, with the same bytes and headers', async () => {
    for (const file of FILES) {
      const reply = await call(new Request(patchByIdUrl(patchIdOf(file.identifier))));
      await expectPatch(reply, file, certified());
    }
  });

  it("lists the patches: Walrus's [{identifier, patch_id, tags}] in index order", async () => {
    const reply = await call(new Request(`${ORIGIN}/v1/quilts/${quiltId}/patches`));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.headers.get('cache-control')).toBe(CACHE_CONTROL_DELETABLE);
    expectCors(reply);
    expect(JSON.parse(reply.text())).toEqual(
      answer.storedQuiltBlobs.map((patch) => ({
        identifier: patch.identifier,
        patch_id: patch.quiltPatchId,
        // Non-string tag values were stored as their JSON text.
        tags: storedTags(fileOf(patch.identifier)),
      })),
    );
  });

  it('answers ranges within a patch: 206, multipart, 416, and HEAD and 304', async () => {
    const file = fileOf('large.bin');
    const url = patchByIdentifierUrl(quiltId, file.identifier);
    const length = file.bytes.length;
    const expected = certified();

    const ranged = await call(new Request(url, { headers: { range: 'bytes=1000-60999' } }));
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 1000-60999/${length}`);
    expect(ranged.headers.get('content-length')).toBe('60000');
    expectPatchHeaders(ranged, file, expected);
    await expectBytes(ranged.body, file.bytes.subarray(1000, 61_000));

    const multi = await call(new Request(url, { headers: { range: 'bytes=-100,0-99' } }));
    expect(multi.status).toBe(206);
    const parts = parseMultipart(multi.body, multi.headers.get('content-type')!);
    expect(parts.map((part) => [part.contentType, part.contentRange])).toEqual([
      [OCTET_STREAM, `bytes 0-99/${length}`],
      [OCTET_STREAM, `bytes ${length - 100}-${length - 1}/${length}`],
    ]);
    await expectBytes(parts[0].body, file.bytes.subarray(0, 100));
    await expectBytes(parts[1].body, file.bytes.subarray(length - 100));

    const unsatisfiable = await call(new Request(url, { headers: { range: `bytes=${length}-` } }));
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get('content-range')).toBe(`bytes */${length}`);
    expect(unsatisfiable.headers.get('cache-control')).toBe('no-store');

    const png = fileOf('pic.png');
    const signature = await call(
      new Request(patchByIdUrl(patchIdOf(png.identifier)), { headers: { range: 'bytes=0-7' } }),
    );
    expect(signature.status).toBe(206);
    expect(signature.headers.get('content-type')).toBe('image/png');
    await expectBytes(signature.body, png.bytes.subarray(0, 8));

    for (const target of [url, patchByIdUrl(patchIdOf(file.identifier))]) {
      const notModified = await call(
        new Request(target, { headers: { 'if-none-match': `"${quiltId}"` } }),
      );
      expect(notModified.status, target).toBe(304);
      expect(notModified.body.length).toBe(0);
      expectPatchHeaders(notModified, file, expected);
      // The ETag names the quilt, so another tag is a full read.
      const other = await call(new Request(target, { headers: { 'if-none-match': '"other"' } }));
      expect(other.status, target).toBe(200);
    }

    const headed = await call(new Request(url, { method: 'HEAD' }));
    expect(headed.status).toBe(200);
    expect(headed.body.length).toBe(0);
    expect(headed.headers.get('content-length')).toBe(String(length));
    expectPatchHeaders(headed, file, expected);

    const empty = fileOf('empty');
    const emptyHead = await call(
      new Request(patchByIdentifierUrl(quiltId, 'empty'), { method: 'HEAD' }),
    );
    expect(emptyHead.status).toBe(200);
    expect(emptyHead.headers.get('content-length')).toBe('0');
    expectPatchHeaders(emptyHead, empty, expected);
  });

  it('sends the identifier and tag headers as raw UTF-8 on the wire (integration level)', async () => {
    // Through the service binding headers travel as bytes: workerd writes a header string as its
    // UTF-8 bytes and reads them back as UTF-8 (a Latin-1 trick would arrive double-encoded).
    const file = fileOf('ñandú/日本 🐦.json');
    const reply = await exports.default.fetch(patchByIdentifierUrl(quiltId, file.identifier));
    expect(reply.status).toBe(200);
    await expectBytes(new Uint8Array(await reply.arrayBuffer()), file.bytes);
    const header = reply.headers.get('x-quilt-patch-identifier')!;
    expect(header).toBe(file.identifier);
    const data = await exports.default.fetch(patchByIdUrl(patchIdOf('data.bin')));
    await data.arrayBuffer();
    expect(data.headers.get('content-language')).toBe('español, 日本語');
  });

  it('answers a CORS preflight for a patch read with Range and If-None-Match', async () => {
    const requested = 'range, if-none-match';
    const reply = await call(
      new Request(patchByIdUrl(patchIdOf('hello.txt')), {
        method: 'OPTIONS',
        headers: {
          origin: 'https://gallery.example.org',
          'access-control-request-method': 'GET',
          'access-control-request-headers': requested,
        },
      }),
    );
    expect(reply.status).toBe(204);
    expectCors(reply);
    expect(reply.headers.get('access-control-allow-headers')).toBe(requested);
    expect(reply.headers.get('access-control-allow-methods')).toBe(
      'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS',
    );
  });

  it('serves concurrent reads of one patch the same verified bytes', async () => {
    // A second collection, so the reads below are misses that share one node read.
    const files = testCollection(2);
    const stored = await storeQuilt(call, files);
    const id = quiltIdOf(stored);
    await awaitNodesCertified(devnet, id);
    const file = files.find((candidate) => candidate.identifier === 'large.bin')!;
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => call(new Request(patchByIdentifierUrl(id, file.identifier)))),
    );
    for (const [position, reply] of replies.entries()) {
      await expectPatch(reply, file, {
        quiltId: id,
        cacheControl: CACHE_CONTROL_DELETABLE,
        label: `read ${position}`,
      });
    }
  });
});

describe('patch reads with one storage node down', () => {
  const degraded = inject('devnetNodeDown');
  const callDegraded = unitCall(devnetEnv(degraded, 1));
  const files = testCollection(3);

  it('stores a quilt and reads every patch by ID, by identifier, and the list', async () => {
    expect(degraded.stoppedNodes).toHaveLength(1);
    const stored = await storeQuilt(callDegraded, files);
    const id = quiltIdOf(stored);
    const expected = encodeQuilt(quiltFiles(files), degraded.nShards);
    expect(id).toBe(blobIdToString(expected.quiltId));
    await awaitNodesCertified(
      { ...degraded, nodes: degraded.nodes.filter((n) => !degraded.stoppedNodes.includes(n.name)) },
      id,
    );
    // By patch ID first: each patch's own columns, some on the stopped node, from the network.
    for (const patch of stored.storedQuiltBlobs) {
      const file = files.find((candidate) => candidate.identifier === patch.identifier)!;
      const reply = await callDegraded(new Request(patchByIdUrl(patch.quiltPatchId)));
      await expectPatch(reply, file, { quiltId: id, cacheControl: CACHE_CONTROL_DELETABLE });
    }
    // Then by identifier: the index columns from the network, the patches from the cache.
    for (const file of files) {
      const reply = await callDegraded(new Request(patchByIdentifierUrl(id, file.identifier)));
      await expectPatch(reply, file, { quiltId: id, cacheControl: CACHE_CONTROL_DELETABLE });
    }
    const list = await callDegraded(new Request(`${ORIGIN}/v1/quilts/${id}/patches`));
    expect(list.status).toBe(200);
    expect(
      (JSON.parse(list.text()) as { patch_id: string }[]).map((patch) => patch.patch_id),
    ).toEqual(expected.patchIds.map((patch) => patch.quiltPatchId));
  });
});

describe('hostile patch reads', () => {
  async function refused(url: string, status: number, reason: string, init?: RequestInit) {
    const reply = await call(new Request(url, init));
    expect(reply.status, `${url}: ${reply.text()}`).toBe(status);
    if (init?.method !== 'HEAD') expect(await reasonOf(reply), url).toBe(reason);
    expect(reply.headers.get('cache-control'), url).toBe('no-store');
    expectCors(reply, url);
    return reply;
  }

  it('400 for a patch ID that does not parse', async () => {
    const base = patchIdOf('hello.txt');
    for (const bad of ['not-a-patch-id', `${base}A`, base.slice(0, 43), 'x'.repeat(300)]) {
      await refused(patchByIdUrl(bad), 400, 'INVALID_QUILT_PATCH_ID');
    }
    // Column 0 holds the index: no patch starts there.
    const bytes = quiltPatchIdBytes({ quiltId: local.quiltId, startIndex: 0, endIndex: 2 });
    await refused(patchByIdUrl(toBase64Url(bytes)), 400, 'INVALID_QUILT_PATCH_ID');
  });

  it('404 QUILT_PATCH_NOT_FOUND where no patch starts, or for an unknown identifier', async () => {
    const large = answer.storedQuiltBlobs.find((patch) => patch.identifier === 'large.bin')!;
    const [start, end] = large.range;
    expect(end - start).toBeGreaterThan(1);
    const inside = { quiltId: local.quiltId, startIndex: start + 1, endIndex: end };
    await refused(patchByIdUrl(quiltPatchIdToString(inside)), 404, 'QUILT_PATCH_NOT_FOUND');
    const past = { quiltId: local.quiltId, startIndex: 1, endIndex: 200 };
    await refused(patchByIdUrl(quiltPatchIdToString(past)), 404, 'QUILT_PATCH_NOT_FOUND');
    await refused(patchByIdentifierUrl(quiltId, 'nobody'), 404, 'QUILT_PATCH_NOT_FOUND');
    await refused(patchByIdentifierUrl(quiltId, 'nobody'), 404, '', { method: 'HEAD' });
    // `/` must be sent as %2F: as two segments it names no route.
    await refused(`${ORIGIN}/v1/blobs/by-quilt-id/${quiltId}/ñandú/x`, 404, 'NOT_FOUND');
    await refused(`${ORIGIN}/v1/blobs/by-quilt-id/${quiltId}/%E0%A4%A`, 400, 'MALFORMED_REQUEST');
  });

  it('404 BLOB_NOT_FOUND for a quilt nobody stored; 400 for a bad quilt ID', async () => {
    const missing = unknownBlobId();
    await refused(patchByIdentifierUrl(missing, 'a'), 404, 'BLOB_NOT_FOUND');
    await refused(`${ORIGIN}/v1/quilts/${missing}/patches`, 404, 'BLOB_NOT_FOUND');
    const patchId = quiltPatchIdToString({
      quiltId: blobIdFromString(missing),
      startIndex: 1,
      endIndex: 2,
    });
    await refused(patchByIdUrl(patchId), 404, 'BLOB_NOT_FOUND');
    await refused(patchByIdentifierUrl('nope', 'a'), 400, 'INVALID_BLOB_ID');
    await refused(`${ORIGIN}/v1/quilts/nope/patches`, 400, 'INVALID_BLOB_ID');
  });

  it('422 INVALID_QUILT for blobs that are not quilts: any length, or a quilt-shaped one', async () => {
    // Any blob: its length is not n_p · n_s · S.
    const plain = await storeBlob(call, randomBytes(1_001, 0xb10b));
    // Quilt-shaped (n_p · n_s · 2 bytes) but column 0 does not start with version 1.
    const { nPrimary, nSecondary } = encodingParams(devnet.nShards);
    const shaped = randomBytes(nPrimary * nSecondary * 2, 0x5aa9);
    shaped[0] = 0x02;
    const fake = await storeBlob(call, shaped);
    for (const blob of [plain, fake]) {
      await awaitNodesCertified(devnet, blob.blobId);
      await refused(`${ORIGIN}/v1/quilts/${blob.blobId}/patches`, 422, 'INVALID_QUILT');
      await refused(patchByIdentifierUrl(blob.blobId, 'a'), 422, 'INVALID_QUILT');
    }
    // By patch ID the index is not read: whatever the columns hold is not a patch.
    const id = { quiltId: blobIdFromString(fake.blobId), startIndex: 1, endIndex: 2 };
    await refused(patchByIdUrl(quiltPatchIdToString(id)), 404, 'QUILT_PATCH_NOT_FOUND');
  });

  it('405 for other methods on the read routes', async () => {
    for (const url of [
      patchByIdUrl(patchIdOf('hello.txt')),
      patchByIdentifierUrl(quiltId, 'hello.txt'),
      `${ORIGIN}/v1/quilts/${quiltId}/patches`,
    ]) {
      const reply = await refused(url, 405, 'METHOD_NOT_ALLOWED', { method: 'DELETE' });
      expect(reply.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    }
  });
});

describe('PUT /v1/quilts refuses hostile forms before paying for anything', () => {
  const one: TestFile[] = [{ identifier: 'a.txt', bytes: utf8.encode('a') }];

  /** Sends `request`, expects `status` with `reason` and a message containing `says`. */
  async function refused(request: Request, status: number, reason: string, says: string) {
    const reply = await call(request);
    expect(reply.status, reply.text()).toBe(status);
    expect(await reasonOf(reply)).toBe(reason);
    expect((JSON.parse(reply.text()) as ErrorBody).error.message).toContain(says);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expectCors(reply);
  }

  it('413 past the body limit, counted as it streams whatever Content-Length says', async () => {
    const big: TestFile[] = [{ identifier: 'big', bytes: randomBytes(QUILT_BODY_BYTES_MAX, 1) }];
    await refused(putQuilt(quiltForm(big)), 413, 'BODY_TOO_LARGE', 'exceeds the limit');
    // A stream without a length: only counting can stop it.
    const form = new Request('http://form.test', { method: 'POST', body: quiltForm(big) });
    const bytes = new Uint8Array(await form.arrayBuffer());
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 16_384)
          controller.enqueue(bytes.slice(at, at + 16_384));
        controller.close();
      },
    });
    await refused(
      putQuilt(stream, 'epochs=1', { 'content-type': form.headers.get('content-type')! }),
      413,
      'BODY_TOO_LARGE',
      `limit of ${QUILT_BODY_BYTES_MAX} bytes`,
    );
  });

  it('400 MALFORMED_REQUEST for what is not a multipart quilt', async () => {
    await refused(putQuilt('a=b', 'epochs=1'), 400, 'MALFORMED_REQUEST', 'multipart/form-data');
    await refused(
      putQuilt('a=b', 'epochs=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      400,
      'MALFORMED_REQUEST',
      'multipart/form-data',
    );
    await refused(
      putQuilt('--nope\r\ngarbage', 'epochs=1', {
        'content-type': 'multipart/form-data; boundary=XyZ',
      }),
      400,
      'MALFORMED_REQUEST',
      'malformed multipart body',
    );
    // Only _metadata, no file.
    const onlyMetadata = new FormData();
    onlyMetadata.append('_metadata', '[]');
    await refused(putQuilt(onlyMetadata), 400, 'MALFORMED_REQUEST', 'no file');
    await refused(putQuilt(quiltForm(one), 'epochs=1&cb=1'), 400, 'MALFORMED_REQUEST', 'cb');
  });

  it('400 for bad _metadata: not JSON, not a list, bad tags, an identifier twice', async () => {
    const withMetadata = (text: string) => {
      const form = quiltForm(one);
      form.set('_metadata', text);
      return putQuilt(form);
    };
    await refused(withMetadata('{'), 400, 'MALFORMED_REQUEST', '_metadata is not JSON');
    await refused(withMetadata('{"a":1}'), 400, 'MALFORMED_REQUEST', 'JSON array');
    await refused(withMetadata('[{"tags":{}}]'), 400, 'MALFORMED_REQUEST', 'string identifier');
    await refused(
      withMetadata('[{"identifier":"a.txt","tags":[1]}]'),
      400,
      'MALFORMED_REQUEST',
      'tags must be a JSON object',
    );
    await refused(
      withMetadata('[{"identifier":"a.txt"},{"identifier":"a.txt","tags":{}}]'),
      400,
      'MALFORMED_REQUEST',
      'twice',
    );
  });

  it('400 for what no quilt may hold: duplicates, bad identifiers, too many files', async () => {
    await refused(
      putQuilt(quiltForm([...one, ...one])),
      400,
      'MALFORMED_REQUEST',
      'duplicate quilt identifier "a.txt"',
    );
    await refused(
      putQuilt(quiltForm([{ identifier: 'trailing ', bytes: utf8.encode('x') }])),
      400,
      'MALFORMED_REQUEST',
      'IDENTIFIER_TRAILING_WHITESPACE',
    );
    // n_s − 1 = 10 patches fit a quilt of 16 shards.
    const eleven = Array.from({ length: 11 }, (_, i) => ({
      identifier: `f${i}`,
      bytes: utf8.encode(String(i)),
    }));
    await refused(putQuilt(quiltForm(eleven)), 400, 'MALFORMED_REQUEST', 'PATCH_COUNT');
  });
});
