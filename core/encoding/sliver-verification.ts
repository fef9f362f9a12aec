/**
 * Expanding a sliver along the orthogonal code and checking it against its metadata hash
 * (docs/spec/encoding.md §6.1; walrus-core `SliverData::get_merkle_root`).
 *
 * A primary sliver (a row of n_s symbols) is extended by the secondary code to all n symbols of its
 * expanded row; a secondary sliver (a column of n_p symbols) by the primary code to n symbols. The
 * sliver's hash is the Merkle root over the n leaf hashes of the expanded sliver.
 */
import { DIGEST_BYTES, hashSymbols, merkleRootOfLeaves } from '../hash/blake2b.js';
import { LEAF_PREFIX, bytesEqual } from '../merkle.js';
import { type BlobLayout, blobLayout, codewordBatches } from './blob-layout.js';
import { type SliverAxis, pairOfSliverIndex } from './mapping.js';
import type { VerifiedMetadata } from './metadata.js';
import { type ReedSolomonCode, reedSolomonCode } from './reed-solomon.js';
import type { SliverData } from './sliver-data.js';
import { elementsToSymbol, symbolToElements } from './symbol-layout.js';

export type SliverVerificationReason =
  'INDEX_TOO_LARGE' | 'SYMBOL_SIZE_MISMATCH' | 'SLIVER_SIZE_MISMATCH' | 'MERKLE_ROOT_MISMATCH';

export class SliverVerificationError extends Error {
  override name = 'SliverVerificationError';
  constructor(
    readonly reason: SliverVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

/** The code that extends a sliver of `axis` to its expanded form. */
export function expansionCode(layout: BlobLayout, axis: SliverAxis): ReedSolomonCode {
  const { nPrimary, nSecondary, maxFaulty } = layout.params;
  return axis === 'primary'
    ? reedSolomonCode(nSecondary, maxFaulty)
    : reedSolomonCode(nPrimary, 2 * maxFaulty);
}

/** Symbols in a sliver of `axis`: n_s for primary, n_p for secondary. */
export function sliverSymbolCount(layout: BlobLayout, axis: SliverAxis): number {
  return axis === 'primary' ? layout.params.nSecondary : layout.params.nPrimary;
}

/** The n symbols (n · S bytes) of the expanded sliver: the sliver's own symbols, then recovery. */
export function expandSliver(layout: BlobLayout, axis: SliverAxis, data: Uint8Array): Uint8Array {
  const { nShards, symbolBytes: size, symbolElements } = layout;
  const code = expansionCode(layout, axis);
  if (data.length !== code.k * size) throw new RangeError('sliver length does not match its axis');
  const expanded = new Uint8Array(nShards * size);
  expanded.set(data);
  for (const batch of codewordBatches(0, 1, symbolElements)) {
    const width = batch.elementEnd - batch.elementStart;
    const work = code.allocateWork(width);
    for (let s = 0; s < code.k; s++) {
      symbolToElements(data, s * size, size, batch.elementStart, batch.elementEnd, work, s * width);
    }
    code.encodeInPlace(work, width);
    for (let t = 0; t < code.m; t++) {
      elementsToSymbol(
        work,
        t * width,
        size,
        batch.elementStart,
        batch.elementEnd,
        expanded,
        (code.k + t) * size,
      );
    }
  }
  return expanded;
}

/** Leaf hashes (n × 32 bytes) of an expanded sliver. */
export function expandedLeafHashes(layout: BlobLayout, expanded: Uint8Array): Uint8Array {
  const leaves = new Uint8Array(layout.nShards * DIGEST_BYTES);
  hashSymbols(
    LEAF_PREFIX,
    expanded,
    0,
    layout.symbolBytes,
    layout.nShards,
    leaves,
    0,
    DIGEST_BYTES,
  );
  return leaves;
}

/** The metadata hash a correct sliver of `axis` with this data would have. */
export function computeSliverHash(
  layout: BlobLayout,
  axis: SliverAxis,
  data: Uint8Array,
): Uint8Array {
  const leaves = expandedLeafHashes(layout, expandSliver(layout, axis, data));
  const root = new Uint8Array(DIGEST_BYTES);
  merkleRootOfLeaves(leaves, 0, DIGEST_BYTES, layout.nShards, root, 0);
  return root;
}

/** The metadata hash stored for sliver `sliverIndex` of `axis`. */
export function expectedSliverHash(
  metadata: VerifiedMetadata,
  axis: SliverAxis,
  sliverIndex: number,
): Uint8Array {
  const pair = metadata.hashes[pairOfSliverIndex(axis, sliverIndex, metadata.nShards)];
  return axis === 'primary' ? pair.primary : pair.secondary;
}

/** The layout a verified metadata object implies. */
export function layoutOf(metadata: VerifiedMetadata): BlobLayout {
  return blobLayout(metadata.unencodedLength, metadata.nShards);
}

/**
 * Checks a sliver received for `sliverIndex` of `axis`. Cheap checks (index, symbol size, length)
 * come before the expansion and hashing.
 */
export function verifySliver(
  metadata: VerifiedMetadata,
  axis: SliverAxis,
  sliver: SliverData,
): void {
  const layout = layoutOf(metadata);
  if (!Number.isInteger(sliver.index) || sliver.index < 0 || sliver.index >= metadata.nShards) {
    throw new SliverVerificationError(
      'INDEX_TOO_LARGE',
      `sliver index ${sliver.index} is out of range`,
    );
  }
  if (sliver.symbolBytes !== layout.symbolBytes) {
    throw new SliverVerificationError(
      'SYMBOL_SIZE_MISMATCH',
      `symbol size ${sliver.symbolBytes}, expected ${layout.symbolBytes}`,
    );
  }
  const expectedBytes = sliverSymbolCount(layout, axis) * layout.symbolBytes;
  if (sliver.data.length !== expectedBytes) {
    throw new SliverVerificationError(
      'SLIVER_SIZE_MISMATCH',
      `${axis} sliver of ${sliver.data.length} bytes, expected ${expectedBytes}`,
    );
  }
  const computed = computeSliverHash(layout, axis, sliver.data);
  if (!bytesEqual(computed, expectedSliverHash(metadata, axis, sliver.index))) {
    throw new SliverVerificationError(
      'MERKLE_ROOT_MISMATCH',
      `${axis} sliver ${sliver.index} does not match its hash`,
    );
  }
}
