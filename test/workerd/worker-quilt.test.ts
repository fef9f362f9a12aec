/**
 * Quilts through the Worker (unit level, `worker.fetch`) against the main devnet (wallet 4, this
 * file's own) and the node-down devnet (wallet 1): `PUT /v1/quilts` builds the same quilt as
 * core/quilt's encoder and stores it byte for byte; hostile forms are refused before anything is
 * paid for.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeQuilt } from '../../core/quilt/quilt-blob.js';
import type { QuiltFile } from '../../core/quilt/quilt-builder.js';
import { blobIdToString } from '../../core/blob-id.js';
import { randomBytes } from '../helpers/random.js';
import { type Env } from '../../workers/index.js';
import { CORS_EXPOSED_HEADERS, type ErrorBody, type NewlyCreated } from './helpers.js';
import {
  ORIGIN,
  type Call,
  type Reply,
  devnetEnv,
  expectBytes,
  reasonOf,
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

/** Walrus's answer to `PUT /v1/quilts`. */
interface QuiltStoreAnswer {
  blobStoreResult: NewlyCreated;
  storedQuiltBlobs: { identifier: string; quiltPatchId: string; range: [number, number] }[];
}

/** One file of the test quilt, with the tags its `_metadata` entry gives it (JSON values). */
interface TestFile {
  readonly identifier: string;
  readonly bytes: Uint8Array;
  readonly metadataTags?: Record<string, unknown>;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = new Uint8Array(20_000);
png.set(PNG_SIGNATURE);
png.set(randomBytes(20_000 - PNG_SIGNATURE.length, 0x9e6), PNG_SIGNATURE.length);

/**
 * The collection: sniffed text, JSON, PNG and SVG; a `content-type` tag that beats sniffing; an
 * empty file; a unicode identifier with a slash, a space and a non-BMP character; a file that
 * spans many columns; tags that are headers, one that is not, and a non-string tag value.
 */
const FILES: readonly TestFile[] = [
  { identifier: 'hello.txt', bytes: utf8.encode('Hello, Walrus quilt!\n') },
  { identifier: 'ñandú/日本 🐦.json', bytes: utf8.encode('{"name":"bird","n":1}') },
  { identifier: 'empty', bytes: new Uint8Array(0) },
  { identifier: 'pic.png', bytes: png },
  {
    identifier: 'drawing.svg',
    bytes: utf8.encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    metadataTags: { 'content-type': 'image/svg+xml' },
  },
  {
    identifier: 'data.bin',
    bytes: utf8.encode('plain words, served as the tag says'),
    metadataTags: {
      'content-type': 'application/x-custom',
      'content-disposition': 'attachment; filename="data.bin"',
      'x-not-allowed': 'never a header',
      edition: 7,
      rare: true,
    },
  },
  { identifier: 'large.bin', bytes: randomBytes(150_001, 0x1a7e) },
];

/** Tags as the quilt stores them: strings kept, other JSON values as their JSON text. */
function storedTags(file: TestFile): Record<string, string> | undefined {
  if (file.metadataTags === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(file.metadataTags).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

function quiltFiles(files: readonly TestFile[]): QuiltFile[] {
  return files.map((file) => {
    const tags = storedTags(file);
    return { identifier: file.identifier, bytes: file.bytes, ...(tags ? { tags } : {}) };
  });
}

/** The multipart form Walrus's publisher takes: one field per file, `_metadata` for tags. */
function quiltForm(files: readonly TestFile[], extraMetadata: unknown[] = []): FormData {
  const form = new FormData();
  for (const file of files) {
    form.append(file.identifier, new Blob([file.bytes as Uint8Array<ArrayBuffer>]), 'ignored');
  }
  const metadata = [
    ...files
      .filter((file) => file.metadataTags !== undefined)
      .map((file) => ({ identifier: file.identifier, tags: file.metadataTags })),
    ...extraMetadata,
  ];
  form.append('_metadata', JSON.stringify(metadata));
  return form;
}

function putQuilt(body: BodyInit, query = 'epochs=2', headers?: HeadersInit): Request {
  return new Request(`${ORIGIN}/v1/quilts?${query}`, { method: 'PUT', body, headers });
}

async function storeQuilt(via: Call, files: readonly TestFile[]): Promise<QuiltStoreAnswer> {
  const reply = await via(putQuilt(quiltForm(files, [{ identifier: 'ghost', tags: { a: 'b' } }])));
  expect(reply.status, reply.text()).toBe(200);
  return JSON.parse(reply.text()) as QuiltStoreAnswer;
}

function expectCors(reply: Reply, label = ''): void {
  expect(reply.headers.get('access-control-allow-origin'), label).toBe('*');
  expect(reply.headers.get('access-control-expose-headers'), label).toBe(CORS_EXPOSED_HEADERS);
}

describe('publisher PUT /v1/quilts', () => {
  let answer: QuiltStoreAnswer;
  const local = encodeQuilt(quiltFiles(FILES), devnet.nShards);

  beforeAll(async () => {
    answer = await storeQuilt(call, FILES);
  });

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

  it('stored the quilt byte for byte: the blob read back is the encoder’s quilt', async () => {
    const quiltId = answer.blobStoreResult.newlyCreated.blobObject.blobId;
    const reply = await call(new Request(`${ORIGIN}/v1/blobs/${quiltId}`));
    expect(reply.status).toBe(200);
    await expectBytes(reply.body, local.quilt);
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
