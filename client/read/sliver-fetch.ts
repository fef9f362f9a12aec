/**
 * Fetching a set of slivers of one axis from the nodes that hold them, each verified against the
 * metadata, racing slow or failed nodes with recovery symbols: the rows of a blob (rows.ts) and
 * the columns of a quilt patch (quilt-columns.ts) are both read this way.
 *
 * One request per node for all its slivers (walrus-edge's batch route; Walrus's single-sliver
 * route for nodes without it). A sliver whose node is skipped (circuit breaker), does not answer
 * before its hedge deadline, fails, or sends a sliver that does not verify is rebuilt from
 * recovery symbols (row-recovery.ts) — racing the node, whichever verified answer comes first
 * wins (row-race.ts). Every reply is bounded by the size the verified metadata implies.
 */
import { pairOwner } from '../../core/chain/committee.js';
import type { CommitteeMember } from '../../core/chain/types.js';
import { type BlobLayout } from '../../core/encoding/blob-layout.js';
import {
  type SliverAxis,
  pairOfSliverIndex,
  sliverIndexOfPair,
} from '../../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import type { SliverData } from '../../core/encoding/sliver-data.js';
import { layoutOf, verifySliver } from '../../core/encoding/sliver-verification.js';
import { BATCH_PAIRS_MAX, BATCH_RESPONSE_BYTES_MAX } from '../../core/node-api/limits.js';
import { StorageNodeError } from '../storage-node-client.js';
import { BlobUnavailableError } from './errors.js';
import { type ReadNodes, afterDeadline } from './nodes.js';
import { type SliverRecovery, recoverSlivers } from './row-recovery.js';
import { Hedger, type Slot, newSlot } from './row-race.js';

/** Single-sliver requests in flight per node, for nodes without the batch route. */
const SINGLE_SLIVERS_PER_NODE = 4;
/** Framing of one batch entry besides the BCS SliverData (pair index, status, length). */
const BATCH_ENTRY_OVERHEAD_BYTES = 16;

export interface SliverFetchOptions {
  /**
   * At most this many slivers of one fetcher are rebuilt from recovery symbols; past it the rest
   * fail (BlobUnavailableError), so the caller's own fallback takes over. Default: no limit.
   */
  readonly recoveredSliversMax?: number;
}

export class SliverFetcher {
  readonly layout: BlobLayout;
  /** Bytes of one sliver of the axis. */
  readonly sliverBytes: number;
  private recoveryBudget: number;

  constructor(
    private readonly blobId: Uint8Array,
    private readonly metadata: VerifiedMetadata,
    private readonly nodes: ReadNodes,
    readonly axis: SliverAxis,
    options: SliverFetchOptions = {},
  ) {
    this.layout = layoutOf(metadata);
    this.sliverBytes =
      axis === 'primary' ? this.layout.primarySliverBytes : this.layout.secondarySliverBytes;
    this.recoveryBudget = options.recoveredSliversMax ?? Number.POSITIVE_INFINITY;
  }

  /** Starts fetching slivers `indices` of the axis; each slot settles with the first verified source. */
  fetch(indices: readonly number[]): Map<number, Slot> {
    const slots = new Map<number, Slot>();
    for (const index of indices) slots.set(index, newSlot(index));
    const byMember = new Map<CommitteeMember, number[]>();
    for (const index of indices) {
      const member = pairOwner(this.nodes.committee, this.blobId, this.pairOf(index));
      byMember.set(member, [...(byMember.get(member) ?? []), index]);
    }
    const hedger = new Hedger((targets, exclude) => this.startRecovery(targets, exclude), slots);
    for (const [member, memberIndices] of byMember) {
      if (this.nodes.isSkipped(member)) hedger.recover(memberIndices, member, { failed: true });
      else {
        this.fetchDirect(member, memberIndices, slots, hedger).catch(() =>
          hedger.recover(memberIndices, member, { failed: true }),
        );
      }
    }
    return slots;
  }

  private pairOf(index: number): number {
    return pairOfSliverIndex(this.axis, index, this.metadata.nShards);
  }

  /** One node's slivers: the batch route, or single-sliver requests without it. */
  private async fetchDirect(
    member: CommitteeMember,
    indices: readonly number[],
    slots: Map<number, Slot>,
    hedger: Hedger,
  ): Promise<void> {
    const url = member.networkAddress;
    const pending = () => indices.filter((index) => !slots.get(index)!.settled);
    if (indices.length > 1 && this.nodes.health.batchSupported(url)) {
      try {
        await this.fetchBatch(member, indices, slots, hedger);
      } catch (error) {
        if (!batchRouteMissing(error)) {
          hedger.recover(pending(), member, { failed: true });
          return;
        }
        this.nodes.health.markBatchUnsupported(url);
      }
    }
    const remaining = pending();
    let next = 0;
    const lane = async () => {
      while (next < remaining.length) {
        const index = remaining[next++];
        await this.fetchSingle(member, index, slots, hedger);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(SINGLE_SLIVERS_PER_NODE, remaining.length) }, lane),
    );
  }

  private async fetchBatch(
    member: CommitteeMember,
    indices: readonly number[],
    slots: Map<number, Slot>,
    hedger: Hedger,
  ): Promise<void> {
    const perRequest = Math.max(
      1,
      Math.min(
        BATCH_PAIRS_MAX,
        Math.floor(BATCH_RESPONSE_BYTES_MAX / (this.sliverBytes + BATCH_ENTRY_OVERHEAD_BYTES)),
      ),
    );
    const nShards = this.metadata.nShards;
    for (let from = 0; from < indices.length; from += perRequest) {
      const part = indices.slice(from, from + perRequest);
      // Raced once the node's deadline passes without headers (a hung node sends none).
      const cancelHedge = afterDeadline(this.nodes.hedgeDeadlineMs(member), () => {
        this.nodes.health.recordFailure(member.networkAddress, 'late');
        hedger.recover(part, member, { failed: false });
      });
      try {
        const batch = await this.nodes.client(member).getSliverBatch(
          this.blobId,
          this.axis,
          part.map((index) => this.pairOf(index)),
          {
            signal: this.nodes.signal,
            headersTimeoutMs: this.nodes.hardTimeoutMs(member),
            sliverBytes: this.sliverBytes,
          },
        );
        cancelHedge();
        for await (const entry of batch) {
          const index = sliverIndexOfPair(this.axis, entry.pairIndex, nShards);
          const slot = slots.get(index)!;
          if (slot.settled) continue;
          if (entry.sliver === null) hedger.recover([index], member, { failed: true });
          else this.deliverDirect(member, slot, entry.sliver, hedger);
        }
      } finally {
        cancelHedge();
      }
    }
  }

  private async fetchSingle(
    member: CommitteeMember,
    index: number,
    slots: Map<number, Slot>,
    hedger: Hedger,
  ): Promise<void> {
    const slot = slots.get(index)!;
    if (slot.settled) return;
    const cancelHedge = afterDeadline(this.nodes.hedgeDeadlineMs(member), () => {
      this.nodes.health.recordFailure(member.networkAddress, 'late');
      hedger.recover([index], member, { failed: false });
    });
    try {
      const sliver = await this.nodes
        .client(member)
        .getSliver(this.blobId, this.pairOf(index), this.axis, {
          signal: this.nodes.signal,
          headersTimeoutMs: this.nodes.hardTimeoutMs(member),
          sliverBytes: this.sliverBytes,
        });
      this.deliverDirect(member, slot, sliver, hedger);
    } catch {
      hedger.recover([index], member, { failed: true });
    } finally {
      cancelHedge();
    }
  }

  /** A sliver from its own node: used if it verifies, else it is recovered. */
  private deliverDirect(member: CommitteeMember, slot: Slot, sliver: SliverData, hedger: Hedger) {
    if (slot.settled) return;
    try {
      if (sliver.index !== slot.index)
        throw new Error(`sliver ${sliver.index} for ${this.axis} sliver ${slot.index}`);
      verifySliver(this.metadata, this.axis, sliver);
    } catch {
      this.nodes.health.recordFailure(member.networkAddress, 'invalid-data');
      hedger.recover([slot.index], member, { failed: true });
      return;
    }
    hedger.resolved(slot, sliver.data);
  }

  /** Recovery for slivers whose direct source failed or is late (the Hedger starts it). */
  private startRecovery(indices: readonly number[], exclude: ReadonlySet<number>): SliverRecovery {
    const allowed = indices.slice(0, Math.max(0, this.recoveryBudget));
    this.recoveryBudget -= allowed.length;
    const recovery =
      allowed.length > 0
        ? recoverSlivers(this.blobId, this.metadata, this.nodes, this.axis, allowed, exclude)
        : { results: new Map<number, Promise<Uint8Array>>(), cancel: () => {} };
    for (const index of indices.slice(allowed.length)) {
      recovery.results.set(
        index,
        Promise.reject(
          new BlobUnavailableError(
            `more ${this.axis} slivers are missing than recovery rebuilds for one read`,
          ),
        ),
      );
    }
    return recovery;
  }
}

/** A node without walrus-edge's batch route (a Walrus node): 404/405 without a blob reason. */
function batchRouteMissing(error: unknown): boolean {
  return (
    error instanceof StorageNodeError &&
    (error.status === 404 || error.status === 405) &&
    (error.reason === undefined || error.reason === 'NOT_FOUND')
  );
}
