/**
 * The race for each sliver of a fetch (client/read/sliver-fetch.ts: rows of a blob, columns of a
 * quilt patch): a sliver whose node failed it or is late goes to recovery (row-recovery.ts), and
 * the sliver settles with the first verified answer from either; it fails only when both have
 * failed, in either order.
 */
import type { CommitteeMember } from '../../core/chain/types.js';
import { deferred } from '../deferred.js';
import { BlobInconsistentError } from './errors.js';
import type { SliverRecovery } from './row-recovery.js';

export interface Slot {
  /** The sliver's index on the fetch's axis (a row, or a column). */
  readonly index: number;
  readonly promise: Promise<Uint8Array>;
  settled: boolean;
  directFailed: boolean;
  recoveryFailed: boolean;
  recoveryError: Error | undefined;
  resolve(data: Uint8Array): void;
  reject(error: Error): void;
}

/** Starts recovery of slivers (without the members in `exclude`); see row-recovery.ts. */
export type StartRecovery = (
  indices: readonly number[],
  exclude: ReadonlySet<number>,
) => SliverRecovery;

/**
 * The race of one fetch: slivers whose direct source failed or is slow go to recovery in batches
 * (one batch per event-loop turn, so a node's slivers are asked for together), and each slot
 * settles with the first verified answer. A slot fails only when both its sources have failed.
 */
export class Hedger {
  private queued = new Map<number, Set<number>>();
  private readonly recovering = new Map<number, { cancel(target: number): void }>();
  private scheduled = false;

  constructor(
    private readonly startRecovery: StartRecovery,
    private readonly slots: Map<number, Slot>,
  ) {}

  /**
   * Slivers whose node `member` failed them (`failed`) or is late with them: they go to recovery,
   * without `member`. A sliver fails when its node failed and its recovery failed, in either order.
   */
  recover(indices: readonly number[], member: CommitteeMember, how: { failed: boolean }): void {
    for (const target of indices) {
      const slot = this.slots.get(target);
      if (slot === undefined || slot.settled) continue;
      if (how.failed) {
        slot.directFailed = true;
        if (slot.recoveryFailed) {
          fail(slot, slot.recoveryError!);
          continue;
        }
      }
      if (this.recovering.has(target)) continue;
      const exclude = this.queued.get(target) ?? new Set<number>();
      exclude.add(member.index);
      this.queued.set(target, exclude);
    }
    if (this.queued.size > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const targets = [...this.queued.keys()].filter((target) => !this.slots.get(target)!.settled);
    const exclude = new Set<number>();
    for (const target of targets) for (const index of this.queued.get(target)!) exclude.add(index);
    this.queued = new Map();
    if (targets.length === 0) return;
    const recovery = this.startRecovery(targets, exclude);
    for (const target of targets) {
      this.recovering.set(target, recovery);
      recovery.results.get(target)!.then(
        (data) => this.resolved(this.slots.get(target)!, data),
        (error: Error) => {
          const slot = this.slots.get(target)!;
          slot.recoveryFailed = true;
          slot.recoveryError = error;
          // Inconsistency is final; otherwise the direct source may still come through.
          if (error instanceof BlobInconsistentError || slot.directFailed) fail(slot, error);
        },
      );
    }
  }

  resolved(slot: Slot, data: Uint8Array): void {
    if (slot.settled) return;
    slot.settled = true;
    slot.resolve(data);
    this.recovering.get(slot.index)?.cancel(slot.index);
  }
}

function fail(slot: Slot, error: Error): void {
  if (slot.settled) return;
  slot.settled = true;
  slot.reject(error);
}

export function newSlot(index: number): Slot {
  const { promise, resolve, reject } = deferred<Uint8Array>();
  return {
    index,
    promise,
    settled: false,
    directFailed: false,
    recoveryFailed: false,
    recoveryError: undefined,
    resolve,
    reject,
  };
}
