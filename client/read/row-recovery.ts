/**
 * Rebuilding systematic primary slivers (rows of the blob) from recovery symbols, when the node
 * holding a row is down, hung or lying (docs/spec/encoding.md §8.1). Row r of the expanded matrix
 * is a codeword of the secondary code: any n_s of its symbols decode it, and symbol (r, s) can be
 * had from the holder of secondary sliver s with a Merkle proof against that sliver's hash. So a
 * missing row costs about one row of bytes (n_s symbols plus their proofs), not a decode of the
 * whole blob.
 *
 * Nodes are asked in preference order for the symbols of every missing row at once (the `id=`
 * form of the recoverySymbols route, one request per node per RECOVERY_SYMBOL_IDS_MAX symbols), a
 * few more than n_s columns' worth; another node joins when one fails or passes its hedge
 * deadline. Every symbol is verified before it counts; a row is decoded as soon as n_s distinct
 * columns are in, and the decoded row is checked against the metadata (recoverSliverFromVerified) — verified
 * symbols that decode to a contradicting row prove the blob inconsistent.
 */
import type { CommitteeMember } from '../../core/chain/types.js';
import { pairForShard, sliverIndexOfPair } from '../../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import {
  InconsistentBlobError,
  type RecoverySymbol,
  recoverSliverFromVerified,
  verifyRecoverySymbols,
} from '../../core/encoding/recovery-symbols.js';
import { layoutOf } from '../../core/encoding/sliver-verification.js';
import { MERKLE_PROOF_NODES_MAX } from '../../core/merkle.js';
import { RECOVERY_SYMBOL_IDS_MAX } from '../../core/node-api/limits.js';
import { deferred } from '../deferred.js';
import { BlobInconsistentError, BlobUnavailableError } from './errors.js';
import { type ReadNodes, afterDeadline } from './nodes.js';

/** BCS framing of one GeneralRecoverySymbol besides its data: tags, indices, lengths, the proof. */
const SYMBOL_OVERHEAD_BYTES_MAX = 16 + MERKLE_PROOF_NODES_MAX * 33;

interface RowState {
  readonly row: number;
  readonly symbols: Map<number, RecoverySymbol>;
  settled: boolean;
  resolve(data: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * Recovers `rows`; each promise settles independently. `exclude`: member indices to ask only
 * after every other (the ones that just failed or are skipped). `cancelled(row)` tells recovery a row arrived by another way.
 */
export function recoverRows(
  blobId: Uint8Array,
  metadata: VerifiedMetadata,
  nodes: ReadNodes,
  rows: readonly number[],
  exclude: ReadonlySet<number>,
): { readonly results: Map<number, Promise<Uint8Array>>; cancel(row: number): void } {
  const layout = layoutOf(metadata);
  const needed = layout.params.nSecondary;
  const nShards = metadata.nShards;
  const states = new Map<number, RowState>();
  const results = new Map<number, Promise<Uint8Array>>();
  for (const row of rows) {
    const { promise, resolve, reject } = deferred<Uint8Array>();
    results.set(row, promise);
    states.set(row, { row, symbols: new Map(), settled: false, resolve, reject });
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

  const columnsOf = (member: CommitteeMember): number[] =>
    member.shards.map((shard) =>
      sliverIndexOfPair('secondary', pairForShard(shard, blobId, nShards), nShards),
    );

  /** The verified leaf digest of each kept symbol: checking a rebuilt row reuses them. */
  const leafDigests = new WeakMap<RecoverySymbol, Uint8Array>();

  /** Verified symbols from one reply; rows that reach n_s columns are decoded at once. */
  const accept = (member: CommitteeMember, symbols: readonly RecoverySymbol[]) => {
    const wanted = symbols.filter((symbol) => {
      const state = states.get(symbol.targetIndex);
      return state !== undefined && !state.settled && symbol.targetAxis === 'primary';
    });
    const checks = verifyRecoverySymbols(metadata, wanted, 'primary');
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
          'primary',
          state.row,
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
    if (open().length === 0) controller.abort(new Error('every row is recovered'));
  };

  const ask = async (member: CommitteeMember) => {
    const rowsWanted = open().map((state) => state.row);
    const ids = rowsWanted.flatMap((row) =>
      columnsOf(member).map((secondary) => ({ primary: row, secondary })),
    );
    const requests: Promise<void>[] = [];
    for (let from = 0; from < ids.length; from += RECOVERY_SYMBOL_IDS_MAX) {
      const chunk = ids.slice(from, from + RECOVERY_SYMBOL_IDS_MAX);
      requests.push(
        nodes
          .client(member)
          .getRecoverySymbols(
            blobId,
            { ids: chunk, proofAxis: 'secondary' },
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
              `recovery symbols for ${open().length} rows could not be had from the network`,
            ),
          );
        } else if (inFlight === 0) {
          launch();
        }
      });
  };

  // Enough nodes for n_s columns, and one more in case one of them fails.
  while (next < candidates.length && coveredColumns < needed) launch();
  launch();
  if (candidates.length === 0) {
    settleAll(new BlobUnavailableError('no storage node is left to ask for recovery symbols'));
  }

  return {
    results,
    cancel(row: number) {
      const state = states.get(row);
      if (state === undefined || state.settled) return;
      state.settled = true;
      state.symbols.clear();
      state.reject(new Error('the row arrived by another way'));
      if (open().length === 0) controller.abort(new Error('every row arrived'));
    },
  };
}
