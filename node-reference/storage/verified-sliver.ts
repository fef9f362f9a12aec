/**
 * The producers of VerifiedSliver: `verifySliverBcs` checks a BCS sliver against verified metadata
 * for one sliver pair and axis (before every write, and on reads of slivers stored without a
 * checksum); `verifiedByDigest` accepts bytes read back whose CRC-32 equals the one stored with
 * them when they were verified — a sliver that rotted on disk is never served, at the cost of a
 * checksum (zlib's, several GB/s) instead of a Reed–Solomon expansion and hashing per read. The
 * checksum guards against rot, not an adversary: whoever can write the disk can write both.
 */
import { type SliverAxis, sliverIndexOfPair } from '../../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import { type SliverData, decodeSliverData } from '../../core/encoding/sliver-data.js';
import {
  layoutOf,
  sliverSymbolCount,
  verifySliver,
} from '../../core/encoding/sliver-verification.js';
import { crc32 } from 'node:zlib';
import { bytesEqual } from '../../core/bytes.js';

declare const verifiedSliverBrand: unique symbol;

export type VerifiedSliver = {
  readonly blobId: Uint8Array;
  readonly pairIndex: number;
  readonly axis: SliverAxis;
  readonly sliver: SliverData;
  /** The canonical BCS bytes (what is stored and served). */
  readonly bcs: Uint8Array;
  /** The expanded sliver's n leaf hashes, when this sliver was just verified in full. */
  readonly leafHashes?: Uint8Array;
  readonly [verifiedSliverBrand]: true;
};

export class SliverIndexMismatchError extends Error {
  override name = 'SliverIndexMismatchError';
  constructor(
    readonly index: number,
    readonly expectedIndex: number,
  ) {
    super(`sliver index ${index} does not belong to this pair (expected ${expectedIndex})`);
  }
}

/**
 * Decodes and verifies `bcs` as the `axis` sliver of pair `pairIndex`. Throws SliverDecodeError,
 * SliverIndexMismatchError or SliverVerificationError; cheap checks come before the hashing.
 */
export function verifySliverBcs(
  metadata: VerifiedMetadata,
  pairIndex: number,
  axis: SliverAxis,
  bcs: Uint8Array,
): VerifiedSliver {
  const sliver = decodeSliverData(bcs);
  const expectedIndex = sliverIndexOfPair(axis, pairIndex, metadata.nShards);
  if (sliver.index !== expectedIndex)
    throw new SliverIndexMismatchError(sliver.index, expectedIndex);
  const leafHashes = verifySliver(metadata, axis, sliver);
  return { blobId: metadata.blobId, pairIndex, axis, sliver, bcs, leafHashes } as VerifiedSliver;
}

/** Bytes of the checksum stored beside a sliver. */
export const SLIVER_CHECKSUM_BYTES = 4;

/** The checksum stored beside a sliver when it is written: CRC-32, big-endian. */
export function sliverDigest(bcs: Uint8Array): Uint8Array {
  const out = new Uint8Array(SLIVER_CHECKSUM_BYTES);
  new DataView(out.buffer).setUint32(0, crc32(bcs));
  return out;
}

/**
 * A sliver read back with the digest written beside it: the bytes are the ones verified at write
 * time if the digest matches (and the cheap structural checks hold). Throws like verifySliverBcs.
 */
export function verifiedByDigest(
  metadata: VerifiedMetadata,
  pairIndex: number,
  axis: SliverAxis,
  bcs: Uint8Array,
  digest: Uint8Array,
): VerifiedSliver {
  if (!bytesEqual(sliverDigest(bcs), digest)) {
    throw new SliverDigestMismatchError('the stored sliver no longer matches its checksum');
  }
  const sliver = decodeSliverData(bcs);
  const expectedIndex = sliverIndexOfPair(axis, pairIndex, metadata.nShards);
  if (sliver.index !== expectedIndex)
    throw new SliverIndexMismatchError(sliver.index, expectedIndex);
  const layout = layoutOf(metadata);
  if (sliver.data.length !== sliverSymbolCount(layout, axis) * layout.symbolBytes) {
    throw new SliverDigestMismatchError('the stored sliver has the wrong size for its blob');
  }
  return { blobId: metadata.blobId, pairIndex, axis, sliver, bcs } as VerifiedSliver;
}

export class SliverDigestMismatchError extends Error {
  override name = 'SliverDigestMismatchError';
}
