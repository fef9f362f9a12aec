/**
 * core/ must run unchanged in Node, Cloudflare workerd and browsers: with the JavaScript fallbacks
 * (used where wasm cannot be compiled from bytes) it gives the same bytes as with the wasm kernels.
 * (That core/ imports no Node built-in and uses no Node global is test/unit/tidy.test.ts's rule.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import {
  encodedBlobLength,
  isAboveValidity,
  isQuorum,
  storageUnits,
} from '../../../core/encoding/config.js';
import { useBlake2bBackend } from '../../../core/hash/blake2b.js';
import { loadVectors, contentOf } from '../../helpers/vectors.js';

describe('core/ is isomorphic', () => {
  afterEach(() => useBlake2bBackend('wasm-simd'));

  it("gives the vectors' blob IDs with the JavaScript hashing fallback", () => {
    useBlake2bBackend('js');
    for (const vector of loadVectors().filter(
      (v) => v.error === undefined && v.n_shards <= 100 && v.size <= 65_536,
    )) {
      expect(blobIdToString(encodeBlob(contentOf(vector), vector.n_shards).blobId)).toBe(
        vector.blob_id,
      );
    }
  });
});

describe('storage accounting and thresholds', () => {
  it('matches docs/spec/encoding.md §1–2.3', () => {
    expect(encodedBlobLength(0, 1000)).toBe(66_034_000);
    expect(encodedBlobLength(1_048_583, 1000)).toBe(70_038_000);
    expect(storageUnits(1_048_583, 1000)).toBe(Math.ceil(70_038_000 / 1_048_576));
    expect(storageUnits(0, 4)).toBe(1);
    expect([
      isQuorum(667, 1000),
      isQuorum(666, 1000),
      isAboveValidity(334, 1000),
      isAboveValidity(333, 1000),
    ]).toEqual([true, false, true, false]);
  });
});
