/**
 * The node's `ChainView` over core/chain (`SuiChain` on a Sui fullnode or the devnet ledger).
 *
 * Blobs: the package's events are followed in order from an opaque cursor that the node stores
 * with every change it applies (`<System ID>/<event cursor>`), so a restart resumes where it
 * stopped and a wiped data dir replays from the first event. Each blob event becomes a full
 * snapshot of its blob ID: the previous snapshot (the one this view delivered last, else the one
 * the node stored) plus the event. Only a `BlobCertified` for an object the snapshot lacks needs
 * more than the event carries; then the Blob object is read (`readBlob`), and a Blob deleted
 * since is described from the event alone.
 *
 * Epochs: `EpochChangeStart`/`EpochChangeDone` events trigger a fresh System read; the epoch and
 * this node's shards (its committee member, identified by node ID = NodeCap ID) come from it, and
 * a change is delivered when either differs from the last one delivered. A periodic System read
 * catches what no event announces (committee addresses, a node ID learned after registration).
 *
 * The view answers from its latest System read, like the in-process chains: during a replay the
 * node applies old events against the current epoch, which is what makes expired blobs retire.
 *
 * Over 400 lines: the event follower, the snapshots and the epoch handling share one cursor and
 * one delivery order, which is what this module exists to keep consistent.
 */
import { assert } from '../../core/assert.js';
import { blobIdToString } from '../../core/blob-id.js';
import { ChainObjectError } from '../../core/chain/errors.js';
import type { Chain, ChainEvent, SystemState } from '../../core/chain/types.js';
import { bytesToHex, hexToBytes } from '../../core/hex.js';
import { bytesEqual } from '../../core/bytes.js';
import type {
  BlobObjectRegistration,
  BlobRegistration,
  ChainChange,
  ChainEventId,
  ChainSubscription,
  ChainView,
  SubscribeOptions,
} from '../chain-view.js';
import type { Logger } from '../log.js';
import type { RecoveryPeer } from '../recovery.js';

/** What the view reads from the chain; `SuiChain` has it, tests may fake it. */
export type ChainReader = Pick<Chain, 'systemObjectId' | 'readSystem' | 'readBlob' | 'events'>;

/** Wait between polls once caught up. A client retries an upload a few times within ~2.5 s. */
export const POLL_MS_DEFAULT = 500;
/** System reads without an epoch event: committee addresses change without one. */
export const SYSTEM_REFRESH_MS_DEFAULT = 10_000;
/** Events per page (Sui's `QUERY_MAX_RESULT_LIMIT`). */
export const EVENT_PAGE_SIZE_MAX = 50;
/** Backoff after failed polls, up to this wait. */
export const POLL_BACKOFF_MS_MAX = 30_000;
/** Delivered snapshots kept in memory (the node stores them all; this only bridges failures). */
export const SNAPSHOT_CACHE_BLOBS_MAX = 10_000;
/** How long `blobRegistration` waits for the next poll round to see an unknown blob. */
export const CATCH_UP_WAIT_MS_MAX = 2_000;

assert(POLL_MS_DEFAULT < CATCH_UP_WAIT_MS_MAX, 'an unknown blob must get one full poll round');

export interface SuiChainViewOptions {
  readonly chain: ChainReader;
  /** This node's ID (its NodeCap's object ID); null until it is registered. */
  readonly nodeId: string | null;
  readonly logger: Logger;
  readonly pollMs?: number;
  readonly pageSize?: number;
  readonly systemRefreshMs?: number;
  readonly nowMs?: () => number;
}

/** Thrown when a stored cursor belongs to another System (the data dir is another network's). */
export class ForeignCursorError extends Error {
  override name = 'ForeignCursorError';
}

interface EpochPoint {
  readonly epoch: number;
  readonly shards: readonly number[];
}

interface Follower {
  readonly listener: (change: ChainChange) => Promise<void>;
  readonly options: SubscribeOptions;
  cursor: string | null;
  closed: boolean;
  caughtUp: boolean;
  lastDelivered: EpochPoint | null;
  readonly initial: EpochPoint;
  refreshRequested: boolean;
  /** Waiters for the next round, and those for the round running now. */
  nextWaiters: (() => void)[];
  roundWaiters: (() => void)[];
  wake: (() => void) | null;
}

const eventIdOf = (event: ChainEvent): ChainEventId => ({
  txDigest: event.txDigest,
  eventSeq: String(event.eventSeq),
});

const sameShards = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((shard, i) => shard === b[i]);

function shardsOf(system: SystemState, nodeId: string | null): number[] {
  const member = nodeId === null ? undefined : system.members.find((m) => m.nodeId === nodeId);
  return member === undefined ? [] : [...member.shards].sort((a, b) => a - b);
}

export class SuiChainView implements ChainView {
  readonly nShards: number;
  readonly #chain: ChainReader;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #pageSize: number;
  readonly #systemRefreshMs: number;
  readonly #nowMs: () => number;
  #system: SystemState;
  #systemReadAtMs: number;
  #nodeId: string | null;
  readonly #snapshots = new Map<string, BlobRegistration>();
  #follower: Follower | null = null;

  private constructor(options: SuiChainViewOptions, system: SystemState) {
    this.#chain = options.chain;
    this.#logger = options.logger;
    this.#pollMs = options.pollMs ?? POLL_MS_DEFAULT;
    this.#pageSize = options.pageSize ?? EVENT_PAGE_SIZE_MAX;
    this.#systemRefreshMs = options.systemRefreshMs ?? SYSTEM_REFRESH_MS_DEFAULT;
    this.#nowMs = options.nowMs ?? Date.now;
    assert(this.#pollMs >= 1, 'pollMs must be positive');
    assert(this.#pageSize >= 1 && this.#pageSize <= EVENT_PAGE_SIZE_MAX, 'pageSize out of range');
    this.#system = system;
    this.#systemReadAtMs = this.#nowMs();
    this.#nodeId = options.nodeId;
    this.nShards = system.nShards;
  }

  /** Reads the System once (the node needs `nShards` and the epoch before it opens storage). */
  static async open(options: SuiChainViewOptions): Promise<SuiChainView> {
    return new SuiChainView(options, await options.chain.readSystem({ fresh: true }));
  }

  currentEpoch(): number {
    return this.#system.epoch;
  }

  shardsHeld(): readonly number[] {
    return shardsOf(this.#system, this.#nodeId);
  }

  /** The latest System read. */
  system(): SystemState {
    return this.#system;
  }

  nodeId(): string | null {
    return this.#nodeId;
  }

  /** The other members of the current committee, for recovery. */
  peers(): RecoveryPeer[] {
    return this.#system.members
      .filter((member) => member.nodeId !== this.#nodeId)
      .map((member) => ({ url: member.networkAddress, shards: member.shards }));
  }

  /** Learns this node's ID (after registering); the follower re-reads the System at once. */
  setNodeId(nodeId: string): void {
    this.#nodeId = nodeId;
    const follower = this.#follower;
    if (follower === null) return;
    follower.refreshRequested = true;
    follower.wake?.();
  }

  /**
   * The last snapshot this view delivered for the blob. An unknown blob may just not have been
   * polled yet (a client uploads right after registering): wait for one more poll round.
   */
  async blobRegistration(blobId: Uint8Array): Promise<BlobRegistration | null> {
    const key = bytesToHex(blobId);
    const known = this.#snapshots.get(key);
    if (known !== undefined) return known;
    await this.#nextRound(CATCH_UP_WAIT_MS_MAX);
    return this.#snapshots.get(key) ?? null;
  }

  subscribe(
    after: string | null,
    listener: (change: ChainChange) => Promise<void>,
    options: SubscribeOptions = {},
  ): ChainSubscription {
    assert(this.#follower === null, 'one subscription at a time');
    const initial = { epoch: this.currentEpoch(), shards: this.shardsHeld() };
    const follower: Follower = {
      listener,
      options,
      cursor: this.#parseCursor(after),
      closed: false,
      caughtUp: false,
      lastDelivered: null,
      initial,
      refreshRequested: false,
      nextWaiters: [],
      roundWaiters: [],
      wake: null,
    };
    this.#follower = follower;
    this.#logger.log('info', 'chain.following', {
      systemObjectId: this.#chain.systemObjectId,
      cursor: follower.cursor,
    });
    void this.#follow(follower).catch((error: unknown) => {
      this.#logger.log('error', 'chain.follow_stopped', { error });
    });
    return {
      close: () => {
        follower.closed = true;
        follower.wake?.();
        for (const wake of [...follower.nextWaiters, ...follower.roundWaiters]) wake();
        if (this.#follower === follower) this.#follower = null;
      },
    };
  }

  // Cursors.

  #encodeCursor(cursor: string | null): string {
    return `${this.#chain.systemObjectId}/${cursor ?? ''}`;
  }

  #parseCursor(stored: string | null): string | null {
    if (stored === null) return null;
    const slash = stored.indexOf('/');
    const system = slash < 0 ? null : stored.slice(0, slash);
    if (system === null || !/^0x[0-9a-f]{64}$/.test(system)) {
      // Another kind of chain view wrote it (a file chain in development): replay everything.
      this.#logger.log('warn', 'chain.cursor_unrecognized', { cursor: stored });
      return null;
    }
    if (system !== this.#chain.systemObjectId) {
      throw new ForeignCursorError(
        `the data dir follows System ${system}, not ${this.#chain.systemObjectId}: ` +
          'use a fresh data dir for another network',
      );
    }
    const rest = stored.slice(slash + 1);
    return rest === '' ? null : rest;
  }

  // The follower loop.

  async #follow(follower: Follower): Promise<void> {
    let failures = 0;
    while (!follower.closed) {
      follower.roundWaiters.push(...follower.nextWaiters.splice(0));
      let hasNextPage: boolean;
      try {
        hasNextPage = await this.#pollOnce(follower);
        failures = 0;
      } catch (error) {
        failures++;
        this.#logger.log('warn', 'chain.poll_failed', { error, failures });
        await this.#sleep(follower, Math.min(POLL_BACKOFF_MS_MAX, this.#pollMs * 2 ** failures));
        continue;
      }
      if (hasNextPage) continue;
      for (const wake of follower.roundWaiters.splice(0)) wake();
      if (!follower.caughtUp) {
        follower.caughtUp = true;
        follower.options.onCaughtUp?.();
      }
      if (follower.nextWaiters.length === 0 && !follower.refreshRequested)
        await this.#sleep(follower, this.#pollMs);
    }
  }

  /** One page of events, then a System refresh when due; true when more events are waiting. */
  async #pollOnce(follower: Follower): Promise<boolean> {
    const page = await this.#chain.events(follower.cursor, this.#pageSize);
    for (const event of page.events) {
      if (follower.closed) return false;
      // A failure here (a Blob read) leaves the cursor before this event: it is retried.
      const change = await this.#changeOf(event, follower);
      follower.cursor = event.cursor;
      if (change !== null) await this.#deliver(follower, change);
    }
    if (page.events.length === 0 && page.nextCursor !== null) follower.cursor = page.nextCursor;
    const due = this.#nowMs() - this.#systemReadAtMs >= this.#systemRefreshMs;
    if (!follower.closed && (due || follower.refreshRequested)) {
      follower.refreshRequested = false;
      await this.#refreshSystem();
      const change = this.#epochChange(follower, follower.cursor, false);
      if (change !== null) await this.#deliver(follower, change);
    }
    return page.hasNextPage;
  }

  async #deliver(follower: Follower, change: ChainChange): Promise<void> {
    if (change.kind === 'epoch')
      follower.lastDelivered = { epoch: change.epoch, shards: change.shards };
    try {
      await follower.listener(change);
    } catch (error) {
      // The node logs its own failures; the stream moves on, as the in-process chains do.
      this.#logger.log('debug', 'chain.listener_failed', { cursor: change.cursor, error });
    }
  }

  async #refreshSystem(): Promise<void> {
    const system = await this.#chain.readSystem({ fresh: true });
    this.#systemReadAtMs = this.#nowMs();
    if (system.epoch < this.#system.epoch) return; // a lagging fullnode: keep the newer read
    this.#system = system;
  }

  /** An epoch change if the epoch or this node's shards differ from what the node last got. */
  #epochChange(follower: Follower, cursor: string | null, fromEvent: boolean): ChainChange | null {
    const now = { epoch: this.currentEpoch(), shards: this.shardsHeld() };
    // The first epoch event after subscribing always goes through: the node may have stopped
    // between the System changing and applying the event (expiry and readiness run on it).
    const last = follower.lastDelivered ?? (fromEvent ? null : follower.initial);
    if (last !== null && last.epoch === now.epoch && sameShards(last.shards, now.shards))
      return null;
    return { kind: 'epoch', cursor: this.#encodeCursor(cursor), ...now };
  }

  async #changeOf(event: ChainEvent, follower: Follower): Promise<ChainChange | null> {
    switch (event.kind) {
      case 'EpochChangeStart':
      case 'EpochChangeDone': {
        // An old epoch event in a replay says nothing the last System read does not.
        if (event.epoch < this.#system.epoch && follower.lastDelivered !== null) return null;
        await this.#refreshSystem();
        return this.#epochChange(follower, event.cursor, true);
      }
      case 'BlobRegistered':
      case 'BlobCertified':
      case 'BlobDeleted':
      case 'InvalidBlobID': {
        const registration = await this.#nextSnapshot(event, follower);
        this.#remember(registration);
        return { kind: 'blob', cursor: this.#encodeCursor(event.cursor), registration };
      }
      default:
        return null; // ShardsReceived, EpochParametersSelected, events of a newer package
    }
  }

  // Snapshots.

  #previous(blobId: Uint8Array, follower: Follower): BlobRegistration {
    const cached = this.#snapshots.get(bytesToHex(blobId));
    if (cached !== undefined) return cached;
    const stored = follower.options.stored?.(blobId) ?? null;
    return stored ?? { blobId: Uint8Array.from(blobId), invalidEvent: null, objects: [] };
  }

  #remember(registration: BlobRegistration): void {
    const key = bytesToHex(registration.blobId);
    this.#snapshots.delete(key);
    this.#snapshots.set(key, registration);
    if (this.#snapshots.size > SNAPSHOT_CACHE_BLOBS_MAX) {
      const oldest = this.#snapshots.keys().next().value;
      if (oldest !== undefined) this.#snapshots.delete(oldest);
    }
  }

  async #nextSnapshot(
    event: ChainEvent & {
      kind: 'BlobRegistered' | 'BlobCertified' | 'BlobDeleted' | 'InvalidBlobID';
    },
    follower: Follower,
  ): Promise<BlobRegistration> {
    const previous = this.#previous(event.blobId, follower);
    const id = eventIdOf(event);
    if (event.kind === 'InvalidBlobID') return { ...previous, invalidEvent: id };
    const objectId = hexToBytes(event.objectId, 32);
    const existing = previous.objects.find((object) => bytesEqual(object.objectId, objectId));
    let next: BlobObjectRegistration;
    if (event.kind === 'BlobRegistered') {
      next = {
        objectId,
        deletable: event.deletable,
        registeredEpoch: event.epoch,
        endEpoch: event.endEpoch,
        certifiedEpoch: null,
        deleted: false,
        event: id,
      };
    } else if (event.kind === 'BlobCertified') {
      const base = existing ?? (await this.#objectFromChain(event));
      next = { ...base, certifiedEpoch: event.epoch, endEpoch: event.endEpoch, event: id };
    } else {
      next = {
        objectId,
        deletable: true,
        registeredEpoch: event.epoch,
        certifiedEpoch: event.wasCertified ? event.epoch : null,
        ...existing,
        endEpoch: event.endEpoch,
        deleted: true,
        event: id,
      };
    }
    const objects = previous.objects.filter((object) => !bytesEqual(object.objectId, objectId));
    return { ...previous, objects: [...objects, next] };
  }

  /** A certified object the snapshot lacks: read it, or describe it from the event if gone. */
  async #objectFromChain(
    event: ChainEvent & { kind: 'BlobCertified' },
  ): Promise<BlobObjectRegistration> {
    const objectId = hexToBytes(event.objectId, 32);
    try {
      const blob = await this.#chain.readBlob(event.objectId);
      this.#logger.log('debug', 'chain.blob_read', {
        blobId: blobIdToString(event.blobId),
        objectId: event.objectId,
      });
      return {
        objectId,
        deletable: blob.deletable,
        registeredEpoch: blob.registeredEpoch,
        endEpoch: blob.storage.endEpoch,
        certifiedEpoch: blob.certifiedEpoch,
        deleted: false,
        event: eventIdOf(event),
      };
    } catch (error) {
      if (!(error instanceof ChainObjectError) || error.reason !== 'not-found') throw error;
      return {
        objectId,
        deletable: event.deletable,
        registeredEpoch: event.epoch,
        endEpoch: event.endEpoch,
        certifiedEpoch: event.epoch,
        // Gone: a deletable blob deleted since (its BlobDeleted event follows), or burnt.
        deleted: false,
        event: eventIdOf(event),
      };
    }
  }

  // Waiting.

  #sleep(follower: Follower, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        follower.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      follower.wake = done;
    });
  }

  /** Resolves after the next complete poll round (or `timeoutMs`, or at once unsubscribed). */
  #nextRound(timeoutMs: number): Promise<void> {
    const follower = this.#follower;
    if (follower === null || follower.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      follower.nextWaiters.push(done);
      follower.wake?.();
    });
  }
}
