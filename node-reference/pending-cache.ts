/**
 * Uploads that arrive before the node has seen their blob's registration (`?pending=true`), so
 * clients can upload in parallel with the register transaction (Walrus `pending_*_cache`). Only
 * verified data is buffered, within a fixed memory budget and a bounded number of blobs; entries
 * expire after a TTL. When the registration arrives the service takes the blob's entries and
 * stores them through the normal path.
 */
import { bytesEqual } from '../core/bytes.js';
import type { SliverAxis } from '../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import type { VerifiedSliver } from './storage/verified-sliver.js';

export interface PendingBlob {
  metadata: VerifiedMetadata | null;
  readonly slivers: Map<string, VerifiedSliver>;
  bytes: number;
  readonly expiresAtMs: number;
}

export interface PendingCacheLimits {
  readonly bytesMax: number;
  readonly blobsMax: number;
  readonly ttlMs: number;
}

/** Bytes a buffered metadata object is charged: its hashes plus a fixed overhead. */
function metadataCost(metadata: VerifiedMetadata): number {
  return metadata.hashes.length * 64 + 256;
}

function sliverCost(sliver: VerifiedSliver): number {
  return sliver.bcs.length + 128;
}

const sliverSlot = (axis: SliverAxis, pairIndex: number): string => `${axis}:${pairIndex}`;
const blobSlot = (blobId: Uint8Array): string => Buffer.from(blobId).toString('hex');

export class PendingCache {
  private readonly blobs = new Map<string, PendingBlob>();
  private totalBytes = 0;

  constructor(
    readonly limits: PendingCacheLimits,
    private readonly nowMs: () => number,
  ) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get blobCount(): number {
    return this.blobs.size;
  }

  /** Drops expired entries; called before every insertion and periodically. */
  sweep(): void {
    const now = this.nowMs();
    for (const [slot, blob] of this.blobs) {
      if (blob.expiresAtMs > now) continue;
      this.blobs.delete(slot);
      this.totalBytes -= blob.bytes;
    }
  }

  private entryFor(blobId: Uint8Array, addedBytes: number): PendingBlob | null {
    this.sweep();
    if (this.totalBytes + addedBytes > this.limits.bytesMax) return null;
    const slot = blobSlot(blobId);
    let blob = this.blobs.get(slot);
    if (blob === undefined) {
      if (this.blobs.size >= this.limits.blobsMax) return null;
      blob = {
        metadata: null,
        slivers: new Map(),
        bytes: 0,
        expiresAtMs: this.nowMs() + this.limits.ttlMs,
      };
      this.blobs.set(slot, blob);
    }
    return blob;
  }

  /** 'buffered', 'already' (an identical copy is buffered) or 'saturated'. */
  putMetadata(metadata: VerifiedMetadata): 'buffered' | 'already' | 'saturated' {
    const existing = this.blobs.get(blobSlot(metadata.blobId));
    if (existing?.metadata != null) return 'already';
    const cost = metadataCost(metadata);
    const blob = this.entryFor(metadata.blobId, cost);
    if (blob === null) return 'saturated';
    blob.metadata = metadata;
    blob.bytes += cost;
    this.totalBytes += cost;
    return 'buffered';
  }

  putSliver(sliver: VerifiedSliver): 'buffered' | 'already' | 'saturated' {
    const slot = sliverSlot(sliver.axis, sliver.pairIndex);
    if (this.blobs.get(blobSlot(sliver.blobId))?.slivers.has(slot)) return 'already';
    const cost = sliverCost(sliver);
    const blob = this.entryFor(sliver.blobId, cost);
    if (blob === null) return 'saturated';
    blob.slivers.set(slot, sliver);
    blob.bytes += cost;
    this.totalBytes += cost;
    return 'buffered';
  }

  metadata(blobId: Uint8Array): VerifiedMetadata | null {
    const metadata = this.blobs.get(blobSlot(blobId))?.metadata ?? null;
    if (metadata !== null && !bytesEqual(metadata.blobId, blobId)) return null;
    return metadata;
  }

  hasSliver(blobId: Uint8Array, pairIndex: number, axis: SliverAxis): boolean {
    return this.blobs.get(blobSlot(blobId))?.slivers.has(sliverSlot(axis, pairIndex)) ?? false;
  }

  /** Removes and returns everything buffered for `blobId`. */
  take(blobId: Uint8Array): PendingBlob | null {
    const slot = blobSlot(blobId);
    const blob = this.blobs.get(slot);
    if (blob === undefined) return null;
    this.blobs.delete(slot);
    this.totalBytes -= blob.bytes;
    return blob;
  }

  clear(): void {
    this.blobs.clear();
    this.totalBytes = 0;
  }
}
