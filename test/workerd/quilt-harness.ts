/**
 * Quilts for the workerd tests (worker-quilt.test.ts, worker-faults.test.ts): a test collection
 * whose files exercise every header rule of docs/spec/quilts.md §8, Walrus's multipart form for
 * `PUT /v1/quilts`, and the checks every patch response must pass.
 */
import { expect } from 'vitest';
import type { QuiltFile } from '../../core/quilt/quilt-builder.js';
import { randomBytes } from '../helpers/random.js';
import type { NewlyCreated } from './helpers.js';
import { ORIGIN, type Call, type Reply, expectBytes } from './worker-harness.js';

const utf8 = new TextEncoder();

/** Walrus's answer to `PUT /v1/quilts`. */
export interface QuiltStoreAnswer {
  blobStoreResult: NewlyCreated;
  storedQuiltBlobs: { identifier: string; quiltPatchId: string; range: [number, number] }[];
}

/** One file of a test quilt, the tags its `_metadata` entry gives it (any JSON), what it serves. */
export interface TestFile {
  readonly identifier: string;
  readonly bytes: Uint8Array;
  readonly metadataTags?: Record<string, unknown>;
  /** The Content-Type its responses carry (the `content-type` tag, else sniffed). */
  readonly contentType?: string;
  /** Served with `Content-Security-Policy: sandbox` (active content). */
  readonly sandboxed?: boolean;
  /** Tag headers its responses carry (allow-listed tags other than content-type). */
  readonly tagHeaders?: Record<string, string>;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out.set(PNG_SIGNATURE);
  out.set(randomBytes(bytes - PNG_SIGNATURE.length, seed), PNG_SIGNATURE.length);
  return out;
}

export const OCTET_STREAM = 'application/octet-stream';

/**
 * A collection: sniffed text, JSON, PNG; SVG named by its `content-type` tag (sandboxed); a tag
 * that beats sniffing; an empty file; a unicode identifier with a slash, a space and a non-BMP
 * character; a file spanning many columns; tags that become headers, one not on the allow-list
 * and non-string tag values. `seed` varies the bytes, so each caller gets its own quilt.
 */
export function testCollection(seed: number): TestFile[] {
  return [
    {
      identifier: 'hello.txt',
      bytes: utf8.encode(`Hello, Walrus quilt ${seed}!\n`),
      contentType: 'text/plain; charset=utf-8',
    },
    {
      identifier: 'ñandú/日本 🐦.json',
      bytes: utf8.encode(`{"name":"bird","seed":${seed}}`),
      contentType: 'application/json',
    },
    { identifier: 'empty', bytes: new Uint8Array(0), contentType: OCTET_STREAM },
    { identifier: 'pic.png', bytes: png(20_000, seed), contentType: 'image/png' },
    {
      identifier: 'drawing.svg',
      bytes: utf8.encode(
        `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(${seed})</script></svg>`,
      ),
      metadataTags: { 'content-type': 'image/svg+xml' },
      contentType: 'image/svg+xml',
      sandboxed: true,
    },
    {
      identifier: 'data.bin',
      bytes: utf8.encode(`plain words ${seed}, served as the tag says`),
      metadataTags: {
        'content-type': 'application/x-custom',
        'Content-Disposition': 'attachment; filename="data.bin"',
        'content-language': 'español, 日本語',
        'x-not-allowed': 'never a header',
        edition: 7,
        rare: true,
      },
      contentType: 'application/x-custom',
      tagHeaders: {
        'content-disposition': 'attachment; filename="data.bin"',
        // Sent as its UTF-8 bytes, as Walrus does.
        'content-language': 'español, 日本語',
      },
    },
    { identifier: 'large.bin', bytes: randomBytes(150_001, seed), contentType: OCTET_STREAM },
  ];
}

/** Tags as the quilt stores them: strings kept, other JSON values as their JSON text. */
export function storedTags(file: TestFile): Record<string, string> {
  return Object.fromEntries(
    Object.entries(file.metadataTags ?? {}).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

export function quiltFiles(files: readonly TestFile[]): QuiltFile[] {
  return files.map((file) => ({
    identifier: file.identifier,
    bytes: file.bytes,
    tags: storedTags(file),
  }));
}

/** The multipart form Walrus's publisher takes: one field per file, `_metadata` for tags. */
export function quiltForm(files: readonly TestFile[], extraMetadata: unknown[] = []): FormData {
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

export function putQuilt(body: BodyInit, query = 'epochs=2', headers?: HeadersInit): Request {
  return new Request(`${ORIGIN}/v1/quilts?${query}`, { method: 'PUT', body, headers });
}

/** Stores `files` through `PUT /v1/quilts` (with a `_metadata` entry for a file not sent). */
export async function storeQuilt(via: Call, files: readonly TestFile[]): Promise<QuiltStoreAnswer> {
  const reply = await via(putQuilt(quiltForm(files, [{ identifier: 'ghost', tags: { a: 'b' } }])));
  expect(reply.status, reply.text()).toBe(200);
  return JSON.parse(reply.text()) as QuiltStoreAnswer;
}

export const quiltIdOf = (answer: QuiltStoreAnswer) =>
  answer.blobStoreResult.newlyCreated.blobObject.blobId;

export function patchByIdUrl(patchId: string): string {
  return `${ORIGIN}/v1/blobs/by-quilt-patch-id/${patchId}`;
}

export function patchByIdentifierUrl(quiltId: string, identifier: string): string {
  return `${ORIGIN}/v1/blobs/by-quilt-id/${quiltId}/${encodeURIComponent(identifier)}`;
}

/** A full patch response: its bytes and every header the rules of §8 and ours give it. */
export async function expectPatch(
  reply: Reply,
  file: TestFile,
  expected: { readonly quiltId: string; readonly cacheControl: string; readonly label?: string },
): Promise<void> {
  const label = expected.label ?? file.identifier;
  const { headers } = reply;
  expect(reply.status, label).toBe(200);
  await expectBytes(reply.body, file.bytes, label);
  expect(headers.get('content-length'), label).toBe(String(file.bytes.length));
  expectPatchHeaders(reply, file, expected);
}

/** The headers every response for the patch carries (200, 206, 304, HEAD). */
export function expectPatchHeaders(
  reply: Reply,
  file: TestFile,
  expected: { readonly quiltId: string; readonly cacheControl: string; readonly label?: string },
): void {
  const label = expected.label ?? file.identifier;
  const { headers } = reply;
  expect(headers.get('etag'), label).toBe(`"${expected.quiltId}"`);
  expect(headers.get('cache-control'), label).toBe(expected.cacheControl);
  expect(headers.get('x-quilt-patch-identifier'), label).toBe(file.identifier);
  expect(headers.get('x-content-type-options'), label).toBe('nosniff');
  if (reply.status !== 304) {
    expect(headers.get('content-type'), label).toBe(file.contentType);
    expect(headers.get('accept-ranges'), label).toBe('bytes');
  }
  expect(headers.get('content-security-policy'), label).toBe(file.sandboxed ? 'sandbox' : null);
  for (const [name, value] of Object.entries(file.tagHeaders ?? {})) {
    expect(headers.get(name), `${label} ${name}`).toBe(value);
  }
  // Only allow-listed tags become headers.
  expect(headers.get('x-not-allowed'), label).toBeNull();
  expect(headers.get('edition'), label).toBeNull();
}
