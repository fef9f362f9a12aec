/**
 * The storage node's orchestration behind one interface (Walrus's `ServiceState`): the REST API is
 * written against `StorageNodeService` and knows nothing of disks, chains or keys.
 *
 * Unverified data comes in, verified data is stored and served. A confirmation is signed only for
 * a registered, unexpired blob, and only once its metadata and both slivers of every shard this
 * node holds in the current epoch are on disk. Blob state comes from the chain view's change
 * stream, mirrored into the node store together with the stream's cursor.
 *
 * It also decides when slivers must be recovered (a certified blob the node lacks data of; the
 * work itself is recovery.ts) and when an epoch is ready to be reported (`onEpochReady`).
 *
 * Over 400 lines because it is the one place where the protocol's rules meet: the service
 * interface, upload modes, confirmation rules, change handling and what recovery may store read
 * best side by side. Pure parts live apart: blob-status.ts, recovery-plan.ts, pending-cache.ts,
 * storage/; recovery's network side is recovery.ts.
 */
import { blsPublicKey, blsSign } from '../core/bls.js';
import { blobIdToString } from '../core/blob-id.js';
import { type SliverAxis, shardForPair, sliverIndexOfPair } from '../core/encoding/mapping.js';
import {
  type BlobMetadata,
  MetadataVerificationError,
  type VerifiedMetadata,
  verifyMetadata,
} from '../core/encoding/metadata.js';
import {
  type InconsistencyProof,
  InvalidInconsistencyProofError,
  verifyInconsistencyProof,
} from '../core/encoding/inconsistency.js';
import type { RecoverySymbol } from '../core/encoding/recovery-symbols.js';
import { SliverDecodeError, sliverDataBcsBytes } from '../core/encoding/sliver-data.js';
import {
  SliverVerificationError,
  layoutOf,
  sliverSymbolCount,
} from '../core/encoding/sliver-verification.js';
import {
  type BlobPersistence,
  invalidBlobIdMessage,
  storageConfirmationMessage,
} from '../core/messages.js';
import {
  type BlobRegistration,
  type ChainChange,
  type ChainSubscription,
  type ChainView,
  confirmableObject,
  isCertified,
  isRegistered,
  isRetired,
} from './chain-view.js';
import { type BlobStatus, blobStatusOf } from './blob-status.js';
import { NodeErrors } from './errors.js';
import { failPoint } from './fail-points.js';
import {
  EPOCH_SYNC_ROUNDS_MAX,
  EXPIRY_BATCH_BLOBS_MAX,
  RECOVERY_SWEEP_INTERVAL_MS,
  PENDING_BLOBS_MAX,
  PENDING_CACHE_BYTES_MAX,
  PENDING_TTL_MS,
} from './limits.js';
import { SymbolSources, ownRecoverySymbols } from './symbol-sources.js';
import type { Logger } from './log.js';
import { PendingCache, type PendingCacheLimits } from './pending-cache.js';
import {
  type RecoverySymbolFilter,
  type SourceSliver,
  planRecoverySymbols,
} from './recovery-plan.js';
import {
  type MissingSliver,
  type RecoveryHost,
  type RecoveryLimits,
  type RecoveryOutcome,
  type RecoveryPeer,
  type RecoveryProgress,
  SliverRecovery,
} from './recovery.js';
import type { NodeStorage } from './storage/storage.js';
import {
  SliverIndexMismatchError,
  type VerifiedSliver,
  verifySliverBcs,
} from './storage/verified-sliver.js';

export type { BlobStatus } from './blob-status.js';
export type { RecoverySymbolFilter, SymbolId } from './recovery-plan.js';

export type UploadIntent = 'immediate' | 'pending';
/** Walrus `StoredOnNodeStatus` (serde camelCase). */
export type StoredOnNodeStatus = 'nonexistent' | 'buffered' | 'stored';
export type StoreOutcome = 'stored' | 'alreadyStored' | 'buffered';

export interface SignedMessage {
  readonly serializedMessage: Uint8Array;
  readonly signature: Uint8Array;
}

export interface ServiceHealthInfo {
  readonly uptime: { readonly secs: number; readonly nanos: number };
  readonly epoch: number;
  readonly publicKey: string;
  readonly nodeStatus: string;
  readonly eventProgress: { readonly persisted: number; readonly pending: number };
  readonly shardSummary: {
    readonly owned: number;
    readonly ownedShardStatus: {
      readonly unknown: number;
      readonly ready: number;
      readonly inTransfer: number;
      readonly inRecovery: number;
    };
    readonly readOnly: number;
  };
  readonly shardDetail?: {
    readonly owned: { shard: number; status: string }[];
    readonly other: { shard: number; status: string }[];
  };
  /** walrus-edge extension: sliver recovery counters (only on nodes that recover). */
  readonly recovery?: RecoveryProgress;
}

/** Reads slivers of one blob and axis one at a time, verified; null for one the node lacks. */
export interface SliverBatchReader {
  readonly pairIndices: readonly number[];
  /** BCS bytes each sliver of this axis has. */
  readonly sliverBcsBytes: number;
  read(pairIndex: number): Uint8Array | null;
}

/** What the REST API needs from a storage node. */
export interface StorageNodeService {
  readonly nShards: number;
  readonly publicKey: Uint8Array;
  currentEpoch(): number;
  retrieveMetadata(blobId: Uint8Array): Promise<VerifiedMetadata>;
  storeMetadata(
    blobId: Uint8Array,
    metadata: BlobMetadata,
    intent: UploadIntent,
  ): Promise<StoreOutcome>;
  metadataStatus(blobId: Uint8Array): Promise<StoredOnNodeStatus>;
  /** Cheap checks before a sliver body is read; returns the exact BCS size the body must have. */
  prepareSliverUpload(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    intent: UploadIntent,
  ): Promise<number>;
  storeSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    bcs: Uint8Array,
    intent: UploadIntent,
  ): Promise<StoreOutcome>;
  retrieveSliver(blobId: Uint8Array, pairIndex: number, axis: SliverAxis): Promise<Uint8Array>;
  sliverStatus(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
  ): Promise<StoredOnNodeStatus>;
  sliverBatch(
    blobId: Uint8Array,
    axis: SliverAxis,
    pairIndices: readonly number[],
  ): Promise<SliverBatchReader>;
  computeStorageConfirmation(
    blobId: Uint8Array,
    persistence: BlobPersistence,
  ): Promise<SignedMessage>;
  waitForRegistration(blobId: Uint8Array, timeoutMs: number): Promise<boolean>;
  verifyInconsistencyProof(blobId: Uint8Array, proof: InconsistencyProof): Promise<SignedMessage>;
  retrieveRecoverySymbols(
    blobId: Uint8Array,
    filter: RecoverySymbolFilter,
  ): Promise<RecoverySymbol[]>;
  blobStatus(blobId: Uint8Array): Promise<BlobStatus>;
  healthInfo(detailed: boolean): Promise<ServiceHealthInfo>;
}

export interface StorageNodeOptions {
  readonly chain: ChainView;
  readonly storage: NodeStorage;
  /** The BLS12-381 protocol secret key (32 bytes). */
  readonly protocolSecretKey: Uint8Array;
  readonly logger: Logger;
  readonly pending?: Partial<PendingCacheLimits>;
  /** Injected clock (ms). */
  readonly nowMs?: () => number;
  /** Recover missing slivers of certified blobs from these peers; absent: no recovery. */
  readonly recovery?: NodeRecoveryOptions;
  /**
   * Called once the node holds what it needs for `epoch` (every certified blob's slivers on its
   * shards, as far as recovery could get them): where a chain-backed node reports
   * `epoch_sync_done`. Called again after restarts; it must be idempotent.
   */
  readonly onEpochReady?: (epoch: number) => Promise<void>;
}

export interface NodeRecoveryOptions {
  /** The other members of the current committee. */
  readonly peers: () => readonly RecoveryPeer[];
  readonly limits?: Partial<RecoveryLimits>;
  readonly fetch?: typeof fetch;
  /** An inconsistent blob was proven: have it invalidated on chain (invalidation.ts). */
  readonly onInconsistent?: (blobId: Uint8Array, proof: InconsistencyProof) => void;
}

const AXES: readonly SliverAxis[] = ['primary', 'secondary'];
/**
 * Up to this share of a sliver's own symbols, a recovery-symbol request reads just those (each
 * hashed against its kept leaf); past it, the whole sliver (one checksum, expansion kept).
 */
export const OWN_SYMBOLS_READ_FRACTION_MAX = 1 / 2;

const slot = (blobId: Uint8Array): string => Buffer.from(blobId).toString('hex');
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function mapMetadataError(error: unknown): never {
  if (error instanceof MetadataVerificationError) {
    if (error.reason === 'UNSUPPORTED_ENCODING_TYPE') throw NodeErrors.unsupportedEncodingType();
    throw NodeErrors.invalidMetadata(error.message);
  }
  throw error;
}

function mapSliverError(error: unknown): never {
  if (error instanceof SliverDecodeError)
    throw NodeErrors.undecodableBcs(`SliverData: ${error.message}`);
  if (error instanceof SliverIndexMismatchError)
    throw NodeErrors.sliverIndexMismatch(error.index, error.expectedIndex);
  if (error instanceof SliverVerificationError)
    throw NodeErrors.invalidSliver(`${error.reason}: ${error.message}`);
  throw error;
}

export class StorageNode implements StorageNodeService {
  readonly nShards: number;
  readonly publicKey: Uint8Array;
  private readonly chain: ChainView;
  private readonly storage: NodeStorage;
  private readonly secretKey: Uint8Array;
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  private readonly pending: PendingCache;
  private readonly symbolSources = new SymbolSources();
  private readonly registrationWaiters = new Map<string, Set<() => void>>();
  private readonly startedAtMs: number;
  private subscription: ChainSubscription | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private recoverySweepTimer: NodeJS.Timeout | null = null;
  private changesApplied = 0;
  /** Serializes chain changes with data deletions so a deletion never races a store. */
  private changeQueue: Promise<void> = Promise.resolve();
  private readonly recovery: SliverRecovery | null;
  private readonly onEpochReady: ((epoch: number) => Promise<void>) | null;
  private readonly caughtUp: Promise<void>;
  private markCaughtUp!: () => void;
  /** The newest epoch waiting for its readiness check, and whether the check loop runs. */
  private readinessEpoch: number | null = null;
  private readinessRunning = false;
  private closed = false;

  private constructor(options: StorageNodeOptions) {
    this.chain = options.chain;
    this.storage = options.storage;
    this.nShards = options.chain.nShards;
    this.secretKey = options.protocolSecretKey;
    this.publicKey = blsPublicKey(options.protocolSecretKey);
    this.logger = options.logger;
    this.nowMs = options.nowMs ?? Date.now;
    this.startedAtMs = this.nowMs();
    this.pending = new PendingCache(
      {
        bytesMax: options.pending?.bytesMax ?? PENDING_CACHE_BYTES_MAX,
        blobsMax: options.pending?.blobsMax ?? PENDING_BLOBS_MAX,
        ttlMs: options.pending?.ttlMs ?? PENDING_TTL_MS,
      },
      this.nowMs,
    );
    this.caughtUp = new Promise((resolve) => (this.markCaughtUp = resolve));
    this.onEpochReady = options.onEpochReady ?? null;
    this.recovery =
      options.recovery === undefined
        ? null
        : new SliverRecovery({
            host: this.recoveryHost(),
            peers: options.recovery.peers,
            logger: this.logger,
            limits: options.recovery.limits,
            fetch: options.recovery.fetch,
            onInconsistent: options.recovery.onInconsistent,
          });
  }

  /** Opens the node: held shards from the chain, then the change stream from the stored cursor. */
  static async start(options: StorageNodeOptions): Promise<StorageNode> {
    if (options.storage.nShards !== options.chain.nShards) {
      throw new Error(
        `storage is for ${options.storage.nShards} shards, the chain has ${options.chain.nShards}`,
      );
    }
    const node = new StorageNode(options);
    await node.storage.setHeldShards(node.chain.shardsHeld());
    const cursor = node.storage.chainCursor();
    node.subscription = node.chain.subscribe(cursor, (change) => node.enqueueChange(change), {
      stored: (blobId) => (node.closed ? null : node.storage.registration(blobId)),
      onCaughtUp: () => node.onCaughtUp(),
    });
    node.sweepTimer = setInterval(
      () => node.pending.sweep(),
      Math.max(1_000, node.pending.limits.ttlMs / 4),
    );
    node.sweepTimer.unref();
    if (node.recovery !== null) {
      node.recoverySweepTimer = setInterval(() => {
        if (node.recovery?.busy === false) void node.sweepForRecovery();
      }, RECOVERY_SWEEP_INTERVAL_MS);
      node.recoverySweepTimer.unref();
    }
    node.logger.log('info', 'node.started', {
      epoch: node.chain.currentEpoch(),
      nShards: node.nShards,
      shards: node.storage.heldShards(),
      publicKey: base64(node.publicKey),
      cursor,
    });
    return node;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscription?.close();
    this.subscription = null;
    this.recovery?.close();
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    if (this.recoverySweepTimer !== null) clearInterval(this.recoverySweepTimer);
    await this.changeQueue.catch(() => {});
    for (const waiters of this.registrationWaiters.values()) for (const wake of waiters) wake();
    this.registrationWaiters.clear();
    this.pending.clear();
    await this.storage.close();
  }

  currentEpoch(): number {
    return this.chain.currentEpoch();
  }

  // Chain changes.

  private enqueueChange(change: ChainChange): Promise<void> {
    const run = this.changeQueue.then(() => this.applyChange(change));
    this.changeQueue = run.catch((error: unknown) => {
      this.logger.log('error', 'chain.change_failed', { cursor: change.cursor, error });
    });
    return run;
  }

  private async applyChange(change: ChainChange): Promise<void> {
    this.changesApplied++;
    if (change.kind === 'epoch') {
      await this.storage.setHeldShards(change.shards);
      await this.storage.recordCursor(change.cursor);
      this.logger.log('info', 'chain.epoch', { epoch: change.epoch, shards: change.shards });
      await this.expireBlobs(change.epoch);
      this.scheduleReadiness(change.epoch);
      return;
    }
    const registration = change.registration;
    await this.storage.recordRegistration(registration, change.cursor);
    const epoch = this.chain.currentEpoch();
    if (isRegistered(registration, epoch)) {
      await this.flushPending(registration.blobId);
      this.wakeWaiters(registration.blobId);
    } else if (isRetired(registration, epoch)) {
      this.pending.take(registration.blobId);
      await this.deleteBlobDataNow(
        registration.blobId,
        registration.invalidEvent !== null ? 'invalid' : 'retired',
      );
    }
    if (
      this.recovery !== null &&
      isCertified(registration, epoch) &&
      this.lacksData(registration.blobId)
    )
      void this.recovery.enqueue(registration.blobId);
  }

  // Recovery and epoch readiness.

  private onCaughtUp(): void {
    if (this.closed) return;
    this.logger.log('info', 'chain.caught_up', { epoch: this.chain.currentEpoch() });
    this.markCaughtUp();
    this.scheduleReadiness(this.chain.currentEpoch());
  }

  /** True when a held shard lacks a sliver of the blob, or the metadata is missing. */
  private lacksData(blobId: Uint8Array): boolean {
    if (this.storage.heldShards().length === 0) return false;
    return !this.storage.hasMetadata(blobId) || !this.storage.hasAllSlivers(blobId);
  }

  /** Queues every certified, live blob this node lacks data of; one promise per queued blob. */
  private sweepForRecovery(): Promise<RecoveryOutcome>[] {
    const recovery = this.recovery;
    if (recovery === null || this.closed) return [];
    const epoch = this.chain.currentEpoch();
    const queued: Promise<RecoveryOutcome>[] = [];
    let after: Uint8Array | null = null;
    for (;;) {
      const batch = this.storage.registrationsAfter(after, EXPIRY_BATCH_BLOBS_MAX);
      for (const registration of batch) {
        if (isCertified(registration, epoch) && this.lacksData(registration.blobId))
          queued.push(recovery.enqueue(registration.blobId));
      }
      if (batch.length < EXPIRY_BATCH_BLOBS_MAX) return queued;
      after = batch[batch.length - 1].blobId;
    }
  }

  /** Runs the readiness check for `epoch` (a newer epoch supersedes one still waiting). */
  private scheduleReadiness(epoch: number): void {
    if (this.recovery === null && this.onEpochReady === null) return;
    this.readinessEpoch = epoch;
    if (this.readinessRunning) return;
    this.readinessRunning = true;
    void (async () => {
      try {
        while (this.readinessEpoch !== null && !this.closed) {
          const next = this.readinessEpoch;
          this.readinessEpoch = null;
          await this.prepareEpoch(next);
        }
      } catch (error) {
        this.logger.log('error', 'epoch.readiness_failed', { error });
      } finally {
        this.readinessRunning = false;
      }
    })();
  }

  /** Recovers what the node lacks for `epoch`, then reports it ready (epoch_sync_done). */
  private async prepareEpoch(epoch: number): Promise<void> {
    await this.caughtUp;
    for (let round = 1; ; round++) {
      const outcomes = await Promise.all(this.sweepForRecovery());
      if (this.closed || epoch !== this.chain.currentEpoch()) return; // superseded
      const failed = outcomes.filter((outcome) => outcome === 'failed').length;
      if (failed === 0) break;
      if (round >= EPOCH_SYNC_ROUNDS_MAX) {
        // The committee cannot finish the epoch change without this report; what is still
        // missing keeps being retried at the next sweep.
        this.logger.log('warn', 'epoch.sync_incomplete', { epoch, blobsFailed: failed });
        break;
      }
      this.logger.log('info', 'epoch.sync_retry', { epoch, round, blobsFailed: failed });
    }
    this.logger.log('info', 'epoch.ready', { epoch, shards: this.storage.heldShards() });
    if (this.onEpochReady === null) return;
    try {
      await this.onEpochReady(epoch);
    } catch (error) {
      this.logger.log('error', 'epoch.ready_callback_failed', { epoch, error });
    }
  }

  /** Runs `work` in the change queue, so it never races a chain change or a deletion. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.changeQueue.then(work);
    this.changeQueue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private recoveryHost(): RecoveryHost {
    const stillWanted = (blobId: Uint8Array) =>
      !this.closed && isCertified(this.storage.registration(blobId), this.chain.currentEpoch());
    return {
      nShards: this.nShards,
      needs: (blobId) => {
        if (!stillWanted(blobId) || this.storage.heldShards().length === 0) return null;
        const missing: MissingSliver[] = [];
        for (const pairIndex of this.storage.heldPairs(blobId)) {
          for (const axis of AXES) {
            if (!this.storage.hasSliver(blobId, pairIndex, axis)) missing.push({ pairIndex, axis });
          }
        }
        return { metadata: this.storage.readMetadata(blobId), missing };
      },
      storeMetadata: (metadata) =>
        this.serialized(async () => {
          if (!stillWanted(metadata.blobId)) return false;
          await this.storage.storeMetadata(metadata);
          return true;
        }),
      storeSliver: (sliver) =>
        this.serialized(async () => {
          const shard = shardForPair(sliver.pairIndex, sliver.blobId, this.nShards);
          if (!stillWanted(sliver.blobId) || !this.storage.holdsShard(shard)) return false;
          if (!this.storage.hasMetadata(sliver.blobId)) return false;
          return this.storage.storeSliver(sliver);
        }),
    };
  }

  private async expireBlobs(epoch: number): Promise<void> {
    let after: Uint8Array | null = null;
    for (;;) {
      const batch = this.storage.registrationsAfter(after, EXPIRY_BATCH_BLOBS_MAX);
      for (const registration of batch) {
        const blobId = registration.blobId;
        const hasData = this.storage.hasMetadata(blobId) || this.storage.hasAnySliver(blobId);
        if (isRetired(registration, epoch) && hasData) {
          await this.deleteBlobDataNow(blobId, 'expired');
        }
      }
      if (batch.length < EXPIRY_BATCH_BLOBS_MAX) return;
      after = batch[batch.length - 1].blobId;
    }
  }

  private async deleteBlobDataNow(blobId: Uint8Array, why: string): Promise<void> {
    this.symbolSources.forgetBlob(blobId);
    await this.storage.deleteBlobData(blobId);
    this.logger.log('info', 'blob.deleted', { blobId: blobIdToString(blobId), why });
  }

  /** Deletes every copy of the blob's data this node has (all shards), e.g. on operator request. */
  deleteBlobData(blobId: Uint8Array): Promise<void> {
    const run = this.changeQueue.then(() => {
      this.pending.take(blobId);
      return this.deleteBlobDataNow(blobId, 'requested');
    });
    this.changeQueue = run.catch(() => {});
    return run;
  }

  private async flushPending(blobId: Uint8Array): Promise<void> {
    const buffered = this.pending.take(blobId);
    if (buffered === null) return;
    if (buffered.metadata !== null) await this.storage.storeMetadata(buffered.metadata);
    let slivers = 0;
    for (const sliver of buffered.slivers.values()) {
      if (!this.storage.holdsShard(shardForPair(sliver.pairIndex, blobId, this.nShards))) continue;
      await this.storage.storeSliver(sliver);
      slivers++;
    }
    this.logger.log('info', 'pending.stored', { blobId: blobIdToString(blobId), slivers });
  }

  private wakeWaiters(blobId: Uint8Array): void {
    const waiters = this.registrationWaiters.get(slot(blobId));
    if (waiters === undefined) return;
    this.registrationWaiters.delete(slot(blobId));
    for (const wake of waiters) wake();
  }

  private async registrationOf(blobId: Uint8Array): Promise<BlobRegistration | null> {
    return this.storage.registration(blobId) ?? (await this.chain.blobRegistration(blobId));
  }

  // Checks shared by the sliver routes.

  private checkPairIndex(blobId: Uint8Array, pairIndex: number): void {
    if (!Number.isInteger(pairIndex) || pairIndex < 0 || pairIndex >= this.nShards) {
      throw NodeErrors.indexOutOfRange(pairIndex, this.nShards);
    }
    const shard = shardForPair(pairIndex, blobId, this.nShards);
    if (!this.storage.holdsShard(shard))
      throw NodeErrors.shardNotAssigned(shard, this.chain.currentEpoch());
  }

  /** Registered → 'store'; not yet but pending allowed → 'buffer'; otherwise throws. */
  private async uploadMode(blobId: Uint8Array, intent: UploadIntent): Promise<'store' | 'buffer'> {
    const registration = await this.registrationOf(blobId);
    if (registration?.invalidEvent != null) throw NodeErrors.invalidBlob();
    if (isRegistered(registration, this.chain.currentEpoch())) return 'store';
    if (intent === 'pending') return 'buffer';
    throw NodeErrors.notRegistered();
  }

  /** Stored metadata, or a buffered one not yet stored (both verified). */
  private metadataFor(blobId: Uint8Array): VerifiedMetadata {
    const metadata = this.storage.readMetadata(blobId) ?? this.pending.metadata(blobId);
    if (metadata === null) throw NodeErrors.metadataMissing();
    return metadata;
  }

  // Metadata.

  async retrieveMetadata(blobId: Uint8Array): Promise<VerifiedMetadata> {
    const metadata = this.storage.readMetadata(blobId);
    if (metadata === null) throw NodeErrors.metadataNotFound();
    return metadata;
  }

  async storeMetadata(
    blobId: Uint8Array,
    metadata: BlobMetadata,
    intent: UploadIntent,
  ): Promise<StoreOutcome> {
    const mode = await this.uploadMode(blobId, intent);
    let verified: VerifiedMetadata;
    try {
      verified = verifyMetadata(blobId, metadata, this.nShards);
    } catch (error) {
      mapMetadataError(error);
    }
    if (this.storage.hasMetadata(blobId)) return 'alreadyStored';
    if (mode === 'store') {
      const stored = await this.storage.storeMetadata(verified);
      if (stored) this.logger.log('debug', 'metadata.stored', { blobId: blobIdToString(blobId) });
      return stored ? 'stored' : 'alreadyStored';
    }
    const outcome = this.pending.putMetadata(verified);
    if (outcome === 'saturated') throw NodeErrors.cacheSaturated();
    await this.recheckAfterBuffering(blobId);
    return 'buffered';
  }

  /** A registration may have been applied while we buffered: flush now rather than never. */
  private async recheckAfterBuffering(blobId: Uint8Array): Promise<void> {
    const registration = this.storage.registration(blobId);
    if (isRegistered(registration, this.chain.currentEpoch())) {
      const run = this.changeQueue.then(() => this.flushPending(blobId));
      this.changeQueue = run.catch(() => {});
      await run;
    }
  }

  async metadataStatus(blobId: Uint8Array): Promise<StoredOnNodeStatus> {
    if (this.storage.hasMetadata(blobId)) return 'stored';
    return this.pending.metadata(blobId) !== null ? 'buffered' : 'nonexistent';
  }

  // Slivers.

  async prepareSliverUpload(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    intent: UploadIntent,
  ): Promise<number> {
    this.checkPairIndex(blobId, pairIndex);
    await this.uploadMode(blobId, intent);
    const layout = layoutOf(this.metadataFor(blobId));
    return sliverDataBcsBytes(
      axis === 'primary' ? layout.primarySliverBytes : layout.secondarySliverBytes,
    );
  }

  async storeSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    bcs: Uint8Array,
    intent: UploadIntent,
  ): Promise<StoreOutcome> {
    this.checkPairIndex(blobId, pairIndex);
    const mode = await this.uploadMode(blobId, intent);
    const metadata = this.metadataFor(blobId);
    // A stored copy counts only if it still verifies; a rotten one is replaced by a good upload.
    const stored = this.storage.hasSliver(blobId, pairIndex, axis);
    if (stored && this.storage.readSliver(metadata, pairIndex, axis) !== null)
      return 'alreadyStored';
    let verified: VerifiedSliver;
    try {
      verified = verifySliverBcs(metadata, pairIndex, axis, bcs);
    } catch (error) {
      mapSliverError(error);
    }
    if (mode === 'store' && this.storage.hasMetadata(blobId)) {
      if (stored)
        this.logger.log('warn', 'sliver.repaired', {
          blobId: blobIdToString(blobId),
          pairIndex,
          axis,
        });
      return (await this.storage.storeSliver(verified, stored)) ? 'stored' : 'alreadyStored';
    }
    const outcome = this.pending.putSliver(verified);
    if (outcome === 'saturated') throw NodeErrors.cacheSaturated();
    await this.recheckAfterBuffering(blobId);
    return 'buffered';
  }

  async retrieveSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
  ): Promise<Uint8Array> {
    this.checkPairIndex(blobId, pairIndex);
    const metadata = this.storage.readMetadata(blobId);
    const verified = metadata === null ? null : this.storage.readSliver(metadata, pairIndex, axis);
    if (verified === null) throw NodeErrors.sliverNotFound();
    return verified.bcs;
  }

  async sliverStatus(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
  ): Promise<StoredOnNodeStatus> {
    this.checkPairIndex(blobId, pairIndex);
    if (this.storage.hasSliver(blobId, pairIndex, axis)) return 'stored';
    return this.pending.hasSliver(blobId, pairIndex, axis) ? 'buffered' : 'nonexistent';
  }

  async sliverBatch(
    blobId: Uint8Array,
    axis: SliverAxis,
    pairIndices: readonly number[],
  ): Promise<SliverBatchReader> {
    for (const pairIndex of pairIndices) this.checkPairIndex(blobId, pairIndex);
    const metadata = this.storage.readMetadata(blobId);
    if (metadata === null) throw NodeErrors.metadataNotFound();
    const layout = layoutOf(metadata);
    const storage = this.storage;
    return {
      pairIndices,
      sliverBcsBytes: sliverDataBcsBytes(
        axis === 'primary' ? layout.primarySliverBytes : layout.secondarySliverBytes,
      ),
      read: (pairIndex) => storage.readSliver(metadata, pairIndex, axis)?.bcs ?? null,
    };
  }

  // Confirmations and attestations.

  async computeStorageConfirmation(
    blobId: Uint8Array,
    persistence: BlobPersistence,
  ): Promise<SignedMessage> {
    const epoch = this.chain.currentEpoch();
    const objectId = persistence.kind === 'deletable' ? persistence.objectId : null;
    if (confirmableObject(await this.registrationOf(blobId), epoch, objectId) === null)
      throw NodeErrors.notRegistered();
    const shards = this.chain.shardsHeld();
    const allHeld = shards.every((shard) => this.storage.holdsShard(shard));
    if (!allHeld || !this.storage.hasMetadata(blobId) || !this.storage.hasAllSlivers(blobId)) {
      throw NodeErrors.missingSlivers();
    }
    // Every write already awaited its own flush; this also covers writes still in flight.
    await this.storage.flushAll();
    await failPoint('confirmation-before-sign');
    const message = storageConfirmationMessage(epoch, blobId, persistence);
    return { serializedMessage: message, signature: blsSign(this.secretKey, message) };
  }

  waitForRegistration(blobId: Uint8Array, timeoutMs: number): Promise<boolean> {
    const registered = () =>
      isRegistered(this.storage.registration(blobId), this.chain.currentEpoch());
    if (registered() || timeoutMs <= 0) return Promise.resolve(registered());
    return new Promise((resolve) => {
      const key = slot(blobId);
      const waiters = this.registrationWaiters.get(key) ?? new Set<() => void>();
      this.registrationWaiters.set(key, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.registrationWaiters.get(key) === waiters)
          this.registrationWaiters.delete(key);
        resolve(registered());
      };
      const timer = setTimeout(wake, timeoutMs);
      waiters.add(wake);
    });
  }

  async verifyInconsistencyProof(
    blobId: Uint8Array,
    proof: InconsistencyProof,
  ): Promise<SignedMessage> {
    const metadata = this.storage.readMetadata(blobId);
    if (metadata === null) throw NodeErrors.metadataMissing();
    try {
      verifyInconsistencyProof(metadata, proof);
    } catch (error) {
      if (error instanceof InvalidInconsistencyProofError)
        throw NodeErrors.invalidProof(`${error.reason}: ${error.message}`);
      if (error instanceof RangeError) throw NodeErrors.invalidProof(error.message);
      throw error;
    }
    const message = invalidBlobIdMessage(this.chain.currentEpoch(), blobId);
    this.logger.log('warn', 'blob.inconsistency_proven', {
      blobId: blobIdToString(blobId),
      axis: proof.axis,
    });
    return { serializedMessage: message, signature: blsSign(this.secretKey, message) };
  }

  // Recovery symbols.

  async retrieveRecoverySymbols(
    blobId: Uint8Array,
    filter: RecoverySymbolFilter,
  ): Promise<RecoverySymbol[]> {
    const plan = planRecoverySymbols(filter, this.nShards, new Set(this.storage.heldPairs(blobId)));
    const metadata = this.storage.readMetadata(blobId);
    if (metadata === null) throw NodeErrors.sliverNotFound();
    const symbols: RecoverySymbol[] = [];
    let failure = plan.someNotHeld ? NodeErrors.symbolNotPresent() : null;
    for (const source of plan.sources) {
      const index = sliverIndexOfPair(source.axis, source.pairIndex, this.nShards);
      // Expanded at most once per source sliver (not at all for its own symbols when its leaf
      // hashes were kept), whatever the number of symbols taken from it, and kept for the next
      // request (a reader rebuilding many rows asks again and again).
      let expanded = this.symbolSources.get(blobId, source.axis, index);
      if (expanded === undefined && this.readsOwnSymbolsOnly(metadata, source)) {
        const own = this.storage.readOwnSymbols(
          metadata,
          source.pairIndex,
          source.axis,
          source.targets,
        );
        if (own !== undefined) {
          symbols.push(
            ...ownRecoverySymbols(
              metadata,
              source.axis,
              index,
              own.leafHashes,
              source.targets,
              own.symbols,
            ),
          );
          continue;
        }
      }
      if (expanded === undefined) {
        const verified = this.storage.readSliver(metadata, source.pairIndex, source.axis);
        if (verified === null) {
          failure = NodeErrors.sliverNotFound();
          continue;
        }
        const leafHashes = this.storage.readLeafHashes(metadata, source.pairIndex, source.axis);
        expanded = this.symbolSources.expand(
          metadata,
          source.axis,
          index,
          verified.sliver.data,
          leafHashes,
        );
      }
      for (const target of source.targets) symbols.push(expanded.symbolFor(target));
    }
    // Like Walrus: skip what cannot be served, fail only when nothing can.
    if (symbols.length === 0) throw failure ?? NodeErrors.symbolNotPresent();
    return symbols;
  }

  /**
   * A few of a sliver's own symbols are read alone (storage.readOwnSymbols); past
   * OWN_SYMBOLS_READ_FRACTION_MAX of the sliver, reading and checksumming it whole is cheaper than
   * hashing each symbol, and the expansion is kept for the next request.
   */
  private readsOwnSymbolsOnly(metadata: VerifiedMetadata, source: SourceSliver): boolean {
    const own = sliverSymbolCount(layoutOf(metadata), source.axis);
    return (
      source.targets.length <= own * OWN_SYMBOLS_READ_FRACTION_MAX &&
      source.targets.every((target) => target < own)
    );
  }

  // Status.

  async blobStatus(blobId: Uint8Array): Promise<BlobStatus> {
    return blobStatusOf(await this.registrationOf(blobId), this.chain.currentEpoch());
  }

  async healthInfo(detailed: boolean): Promise<ServiceHealthInfo> {
    const uptimeMs = Math.max(0, this.nowMs() - this.startedAtMs);
    const shards = this.storage.heldShards();
    const recovering = this.recovery?.shardsInRecovery() ?? new Set<number>();
    const inRecovery = shards.filter((shard) => recovering.has(shard)).length;
    const info: ServiceHealthInfo = {
      uptime: { secs: Math.floor(uptimeMs / 1000), nanos: (uptimeMs % 1000) * 1_000_000 },
      epoch: this.chain.currentEpoch(),
      publicKey: base64(this.publicKey),
      // Walrus's NodeStatus names.
      nodeStatus: this.recovery?.busy === true ? 'RecoveryInProgress' : 'Active',
      eventProgress: { persisted: this.changesApplied, pending: 0 },
      shardSummary: {
        owned: shards.length,
        ownedShardStatus: {
          unknown: 0,
          ready: shards.length - inRecovery,
          inTransfer: 0,
          inRecovery,
        },
        readOnly: 0,
      },
      ...(this.recovery === null ? {} : { recovery: this.recovery.progress() }),
    };
    if (!detailed) return info;
    const status = (shard: number) => (recovering.has(shard) ? 'inRecovery' : 'ready');
    return {
      ...info,
      shardDetail: { owned: shards.map((shard) => ({ shard, status: status(shard) })), other: [] },
    };
  }
}
