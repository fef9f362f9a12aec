/** The multi-threaded encoder gives the single-threaded encoder's bytes. Uses the built worker. */
import { afterAll, describe, it } from 'vitest';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { encodeBlobMetadata } from '../../../core/encoding/metadata.js';
import { EncoderPool, sharedBytes } from '../../../client/node/encoder-pool.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes } from '../../helpers/random.js';

// Every encoding through the workers, however small.
const pool = new EncoderPool(3, { poolHashBlocksMin: 0 });
afterAll(() => pool.close());

describe('EncoderPool', () => {
  for (const [n, size] of [
    [10, 1_000_000],
    [100, 3_000_000],
    [1000, 1_048_583],
    [1000, 100],
  ] as [number, number][]) {
    it(`matches encodeBlob for n=${n} size=${size}`, async () => {
      const blob = randomBytes(size, n + size);
      const shared = sharedBytes(size);
      shared.set(blob);
      const expected = encodeBlob(blob, n);
      for (const input of [blob, shared]) {
        const actual = await pool.encode(input, n);
        expectBytes(actual.blobId, expected.blobId, 'blob ID');
        expectBytes(
          encodeBlobMetadata(actual.metadata),
          encodeBlobMetadata(expected.metadata),
          'metadata',
        );
        const metadataOnly = await pool.computeMetadata(input, n);
        expectBytes(metadataOnly.blobId, expected.blobId, 'blob ID, metadata only');
        expectBytes(
          encodeBlobMetadata(metadataOnly.metadata),
          encodeBlobMetadata(expected.metadata),
          'metadata only',
        );
        for (const p of [0, 1, Math.floor(n / 2), n - 1]) {
          expectBytes(actual.primarySliverBcs(p), expected.primarySliverBcs(p), `primary ${p}`);
          expectBytes(
            actual.secondarySliverBcs(p),
            expected.secondarySliverBcs(p),
            `secondary ${p}`,
          );
        }
      }
    });
  }

  it('encodes concurrent calls one after another, each byte for byte', async () => {
    const blobs = [0, 1, 2, 3].map((i) => randomBytes(200_000 + i, 77 + i));
    const encoded = await Promise.all(blobs.map((blob) => pool.encode(blob, 100)));
    encoded.forEach((actual, i) =>
      expectBytes(actual.blobId, encodeBlob(blobs[i], 100).blobId, `blob ${i}`),
    );
  });
});
