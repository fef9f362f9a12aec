/**
 * The race for each row of a chunk (client/read/rows.ts): a row whose node failed it or is late
 * goes to recovery (row-recovery.ts), and the row settles with the first verified answer from
 * either; it fails only when both have failed, in either order.
 */
import type { CommitteeMember } from '../../core/chain/types.js';
import { deferred } from '../deferred.js';
import { BlobInconsistentError } from './errors.js';
import type { recoverRows } from './row-recovery.js';

export interface Slot {
  readonly row: number;
  readonly promise: Promise<Uint8Array>;
  settled: boolean;
  directFailed: boolean;
  recoveryFailed: boolean;
  recoveryError: Error | undefined;
  resolve(data: Uint8Array): void;
  reject(error: Error): void;
}

/** Starts recovery of rows (without the members in `exclude`); see row-recovery.ts. */
export type StartRecovery = (
  rows: readonly number[],
  exclude: ReadonlySet<number>,
) => ReturnType<typeof recoverRows>;

/**
 * The race of one chunk: rows whose direct source failed or is slow go to recovery in batches
 * (one batch per event-loop turn, so a node's rows are asked for together), and each slot settles
 * with the first verified answer. A slot fails only when both its sources have failed.
 */
export class Hedger {
  private queued = new Map<number, Set<number>>();
  private readonly recovering = new Map<number, { cancel(row: number): void }>();
  private scheduled = false;

  constructor(
    private readonly startRecovery: StartRecovery,
    private readonly slots: Map<number, Slot>,
  ) {}

  /**
   * Rows whose node `member` failed them (`failed`) or is late with them: they go to recovery,
   * without `member`. A row fails when its node failed and its recovery failed, in either order.
   */
  recover(rows: readonly number[], member: CommitteeMember, how: { failed: boolean }): void {
    for (const row of rows) {
      const slot = this.slots.get(row);
      if (slot === undefined || slot.settled) continue;
      if (how.failed) {
        slot.directFailed = true;
        if (slot.recoveryFailed) {
          fail(slot, slot.recoveryError!);
          continue;
        }
      }
      if (this.recovering.has(row)) continue;
      const exclude = this.queued.get(row) ?? new Set<number>();
      exclude.add(member.index);
      this.queued.set(row, exclude);
    }
    if (this.queued.size > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const rows = [...this.queued.keys()].filter((row) => !this.slots.get(row)!.settled);
    const exclude = new Set<number>();
    for (const row of rows) for (const index of this.queued.get(row)!) exclude.add(index);
    this.queued = new Map();
    if (rows.length === 0) return;
    const recovery = this.startRecovery(rows, exclude);
    for (const row of rows) {
      this.recovering.set(row, recovery);
      recovery.results.get(row)!.then(
        (data) => this.resolved(this.slots.get(row)!, data),
        (error: Error) => {
          const slot = this.slots.get(row)!;
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
    this.recovering.get(slot.row)?.cancel(slot.row);
  }
}

function fail(slot: Slot, error: Error): void {
  if (slot.settled) return;
  slot.settled = true;
  slot.reject(error);
}

export function newSlot(row: number): Slot {
  const { promise, resolve, reject } = deferred<Uint8Array>();
  return {
    row,
    promise,
    settled: false,
    directFailed: false,
    recoveryFailed: false,
    recoveryError: undefined,
    resolve,
    reject,
  };
}
