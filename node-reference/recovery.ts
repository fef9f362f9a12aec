/**
 * Sliver recovery (Walrus `node/blob_sync.rs`): a certified blob whose slivers this node lacks
 * on its shards — it was down during the upload, its data dir was wiped, or a shard moved to it —
 * is rebuilt from the other nodes' recovery symbols. For a primary sliver the node asks the
 * holders of secondary slivers (`GET …/recoverySymbols?targetSliver=i&targetType=primary`),
 * collects n_s distinct symbols, and decodes; a secondary sliver needs n_p symbols from primary
 * holders.
 *
 * Every symbol is verified against the metadata as it arrives (a bad one is dropped and logged, the
 * peer that sent it is not trusted for the rest of that sliver), and the decoded sliver is verified
 * again before it is stored. Symbols that verify but decode to a sliver contradicting the metadata
 * prove the writer encoded inconsistently: the inconsistency proof is built, checked and logged,
 * and the blob is not retried.
 *
 * Bounded: `blobsInFlightMax` blobs and `sliversInFlightMax` slivers per blob at once, at most
 * `PEER_REQUESTS_IN_FLIGHT_MAX` peers asked at once per sliver, `attemptsMax` attempts per blob
 * with exponential backoff. What failed is retried by the next sweep (restart, epoch change).
 *
 * Over 400 lines: the queue, the per-blob attempt and the inconsistency handling share the job
 * state and the limits; apart they would pass that state around.
 */
import { assert } from '../core/assert.js';
import { blobIdToString } from '../core/blob-id.js';
import {
  type InconsistencyProof,
  encodeInconsistencyProof,
  verifyInconsistencyProof,
} from '../core/encoding/inconsistency.js';
import { type SliverAxis, shardForPair, sliverIndexOfPair } from '../core/encoding/mapping.js';
import { type VerifiedMetadata, verifyMetadata } from '../core/encoding/metadata.js';
import {
  InconsistentBlobError,
  type RecoverySymbol,
  recoverSliverFromVerified,
  symbolsNeededToRecover,
  verifyRecoverySymbol,
} from '../core/encoding/recovery-symbols.js';
import { encodeSliverData } from '../core/encoding/sliver-data.js';
import { layoutOf } from '../core/encoding/sliver-verification.js';
import { bytesEqual } from '../core/bytes.js';
import { shuffled } from '../client/lanes.js';
import { StorageNodeClient } from '../client/storage-node-client.js';
import type { Logger } from './log.js';
import { type VerifiedSliver, verifySliverBcs } from './storage/verified-sliver.js';

/** Peers asked at once for the symbols of one sliver: enough to fill n_s quickly, not a flood. */
export const PEER_REQUESTS_IN_FLIGHT_MAX = 4;
/** Proofs up to this size go into the log line itself; larger ones are logged by size only. */
export const LOGGED_PROOF_BYTES_MAX = 256 * 1024;

export interface RecoveryLimits {
  /** Blobs recovered at once. */
  readonly blobsInFlightMax: number;
  /** Slivers of one blob recovered at once (each decode is CPU on the event loop). */
  readonly sliversInFlightMax: number;
  /** Attempts per blob before it waits for the next sweep. */
  readonly attemptsMax: number;
  /** First retry delay; doubles per attempt up to `backoffMsMax`. */
  readonly backoffMs: number;
  readonly backoffMsMax: number;
  /** Per request to a peer. */
  readonly requestTimeoutMs: number;
}

export const RECOVERY_LIMITS_DEFAULT: RecoveryLimits = Object.freeze({
  blobsInFlightMax: 2,
  sliversInFlightMax: 4,
  attemptsMax: 6,
  backoffMs: 500,
  backoffMsMax: 30_000,
  requestTimeoutMs: 30_000,
});

/** Another storage node of the current committee. */
export interface RecoveryPeer {
  readonly url: string;
  readonly shards: readonly number[];
}

export interface MissingSliver {
  readonly pairIndex: number;
  readonly axis: SliverAxis;
}

/** What the node still lacks of a blob it must hold. */
export interface RecoveryNeeds {
  /** Null when the metadata must be fetched too. */
  readonly metadata: VerifiedMetadata | null;
  readonly missing: readonly MissingSliver[];
}

/** The node side: what it needs, and stores that re-check the blob is still wanted. */
export interface RecoveryHost {
  readonly nShards: number;
  /** Null when nothing is needed any more (not certified, expired, deleted, invalid). */
  needs(blobId: Uint8Array): RecoveryNeeds | null;
  /** False when the blob is no longer wanted; nothing was stored then. */
  storeMetadata(metadata: VerifiedMetadata): Promise<boolean>;
  storeSliver(sliver: VerifiedSliver): Promise<boolean>;
}

export type RecoveryOutcome = 'recovered' | 'unneeded' | 'failed' | 'inconsistent' | 'closed';

export interface RecoveryProgress {
  readonly blobsQueued: number;
  readonly blobsActive: number;
  readonly blobsRecovered: number;
  readonly blobsFailed: number;
  readonly blobsInconsistent: number;
  readonly sliversRecovered: number;
  /** Slivers the active blobs still lack. */
  readonly sliversPending: number;
  readonly symbolsRejected: number;
}

interface Job {
  readonly blobId: Uint8Array;
  readonly done: Promise<RecoveryOutcome>;
  readonly resolve: (outcome: RecoveryOutcome) => void;
  running: boolean;
  /** Enqueued again while running (e.g. shards were added): run once more afterwards. */
  again: boolean;
  /** Shards of the slivers still missing, for the health report. */
  shards: number[];
}

class NotEnoughSymbolsError extends Error {
  override name = 'NotEnoughSymbolsError';
}

const slot = (blobId: Uint8Array): string => Buffer.from(blobId).toString('hex');

export interface SliverRecoveryOptions {
  readonly host: RecoveryHost;
  readonly peers: () => readonly RecoveryPeer[];
  readonly logger: Logger;
  readonly limits?: Partial<RecoveryLimits>;
  readonly fetch?: typeof fetch;
  /** Called with a valid inconsistency proof: the node has the blob invalidated (invalidation.ts). */
  readonly onInconsistent?: (blobId: Uint8Array, proof: InconsistencyProof) => void;
}

export class SliverRecovery {
  readonly limits: RecoveryLimits;
  private readonly host: RecoveryHost;
  private readonly peers: () => readonly RecoveryPeer[];
  private readonly logger: Logger;
  private readonly fetch: typeof fetch;
  private readonly onInconsistent: SliverRecoveryOptions['onInconsistent'];
  private readonly jobs = new Map<string, Job>();
  private readonly closing = new AbortController();
  private active = 0;
  private counters = {
    blobsRecovered: 0,
    blobsFailed: 0,
    blobsInconsistent: 0,
    sliversRecovered: 0,
    symbolsRejected: 0,
  };

  constructor(options: SliverRecoveryOptions) {
    this.limits = { ...RECOVERY_LIMITS_DEFAULT, ...options.limits };
    assert(this.limits.blobsInFlightMax >= 1, 'recovery needs at least one blob lane');
    assert(this.limits.sliversInFlightMax >= 1, 'recovery needs at least one sliver lane');
    assert(this.limits.attemptsMax >= 1, 'recovery needs at least one attempt');
    this.host = options.host;
    this.peers = options.peers;
    this.logger = options.logger;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.onInconsistent = options.onInconsistent;
  }

  /** Queues a blob (once); resolves when its recovery ends, whatever the outcome. */
  enqueue(blobId: Uint8Array): Promise<RecoveryOutcome> {
    if (this.closing.signal.aborted) return Promise.resolve('closed');
    const key = slot(blobId);
    const existing = this.jobs.get(key);
    if (existing !== undefined) {
      if (existing.running) existing.again = true;
      return existing.done;
    }
    let resolve!: (outcome: RecoveryOutcome) => void;
    const done = new Promise<RecoveryOutcome>((r) => (resolve = r));
    this.jobs.set(key, {
      blobId: Uint8Array.from(blobId),
      done,
      resolve,
      running: false,
      again: false,
      shards: [],
    });
    this.pump();
    return done;
  }

  progress(): RecoveryProgress {
    let sliversPending = 0;
    for (const job of this.jobs.values()) if (job.running) sliversPending += job.shards.length;
    return {
      blobsQueued: this.jobs.size - this.active,
      blobsActive: this.active,
      ...this.counters,
      sliversPending,
    };
  }

  /** Shards with slivers under recovery right now (for the health report). */
  shardsInRecovery(): Set<number> {
    const out = new Set<number>();
    for (const job of this.jobs.values()) for (const shard of job.shards) out.add(shard);
    return out;
  }

  get busy(): boolean {
    return this.jobs.size > 0;
  }

  /** Stops taking work; running attempts end at their next step. */
  close(): void {
    this.closing.abort();
    for (const job of this.jobs.values()) if (!job.running) job.resolve('closed');
  }

  private pump(): void {
    for (const job of this.jobs.values()) {
      if (this.active >= this.limits.blobsInFlightMax) return;
      if (job.running) continue;
      job.running = true;
      this.active++;
      void this.runJob(job);
    }
  }

  private async runJob(job: Job): Promise<void> {
    let outcome: RecoveryOutcome = 'unneeded';
    do {
      job.again = false;
      const next = await this.recoverBlob(job).catch((error: unknown) => {
        this.logger.log('error', 'recovery.blob_crashed', {
          blobId: blobIdToString(job.blobId),
          error,
        });
        return 'failed' as const;
      });
      // A second run that finds nothing left keeps the first run's 'recovered'.
      if (!(outcome === 'recovered' && next === 'unneeded')) outcome = next;
    } while (job.again && outcome !== 'inconsistent' && !this.closing.signal.aborted);
    this.jobs.delete(slot(job.blobId));
    this.active--;
    job.shards = [];
    if (outcome === 'recovered') this.counters.blobsRecovered++;
    if (outcome === 'failed') this.counters.blobsFailed++;
    if (outcome === 'inconsistent') this.counters.blobsInconsistent++;
    job.resolve(outcome);
    if (!this.closing.signal.aborted) this.pump();
  }

  private async recoverBlob(job: Job): Promise<RecoveryOutcome> {
    const blobIdText = blobIdToString(job.blobId);
    for (let attempt = 1; ; attempt++) {
      if (this.closing.signal.aborted) return 'closed';
      const needs = this.host.needs(job.blobId);
      if (needs === null || (needs.metadata !== null && needs.missing.length === 0)) {
        if (attempt > 1) this.logger.log('info', 'recovery.blob_done', { blobId: blobIdText });
        return attempt > 1 ? 'recovered' : 'unneeded';
      }
      job.shards = needs.missing.map((m) =>
        shardForPair(m.pairIndex, job.blobId, this.host.nShards),
      );
      if (attempt === 1) {
        this.logger.log('info', 'recovery.blob_started', {
          blobId: blobIdText,
          missing: needs.missing.length,
          metadata: needs.metadata !== null,
        });
      }
      const result = await this.attempt(job.blobId, needs);
      if (result === 'inconsistent') return 'inconsistent';
      // After a complete pass the next round confirms that nothing is left; the bound on rounds
      // holds even if a host kept reporting the same needs.
      if (result === 'complete' && attempt <= this.limits.attemptsMax) continue;
      if (attempt >= this.limits.attemptsMax) {
        this.logger.log('warn', 'recovery.blob_failed', {
          blobId: blobIdText,
          attempts: attempt,
          missing: this.host.needs(job.blobId)?.missing.length ?? 0,
        });
        return 'failed';
      }
      const delayMs = Math.min(
        this.limits.backoffMsMax,
        this.limits.backoffMs * 2 ** (attempt - 1),
      );
      this.logger.log('info', 'recovery.retry', { blobId: blobIdText, attempt, delayMs });
      await this.sleep(delayMs);
    }
  }

  /** One pass over what is missing: 'complete', 'partial' (retry later) or 'inconsistent'. */
  private async attempt(
    blobId: Uint8Array,
    needs: RecoveryNeeds,
  ): Promise<'complete' | 'partial' | 'inconsistent'> {
    const peers = this.peers().filter((peer) => peer.shards.length > 0);
    let metadata = needs.metadata;
    if (metadata === null) {
      metadata = await this.fetchMetadata(blobId, peers);
      if (metadata === null) return 'partial';
      if (!(await this.host.storeMetadata(metadata))) return 'complete';
    }
    const queue = [...needs.missing];
    let partial = false;
    let inconsistent = false;
    const lane = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (inconsistent || this.closing.signal.aborted) return;
        const result = await this.recoverOne(metadata, next, peers);
        if (result === 'inconsistent') inconsistent = true;
        else if (result === 'short') partial = true;
      }
    };
    const lanes = Math.min(this.limits.sliversInFlightMax, queue.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (inconsistent) return 'inconsistent';
    return partial ? 'partial' : 'complete';
  }

  private async recoverOne(
    metadata: VerifiedMetadata,
    { pairIndex, axis }: MissingSliver,
    peers: readonly RecoveryPeer[],
  ): Promise<'stored' | 'short' | 'inconsistent'> {
    const targetIndex = sliverIndexOfPair(axis, pairIndex, metadata.nShards);
    let symbols: RecoverySymbol[];
    try {
      symbols = await this.collectSymbols(metadata, axis, targetIndex, peers);
    } catch (error) {
      if (!(error instanceof NotEnoughSymbolsError)) throw error;
      this.logger.log('debug', 'recovery.sliver_short', {
        blobId: blobIdToString(metadata.blobId),
        pairIndex,
        axis,
        message: error.message,
      });
      return 'short';
    }
    let data: Uint8Array;
    try {
      // collectSymbols verified each symbol as it came (to blame its peer).
      data = recoverSliverFromVerified(metadata, axis, targetIndex, symbols);
    } catch (error) {
      if (!(error instanceof InconsistentBlobError)) throw error;
      this.reportInconsistency(metadata, error);
      return 'inconsistent';
    }
    const bcs = encodeSliverData({
      data,
      symbolBytes: layoutOf(metadata).symbolBytes,
      index: targetIndex,
    });
    // recoverSliverFromVerified checked the hash; this is the same check the node runs before every write.
    const verified = verifySliverBcs(metadata, pairIndex, axis, bcs);
    if (await this.host.storeSliver(verified)) {
      this.counters.sliversRecovered++;
      this.logger.log('debug', 'recovery.sliver_recovered', {
        blobId: blobIdToString(metadata.blobId),
        pairIndex,
        axis,
        symbols: symbols.length,
      });
    }
    return 'stored';
  }

  /** Distinct verified symbols for one target, from peers asked a few at a time. */
  private async collectSymbols(
    metadata: VerifiedMetadata,
    axis: SliverAxis,
    targetIndex: number,
    peers: readonly RecoveryPeer[],
  ): Promise<RecoverySymbol[]> {
    const needed = symbolsNeededToRecover(layoutOf(metadata), axis);
    const symbols = new Map<number, RecoverySymbol>();
    const order = shuffled(peers);
    for (
      let at = 0;
      at < order.length && symbols.size < needed;
      at += PEER_REQUESTS_IN_FLIGHT_MAX
    ) {
      const batch = order.slice(at, at + PEER_REQUESTS_IN_FLIGHT_MAX);
      await Promise.all(
        batch.map(async (peer) => {
          let list: RecoverySymbol[];
          try {
            list = await this.fetchSymbols(peer, metadata.blobId, axis, targetIndex);
          } catch (error) {
            this.logger.log('debug', 'recovery.peer_failed', { peer: peer.url, error });
            return;
          }
          for (const symbol of list) {
            try {
              verifyRecoverySymbol(metadata, symbol, axis, targetIndex);
            } catch (error) {
              this.counters.symbolsRejected++;
              this.logger.log('warn', 'recovery.symbol_rejected', {
                blobId: blobIdToString(metadata.blobId),
                peer: peer.url,
                error,
              });
              return; // a peer that sent one bad symbol is not trusted for the rest of its list
            }
            if (!symbols.has(symbol.sourceIndex)) symbols.set(symbol.sourceIndex, symbol);
          }
        }),
      );
    }
    if (symbols.size < needed)
      throw new NotEnoughSymbolsError(
        `${symbols.size} of ${needed} symbols for ${axis} ${targetIndex}`,
      );
    return [...symbols.values()];
  }

  private reportInconsistency(metadata: VerifiedMetadata, error: InconsistentBlobError): void {
    const proof: InconsistencyProof = {
      axis: error.targetAxis,
      targetSliverIndex: error.targetIndex,
      symbols: error.symbols,
    };
    let valid = true;
    try {
      verifyInconsistencyProof(metadata, proof);
    } catch (proofError) {
      valid = false;
      this.logger.log('error', 'recovery.inconsistency_proof_invalid', { error: proofError });
    }
    const bytes = encodeInconsistencyProof(proof);
    this.logger.log('warn', 'recovery.inconsistent_blob', {
      blobId: blobIdToString(metadata.blobId),
      axis: proof.axis,
      targetSliverIndex: proof.targetSliverIndex,
      proofValid: valid,
      proofBytes: bytes.length,
      proof: bytes.length <= LOGGED_PROOF_BYTES_MAX ? Buffer.from(bytes).toString('base64') : null,
    });
    if (valid) this.onInconsistent?.(metadata.blobId, proof);
  }

  /** One client per peer URL and request; the closing signal cancels what is in flight. */
  private client(peer: RecoveryPeer): StorageNodeClient {
    return new StorageNodeClient(peer.url, {
      fetch: this.fetch,
      timeoutMs: this.limits.requestTimeoutMs,
    });
  }

  private fetchSymbols(
    peer: RecoveryPeer,
    blobId: Uint8Array,
    axis: SliverAxis,
    targetIndex: number,
  ): Promise<RecoverySymbol[]> {
    return this.client(peer).getRecoverySymbols(
      blobId,
      { targetAxis: axis, targetIndex },
      { signal: this.closing.signal },
    );
  }

  /** The first metadata a peer returns that verifies against the blob ID. */
  private async fetchMetadata(
    blobId: Uint8Array,
    peers: readonly RecoveryPeer[],
  ): Promise<VerifiedMetadata | null> {
    for (const peer of shuffled(peers)) {
      if (this.closing.signal.aborted) return null;
      try {
        const reply = await this.client(peer).getMetadata(blobId, { signal: this.closing.signal });
        if (!bytesEqual(reply.blobId, blobId)) throw new Error('metadata for another blob ID');
        return verifyMetadata(blobId, reply.metadata, this.host.nShards);
      } catch (error) {
        this.logger.log('debug', 'recovery.metadata_failed', { peer: peer.url, error });
      }
    }
    this.logger.log('info', 'recovery.metadata_unavailable', { blobId: blobIdToString(blobId) });
    return null;
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.closing.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
