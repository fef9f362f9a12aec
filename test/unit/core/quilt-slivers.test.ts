/**
 * Reading a patch as the edge Worker will (docs/spec/quilts.md §7.1–7.2): encode the quilt with
 * the ordinary blob encoder, take only the secondary slivers a read needs (as BCS SliverData from
 * the nodes), verify each against the verified metadata with core/encoding, and read the patch.
 */
import { describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import type { EncodedBlob } from '../../../core/encoding/blob-encoder.js';
import {
  decodeBlobMetadataWithId,
  encodeBlobMetadataWithId,
  verifyMetadata,
  type VerifiedMetadata,
} from '../../../core/encoding/metadata.js';
import { decodeSliverData, type SliverData } from '../../../core/encoding/sliver-data.js';
import {
  SliverVerificationError,
  verifySliver,
} from '../../../core/encoding/sliver-verification.js';
import { QuiltDecodeError } from '../../../core/quilt/errors.js';
import { quiltPatchIdFromString } from '../../../core/quilt/patch-id.js';
import { encodeQuilt } from '../../../core/quilt/quilt-blob.js';
import type { QuiltFile } from '../../../core/quilt/quilt-builder.js';
import { decodeQuiltIndex, findQuiltPatch } from '../../../core/quilt/quilt-index.js';
import {
  type ColumnRange,
  INDEX_HEAD_RANGE,
  columnSlivers,
  columnsOfSlivers,
  indexColumnRange,
  patchColumnRange,
  quiltGeometryOf,
  readQuiltPatch,
} from '../../../core/quilt/quilt-reader.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes } from '../../helpers/random.js';

/** A stand-in for the storage nodes: serves BCS secondary slivers by pair index, and counts. */
class FakeNodes {
  readonly fetched: number[] = [];
  constructor(private readonly blob: EncodedBlob) {}

  secondarySliverBcs(sliverPairIndex: number): Uint8Array {
    const column = this.blob.layout.nShards - 1 - sliverPairIndex;
    this.fetched.push(column);
    return this.blob.secondarySliverBcs(column);
  }
}

/** Fetch, decode and verify the secondary slivers of `range` (what the Worker will do). */
function fetchColumns(
  nodes: FakeNodes,
  metadata: VerifiedMetadata,
  range: ColumnRange,
): Uint8Array[] {
  const slivers: SliverData[] = [];
  // Reverse order: columnsOfSlivers must not depend on the order replies arrive in.
  for (const target of columnSlivers(range, metadata.blobId, metadata.nShards).reverse()) {
    const sliver = decodeSliverData(nodes.secondarySliverBcs(target.sliverPairIndex));
    verifySliver(metadata, 'secondary', sliver);
    expect(sliver.index).toBe(target.column);
    slivers.push(sliver);
  }
  return columnsOfSlivers(range, slivers);
}

const N_SHARDS = 10;
const FILES: readonly QuiltFile[] = [
  { identifier: 'cover.png', bytes: randomBytes(3_000, 1), tags: { 'content-type': 'image/png' } },
  { identifier: 'metadata/1.json', bytes: new TextEncoder().encode('{"name":"#1"}') },
  { identifier: 'ünïcødé-名前', bytes: randomBytes(777, 2), tags: { creator: 'walrus' } },
  { identifier: 'empty', bytes: new Uint8Array(0) },
];

describe('reading a quilt patch from its secondary slivers only', () => {
  const quilt = encodeQuilt(FILES, N_SHARDS);
  // The Worker gets the metadata from a node and verifies it against the quilt ID.
  const received = decodeBlobMetadataWithId(
    encodeBlobMetadataWithId(quilt.quiltId, quilt.blob.metadata),
  );
  const metadata = verifyMetadata(quilt.quiltId, received.metadata, N_SHARDS);
  const geometry = quiltGeometryOf(metadata);

  it('takes the geometry from the verified metadata', () => {
    expect(geometry).toEqual(quilt.geometry);
  });

  for (const file of FILES) {
    it(`by patch ID: ${file.identifier}`, () => {
      const nodes = new FakeNodes(quilt.blob);
      const text = quilt.patchIds.find((p) => p.identifier === file.identifier)!.quiltPatchId;
      const patchId = quiltPatchIdFromString(text);
      expect(blobIdToString(patchId.quiltId)).toBe(blobIdToString(metadata.blobId));
      const range = patchColumnRange(geometry, patchId);
      const patch = readQuiltPatch(geometry, range, fetchColumns(nodes, metadata, range));
      expect(patch.identifier).toBe(file.identifier);
      expectBytes(patch.data, file.bytes, file.identifier);
      expect(Object.fromEntries(patch.tags)).toEqual(file.tags ?? {});
      expect(nodes.fetched.sort((a, b) => a - b)).toEqual(
        Array.from({ length: range.end - range.start }, (_, i) => range.start + i),
      );
    });

    it(`by identifier: ${file.identifier}`, () => {
      const nodes = new FakeNodes(quilt.blob);
      const [column0] = fetchColumns(nodes, metadata, INDEX_HEAD_RANGE);
      const indexRange = indexColumnRange(geometry, column0);
      const rest = fetchColumns(nodes, metadata, { start: 1, end: indexRange.end });
      const index = decodeQuiltIndex(geometry, [column0, ...rest]);
      const entry = findQuiltPatch(index, file.identifier)!;
      const range = patchColumnRange(geometry, entry);
      const patch = readQuiltPatch(geometry, range, fetchColumns(nodes, metadata, range));
      expectBytes(patch.data, file.bytes, file.identifier);
      expect(Object.fromEntries(entry.tags)).toEqual(file.tags ?? {});
      // Only the index columns and the patch's columns were fetched.
      expect(new Set(nodes.fetched).size).toBe(indexRange.end + range.end - range.start);
    });
  }

  it('refuses a tampered sliver before it reaches the reader', () => {
    const nodes = new FakeNodes(quilt.blob);
    const entry = quilt.index.patches[0];
    const [target] = columnSlivers(patchColumnRange(geometry, entry), quilt.quiltId, N_SHARDS);
    const sliver = decodeSliverData(nodes.secondarySliverBcs(target.sliverPairIndex));
    const tampered = { ...sliver, data: Uint8Array.from(sliver.data) };
    tampered.data[7] ^= 1;
    expect(() => verifySliver(metadata, 'secondary', tampered)).toThrow(SliverVerificationError);
  });

  it('refuses a missing, repeated or foreign sliver', () => {
    const entry = quilt.index.patches[0];
    const range = patchColumnRange(geometry, entry);
    const sliver = (index: number) => ({
      index,
      symbolBytes: geometry.symbolBytes,
      data: quilt.blob.secondarySliver(index),
    });
    const whole = Array.from({ length: range.end - range.start }, (_, i) =>
      sliver(range.start + i),
    );
    for (const slivers of [whole.slice(1), [...whole, whole[0]], [...whole, sliver(range.end)]]) {
      expect(() => columnsOfSlivers(range, slivers)).toThrow(QuiltDecodeError);
    }
    expect(() => readQuiltPatch(geometry, range, columnsOfSlivers(range, whole).slice(1))).toThrow(
      /MISSING_COLUMNS/,
    );
  });
});
