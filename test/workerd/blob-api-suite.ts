/**
 * The aggregator and publisher API checks, run inside workerd against the devnet at both test
 * levels (docs/style.md §5): worker-unit.test.ts passes a `send` that calls `worker.fetch(request, env,
 * ctx)` directly, worker-integration.test.ts one that goes through `exports.default.fetch`.
 */
import { describe, expect, it } from 'vitest';
import {
  BLOB_SIZES,
  CACHE_CONTROL_DELETABLE,
  CACHE_CONTROL_UNCERTIFIED,
  type NewlyCreated,
  blobBytes,
  errorReason,
  expectedBlobId,
  sha256Hex,
  unknownBlobId,
} from './helpers.js';

/** Any origin: the Worker only routes on the path. */
export const ORIGIN = 'http://walrus-edge.test';
/**
 * The aggregator's caching policy follows the storage nodes' blob status, and nodes learn of a
 * certification by polling the chain (every 500 ms, node-reference/chain/sui-chain-view.ts): right
 * after the publisher answers, a blob may still be served with the short uncertified policy.
 */
const CERTIFIED_VISIBLE_MS_MAX = 10_000;
const CERTIFIED_POLL_MS = 100;

export interface SuiteOptions {
  /** Sends one request to the Worker. */
  readonly send: (request: Request) => Promise<Response>;
  readonly nShards: number;
  /** The PUBLISHER_BODY_BYTES_MAX that `send` runs the Worker with. */
  readonly bodyBytesMax: number;
  readonly sizes?: readonly number[];
}

const blobUrl = (blobId: string) => `${ORIGIN}/v1/blobs/${blobId}`;

export function blobApiSuite({
  send,
  nShards,
  bodyBytesMax,
  sizes = BLOB_SIZES,
}: SuiteOptions): void {
  const get = (blobId: string, headers: Record<string, string> = {}) =>
    send(new Request(blobUrl(blobId), { headers }));

  /** Blobs stored by the PUT tests, by size; the read tests use them. */
  const stored = new Map<number, { blobId: string; bytes: Uint8Array }>();
  const storedBlob = (size: number) => {
    const blob = stored.get(size);
    if (blob === undefined)
      throw new Error(`the ${size}-byte blob was not stored (its PUT test failed)`);
    return blob;
  };

  describe('publisher PUT /v1/blobs', () => {
    it.each(sizes)(
      'stores %i bytes, answers newlyCreated with the encoder’s blob ID, then serves it as certified',
      async (size) => {
        const bytes = blobBytes(size);
        const response = await send(
          new Request(`${ORIGIN}/v1/blobs?epochs=2`, { method: 'PUT', body: bytes }),
        );
        expect(response.status, await response.clone().text()).toBe(200);
        const { newlyCreated } = (await response.json()) as NewlyCreated;
        const blobId = expectedBlobId(bytes, nShards);
        expect(newlyCreated.blobObject.blobId).toBe(blobId);
        expect(newlyCreated.blobObject.size).toBe(size);
        expect(newlyCreated.blobObject.encodingType).toBe('RS2');
        expect(newlyCreated.blobObject.deletable).toBe(true);
        expect(newlyCreated.blobObject.certifiedEpoch).toBeTypeOf('number');
        expect(
          newlyCreated.blobObject.storage.endEpoch - newlyCreated.blobObject.storage.startEpoch,
        ).toBe(2);
        expect(newlyCreated.resourceOperation.registerFromScratch.epochsAhead).toBe(2);
        expect(newlyCreated.resourceOperation.registerFromScratch.encodedLength).toBe(
          newlyCreated.blobObject.storage.storageSize,
        );
        // Readable at once; served as certified (immutable) once the nodes have seen the certification.
        const deadline = Date.now() + CERTIFIED_VISIBLE_MS_MAX;
        for (;;) {
          const head = await send(new Request(blobUrl(blobId), { method: 'HEAD' }));
          expect(head.status).toBe(200);
          const cacheControl = head.headers.get('cache-control');
          if (cacheControl === CACHE_CONTROL_DELETABLE) break;
          expect(cacheControl).toBe(CACHE_CONTROL_UNCERTIFIED);
          if (Date.now() > deadline)
            expect.fail(`not served as certified within ${CERTIFIED_VISIBLE_MS_MAX} ms`);
          await new Promise((resolve) => setTimeout(resolve, CERTIFIED_POLL_MS));
        }
        stored.set(size, { blobId, bytes });
      },
    );

    it('answers 400 to bad epochs', async () => {
      for (const epochs of ['0', '-1', 'abc', '1.5', '54', '']) {
        const response = await send(
          new Request(`${ORIGIN}/v1/blobs?epochs=${epochs}`, { method: 'PUT', body: 'x' }),
        );
        expect(response.status, `epochs=${epochs}`).toBe(400);
        expect(await errorReason(response)).toBe('MALFORMED_REQUEST');
      }
    });

    it('answers 413 to a body over PUBLISHER_BODY_BYTES_MAX, declared or streamed', async () => {
      const over = new Uint8Array(bodyBytesMax + 1);
      const declared = await send(
        new Request(`${ORIGIN}/v1/blobs?epochs=1`, { method: 'PUT', body: over }),
      );
      expect(declared.status).toBe(413);
      expect(await errorReason(declared)).toBe('BODY_TOO_LARGE');
      // No Content-Length: the Worker must count the streamed bytes.
      const streamed = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < over.length; offset += 64 * 1024)
            controller.enqueue(over.slice(offset, offset + 64 * 1024));
          controller.close();
        },
      });
      const chunked = await send(
        new Request(`${ORIGIN}/v1/blobs?epochs=1`, { method: 'PUT', body: streamed }),
      );
      expect(chunked.status).toBe(413);
      expect(await errorReason(chunked)).toBe('BODY_TOO_LARGE');
    });
  });

  describe('aggregator GET/HEAD /v1/blobs/{blobId}', () => {
    it.each(sizes)(
      'GET returns the %i stored bytes exactly, with a strong ETag and a deletable blob’s caching',
      async (size) => {
        const { blobId, bytes } = storedBlob(size);
        const response = await get(blobId);
        expect(response.status).toBe(200);
        expect(response.headers.get('etag')).toBe(`"${blobId}"`);
        expect(response.headers.get('cache-control')).toBe(CACHE_CONTROL_DELETABLE);
        expect(response.headers.get('accept-ranges')).toBe('bytes');
        expect(response.headers.get('content-type')).toBe('application/octet-stream');
        expect(response.headers.get('content-length')).toBe(String(size));
        const body = await response.arrayBuffer();
        expect(body.byteLength).toBe(size);
        expect(await sha256Hex(body)).toBe(await sha256Hex(bytes));
      },
    );

    it.each(sizes)(
      'HEAD on the %i-byte blob gives the headers and Content-Length, no body',
      async (size) => {
        const { blobId } = storedBlob(size);
        const response = await send(new Request(blobUrl(blobId), { method: 'HEAD' }));
        expect(response.status).toBe(200);
        expect(response.headers.get('content-length')).toBe(String(size));
        expect(response.headers.get('etag')).toBe(`"${blobId}"`);
        expect(response.headers.get('cache-control')).toBe(CACHE_CONTROL_DELETABLE);
        expect(response.headers.get('accept-ranges')).toBe('bytes');
        expect((await response.arrayBuffer()).byteLength).toBe(0);
      },
    );

    const rangedSizes = sizes.filter((size) => size >= 1000);
    it.each(rangedSizes)(
      'serves bytes=a-b, a- and -n of the %i-byte blob as 206 with Content-Range',
      async (size) => {
        const { blobId, bytes } = storedBlob(size);
        const mid = Math.floor(size / 2);
        const cases: [header: string, start: number, end: number][] = [
          ['bytes=0-0', 0, 0],
          [`bytes=17-${mid}`, 17, mid],
          [`bytes=${mid}-${mid + 999}`, mid, mid + 999],
          [`bytes=${size - 10}-${size + 1000}`, size - 10, size - 1], // end past the blob: clamped
          [`bytes=${mid}-`, mid, size - 1],
          ['bytes=-1', size - 1, size - 1],
          ['bytes=-1234', size - 1234, size - 1],
          [`bytes=-${size * 2}`, 0, size - 1], // suffix longer than the blob: all of it
        ];
        for (const [header, start, end] of cases) {
          const response = await get(blobId, { range: header });
          expect(response.status, header).toBe(206);
          expect(response.headers.get('content-range'), header).toBe(
            `bytes ${start}-${end}/${size}`,
          );
          expect(response.headers.get('content-length'), header).toBe(String(end - start + 1));
          expect(response.headers.get('etag'), header).toBe(`"${blobId}"`);
          const body = await response.arrayBuffer();
          expect(await sha256Hex(body), header).toBe(
            await sha256Hex(bytes.subarray(start, end + 1)),
          );
        }
      },
    );

    it.each(sizes)(
      'answers 416 with bytes */L to an unsatisfiable range on the %i-byte blob',
      async (size) => {
        const { blobId } = storedBlob(size);
        for (const header of [`bytes=${size}-`, `bytes=${size + 5}-${size + 10}`, 'bytes=-0']) {
          const response = await get(blobId, { range: header });
          expect(response.status, header).toBe(416);
          expect(response.headers.get('content-range'), header).toBe(`bytes */${size}`);
          expect(await errorReason(response), header).toBe('RANGE_NOT_SATISFIABLE');
        }
      },
    );

    it('answers 304 to If-None-Match with the ETag (weak comparison), 200 to another tag', async () => {
      const size = sizes.find((s) => s > 1) ?? sizes[0];
      const { blobId } = storedBlob(size);
      for (const tag of [`"${blobId}"`, `W/"${blobId}"`, `"other", "${blobId}"`, '*']) {
        const response = await get(blobId, { 'if-none-match': tag });
        expect(response.status, tag).toBe(304);
        expect(response.headers.get('etag'), tag).toBe(`"${blobId}"`);
        expect(response.headers.get('cache-control'), tag).toBe(CACHE_CONTROL_DELETABLE);
        expect((await response.arrayBuffer()).byteLength, tag).toBe(0);
      }
      const miss = await get(blobId, { 'if-none-match': `"${unknownBlobId()}"` });
      expect(miss.status).toBe(200);
      expect((await miss.arrayBuffer()).byteLength).toBe(size);
    });

    it('answers 404 BLOB_NOT_FOUND to a well-formed ID nobody stored', async () => {
      const response = await get(unknownBlobId());
      expect(response.status).toBe(404);
      expect(await errorReason(response)).toBe('BLOB_NOT_FOUND');
    });

    it('answers 400 INVALID_BLOB_ID to malformed IDs', async () => {
      const valid = storedBlob(sizes[0]).blobId;
      // Too short, too long, outside the alphabet, non-canonical last character.
      // The last of 43 characters carries 2 spare bits, zero in a canonical ID: set one.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const nonCanonical = valid.slice(0, -1) + alphabet[alphabet.indexOf(valid.at(-1)!) | 1];
      for (const id of ['not-a-blob-id', valid + 'A', valid.slice(0, -1) + '*', nonCanonical]) {
        const response = await get(encodeURIComponent(id));
        expect(response.status, id).toBe(400);
        expect(await errorReason(response), id).toBe('INVALID_BLOB_ID');
      }
    });
  });
}
