/**
 * The minimal view of the chain a storage node needs — and nothing more. The node never talks to
 * Sui itself: an adapter (core/chain over the local ledger, in progress) implements this interface
 * from Walrus's on-chain objects and events; `testing/memory-chain.ts` implements it in process so
 * tests drive registrations, certifications, deletions and epochs directly.
 *
 * Contract for implementers:
 *  - `currentEpoch()`, `nShards` and `shardsHeld()` answer from the adapter's latest known state;
 *    `nShards` never changes for a running system.
 *  - `blobRegistration()` answers the full registration state of one blob ID (all of its Blob
 *    objects), or null when the chain has never seen it.
 *  - `subscribe(after, listener)` first replays, in order, every change after the opaque `after`
 *    cursor (null: from the beginning of the system), then delivers live changes in order. The
 *    next change is delivered only after the listener's promise settles, so the node can persist
 *    each change together with its cursor; a change may be delivered again after a crash (at least
 *    once), which is harmless because every change carries a full snapshot, not a delta.
 */
import { bytesEqual } from '../core/bytes.js';

/** Walrus `EventID` (serde camelCase): the Sui transaction digest and event index. */
export interface ChainEventId {
  readonly txDigest: string;
  /** A decimal string (u64). */
  readonly eventSeq: string;
}

/** One on-chain `Blob` object (a blob ID may have several: permanent and deletable ones). */
export interface BlobObjectRegistration {
  /** The Sui object ID of the `Blob` object, 32 bytes. */
  readonly objectId: Uint8Array;
  readonly deletable: boolean;
  readonly registeredEpoch: number;
  /** The first epoch in which the blob is no longer stored (`storage.end_epoch`, exclusive). */
  readonly endEpoch: number;
  /** Set by `certify_blob`; null while only registered. */
  readonly certifiedEpoch: number | null;
  /** A deletable blob that its owner deleted. */
  readonly deleted: boolean;
  /** The event that last changed this object. */
  readonly event: ChainEventId;
}

/** Everything the chain says about one blob ID. */
export interface BlobRegistration {
  readonly blobId: Uint8Array;
  /** Set once an invalid-blob-ID certificate was accepted: every copy of the data goes. */
  readonly invalidEvent: ChainEventId | null;
  readonly objects: readonly BlobObjectRegistration[];
}

export type ChainChange =
  | { readonly kind: 'blob'; readonly cursor: string; readonly registration: BlobRegistration }
  | {
      readonly kind: 'epoch';
      readonly cursor: string;
      readonly epoch: number;
      /** The shards this node holds from `epoch` on. */
      readonly shards: readonly number[];
    };

export interface ChainSubscription {
  close(): void;
}

/** What the node offers a view when it subscribes; a view may ignore all of it. */
export interface SubscribeOptions {
  /**
   * The snapshot the node stored for a blob, i.e. the state after every change it has applied so
   * far. An event-sourced view (chain/sui-chain-view.ts) builds the next snapshot from it, so its
   * snapshots survive restarts without a chain index by blob ID.
   */
  readonly stored?: (blobId: Uint8Array) => BlobRegistration | null;
  /** Called once, when the replay first reaches the head of the chain. */
  readonly onCaughtUp?: () => void;
}

export interface ChainView {
  readonly nShards: number;
  currentEpoch(): number;
  /** Shard indices this node holds in the current epoch, ascending. */
  shardsHeld(): readonly number[];
  blobRegistration(blobId: Uint8Array): Promise<BlobRegistration | null>;
  subscribe(
    after: string | null,
    listener: (change: ChainChange) => Promise<void>,
    options?: SubscribeOptions,
  ): ChainSubscription;
}

// Pure helpers over registrations: the node's rules for "registered", in one place.

/** Objects that are neither deleted nor expired in `epoch`. */
export function liveObjects(
  registration: BlobRegistration,
  epoch: number,
): BlobObjectRegistration[] {
  return registration.objects.filter((object) => !object.deleted && object.endEpoch > epoch);
}

/** Registered and unexpired in `epoch`, and not invalidated. */
export function isRegistered(registration: BlobRegistration | null, epoch: number): boolean {
  if (registration === null) return false;
  if (registration.invalidEvent !== null) return false;
  return liveObjects(registration, epoch).length > 0;
}

/** The live object a confirmation for `persistence` would be certified against, if any. */
export function confirmableObject(
  registration: BlobRegistration | null,
  epoch: number,
  objectId: Uint8Array | null,
): BlobObjectRegistration | null {
  if (registration === null || registration.invalidEvent !== null) return null;
  const live = liveObjects(registration, epoch);
  if (objectId === null) return live.find((object) => !object.deletable) ?? null;
  return live.find((object) => object.deletable && bytesEqual(object.objectId, objectId)) ?? null;
}

/** Registered, valid, and some live object is certified: its slivers must be on this node. */
export function isCertified(registration: BlobRegistration | null, epoch: number): boolean {
  if (registration === null || registration.invalidEvent !== null) return false;
  return liveObjects(registration, epoch).some((object) => object.certifiedEpoch !== null);
}

/** True when nothing about this blob can ever be stored again: invalid, or every object gone. */
export function isRetired(registration: BlobRegistration, epoch: number): boolean {
  return registration.invalidEvent !== null || liveObjects(registration, epoch).length === 0;
}
