/**
 * The only producer of VerifiedSliver: a BCS sliver checked against verified metadata for one
 * sliver pair and axis. The node runs it before every write and again after every read (paired
 * assertions), so a sliver that no longer verifies on disk is never served.
 */
import { type SliverAxis, sliverIndexOfPair } from '../../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import { type SliverData, decodeSliverData } from '../../core/encoding/sliver-data.js';
import { verifySliver } from '../../core/encoding/sliver-verification.js';

declare const verifiedSliverBrand: unique symbol;

export type VerifiedSliver = {
  readonly blobId: Uint8Array;
  readonly pairIndex: number;
  readonly axis: SliverAxis;
  readonly sliver: SliverData;
  /** The canonical BCS bytes (what is stored and served). */
  readonly bcs: Uint8Array;
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
  verifySliver(metadata, axis, sliver);
  return { blobId: metadata.blobId, pairIndex, axis, sliver, bcs } as VerifiedSliver;
}
