/**
 * Which of its slivers a node expands to answer a recovery-symbol request (Walrus
 * `RecoverySymbolsFilter`). Pure: the caller says which sliver pairs it holds for the blob.
 *
 * Cell (p, s) of the expanded matrix is symbol s of primary sliver p and symbol p of secondary
 * sliver s, so a node can give it from either sliver if it holds that sliver's pair; `proofAxis`
 * (the axis of the sliver whose Merkle proof comes with the symbol) restricts the choice.
 */
import { type SliverAxis, otherAxis, pairOfSliverIndex } from '../core/encoding/mapping.js';
import { NodeErrors } from './errors.js';

export interface SymbolId {
  readonly primaryIndex: number;
  readonly secondaryIndex: number;
}

export type RecoverySymbolFilter =
  | {
      readonly kind: 'ids';
      readonly ids: readonly SymbolId[];
      readonly proofAxis: SliverAxis | null;
    }
  | {
      readonly kind: 'recovers';
      readonly targetAxis: SliverAxis;
      readonly targetIndex: number;
      readonly proofAxis: SliverAxis | null;
    };

export interface SourceSliver {
  readonly axis: SliverAxis;
  readonly pairIndex: number;
  /** Sliver indices on the other axis to give a symbol for. */
  readonly targets: number[];
}

export interface RecoveryPlan {
  readonly sources: readonly SourceSliver[];
  /** Some requested symbol is on none of the held pairs. */
  readonly someNotHeld: boolean;
}

/** Throws INDEX_OUT_OF_RANGE or INVALID_FILTER; otherwise groups the work by source sliver. */
export function planRecoverySymbols(
  filter: RecoverySymbolFilter,
  nShards: number,
  heldPairs: ReadonlySet<number>,
): RecoveryPlan {
  const sources = new Map<string, SourceSliver>();
  const add = (axis: SliverAxis, pairIndex: number, target: number) => {
    const key = `${axis}:${pairIndex}`;
    const source = sources.get(key) ?? { axis, pairIndex, targets: [] };
    source.targets.push(target);
    sources.set(key, source);
  };
  if (filter.kind === 'recovers') {
    if (filter.targetIndex >= nShards)
      throw NodeErrors.indexOutOfRange(filter.targetIndex, nShards);
    const sourceAxis = otherAxis(filter.targetAxis);
    if (filter.proofAxis !== null && filter.proofAxis !== sourceAxis) {
      throw NodeErrors.invalidFilter(
        `symbols recovering a ${filter.targetAxis} sliver have ${sourceAxis} proofs`,
      );
    }
    for (const pairIndex of [...heldPairs].sort((a, b) => a - b))
      add(sourceAxis, pairIndex, filter.targetIndex);
    return { sources: [...sources.values()], someNotHeld: false };
  }
  let someNotHeld = false;
  for (const { primaryIndex, secondaryIndex } of filter.ids) {
    if (primaryIndex >= nShards) throw NodeErrors.indexOutOfRange(primaryIndex, nShards);
    if (secondaryIndex >= nShards) throw NodeErrors.indexOutOfRange(secondaryIndex, nShards);
    const candidates = [
      {
        axis: 'primary' as const,
        pairIndex: pairOfSliverIndex('primary', primaryIndex, nShards),
        target: secondaryIndex,
      },
      {
        axis: 'secondary' as const,
        pairIndex: pairOfSliverIndex('secondary', secondaryIndex, nShards),
        target: primaryIndex,
      },
    ];
    const usable = candidates.find(
      (c) =>
        (filter.proofAxis === null || c.axis === filter.proofAxis) && heldPairs.has(c.pairIndex),
    );
    if (usable === undefined) someNotHeld = true;
    else add(usable.axis, usable.pairIndex, usable.target);
  }
  return { sources: [...sources.values()], someNotHeld };
}
