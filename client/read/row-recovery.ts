/**
 * Rebuilding slivers from recovery symbols, when the node holding one is down, hung or lying
 * (docs/spec/encoding.md §8.1). Row r of the expanded matrix (primary sliver r) is a codeword of
 * the secondary code: any n_s of its symbols decode it, and symbol (r, s) can be had from the
 * holder of secondary sliver s with a Merkle proof against that sliver's hash. Symmetrically,
 * column c (secondary sliver c, what a quilt patch is read from) decodes from any n_p symbols
 * (p, c), each from the holder of primary sliver p with a proof against that sliver's hash. So a
 * missing sliver costs about one sliver of bytes (its symbols plus their proofs), not a decode of
 * the whole blob.
 *
 * Nodes are asked in preference order for the symbols of every missing sliver at once (the `id=`
 * form of the recoverySymbols route, one request per node per RECOVERY_SYMBOL_IDS_MAX symbols), a
 * few more than the needed sources' worth; another node joins when one fails or passes its hedge
 * deadline. Every symbol is verified before it counts; a sliver is decoded as soon as enough
 * distinct sources are in, and the decoded sliver is checked against the metadata
 * (recoverSliverFromVerified) — verified symbols that decode to a contradicting sliver prove the
 * blob inconsistent.
 */
import type { CommitteeMember } from '../../core/chain/types.js';
import {
  type SliverAxis,
  otherAxis,
  pairForShard,
  sliverIndexOfPair,
} from '../../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import {
  InconsistentBlobError,
  type RecoverySymbol,
  recoverSliverFromVerified,
  verifyRecoverySymbols,
} from '../../core/encoding/recovery-symbols.js';
import { layoutOf, sliverSymbolCount } from '../../core/encoding/sliver-verification.js';
import { MERKLE_PROOF_NODES_MAX } from '../../core/merkle.js';
import { RECOVERY_SYMBOL_IDS_MAX } from '../../core/node-api/limits.js';
import { deferred } from '../deferred.js';
import { BlobInconsistentError, BlobUnavailableError } from './errors.js';
import { type ReadNodes, afterDeadline } from './nodes.js';

/** BCS framing of one GeneralRecoverySymbol besides its data: tags, indices, lengths, the proof. */
const SYMBOL_OVERHEAD_BYTES_MAX = 16 + MERKLE_PROOF_NODES_MAX * 33;

interface TargetState {
  /** The sliver to rebuild: its index on the recovery's axis. */
  readonly index: number;
  readonly symbols: Map<number, RecoverySymbol>;
  settled: boolean;
  resolve(data: Uint8Array): void;
  reject(error: Error): void;
}

/** Recovery of some slivers of one axis; each promise settles independently. */
export interface SliverRecovery {
  readonly results: Map<number, Promise<Uint8Array>>;
  /** Tells recovery that sliver `index` arrived by another way. */
  cancel(index: number): void;
}

/** Recovers rows (primary slivers) `rows`: see recoverSlivers. */
export function recoverRows(
  blobId: Uint8Array,
  metadata: VerifiedMetadata,
  nodes: ReadNodes,
  rows: readonly number[],
  exclude: ReadonlySet<number>,
): SliverRecovery {
  return recoverSlivers(blobId, metadata, nodes, 'primary', rows, exclude);
}

/**
 * Recovers slivers `indices` of `axis`; each promise settles independently. `exclude`: member
 * indices to ask only after every other (the ones that just failed or are skipped).
 */
export function recoverSlivers(
  blobId: Uint8Array,
  metadata: VerifiedMetadata,
  nodes: ReadNodes,
  axis: SliverAxis,
  indices: readonly number[],
  exclude: ReadonlySet<number>,
): SliverRecovery {
  const layout = layoutOf(metadata);
  // A sliver of `axis` has one symbol per sliver of the other axis; it decodes from that many.
  const needed = sliverSymbolCount(layout, axis);
  const sourceAxis = otherAxis(axis);
  const nShards = metadata.nShards;
  const states = new Map<number, TargetState>();
  const results = new Map<number, Promise<Uint8Array>>();
  for (const index of indices) {
    const { promise, resolve, reject } = deferred<Uint8Array>();
    results.set(index, promise);
    states.set(index, { index, symbols: new Map(), settled: false, resolve, reject });
  }
  const controller = new AbortController();
  const signal = AbortSignal.any([nodes.signal, controller.signal]);
  const open = () => [...states.values()].filter((state) => !state.settled);
  // The members in `exclude` (their direct request failed, or the breaker skips them) are asked
  // last, not never: when the others hold too few columns — say f shards' nodes hang besides —
  // one of them answering (a skipped node may have recovered) beats waiting out hard timeouts.
  const holders = nodes.committee.members.filter((member) => member.shards.length > 0);
  const candidates = [
    ...nodes.preferenceOrder(holders.filter((m) => !exclude.has(m.index))),
    ...nodes.preferenceOrder(holders.filter((m) => exclude.has(m.index))),
  ];
  let next = 0;
  let inFlight = 0;
  let coveredColumns = 0;

  const settleAll = (error: Error) => {
    for (const state of open()) {
      state.settled = true;
      state.reject(error);
    }
    controller.abort(error);
  };

  /** The source slivers (of the other axis) `member` holds. */
  const sourcesOf = (member: CommitteeMember): number[] =>
    member.shards.map((shard) =>
      sliverIndexOfPair(sourceAxis, pairForShard(shard, blobId, nShards), nShards),
    );
  /** Cell (target, source) as (primary index, secondary index). */
  const cell = (target: number, source: number) =>
    axis === 'primary'
      ? { primary: target, secondary: source }
      : { primary: source, secondary: target };

  /** The verified leaf digest of each kept symbol: checking a rebuilt sliver reuses them. */
  const leafDigests = new WeakMap<RecoverySymbol, Uint8Array>();

  /** Verified symbols from one reply; slivers that reach `needed` sources are decoded at once. */
  const accept = (member: CommitteeMember, symbols: readonly RecoverySymbol[]) => {
    const wanted = symbols.filter((symbol) => {
      const state = states.get(symbol.targetIndex);
      return state !== undefined && !state.settled && symbol.targetAxis === axis;
    });
    const checks = verifyRecoverySymbols(metadata, wanted, axis);
    if (checks.some((check) => check.error !== undefined)) {
      nodes.health.recordFailure(member.networkAddress, 'invalid-data');
    }
    for (const [i, symbol] of wanted.entries()) {
      const { leafDigest } = checks[i];
      if (leafDigest === undefined) continue;
      const state = states.get(symbol.targetIndex)!;
      if (state.settled) continue;
      if (!state.symbols.has(symbol.sourceIndex)) {
        state.symbols.set(symbol.sourceIndex, symbol);
        leafDigests.set(symbol, leafDigest);
      }
      if (state.symbols.size < needed) continue;
      try {
        const data = recoverSliverFromVerified(
          metadata,
          axis,
          state.index,
          [...state.symbols.values()],
          (used) => leafDigests.get(used),
        );
        state.settled = true;
        state.symbols.clear();
        state.resolve(data);
      } catch (error) {
        if (error instanceof InconsistentBlobError) {
          settleAll(new BlobInconsistentError(error.message));
          return;
        }
        throw error;
      }
    }
    if (open().length === 0) controller.abort(new Error('every sliver is recovered'));
  };

  const ask = async (member: CommitteeMember) => {
    const targets = open().map((state) => state.index);
    const ids = targets.flatMap((target) =>
      sourcesOf(member).map((source) => cell(target, source)),
    );
    const requests: Promise<void>[] = [];
    for (let from = 0; from < ids.length; from += RECOVERY_SYMBOL_IDS_MAX) {
      const chunk = ids.slice(from, from + RECOVERY_SYMBOL_IDS_MAX);
      requests.push(
        nodes
          .client(member)
          .getRecoverySymbols(
            blobId,
            { ids: chunk, proofAxis: sourceAxis },
            {
              signal,
              headersTimeoutMs: nodes.hardTimeoutMs(member),
              bytesMax: 8 + chunk.length * (layout.symbolBytes + SYMBOL_OVERHEAD_BYTES_MAX),
            },
          )
          .then((symbols) => accept(member, symbols)),
      );
    }
    await Promise.all(requests);
  };

  const launch = () => {
    if (open().length === 0 || next >= candidates.length) return;
    const member = candidates[next++];
    coveredColumns += member.shards.length;
    inFlight++;
    let hedged = false;
    // Past the hedge deadline, the next node joins in case this one is hung.
    const cancelHedge = afterDeadline(nodes.hedgeDeadlineMs(member), () => {
      hedged = true;
      nodes.health.recordFailure(member.networkAddress, 'late');
      launch();
    });
    ask(member)
      .catch(() => {
        // This node's symbols are missing; another node takes its place below.
        if (!hedged) launch();
      })
      .finally(() => {
        cancelHedge();
        inFlight--;
        if (inFlight === 0 && next >= candidates.length) {
          settleAll(
            new BlobUnavailableError(
              `recovery symbols for ${open().length} ${axis} slivers could not be had from the network`,
            ),
          );
        } else if (inFlight === 0) {
          launch();
        }
      });
  };

  // Enough nodes for `needed` sources, and one more in case one of them fails.
  while (next < candidates.length && coveredColumns < needed) launch();
  launch();
  if (candidates.length === 0) {
    settleAll(new BlobUnavailableError('no storage node is left to ask for recovery symbols'));
  }

  return {
    results,
    cancel(index: number) {
      const state = states.get(index);
      if (state === undefined || state.settled) return;
      state.settled = true;
      state.symbols.clear();
      state.reject(new Error('the sliver arrived by another way'));
      if (open().length === 0) controller.abort(new Error('every sliver arrived'));
    },
  };
}
