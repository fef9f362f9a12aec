/**
 * Every record of the official encoder's vectors (test/fixtures/redstuff.jsonl, produced by
 * @mysten/walrus-wasm 0.3.0): parameters, sizes, blob IDs in all three forms, root hashes, sliver
 * hashes, sliver bytes, metadata BCS, shard rotation and DataTooLarge errors.
 */
import { describe, expect, it } from 'vitest';
import { blobIdFromString, blobIdToString, blobIdToU256 } from '../../../core/blob-id.js';
import {
  DataTooLargeError,
  encodedBlobLength,
  encodingParams,
  maxBlobBytes,
  symbolBytes,
} from '../../../core/encoding/config.js';
import { computeBlobMetadata, encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { rotationOffset, shardForPair } from '../../../core/encoding/mapping.js';
import {
  decodeBlobMetadataWithId,
  encodeBlobMetadataWithId,
  verifyMetadata,
} from '../../../core/encoding/metadata.js';
import { decodeSliverData } from '../../../core/encoding/sliver-data.js';
import { contentOf, loadVectors, sha256Hex, toHex } from '../../helpers/vectors.js';

const vectors = loadVectors();

describe('RS2 reference vectors', () => {
  it('covers every kind of record', () => {
    expect(vectors.length).toBe(37);
    expect(new Set(vectors.map((v) => v.kind))).toEqual(new Set(['anchor', 'standard', 'extra']));
  });

  for (const vector of vectors) {
    const name = `${vector.kind} n=${vector.n_shards} size=${vector.size}`;
    it(name, () => {
      const content = contentOf(vector);
      if (vector.content_sha256 !== undefined)
        expect(sha256Hex(content)).toBe(vector.content_sha256);
      if (vector.error !== undefined) {
        expect(vector.error).toBe('DataTooLarge');
        expect(maxBlobBytes(vector.n_shards)).toBe(vector.max_blob_size);
        expect(() => symbolBytes(vector.size, vector.n_shards)).toThrow(DataTooLargeError);
        expect(() => encodeBlob(content, vector.n_shards)).toThrow(DataTooLargeError);
        return;
      }
      const n = vector.n_shards;
      if (vector.kind !== 'anchor') {
        const params = encodingParams(n);
        expect([params.maxFaulty, params.nPrimary, params.nSecondary]).toEqual([
          vector.max_faulty,
          vector.n_primary_source_symbols,
          vector.n_secondary_source_symbols,
        ]);
        expect(symbolBytes(vector.size, n)).toBe(vector.symbol_size);
        expect(encodedBlobLength(vector.size, n)).toBe(vector.encoded_length);
      }
      const encoded = encodeBlob(content, n);
      expect(toHex(encoded.rootHash)).toBe(vector.root_hash_hex);
      expect(blobIdToString(encoded.blobId)).toBe(vector.blob_id);
      // Metadata only (blob-id's path: recovery rows hashed and dropped) gives the same.
      const metadataOnly = computeBlobMetadata(content, n);
      expect(toHex(metadataOnly.rootHash)).toBe(vector.root_hash_hex);
      expect(blobIdToString(metadataOnly.blobId)).toBe(vector.blob_id);
      expect(metadataOnly.metadata).toEqual(encoded.metadata);
      if (vector.kind === 'anchor') return;
      expect(toHex(encoded.blobId)).toBe(vector.blob_id_hex);
      expect(blobIdToU256(encoded.blobId).toString()).toBe(vector.blob_id_u256_dec);
      expect(blobIdFromString(vector.blob_id)).toEqual(encoded.blobId);
      expect(rotationOffset(encoded.blobId, n)).toBe(vector.rotation_offset);

      const metadataBcs = encodeBlobMetadataWithId(encoded.blobId, encoded.metadata);
      expect(metadataBcs.length).toBe(vector.metadata_bcs_len);
      expect(sha256Hex(metadataBcs)).toBe(vector.metadata_bcs_sha256);
      const parsed = decodeBlobMetadataWithId(metadataBcs);
      expect(verifyMetadata(parsed.blobId, parsed.metadata, n).unencodedLength).toBe(vector.size);

      for (const pair of vector.sliver_pairs) {
        const p = pair.pair_index;
        expect(shardForPair(p, encoded.blobId, n)).toBe(pair.shard_index);
        expect(toHex(encoded.metadata.hashes[p].primary)).toBe(pair.primary_hash);
        expect(toHex(encoded.metadata.hashes[p].secondary)).toBe(pair.secondary_hash);
        const primary = encoded.primarySliver(pair.primary_sliver_index);
        const secondary = encoded.secondarySliver(pair.secondary_sliver_index);
        expect(primary.length).toBe(vector.primary_sliver_len);
        expect(secondary.length).toBe(vector.secondary_sliver_len);
        expect(sha256Hex(primary)).toBe(pair.primary_sliver_sha256);
        expect(sha256Hex(secondary)).toBe(pair.secondary_sliver_sha256);
        const bcs = decodeSliverData(encoded.secondarySliverBcs(pair.secondary_sliver_index));
        expect(bcs.index).toBe(pair.secondary_sliver_index);
        expect(bcs.symbolBytes).toBe(vector.symbol_size);
      }
      if (vector.full !== undefined) {
        expect(toHex(metadataBcs)).toBe(vector.full.metadata_bcs_hex);
        vector.full.pairs.forEach((pair, p) => {
          expect(toHex(encoded.primarySliver(p))).toBe(pair.primary_sliver_hex);
          expect(toHex(encoded.secondarySliver(n - 1 - p))).toBe(pair.secondary_sliver_hex);
          expect(toHex(encoded.metadata.hashes[p].primary)).toBe(pair.primary_hash);
          expect(toHex(encoded.metadata.hashes[p].secondary)).toBe(pair.secondary_hash);
        });
      }
    });
  }
});

describe('the worked example of docs/spec/encoding.md §12.2', () => {
  it('encodes bytes 00..0b for n = 4', () => {
    const encoded = encodeBlob(
      Uint8Array.from({ length: 12 }, (_, i) => i),
      4,
    );
    expect(toHex(encoded.primarySliver(2))).toBe('a809ee0edc03');
    expect(toHex(encoded.primarySliver(3))).toBe('ae0fe404d20d');
    expect(toHex(encoded.secondarySliver(3))).toBe('06070405');
    expect(toHex(encoded.rootHash)).toBe(
      '6861e4ddafbda8bad72ee0e9f7bc883075a1bcedc6945a1a64360a7b97fef895',
    );
    expect(blobIdToString(encoded.blobId)).toBe('Zg-F1ZSwAZltvYqCSThDM8ih-gnuot4ST34Rr0MtWBQ');
    expect(toHex(encoded.primarySliverBcs(0))).toBe('06000102030405' + '0200' + '0000');
  });
});
