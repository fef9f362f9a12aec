/**
 * Expanding a sliver along the orthogonal code and checking it against its metadata hash
 * (docs/spec/encoding.md §6.1; walrus-core `SliverData::get_merkle_root`).
 *
 * A primary sliver (a row of n_s symbols) is extended by the secondary code to all n symbols of its
 * expanded row; a secondary sliver (a column of n_p symbols) by the primary code to n symbols. The
 * sliver's hash is the Merkle root over the n leaf hashes of the expanded sliver.
 */
import { DIGEST_BYTES, hashSymbols, merkleRootOfLeaves } from '../hash/blake2b.js';
import { bytesEqual } from '../bytes.js';
import { LEAF_PREFIX } from '../merkle.js';
import { type BlobLayout, blobLayout, codewordBatches } from './blob-layout.js';
import { type SliverAxis, pairOfSliverIndex } from './mapping.js';
import type { VerifiedMetadata } from './metadata.js';
import { openWorkBatch, symbolSpan, workBatchWidthMax } from './fft-kernel.js';
import { type ReedSolomonCode, reedSolomonCode } from './reed-solomon.js';
import type { SliverData } from './sliver-data.js';

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

/**
 * The m = n − k recovery symbols (m · S bytes) that extend a sliver of `axis` (k symbols) to its
 * expanded form: the expanded sliver is the sliver followed by these. Only they are allocated; the
 * work matrix lives in the FFT kernel (fft-kernel.ts WorkBatch).
 */
export function sliverRecoverySymbols(
  layout: BlobLayout,
  axis: SliverAxis,
  data: Uint8Array,
): Uint8Array {
  const { symbolBytes: size, symbolElements } = layout;
  const code = expansionCode(layout, axis);
  if (data.length !== code.k * size) throw new RangeError('sliver length does not match its axis');
  const recovery = new Uint8Array(code.m * size);
  const kernelWidthMax = workBatchWidthMax(code.workShardCount);
  for (const batch of codewordBatches(0, 1, symbolElements, kernelWidthMax)) {
    const width = batch.elementEnd - batch.elementStart;
    const work = openWorkBatch(code.workShardCount, width, symbolSpan(size, batch), code.k);
    work.readSymbols(data, 0, size, code.k, 0, width);
    code.encodeBatch(work);
    work.writeSymbols(0, width, code.m, recovery, 0, size);
  }
  return recovery;
}

/**
 * The n symbols (n · S bytes) of the expanded sliver: the sliver's own symbols, then recovery.
 * Verification does not need this copy (computeSliverHash hashes the sliver in place).
 */
export function expandSliver(layout: BlobLayout, axis: SliverAxis, data: Uint8Array): Uint8Array {
  const recovery = sliverRecoverySymbols(layout, axis, data);
  const expanded = new Uint8Array(layout.nShards * layout.symbolBytes);
  expanded.set(data);
  expanded.set(recovery, data.length);
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

/**
 * Leaf hashes (n × 32 bytes) of the expanded sliver given as its two parts: the sliver's own
 * symbols, hashed where they are, and its recovery symbols.
 */
export function sliverLeafHashes(
  layout: BlobLayout,
  data: Uint8Array,
  recovery: Uint8Array,
): Uint8Array {
  const { nShards, symbolBytes: size } = layout;
  const own = data.length / size;
  const leaves = new Uint8Array(nShards * DIGEST_BYTES);
  hashSymbols(LEAF_PREFIX, data, 0, size, own, leaves, 0, DIGEST_BYTES);
  const rest = nShards - own;
  hashSymbols(LEAF_PREFIX, recovery, 0, size, rest, leaves, own * DIGEST_BYTES, DIGEST_BYTES);
  return leaves;
}

/**
 * The metadata hash a correct sliver of `axis` with this data would have: the Merkle root over the
 * leaf hashes of its expanded form, computed without assembling that form (n · S bytes: 47 MB
 * for a primary sliver of a 1 GiB blob at n = 100, against the 128 MB of a Worker isolate).
 */
export function computeSliverHash(
  layout: BlobLayout,
  axis: SliverAxis,
  data: Uint8Array,
): Uint8Array {
  return rootOfLeafHashes(layout, computeLeafHashes(layout, axis, data));
}

/** The leaf hashes (n × 32 bytes) of the expanded sliver of `axis` with this data. */
function computeLeafHashes(layout: BlobLayout, axis: SliverAxis, data: Uint8Array): Uint8Array {
  return sliverLeafHashes(layout, data, sliverRecoverySymbols(layout, axis, data));
}

/** The Merkle root over n leaf hashes (a sliver's metadata hash when they are its leaves). */
export function rootOfLeafHashes(layout: BlobLayout, leafHashes: Uint8Array): Uint8Array {
  if (leafHashes.length !== layout.nShards * DIGEST_BYTES) {
    throw new RangeError(`${leafHashes.length} bytes are not ${layout.nShards} leaf hashes`);
  }
  const root = new Uint8Array(DIGEST_BYTES);
  merkleRootOfLeaves(leafHashes, 0, DIGEST_BYTES, layout.nShards, root, 0);
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
 * come before the expansion and hashing. Returns the expanded sliver's leaf hashes, which the
 * check computes anyway: a node keeps them to answer recovery-symbol requests without expanding.
 */
export function verifySliver(
  metadata: VerifiedMetadata,
  axis: SliverAxis,
  sliver: SliverData,
): Uint8Array {
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
  const leafHashes = computeLeafHashes(layout, axis, sliver.data);
  const computed = rootOfLeafHashes(layout, leafHashes);
  if (!bytesEqual(computed, expectedSliverHash(metadata, axis, sliver.index))) {
    throw new SliverVerificationError(
      'MERKLE_ROOT_MISMATCH',
      `${axis} sliver ${sliver.index} does not match its hash`,
    );
  }
  return leafHashes;
}
