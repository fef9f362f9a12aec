/**
 * A quilt as a Walrus blob (docs/spec/quilts.md §5.5, §6): its RS2 encoding and blob ID (the quilt
 * ID) come from the ordinary blob encoder over the quilt bytes, and each patch's `QuiltPatchId` from
 * that ID and the patch's columns.
 */
import { assert } from '../assert.js';
import {
  type EncodedBlob,
  type EncodedMetadata,
  computeBlobMetadata,
  encodeBlob,
} from '../encoding/blob-encoder.js';
import { quiltPatchIdToString } from './patch-id.js';
import {
  type BuiltQuilt,
  type QuiltBuildOptions,
  type QuiltFile,
  buildQuilt,
} from './quilt-builder.js';
import type { QuiltIndex } from './quilt-index.js';

export interface QuiltPatchIdEntry {
  readonly identifier: string;
  /** The URL form of the patch's QuiltPatchId. */
  readonly quiltPatchId: string;
  /** Columns [start, end), as the publisher's `range`. */
  readonly range: readonly [number, number];
}

export interface EncodedQuilt extends BuiltQuilt {
  /** The quilt blob's encoding: slivers to upload, metadata. */
  readonly blob: EncodedBlob;
  readonly quiltId: Uint8Array;
  /** In index order, as the publisher's `storedQuiltBlobs`. */
  readonly patchIds: readonly QuiltPatchIdEntry[];
}

export interface QuiltMetadataOnly extends BuiltQuilt {
  readonly metadata: EncodedMetadata;
  readonly quiltId: Uint8Array;
  readonly patchIds: readonly QuiltPatchIdEntry[];
}

/** The patch IDs of every patch of a quilt, in index order. */
export function quiltPatchIds(quiltId: Uint8Array, index: QuiltIndex): QuiltPatchIdEntry[] {
  return index.patches.map((patch) => ({
    identifier: patch.identifier,
    quiltPatchId: quiltPatchIdToString({
      quiltId,
      startIndex: patch.startIndex,
      endIndex: patch.endIndex,
    }),
    range: [patch.startIndex, patch.endIndex] as const,
  }));
}

/** Builds the quilt and encodes it as a blob, slivers included (for an upload). */
export function encodeQuilt(
  files: readonly QuiltFile[],
  nShards: number,
  options?: QuiltBuildOptions,
): EncodedQuilt {
  const built = buildQuilt(files, nShards, options);
  const blob = encodeBlob(built.quilt, nShards);
  // The blob formula re-derives the quilt's own symbol size from its length (§5.5).
  assert(
    blob.layout.symbolBytes === built.geometry.symbolBytes,
    'quilt and blob symbol sizes agree',
  );
  return {
    ...built,
    blob,
    quiltId: blob.blobId,
    patchIds: quiltPatchIds(blob.blobId, built.index),
  };
}

/** Builds the quilt and computes only its metadata and IDs (recovery rows hashed and dropped). */
export function computeQuiltMetadata(
  files: readonly QuiltFile[],
  nShards: number,
  options?: QuiltBuildOptions,
): QuiltMetadataOnly {
  const built = buildQuilt(files, nShards, options);
  const metadata = computeBlobMetadata(built.quilt, nShards);
  assert(
    metadata.layout.symbolBytes === built.geometry.symbolBytes,
    'quilt and blob symbol sizes agree',
  );
  const quiltId = metadata.blobId;
  return { ...built, metadata, quiltId, patchIds: quiltPatchIds(quiltId, built.index) };
}
