/**
 * What the Worker knows about a blob besides its bytes: verified metadata (immutable), its status
 * (certified or not, until when — decides every caching header) and its sniffed content type.
 * Each comes from the isolate's memory, then the Cache API, then the storage nodes, and concurrent
 * misses share one fetch. Metadata is re-verified against the blob ID whenever it is read back
 * from the Cache API, so a cache entry can never make the Worker serve unverified bytes.
 */
import type { Committee } from '../core/chain/committee.js';
import { blobIdToString } from '../core/blob-id.js';
import {
  type VerifiedMetadata,
  decodeBlobMetadata,
  encodeBlobMetadata,
  verifyMetadata,
} from '../core/encoding/metadata.js';
import { readVerifiedMetadata } from '../client/read/metadata.js';
import type { ReadNodes } from '../client/read/nodes.js';
import {
  STATUS_TIMEOUT_MS_EDGE,
  aggregateBlobStatus,
  askNodesForStatus,
} from '../client/status.js';
import { type EdgeCommittee, earliestEpochEndMs } from './committee-source.js';
import { MemoryLru } from '../core/memory-lru.js';
import type { EdgeCache } from './edge-cache.js';
import { forgetHotObject } from './hot-objects.js';
import { singleFlight } from './single-flight.js';

/** Metadata entries kept in isolate memory (one is ~66 KB at n = 1000). */
const METADATA_MEMORY_ENTRIES_MAX = 64;
const STATUS_MEMORY_ENTRIES_MAX = 4_096;
const SNIFF_MEMORY_ENTRIES_MAX = 4_096;
/** Metadata and content types never change for a blob ID; a month bounds dead entries. */
const IMMUTABLE_ENTRY_TTL_S = 30 * 24 * 3600;

import { STATUS_TTL_S, type EdgeStatusKind, type StatusTtls } from './status-ttl.js';

export interface EdgeStatus {
  readonly kind: EdgeStatusKind;
  /** Permanent blobs: the first epoch in which the blob is no longer stored. */
  readonly endEpoch?: number;
  /** Permanent blobs: the earliest moment the blob can expire (ms). */
  readonly expiresAtMs?: number;
  readonly freshUntilMs: number;
}

const metadataMemory = new MemoryLru<VerifiedMetadata>(METADATA_MEMORY_ENTRIES_MAX);
const statusMemory = new MemoryLru<EdgeStatus>(STATUS_MEMORY_ENTRIES_MAX);
const sniffMemory = new MemoryLru<string>(SNIFF_MEMORY_ENTRIES_MAX);

/**
 * The earliest moment a blob stored until `endEpoch` (exclusive) can expire: the current epoch
 * ends no sooner than its change completed plus one epoch, and each later epoch lasts as long.
 */
export function expiryLowerBoundMs(committee: EdgeCommittee, endEpoch: number, nowMs: number) {
  const currentEnd = earliestEpochEndMs(committee) ?? nowMs;
  const epochsAfter = Math.max(0, endEpoch - committee.epoch - 1);
  return Math.max(nowMs, currentEnd) + epochsAfter * committee.epochDurationMs;
}

/** Walrus's aggregated node status, as the Worker's caching policy sees it. */
export function edgeStatusOf(
  aggregated: ReturnType<typeof aggregateBlobStatus>,
  committee: EdgeCommittee,
  nowMs: number,
  ttls: StatusTtls = STATUS_TTL_S,
): EdgeStatus {
  const fresh = (kind: EdgeStatusKind) => nowMs + ttls[kind] * 1000;
  const status = aggregated?.status;
  if (status === undefined) return { kind: 'uncertified', freshUntilMs: fresh('uncertified') };
  switch (status.kind) {
    case 'nonexistent':
    case 'invalid':
      return { kind: status.kind, freshUntilMs: fresh(status.kind) };
    case 'permanent': {
      if (status.isCertified) {
        const expiresAtMs = expiryLowerBoundMs(committee, status.endEpoch, nowMs);
        return {
          kind: 'permanent',
          endEpoch: status.endEpoch,
          expiresAtMs,
          freshUntilMs: Math.min(fresh('permanent'), expiresAtMs),
        };
      }
      const kind = status.deletableCounts.certified > 0 ? 'deletable' : 'uncertified';
      return { kind, freshUntilMs: fresh(kind) };
    }
    case 'deletable': {
      const certified =
        status.initialCertifiedEpoch !== null && status.deletableCounts.certified > 0;
      const kind = certified ? 'deletable' : 'uncertified';
      return { kind, freshUntilMs: fresh(kind) };
    }
  }
}

export class BlobInfo {
  constructor(
    private readonly cache: EdgeCache,
    private readonly ttls: StatusTtls = STATUS_TTL_S,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Verified metadata: memory, then the Cache API (re-verified), then the nodes. */
  async metadata(
    blobId: Uint8Array,
    committee: Committee,
    nodes: () => ReadNodes,
  ): Promise<VerifiedMetadata> {
    const id = blobIdToString(blobId);
    const known = metadataMemory.get(id);
    if (known !== undefined && known.nShards === committee.nShards) return known;
    return singleFlight(`metadata:${id}`, async () => {
      const key = this.cache.key('metadata', id);
      const bytes = await this.cache.getBytes(key);
      if (bytes !== undefined) {
        try {
          const verified = verifyMetadata(blobId, decodeBlobMetadata(bytes), committee.nShards);
          metadataMemory.set(id, verified);
          return verified;
        } catch {
          // Another shard count, or a damaged entry: fetch anew.
        }
      }
      const verified = await readVerifiedMetadata(blobId, nodes());
      metadataMemory.set(id, verified);
      this.cache.putBytes(key, encodeBlobMetadata(verified), IMMUTABLE_ENTRY_TTL_S);
      return verified;
    });
  }

  /** The status if one is known and fresh (memory or Cache API), without asking any node. */
  async cachedStatus(blobId: Uint8Array): Promise<EdgeStatus | undefined> {
    const id = blobIdToString(blobId);
    const known = statusMemory.get(id);
    if (known !== undefined) return known;
    const cached = await this.cache.getJson<EdgeStatus>(this.cache.key('status', id));
    if (cached !== undefined) statusMemory.set(id, cached);
    return cached;
  }

  /** A fresh status, asking the nodes when the cached one is stale or missing. */
  async status(
    blobId: Uint8Array,
    committee: EdgeCommittee,
    nodes: () => ReadNodes,
  ): Promise<EdgeStatus> {
    const cached = await this.cachedStatus(blobId);
    if (cached !== undefined && cached.freshUntilMs > this.now()) return cached;
    return this.refreshStatus(blobId, committee, nodes);
  }

  async refreshStatus(
    blobId: Uint8Array,
    committee: EdgeCommittee,
    nodes: () => ReadNodes,
  ): Promise<EdgeStatus> {
    const id = blobIdToString(blobId);
    return singleFlight(`status:${id}`, async () => {
      const readNodes = nodes();
      const replies = await askNodesForStatus(blobId, committee, {
        signal: readNodes.signal,
        timeoutMs: STATUS_TIMEOUT_MS_EDGE,
        health: readNodes.health,
        gate: readNodes.gate,
      });
      const aggregated = aggregateBlobStatus(replies, committee.nShards);
      const status = edgeStatusOf(aggregated, committee, this.now(), this.ttls);
      this.rememberStatus(blobId, status);
      return status;
    });
  }

  rememberStatus(blobId: Uint8Array, status: EdgeStatus): void {
    const id = blobIdToString(blobId);
    statusMemory.set(id, status);
    const ttlS = (status.freshUntilMs - this.now()) / 1000;
    if (ttlS >= 1) this.cache.putJson(this.cache.key('status', id), status, ttlS);
  }

  /** Forgets everything cached of a blob the network no longer serves (deleted, expired, invalid). */
  forget(blobId: Uint8Array, segmentKeys: readonly Request[]): void {
    const id = blobIdToString(blobId);
    for (const kind of ['blob', 'sniff'] as const) this.cache.delete(this.cache.key(kind, id));
    for (const key of segmentKeys) this.cache.delete(key);
    sniffMemory.delete(id);
    forgetHotObject(id);
  }

  async contentType(blobId: Uint8Array): Promise<string | undefined> {
    const id = blobIdToString(blobId);
    const known = sniffMemory.get(id);
    if (known !== undefined) return known;
    const cached = await this.cache.getJson<{ contentType: string }>(this.cache.key('sniff', id));
    if (cached === undefined || typeof cached.contentType !== 'string') return undefined;
    sniffMemory.set(id, cached.contentType);
    return cached.contentType;
  }

  rememberContentType(blobId: Uint8Array, contentType: string): void {
    const id = blobIdToString(blobId);
    if (sniffMemory.get(id) === contentType) return;
    sniffMemory.set(id, contentType);
    this.cache.putJson(this.cache.key('sniff', id), { contentType }, IMMUTABLE_ENTRY_TTL_S);
  }
}
