/**
 * Every record of the quilt vectors (test/fixtures/quilts.jsonl, docs/spec/quilts.md §9): quilt
 * bytes, index, blob IDs, patch IDs, columns and shards reproduced byte for byte, each patch read
 * back from its own columns; walrus-core's symbol-size table; the inputs Walrus refuses.
 */
import { describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { encodedBlobLength } from '../../../core/encoding/config.js';
import { rotationOffset } from '../../../core/encoding/mapping.js';
import { DuplicateIdentifierError, QuiltLimitError } from '../../../core/quilt/errors.js';
import { quiltSymbolBytes } from '../../../core/quilt/geometry.js';
import { quiltPatchIdBytes, quiltPatchIdFromString } from '../../../core/quilt/patch-id.js';
import { computeQuiltMetadata } from '../../../core/quilt/quilt-blob.js';
import {
  QUILT_BLOB_TYPE_ATTRIBUTE,
  type QuiltFile,
  buildQuilt,
} from '../../../core/quilt/quilt-builder.js';
import { decodeQuiltIndex, serializeQuiltIndex } from '../../../core/quilt/quilt-index.js';
import {
  columnSlivers,
  indexColumnRange,
  quiltColumns,
  readQuiltPatch,
} from '../../../core/quilt/quilt-reader.js';
import { expectBytes } from '../../helpers/bytes.js';
import {
  type QuiltErrorVector,
  type QuiltVector,
  type QuiltVectorInput,
  type SymbolSizeVector,
  inputBytes,
  loadQuiltVectors,
  sha256Hex,
  toHex,
} from '../../helpers/quilt-vectors.js';

const records = loadQuiltVectors();
const quilts = records.filter((r): r is QuiltVector => r.kind === 'quilt');
const symbolSizes = records.filter((r): r is SymbolSizeVector => r.kind === 'symbol_size');
const errors = records.filter((r): r is QuiltErrorVector => r.kind === 'error');

function filesOf(inputs: readonly QuiltVectorInput[]): QuiltFile[] {
  return inputs.map((input) => {
    const bytes = inputBytes(input.content);
    expect(sha256Hex(bytes)).toBe(input.sha256);
    expect(toHex(new TextEncoder().encode(input.identifier))).toBe(input.identifier_utf8_hex);
    return { identifier: input.identifier, bytes, tags: input.tags };
  });
}

function expectQuiltBytes(
  quilt: Uint8Array,
  expected: { quilt_sha256: string; quilt_b64?: string },
) {
  if (expected.quilt_b64 !== undefined)
    expectBytes(quilt, new Uint8Array(Buffer.from(expected.quilt_b64, 'base64')), 'quilt');
  expect(sha256Hex(quilt)).toBe(expected.quilt_sha256);
}

describe('quilt vectors', () => {
  it('has the records docs/spec/quilts.md §9 describes', () => {
    const meta = records.filter((r) => r.kind === 'meta');
    expect(meta).toHaveLength(1);
    expect(meta[0].kind === 'meta' && meta[0].content_generator).toMatch(/^sha256-ctr/);
    expect([quilts.length, symbolSizes.length, errors.length]).toEqual([14, 10, 3]);
  });

  for (const vector of quilts) {
    it(`${vector.id}: quilt bytes, index, blob ID and patch IDs`, () => {
      const n = vector.n_shards;
      const built = computeQuiltMetadata(filesOf(vector.inputs), n);
      const { geometry, index } = built;
      expect([geometry.rowCount, geometry.columnCount]).toEqual([vector.n_rows, vector.n_columns]);
      expect(geometry.symbolBytes).toBe(vector.symbol_size);
      expect(geometry.columnBytes).toBe(vector.column_size);
      expect(geometry.rowBytes).toBe(vector.row_size);
      expect(built.quilt.length).toBe(vector.quilt_length);

      // The SDK sorts by UTF-16 units; this vector's Rust order comes from a UTF-8 sort.
      const rust = vector.sdk_matches_rust_order === false ? vector.rust_order! : undefined;
      expectQuiltBytes(built.quilt, rust ?? vector);
      expect(blobIdToString(built.quiltId)).toBe(rust?.blob_id ?? vector.blob_id);
      expect(index.patches.map((p) => p.identifier)).toEqual(
        rust?.sorted_identifiers ?? vector.sorted_identifiers,
      );
      expect(index.indexColumns).toBe(vector.index.columns);
      const indexBcs = serializeQuiltIndex(index.patches);
      expect(toHex(indexBcs)).toBe(rust?.index_bcs_hex ?? vector.index.bcs_hex);
      if (rust !== undefined) {
        expect(
          built.patchIds.map((p) => [p.identifier, p.range[0], p.range[1], p.quiltPatchId]),
        ).toEqual(
          rust.patches.map((p) => [p.identifier, p.start_index, p.end_index, p.quilt_patch_id]),
        );
        return;
      }
      expect(toHex(built.metadata.rootHash)).toBe(vector.root_hash_hex);
      expect(toHex(built.quiltId)).toBe(vector.blob_id_hex);
      expect(rotationOffset(built.quiltId, n)).toBe(vector.rotation_offset);
      expect(vector.attributes).toEqual({ ...QUILT_BLOB_TYPE_ATTRIBUTE });
      const prefix = quiltColumns(built.quilt, geometry, { start: 0, end: 1 })[0].subarray(0, 5);
      expect(toHex(prefix)).toBe(vector.index.prefix_hex);
      expect(vector.index.bcs_length + 5).toBe(vector.index.total_length);
      expect(vector.index.first_patch_start).toBe(index.indexColumns);

      // Read back from the quilt's columns only: the index, then every patch.
      const column0 = quiltColumns(built.quilt, geometry, { start: 0, end: 1 })[0];
      const indexRange = indexColumnRange(geometry, column0);
      expect(indexRange.end).toBe(vector.index.columns);
      const decoded = decodeQuiltIndex(geometry, quiltColumns(built.quilt, geometry, indexRange));
      expect(decoded).toEqual(index);

      expect(index.patches).toHaveLength(vector.patches.length);
      vector.patches.forEach((expected, i) => {
        const patch = index.patches[i];
        const ids = built.patchIds[i];
        expect([patch.identifier, patch.startIndex, patch.endIndex]).toEqual([
          expected.identifier,
          expected.start_index,
          expected.end_index,
        ]);
        expect(Object.fromEntries(patch.tags)).toEqual(expected.tags);
        expect(ids.quiltPatchId).toBe(expected.quilt_patch_id);
        const parsed = quiltPatchIdFromString(expected.quilt_patch_id);
        expect(toHex(quiltPatchIdBytes(parsed))).toBe(expected.quilt_patch_id_hex);
        expect(expected.quilt_patch_id_hex.endsWith(expected.patch_internal_id_hex)).toBe(true);
        expect([parsed.startIndex, parsed.endIndex]).toEqual([patch.startIndex, patch.endIndex]);

        const range = { start: patch.startIndex, end: patch.endIndex };
        const columns = quiltColumns(built.quilt, geometry, range);
        const joined = Buffer.concat(columns);
        expect(sha256Hex(joined)).toBe(expected.columns_sha256);
        expect(toHex(joined.subarray(0, expected.prefix_hex.length / 2))).toBe(expected.prefix_hex);
        expect(joined.readUInt32LE(1) + 6).toBe(expected.serialized_length);
        const slivers = columnSlivers(range, built.quiltId, n);
        expect(slivers.map((s) => s.sliverPairIndex)).toEqual(expected.sliver_pair_indices);
        expect(slivers.map((s) => s.shardIndex)).toEqual(expected.shard_indices);
        const read = readQuiltPatch(geometry, range, columns);
        expect(read.identifier).toBe(expected.identifier);
        expect(Object.fromEntries(read.tags)).toEqual(expected.tags);
        expect(read.data.length).toBe(expected.data_length);
        expect(sha256Hex(read.data)).toBe(expected.data_sha256);
      });
    });
  }

  it('three_tagged_n10: the secondary slivers of the RS2 encoding are the quilt columns', () => {
    const vector = quilts.find((v) => v.id === 'three_tagged_n10')!;
    const built = buildQuilt(filesOf(vector.inputs), vector.n_shards);
    const blob = encodeBlob(built.quilt, vector.n_shards);
    expect(blobIdToString(blob.blobId)).toBe(vector.blob_id);
    expect(encodedBlobLength(built.quilt.length, vector.n_shards)).toBe(vector.encoded_length);
    for (const patch of vector.patches) {
      const columns = [];
      for (let j = patch.start_index; j < patch.end_index; j++)
        columns.push(blob.secondarySliver(j));
      expect(sha256Hex(Buffer.concat(columns))).toBe(patch.columns_sha256);
    }
  });

  for (const vector of symbolSizes) {
    const name = `symbol size of [${vector.sizes.join(', ')}] in ${vector.n_rows}×${vector.n_columns}`;
    it(`${name}, index in ≤ ${vector.max_index_columns} columns`, () => {
      const compute = () =>
        quiltSymbolBytes(vector.sizes, vector.n_columns, vector.n_rows, vector.max_index_columns);
      if (vector.error === undefined) {
        expect(compute()).toBe(vector.symbol_size);
      } else if (vector.error.startsWith('TooManyBlobs')) {
        const [, count, max] = /TooManyBlobs\((\d+), (\d+)\)/.exec(vector.error)!;
        expect(compute).toThrow(QuiltLimitError);
        expect(compute).toThrow(
          expect.objectContaining({ limit: 'PATCH_COUNT', value: +count, max: +max }),
        );
      } else {
        expect(vector.error).toBe('EmptyInput');
        expect(compute).toThrow(RangeError);
      }
    });
  }

  for (const vector of errors) {
    it(`refuses ${vector.id} (${vector.rust_error})`, () => {
      if (vector.identifiers !== undefined) {
        vector.identifiers.forEach((identifier, i) => {
          expect(toHex(new TextEncoder().encode(identifier))).toBe(vector.identifiers_utf8_hex![i]);
          const files = [{ identifier, bytes: new Uint8Array([1]) }];
          expect(() => buildQuilt(files, vector.n_shards), JSON.stringify(identifier)).toThrow(
            QuiltLimitError,
          );
        });
        return;
      }
      const build = () => buildQuilt(filesOf(vector.inputs!), vector.n_shards);
      if (vector.rust_error.includes('DuplicateIdentifier')) {
        expect(build).toThrow(DuplicateIdentifierError);
        expect(build).toThrow(expect.objectContaining({ identifier: 'x' }));
      } else {
        const [, count, max] = /TooManyBlobs\((\d+), (\d+)\)/.exec(vector.rust_error)!;
        expect(build).toThrow(
          expect.objectContaining({ limit: 'PATCH_COUNT', value: +count, max: +max }),
        );
      }
    });
  }
});
