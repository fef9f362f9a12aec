/**
 * Recovery symbols: how a node that lost a sliver rebuilds it from other nodes' symbols, each with a
 * Merkle proof against the metadata (docs/spec/encoding.md §8.1; walrus-core `encoding/symbols.rs`).
 *
 * Cell M[i][j] is symbol j of expanded primary sliver i and symbol i of expanded secondary sliver j.
 * A `Primary` decoding symbol recovers a PRIMARY sliver and therefore came from a SECONDARY sliver
 * (its proof is against that secondary sliver's hash), and vice versa.
 */
import { bytesEqual } from '../bytes.js';
import { DIGEST_BYTES, hashSymbols } from '../hash/blake2b.js';
import {
  type MerkleNode,
  LEAF_PREFIX,
  leafHash,
  leafHashesOfSymbols,
  MerkleTree,
  verifyMerkleProof,
  verifyMerkleProofs,
} from '../merkle.js';
import { type BlobLayout, codewordBatches } from './blob-layout.js';
import { openWorkBatch, symbolSpan, workBatchWidthMax } from './fft-kernel.js';
import { type SliverAxis, otherAxis } from './mapping.js';
import type { VerifiedMetadata } from './metadata.js';
import { DecodingError, reedSolomonCode } from './reed-solomon.js';
import {
  sliverLeafHashes,
  sliverRecoverySymbols,
  expectedSliverHash,
  layoutOf,
  rootOfLeafHashes,
  sliverSymbolCount,
} from './sliver-verification.js';

/** A recovery symbol in TypeScript terms. */
export interface RecoverySymbol {
  /** Axis of the sliver this symbol helps recover (= the BCS variant). */
  readonly targetAxis: SliverAxis;
  /** Index of the sliver to recover, on `targetAxis`. */
  readonly targetIndex: number;
  /** Index of the sliver the symbol was taken from, on the other axis. */
  readonly sourceIndex: number;
  readonly data: Uint8Array;
  readonly proof: readonly MerkleNode[];
}

export type SymbolVerificationReason =
  'INDEX_TOO_LARGE' | 'SYMBOL_SIZE_MISMATCH' | 'SYMBOL_NOT_USABLE' | 'INVALID_PROOF';

export class SymbolVerificationError extends Error {
  override name = 'SymbolVerificationError';
  constructor(
    readonly reason: SymbolVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The symbols a node can give from one sliver it holds: expanded once, hashed once, then any
 * number of symbols with proofs. Given the sliver's leaf hashes (kept from when it was verified),
 * nothing is expanded until a symbol past the sliver's own is asked for — a reader rebuilding rows
 * of the blob only ever asks for those.
 */
export class RecoverySymbolSource {
  /** The sliver's recovery symbols (its expansion past its own), computed on first need. */
  private recovery: Uint8Array | undefined;
  private readonly layout: BlobLayout;
  private readonly tree: MerkleTree;

  /**
   * `sourceAxis`/`sourceIndex`/`data`: the sliver this node stores. `data` is kept, not copied:
   * it must not change while symbols are taken. `leafHashes`: the expanded sliver's n leaf hashes,
   * already checked against the metadata by the caller (rootOfLeafHashes), or undefined.
   */
  constructor(
    metadata: VerifiedMetadata,
    readonly sourceAxis: SliverAxis,
    readonly sourceIndex: number,
    private readonly data: Uint8Array,
    leafHashes?: Uint8Array,
  ) {
    this.layout = layoutOf(metadata);
    if (leafHashes === undefined) {
      this.recovery = sliverRecoverySymbols(this.layout, sourceAxis, data);
      leafHashes = sliverLeafHashes(this.layout, data, this.recovery);
    }
    this.tree = new MerkleTree(leafHashes, this.layout.nShards);
  }

  /** Symbol `index` of the expanded sliver. */
  private expandedSymbol(index: number): Uint8Array {
    const size = this.layout.symbolBytes;
    const own = this.data.length / size;
    if (index < own) return this.data.subarray(index * size, (index + 1) * size);
    this.recovery ??= sliverRecoverySymbols(this.layout, this.sourceAxis, this.data);
    return this.recovery.subarray((index - own) * size, (index - own + 1) * size);
  }

  /** The symbol that helps recover sliver `targetIndex` of the other axis. */
  symbolFor(targetIndex: number): RecoverySymbol {
    const { nShards } = this.layout;
    if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= nShards) {
      throw new RangeError(`target index ${targetIndex} is out of range`);
    }
    return {
      targetAxis: otherAxis(this.sourceAxis),
      targetIndex,
      sourceIndex: this.sourceIndex,
      data: this.expandedSymbol(targetIndex),
      proof: this.tree.proof(targetIndex),
    };
  }
}

/**
 * Checks a symbol offered for recovering sliver `targetIndex` of `targetAxis` (spec §8.1): indices
 * in range and size right first, then usability, then the Merkle proof against the metadata hash of
 * the source sliver.
 */
export function verifyRecoverySymbol(
  metadata: VerifiedMetadata,
  symbol: RecoverySymbol,
  targetAxis: SliverAxis,
  targetIndex: number,
): void {
  checkSymbolShape(metadata, symbol, targetAxis);
  if (symbol.targetIndex !== targetIndex) {
    throw new SymbolVerificationError(
      'SYMBOL_NOT_USABLE',
      'symbol does not recover the requested sliver',
    );
  }
  checkSymbolProof(metadata, symbol, leafHash(symbol.data));
}

/** One symbol's outcome in verifyRecoverySymbols: its leaf digest, or why it failed. */
export type SymbolCheck =
  | { readonly leafDigest: Uint8Array; readonly error?: undefined }
  | { readonly error: SymbolVerificationError; readonly leafDigest?: undefined };

/**
 * Checks many symbols that recover slivers of `targetAxis` (any target index: the caller picks the
 * targets it wants), exactly as verifyRecoverySymbol does each, but hashing all their leaves in one
 * pass: one call per symbol costs several times more in workerd, and a degraded read verifies
 * thousands. Returns, per symbol, its verified leaf digest (recoverSliverFromVerified reuses it)
 * or the error it failed with.
 */
export function verifyRecoverySymbols(
  metadata: VerifiedMetadata,
  symbols: readonly RecoverySymbol[],
  targetAxis: SliverAxis,
): SymbolCheck[] {
  const { symbolBytes } = layoutOf(metadata);
  const shapeErrors = symbols.map((symbol) => {
    try {
      checkSymbolShape(metadata, symbol, targetAxis);
      return undefined;
    } catch (error) {
      return error as SymbolVerificationError;
    }
  });
  const wellFormed = symbols.filter((_, i) => shapeErrors[i] === undefined);
  const leaves = new Uint8Array(wellFormed.length * symbolBytes);
  wellFormed.forEach((symbol, i) => leaves.set(symbol.data, i * symbolBytes));
  const digests = leafHashesOfSymbols(leaves, symbolBytes, wellFormed.length);
  const leafDigests = wellFormed.map((_, i) =>
    digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES),
  );
  const proofs = verifyMerkleProofs(
    wellFormed.map((symbol, i) => ({
      path: symbol.proof,
      leafDigest: leafDigests[i],
      index: symbol.targetIndex,
      root: expectedSliverHash(metadata, otherAxis(targetAxis), symbol.sourceIndex),
    })),
    metadata.nShards,
  );
  let at = 0;
  return symbols.map((_, i): SymbolCheck => {
    const shapeError = shapeErrors[i];
    if (shapeError !== undefined) return { error: shapeError };
    const k = at++;
    if (!proofs[k]) return { error: invalidProof() };
    return { leafDigest: leafDigests[k] };
  });
}

function invalidProof(): SymbolVerificationError {
  return new SymbolVerificationError(
    'INVALID_PROOF',
    'Merkle proof does not verify against the metadata',
  );
}

/** Indices in range, the layout's symbol size, and a symbol that recovers a `targetAxis` sliver. */
function checkSymbolShape(
  metadata: VerifiedMetadata,
  symbol: RecoverySymbol,
  targetAxis: SliverAxis,
): void {
  const n = metadata.nShards;
  if (
    symbol.sourceIndex >= n ||
    symbol.targetIndex >= n ||
    symbol.sourceIndex < 0 ||
    symbol.targetIndex < 0
  ) {
    throw new SymbolVerificationError('INDEX_TOO_LARGE', 'symbol index out of range');
  }
  const { symbolBytes } = layoutOf(metadata);
  if (symbol.data.length !== symbolBytes) {
    throw new SymbolVerificationError(
      'SYMBOL_SIZE_MISMATCH',
      `symbol of ${symbol.data.length} bytes`,
    );
  }
  if (symbol.targetAxis !== targetAxis) {
    throw new SymbolVerificationError(
      'SYMBOL_NOT_USABLE',
      'symbol does not recover the requested sliver',
    );
  }
}

/** The symbol's Merkle proof from its leaf digest to the metadata hash of its source sliver. */
function checkSymbolProof(
  metadata: VerifiedMetadata,
  symbol: RecoverySymbol,
  leafDigest: Uint8Array,
): void {
  const sourceAxis = otherAxis(symbol.targetAxis);
  const root = expectedSliverHash(metadata, sourceAxis, symbol.sourceIndex);
  if (!verifyMerkleProof(symbol.proof, leafDigest, symbol.targetIndex, metadata.nShards, root)) {
    throw invalidProof();
  }
}

/** Symbols needed to recover one sliver of `axis`: n_s for primary, n_p for secondary. */
export function symbolsNeededToRecover(layout: BlobLayout, axis: SliverAxis): number {
  return sliverSymbolCount(layout, axis);
}

/**
 * Decodes sliver `targetIndex` of `targetAxis` from verified symbols (distinct source indices).
 * The result is not yet checked against the metadata: see `recoverSliver`.
 */
export function decodeSliverFromSymbols(
  layout: BlobLayout,
  targetAxis: SliverAxis,
  symbols: readonly RecoverySymbol[],
): Uint8Array {
  const { nShards, symbolBytes: size, symbolElements } = layout;
  // A primary target is a row: its expanded row is a codeword of the secondary (row) code in which
  // the symbol from secondary sliver q sits at position q; symmetrically for a secondary target.
  const k = symbolsNeededToRecover(layout, targetAxis);
  const code = reedSolomonCode(k, nShards - k);
  const distinct = new Map<number, RecoverySymbol>();
  for (const symbol of symbols)
    if (!distinct.has(symbol.sourceIndex)) distinct.set(symbol.sourceIndex, symbol);
  if (distinct.size < k)
    throw new DecodingError(`need ${k} distinct symbols, got ${distinct.size}`);
  const chosen = [...distinct.values()].slice(0, k);
  const decoder = code.decoderFor(chosen.map((s) => s.sourceIndex));
  const sliver = new Uint8Array(k * size);
  // Received originals are the sliver's own symbols, byte for byte: copied, never converted.
  chosen.forEach((s) => {
    if (s.sourceIndex < k) sliver.set(s.data.subarray(0, size), s.sourceIndex * size);
  });
  const missing = decoder.missingOriginals;
  if (missing.length === 0) return sliver;
  const shards = decoder.batchShards;
  for (const batch of codewordBatches(0, 1, symbolElements, workBatchWidthMax(shards))) {
    const width = batch.elementEnd - batch.elementStart;
    const work = openWorkBatch(shards, width, symbolSpan(size, batch), 0);
    decoder.decodeBatch(work, (slot, shard) =>
      work.readSymbols(chosen[slot].data, 0, size, 1, shard * width, width),
    );
    missing.forEach((i, l) =>
      work.writeSymbols(decoder.outputShard(l) * width, width, 1, sliver, i * size, size),
    );
  }
  return sliver;
}

export class InconsistentBlobError extends Error {
  override name = 'InconsistentBlobError';
  constructor(
    readonly targetAxis: SliverAxis,
    readonly targetIndex: number,
    /** The verified symbols that decode to a sliver which contradicts the metadata. */
    readonly symbols: readonly RecoverySymbol[],
  ) {
    super(
      `recovered ${targetAxis} sliver ${targetIndex} does not match the metadata: the blob is inconsistent`,
    );
  }
}

/**
 * Recovers sliver `targetIndex` of `targetAxis`: verifies every symbol (dropping none silently: a bad
 * symbol throws), decodes, and checks the result against the metadata. A mismatch means the writer
 * encoded inconsistently; the thrown InconsistentBlobError carries what an inconsistency proof needs.
 */
export function recoverSliver(
  metadata: VerifiedMetadata,
  targetAxis: SliverAxis,
  targetIndex: number,
  symbols: readonly RecoverySymbol[],
): Uint8Array {
  for (const symbol of symbols) verifyRecoverySymbol(metadata, symbol, targetAxis, targetIndex);
  return recoverSliverFromVerified(metadata, targetAxis, targetIndex, symbols);
}

/**
 * `recoverSliver` for symbols the caller has already passed through verifyRecoverySymbol(s) (a
 * reader verifies each symbol as it arrives, to blame the node that sent a bad one): hashing them
 * again would cost as much as the decode. `leafDigestOf` gives a symbol's verified leaf digest when
 * known: the decoded sliver's expanded form passes through the k symbols it was decoded from, so
 * their leaves need no hashing when the sliver is checked against the metadata (k of n leaves).
 */
export function recoverSliverFromVerified(
  metadata: VerifiedMetadata,
  targetAxis: SliverAxis,
  targetIndex: number,
  verifiedSymbols: readonly RecoverySymbol[],
  leafDigestOf: (symbol: RecoverySymbol) => Uint8Array | undefined = () => undefined,
): Uint8Array {
  const layout = layoutOf(metadata);
  const k = symbolsNeededToRecover(layout, targetAxis);
  const distinct = new Map<number, RecoverySymbol>();
  for (const symbol of verifiedSymbols)
    if (!distinct.has(symbol.sourceIndex)) distinct.set(symbol.sourceIndex, symbol);
  const used = [...distinct.values()].slice(0, k);
  const sliver = decodeSliverFromSymbols(layout, targetAxis, used);
  // A symbol from source sliver q sits at position q of the target's expanded form.
  const known = new Map<number, Uint8Array>();
  for (const symbol of used) {
    const digest = leafDigestOf(symbol);
    if (digest !== undefined) known.set(symbol.sourceIndex, digest);
  }
  const leafHashes = sliverLeafHashesExcept(
    layout,
    sliver,
    sliverRecoverySymbols(layout, targetAxis, sliver),
    known,
  );
  if (
    !bytesEqual(
      rootOfLeafHashes(layout, leafHashes),
      expectedSliverHash(metadata, targetAxis, targetIndex),
    )
  ) {
    throw new InconsistentBlobError(targetAxis, targetIndex, used);
  }
  return sliver;
}

/**
 * The expanded sliver's n leaf hashes (own symbols in `data`, the rest in `recovery`), taking the
 * ones in `known` (by position) as given and hashing the runs between them in one call each.
 */
function sliverLeafHashesExcept(
  layout: BlobLayout,
  data: Uint8Array,
  recovery: Uint8Array,
  known: ReadonlyMap<number, Uint8Array>,
): Uint8Array {
  const { nShards, symbolBytes: size } = layout;
  const own = data.length / size;
  const leaves = new Uint8Array(nShards * DIGEST_BYTES);
  for (const [position, digest] of known) leaves.set(digest, position * DIGEST_BYTES);
  let position = 0;
  while (position < nShards) {
    if (known.has(position)) {
      position++;
      continue;
    }
    // A run of unknown positions, not crossing from the sliver's own symbols into recovery.
    const limit = position < own ? own : nShards;
    let end = position + 1;
    while (end < limit && !known.has(end)) end++;
    const [source, offset] =
      position < own ? [data, position * size] : [recovery, (position - own) * size];
    hashSymbols(
      LEAF_PREFIX,
      source,
      offset,
      size,
      end - position,
      leaves,
      position * DIGEST_BYTES,
      DIGEST_BYTES,
    );
    position = end;
  }
  return leaves;
}
