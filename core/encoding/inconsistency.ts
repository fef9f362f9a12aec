/**
 * Inconsistency proofs (docs/spec/encoding.md §8.2; walrus-core `inconsistency.rs`): a node that
 * recovers a sliver from verified symbols and finds it contradicts the metadata proves that the
 * writer encoded the blob inconsistently, so the committee can invalidate its blob ID.
 */
import { bcs } from '@mysten/bcs';
import { parseBcsExactly } from '../bcs-exact.js';
import { bytesEqual } from '../bytes.js';
import { MerkleProofBcs } from '../merkle.js';
import type { SliverAxis } from './mapping.js';
import type { VerifiedMetadata } from './metadata.js';
import { DecodingError } from './reed-solomon.js';
import {
  type RecoverySymbol,
  SymbolVerificationError,
  decodeSliverFromSymbols,
  symbolsNeededToRecover,
  verifyRecoverySymbol,
} from './recovery-symbols.js';
import { DecodingSymbolBcs, RECOVERY_RESPONSE_BYTES_MAX } from './recovery-symbol-list.js';
import { computeSliverHash, expectedSliverHash, layoutOf } from './sliver-verification.js';

/** BCS `RecoverySymbol<A, MerkleProof>`: the axis is implied by the proof's type. */
export const AxisRecoverySymbolBcs = bcs.struct('RecoverySymbol', {
  symbol: DecodingSymbolBcs,
  proof: MerkleProofBcs,
});
/** BCS `InconsistencyProof<A>`; the axis travels in the URL (`/inconsistencyProof/{primary|secondary}`). */
export const InconsistencyProofBcs = bcs.struct('InconsistencyProof', {
  target_sliver_index: bcs.u16(),
  recovery_symbols: bcs.vector(AxisRecoverySymbolBcs),
});

export interface InconsistencyProof {
  /** Axis of the sliver that was recovered inconsistently. */
  readonly axis: SliverAxis;
  readonly targetSliverIndex: number;
  readonly symbols: readonly RecoverySymbol[];
}

export type InconsistencyProofReason =
  'WRONG_SYMBOL_COUNT' | 'INVALID_SYMBOL' | 'UNDECODABLE' | 'SLIVER_IS_CONSISTENT';

export class InvalidInconsistencyProofError extends Error {
  override name = 'InvalidInconsistencyProofError';
  constructor(
    readonly reason: InconsistencyProofReason,
    message: string,
  ) {
    super(message);
  }
}

export function encodeInconsistencyProof(proof: InconsistencyProof): Uint8Array {
  return InconsistencyProofBcs.serialize(
    {
      target_sliver_index: proof.targetSliverIndex,
      recovery_symbols: proof.symbols.map((s) => ({
        symbol: { index: s.sourceIndex, data: s.data },
        proof: { path: [...s.proof] },
      })),
    },
    { maxSize: RECOVERY_RESPONSE_BYTES_MAX },
  ).toBytes();
}

export function decodeInconsistencyProof(axis: SliverAxis, bytes: Uint8Array): InconsistencyProof {
  if (bytes.length > RECOVERY_RESPONSE_BYTES_MAX)
    throw new DecodingError('inconsistency proof is too large');
  let value: typeof InconsistencyProofBcs.$inferType;
  try {
    value = parseBcsExactly(InconsistencyProofBcs, bytes);
  } catch (error) {
    throw new DecodingError(`undecodable inconsistency proof: ${(error as Error).message}`);
  }
  return {
    axis,
    targetSliverIndex: value.target_sliver_index,
    symbols: value.recovery_symbols.map((s) => ({
      targetAxis: axis,
      targetIndex: value.target_sliver_index,
      sourceIndex: s.symbol.index,
      data: Uint8Array.from(s.symbol.data),
      proof: s.proof.path,
    })),
  };
}

/**
 * Valid iff it has exactly the symbols needed, each verifies against the metadata, they decode, and
 * the decoded sliver's hash DIFFERS from the metadata (a consistent result proves nothing).
 */
export function verifyInconsistencyProof(
  metadata: VerifiedMetadata,
  proof: InconsistencyProof,
): void {
  const layout = layoutOf(metadata);
  const needed = symbolsNeededToRecover(layout, proof.axis);
  if (proof.symbols.length !== needed) {
    throw new InvalidInconsistencyProofError(
      'WRONG_SYMBOL_COUNT',
      `proof has ${proof.symbols.length} symbols, needs ${needed}`,
    );
  }
  try {
    for (const symbol of proof.symbols)
      verifyRecoverySymbol(metadata, symbol, proof.axis, proof.targetSliverIndex);
  } catch (error) {
    if (error instanceof SymbolVerificationError) {
      throw new InvalidInconsistencyProofError('INVALID_SYMBOL', error.message);
    }
    throw error;
  }
  let sliver: Uint8Array;
  try {
    sliver = decodeSliverFromSymbols(layout, proof.axis, proof.symbols);
  } catch (error) {
    if (error instanceof DecodingError)
      throw new InvalidInconsistencyProofError('UNDECODABLE', error.message);
    throw error;
  }
  const hash = computeSliverHash(layout, proof.axis, sliver);
  if (bytesEqual(hash, expectedSliverHash(metadata, proof.axis, proof.targetSliverIndex))) {
    throw new InvalidInconsistencyProofError(
      'SLIVER_IS_CONSISTENT',
      'the recovered sliver matches the metadata',
    );
  }
}
