/**
 * Differential test against the official encoder (@mysten/walrus-wasm, a devDependency only): random
 * sizes and shard counts must give identical blob IDs, metadata and BCS slivers, and each side must
 * decode the other's slivers.
 */
import { BlobEncoder } from '@mysten/walrus-wasm';
import { describe, expect, it } from 'vitest';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { decodeBlob } from '../../../core/encoding/blob-decoder.js';
import { encodingParams, maxBlobBytes } from '../../../core/encoding/config.js';
import { verifyMetadata } from '../../../core/encoding/metadata.js';
import { decodeSliverData } from '../../../core/encoding/sliver-data.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes, seededRandom } from '../../helpers/random.js';

const SEED = 0x5eed;
const CASES = 24;

interface WasmMetadata {
  blob_id: number[];
  metadata: {
    V1: {
      unencoded_length: number;
      hashes: { primary_hash: { Digest: number[] }; secondary_hash: { Digest: number[] } }[];
    };
  };
}

describe('walrus-edge vs @mysten/walrus-wasm', () => {
  const random = seededRandom(SEED);
  for (let c = 0; c < CASES; c++) {
    const nShards = [4, 5, 7, 10, 13, 22, 40, 67, 100, 130, 301][Math.floor(random() * 11)];
    const sizeMax = Math.min(maxBlobBytes(nShards), 2_000_000);
    const size = random() < 0.2 ? Math.floor(random() * 64) : Math.floor(random() * sizeMax);
    const seed = SEED + c;
    it(`case ${c} (seed ${seed}): n=${nShards} size=${size}`, () => {
      const blob = randomBytes(size, seed);
      const ours = encodeBlob(blob, nShards);
      const primaryBuffers = Array.from(
        { length: nShards },
        () => new Uint8Array(ours.primarySliverBcsBytes),
      );
      const secondaryBuffers = Array.from(
        { length: nShards },
        () => new Uint8Array(ours.secondarySliverBcsBytes),
      );
      const encoder = new BlobEncoder(nShards);
      const [metadata, rootHash] = encoder.encode(blob, primaryBuffers, secondaryBuffers) as [
        WasmMetadata,
        { Digest: number[] },
      ];
      expectBytes(Uint8Array.from(rootHash.Digest), ours.rootHash);
      expectBytes(Uint8Array.from(metadata.blob_id), ours.blobId);
      expect(metadata.metadata.V1.unencoded_length).toBe(size);
      metadata.metadata.V1.hashes.forEach((pair, p) => {
        expect(Uint8Array.from(pair.primary_hash.Digest)).toEqual(ours.metadata.hashes[p].primary);
        expect(Uint8Array.from(pair.secondary_hash.Digest)).toEqual(
          ours.metadata.hashes[p].secondary,
        );
      });
      for (let p = 0; p < nShards; p++) {
        expectBytes(primaryBuffers[p], ours.primarySliverBcs(p));
        expectBytes(secondaryBuffers[p], ours.secondarySliverBcs(nShards - 1 - p));
      }
      // Cross-decoding: the wasm decodes from our slivers, we decode from its slivers.
      const { nPrimary } = encodingParams(nShards);
      const chosen = Array.from({ length: nShards }, (_, i) => i)
        .sort(() => random() - 0.5)
        .slice(0, nPrimary);
      const out = new Uint8Array(size);
      encoder.decode(
        Array.from(ours.blobId),
        BigInt(size),
        chosen.map((i) => ours.primarySliverBcs(i)),
        out,
      );
      expectBytes(out, blob);
      const verified = verifyMetadata(ours.blobId, ours.metadata, nShards);
      const theirs = chosen.map((i) => decodeSliverData(primaryBuffers[i]));
      expectBytes(decodeBlob(verified, 'primary', theirs), blob);
      encoder.free();
    });
  }
});
