/**
 * Differential test against @mysten/walrus's `encodeQuilt` (a devDependency only), with the blob
 * ID of its quilt computed by @mysten/walrus-wasm: for ASCII identifiers that walrus-core accepts,
 * where the SDK's defects (docs/spec/quilts.md §10: UTF-16 sort, no validation) cannot show, the
 * quilt bytes, patch ranges and quilt ID agree. Seeded; n = 1000 is left to the vectors (2.5 s
 * a case here).
 */
import { encodeQuilt as sdkEncodeQuilt } from '@mysten/walrus';
import { BlobEncoder } from '@mysten/walrus-wasm';
import { describe, expect, it } from 'vitest';
import { quiltPatchesMax } from '../../../core/quilt/limits.js';
import { computeQuiltMetadata } from '../../../core/quilt/quilt-blob.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes, seededRandom } from '../../helpers/random.js';

const SEED = 0x5d4;
const CASES = 16;
/** Printable ASCII but space (an identifier may not end in White_Space). */
const ALPHABET = 'abcXYZ019._-/~!()[]@+=,;ABCdefghijklmnopqrstuvw';

describe('walrus-edge quilts vs @mysten/walrus encodeQuilt', () => {
  const random = seededRandom(SEED);
  const pick = (text: string) => text[Math.floor(random() * text.length)];
  for (let c = 0; c < CASES; c++) {
    const nShards = [4, 10, 13, 100, 301][Math.floor(random() * 5)];
    const count = 1 + Math.floor(random() * Math.min(quiltPatchesMax(nShards), 40));
    const sizeMax = [0, 100, 5_000, 60_000][Math.floor(random() * 4)];
    const identifiers = new Set<string>();
    while (identifiers.size < count) {
      const length = 1 + Math.floor(random() * 24);
      identifiers.add(Array.from({ length }, () => pick(ALPHABET)).join(''));
    }
    const files = [...identifiers].map((identifier, i) => {
      const tagCount = Math.floor(random() * 4);
      const tags = Object.fromEntries(
        Array.from({ length: tagCount }, (_, t) => [
          `${pick(ALPHABET)}${'k'.repeat(Math.floor(random() * 12))}${t}`,
          'v'.repeat(Math.floor(random() * 40)),
        ]),
      );
      const bytes = randomBytes(Math.floor(random() * (sizeMax + 1)), SEED * 100 + c * 50 + i);
      return { identifier, bytes, tags };
    });
    it(`case ${c} (seed ${SEED}): ${count} files at n = ${nShards}, ≤ ${sizeMax} bytes`, () => {
      const ours = computeQuiltMetadata(files, nShards);
      const sdk = sdkEncodeQuilt({
        blobs: files.map((f) => ({ contents: f.bytes, identifier: f.identifier, tags: f.tags })),
        numShards: nShards,
      });
      expectBytes(ours.quilt, sdk.quilt, 'quilt');
      expect(ours.index.patches.map((p) => [p.identifier, p.startIndex, p.endIndex])).toEqual(
        sdk.index.patches.map((p) => [p.identifier, p.startIndex, p.endIndex]),
      );
      const [blobId] = new BlobEncoder(nShards).compute_metadata(sdk.quilt) as [number[]];
      expectBytes(ours.quiltId, Uint8Array.from(blobId), 'quilt ID');
    });
  }
});
