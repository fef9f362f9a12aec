/**
 * Disk storage of a storage node, on lmdb:
 *  - one lmdb environment per shard (`shards/<index>/`), so a shard can be moved or dropped whole;
 *    it maps blob ID ‖ axis to the sliver's BCS bytes;
 *  - one node-level environment (`node/`) with the blob metadata, the blob registrations mirrored
 *    from the chain, and the chain cursor.
 *
 * Only verified data goes in (the types say so: VerifiedMetadata, VerifiedSliver), and everything
 * read back is verified again; data that no longer verifies is reported and treated as missing.
 * Every write resolves only once it is flushed to disk (lmdb `noSync: false`, `flushed` awaited),
 * so whatever a confirmation covers survives a crash.
 *
 * Over 400 lines because every read and write of a node's lmdb environments is here, with the
 * checks that go with it; splitting metadata from slivers would split one transaction's keys.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, type RootDatabase, open } from 'lmdb';
import { assert } from '../../core/assert.js';
import { bytesEqual } from '../../core/bytes.js';
import { MemoryLru } from '../../core/memory-lru.js';
import {
  type SliverAxis,
  pairForShard,
  shardForPair,
  sliverIndexOfPair,
} from '../../core/encoding/mapping.js';
import {
  expectedSliverHash,
  layoutOf,
  rootOfLeafHashes,
  sliverSymbolCount,
} from '../../core/encoding/sliver-verification.js';
import { type SliverData, decodeSliverData } from '../../core/encoding/sliver-data.js';
import { leafHashesOfSymbols } from '../../core/merkle.js';
import { DIGEST_BYTES } from '../../core/hash/blake2b.js';
import {
  type VerifiedMetadata,
  decodeBlobMetadata,
  encodeBlobMetadata,
  verifyMetadata,
} from '../../core/encoding/metadata.js';
import { failPoint } from '../fail-points.js';
import type { BlobRegistration } from '../chain-view.js';
import type { Logger } from '../log.js';
import {
  type RegistrationRecord,
  blobKey,
  registrationFromRecord,
  registrationToRecord,
  sliverDigestKey,
  sliverKey,
  sliverLeafHashesKey,
} from './records.js';
import {
  type VerifiedSliver,
  SLIVER_CHECKSUM_BYTES,
  sliverDigest,
  verifiedByDigest,
  verifySliverBcs,
} from './verified-sliver.js';

/**
 * A sliver's leaf hashes (n × 32 bytes) are kept when they are at most this fraction of its data:
 * for large slivers they spare every recovery-symbol request an expansion; for small ones (many
 * shards, a small blob) expanding is cheap and the table would cost more disk than the sliver.
 */
export const LEAF_HASHES_KEPT_FRACTION_MAX = 1 / 8;

const STATE_CURSOR = 'chainCursor';
const STATE_N_SHARDS = 'nShards';
const AXES: readonly SliverAxis[] = ['primary', 'secondary'];

class ShardStore {
  private constructor(
    readonly shard: number,
    readonly path: string,
    readonly db: RootDatabase<Buffer, Buffer>,
  ) {}

  static open(root: string, shard: number): ShardStore {
    const path = join(root, 'shards', String(shard).padStart(5, '0'));
    mkdirSync(path, { recursive: true });
    const db = open<Buffer, Buffer>({
      path,
      encoding: 'binary',
      keyEncoding: 'binary',
      noSync: false,
    });
    return new ShardStore(shard, path, db);
  }
}

/**
 * Verified metadata a node keeps in memory, by blob ID: every sliver and recovery-symbol request
 * needs it, and parsing and verifying it again took 3–7 ms per request at n = 1000 (~66 KB of
 * BCS; 128 entries are a few tens of MB there, a tenth of that at n = 100).
 */
export const METADATA_KEPT_MAX = 128;

export class NodeStorage {
  private readonly shardStores = new Map<number, ShardStore>();
  private readonly keptMetadata = new MemoryLru<VerifiedMetadata>(METADATA_KEPT_MAX);

  private constructor(
    readonly root: string,
    readonly nShards: number,
    private readonly env: RootDatabase,
    private readonly metadataDb: Database<Buffer, Buffer>,
    private readonly registrationDb: Database<RegistrationRecord, Buffer>,
    private readonly stateDb: Database<unknown, string>,
    private readonly logger: Logger,
  ) {}

  /** Opens (or creates) the storage under `root` for a system of `nShards`. */
  static async open(root: string, nShards: number, logger: Logger): Promise<NodeStorage> {
    const nodePath = join(root, 'node');
    mkdirSync(nodePath, { recursive: true });
    const env = open({ path: nodePath, maxDbs: 4, noSync: false });
    const storage = new NodeStorage(
      root,
      nShards,
      env,
      env.openDB<Buffer, Buffer>({ name: 'metadata', encoding: 'binary', keyEncoding: 'binary' }),
      env.openDB<RegistrationRecord, Buffer>({
        name: 'registrations',
        encoding: 'json',
        keyEncoding: 'binary',
      }),
      env.openDB<unknown, string>({ name: 'state', encoding: 'json' }),
      logger,
    );
    const storedShards = storage.stateDb.get(STATE_N_SHARDS);
    if (storedShards === undefined) {
      await storage.stateDb.put(STATE_N_SHARDS, nShards);
      await storage.stateDb.flushed;
    } else if (storedShards !== nShards) {
      await env.close();
      throw new Error(
        `data dir ${root} belongs to a system of ${String(storedShards)} shards, not ${nShards}`,
      );
    }
    return storage;
  }

  // Shards.

  heldShards(): number[] {
    return [...this.shardStores.keys()].sort((a, b) => a - b);
  }

  holdsShard(shard: number): boolean {
    return this.shardStores.has(shard);
  }

  /** Opens the stores of `shards` and closes the others (their files stay until dropped). */
  async setHeldShards(shards: readonly number[]): Promise<void> {
    const wanted = new Set(shards);
    for (const [shard, store] of this.shardStores) {
      if (wanted.has(shard)) continue;
      this.shardStores.delete(shard);
      await store.db.close();
    }
    for (const shard of wanted) {
      assert(
        Number.isInteger(shard) && shard >= 0 && shard < this.nShards,
        `shard ${shard} out of range`,
      );
      if (!this.shardStores.has(shard))
        this.shardStores.set(shard, ShardStore.open(this.root, shard));
    }
  }

  /** Removes a shard's data from disk (it must not be held any more). */
  async dropShard(shard: number): Promise<void> {
    const store = this.shardStores.get(shard);
    if (store !== undefined) {
      this.shardStores.delete(shard);
      await store.db.close();
    }
    rmSync(join(this.root, 'shards', String(shard).padStart(5, '0')), {
      recursive: true,
      force: true,
    });
  }

  // Metadata.

  hasMetadata(blobId: Uint8Array): boolean {
    return this.metadataDb.doesExist(blobKey(blobId));
  }

  /** Stores verified metadata durably; false if it was already stored. */
  async storeMetadata(metadata: VerifiedMetadata): Promise<boolean> {
    const key = blobKey(metadata.blobId);
    if (this.metadataDb.doesExist(key)) return false;
    await this.metadataDb.put(key, Buffer.from(encodeBlobMetadata(metadata)));
    await failPoint('metadata-after-write-before-flush');
    await this.metadataDb.flushed;
    return true;
  }

  /**
   * Metadata read back and verified against its blob ID again, then kept in memory (a blob ID
   * names its metadata for good; deleteBlobData forgets it); null if absent or corrupt.
   */
  readMetadata(blobId: Uint8Array): VerifiedMetadata | null {
    const memoryKey = Buffer.from(blobId).toString('hex');
    const kept = this.keptMetadata.get(memoryKey);
    if (kept !== undefined) return kept;
    const bytes = this.metadataDb.get(blobKey(blobId));
    if (bytes === undefined) return null;
    try {
      const verified = verifyMetadata(
        blobId,
        decodeBlobMetadata(new Uint8Array(bytes)),
        this.nShards,
      );
      this.keptMetadata.set(memoryKey, verified);
      return verified;
    } catch (error) {
      this.logger.log('error', 'storage.metadata_corrupt', { blobId, error });
      return null;
    }
  }

  // Slivers.

  private shardOfPair(blobId: Uint8Array, pairIndex: number): ShardStore | undefined {
    return this.shardStores.get(shardForPair(pairIndex, blobId, this.nShards));
  }

  hasSliver(blobId: Uint8Array, pairIndex: number, axis: SliverAxis): boolean {
    return this.shardOfPair(blobId, pairIndex)?.db.doesExist(sliverKey(blobId, axis)) ?? false;
  }

  /**
   * Stores a verified sliver durably in its shard; false if it was already stored. `replace`
   * overwrites a stored copy (used to repair one that no longer verifies).
   */
  async storeSliver(verified: VerifiedSliver, replace = false): Promise<boolean> {
    const store = this.shardOfPair(verified.blobId, verified.pairIndex);
    assert(store !== undefined, 'a sliver is stored only in a shard this node holds');
    const key = sliverKey(verified.blobId, verified.axis);
    if (!replace && store.db.doesExist(key)) return false;
    const digest = sliverDigest(verified.bcs);
    const leafHashes = verified.leafHashes;
    const keepLeaves =
      leafHashes !== undefined &&
      leafHashes.length <= verified.sliver.data.length * LEAF_HASHES_KEPT_FRACTION_MAX;
    // One write transaction: the sliver, the digest its reads are checked against, its leaves.
    await store.db.transaction(() => {
      store.db.put(
        key,
        Buffer.from(verified.bcs.buffer, verified.bcs.byteOffset, verified.bcs.byteLength),
      );
      store.db.put(sliverDigestKey(verified.blobId, verified.axis), Buffer.from(digest));
      const leavesKey = sliverLeafHashesKey(verified.blobId, verified.axis);
      if (keepLeaves) store.db.put(leavesKey, Buffer.from(leafHashes));
      else if (replace) store.db.remove(leavesKey);
    });
    await failPoint('sliver-after-write-before-flush');
    await store.db.flushed;
    return true;
  }

  /** A sliver read back and verified again; null if absent, not held, or no longer valid. */
  readSliver(
    metadata: VerifiedMetadata,
    pairIndex: number,
    axis: SliverAxis,
  ): VerifiedSliver | null {
    const store = this.shardOfPair(metadata.blobId, pairIndex);
    if (store === undefined) return null;
    const bytes = store.db.get(sliverKey(metadata.blobId, axis));
    if (bytes === undefined) return null;
    const bcs = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const digest = store.db.get(sliverDigestKey(metadata.blobId, axis));
    try {
      // Slivers written before checksums existed (or with another kind) are verified in full.
      return digest === undefined || digest.length !== SLIVER_CHECKSUM_BYTES
        ? verifySliverBcs(metadata, pairIndex, axis, bcs)
        : verifiedByDigest(metadata, pairIndex, axis, bcs, digest);
    } catch (error) {
      this.logger.log('error', 'storage.sliver_corrupt', {
        blobId: metadata.blobId,
        pairIndex,
        axis,
        error,
      });
      return null;
    }
  }

  /**
   * The leaf hashes kept with a sliver, checked against its metadata hash (n − 1 small hashes, so
   * a table that rotted on disk is never used); undefined if none were kept or they do not match.
   */
  readLeafHashes(
    metadata: VerifiedMetadata,
    pairIndex: number,
    axis: SliverAxis,
  ): Uint8Array | undefined {
    const store = this.shardOfPair(metadata.blobId, pairIndex);
    const bytes = store?.db.get(sliverLeafHashesKey(metadata.blobId, axis));
    if (bytes === undefined) return undefined;
    const leafHashes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const layout = layoutOf(metadata);
    const index = sliverIndexOfPair(axis, pairIndex, metadata.nShards);
    if (
      leafHashes.length !== layout.nShards * DIGEST_BYTES ||
      !bytesEqual(rootOfLeafHashes(layout, leafHashes), expectedSliverHash(metadata, axis, index))
    ) {
      this.logger.log('error', 'storage.leaf_hashes_corrupt', {
        blobId: metadata.blobId,
        pairIndex,
        axis,
      });
      return undefined;
    }
    return leafHashes;
  }

  /**
   * Some of a stored sliver's own symbols (`positions` below its symbol count), each checked
   * against the leaf hashes kept with it, without reading, copying or checksumming the rest:
   * rebuilding a few rows needs a few symbols of each of many slivers, and reading every one of
   * them whole cost the nodes six times the bytes they sent (8 MiB blob, 7 of 34 rows). Undefined
   * when no leaf hashes were kept, the sliver is not here or not of this blob's shape, or a symbol
   * does not match its leaf: the caller then reads the sliver whole, which reports the rot.
   */
  readOwnSymbols(
    metadata: VerifiedMetadata,
    pairIndex: number,
    axis: SliverAxis,
    positions: readonly number[],
  ): { readonly symbols: Uint8Array[]; readonly leafHashes: Uint8Array } | undefined {
    const leafHashes = this.readLeafHashes(metadata, pairIndex, axis);
    if (leafHashes === undefined) return undefined;
    const store = this.shardOfPair(metadata.blobId, pairIndex);
    // A view valid until this environment's next read (of the map itself, for large values):
    // the asked symbols are copied out of it before anything else is read.
    const stored = store?.db.getBinaryFast(sliverKey(metadata.blobId, axis));
    if (stored === undefined) return undefined;
    const layout = layoutOf(metadata);
    const size = layout.symbolBytes;
    const own = sliverSymbolCount(layout, axis);
    let sliver: SliverData;
    try {
      // `length`, not `byteLength`: lmdb's reused buffer is larger than the value.
      sliver = decodeSliverData(new Uint8Array(stored.buffer, stored.byteOffset, stored.length));
    } catch {
      return undefined;
    }
    if (
      sliver.index !== sliverIndexOfPair(axis, pairIndex, metadata.nShards) ||
      sliver.symbolBytes !== size ||
      sliver.data.length !== own * size ||
      positions.some((p) => !Number.isInteger(p) || p < 0 || p >= own)
    ) {
      return undefined;
    }
    const copied = new Uint8Array(positions.length * size);
    positions.forEach((p, i) =>
      copied.set(sliver.data.subarray(p * size, (p + 1) * size), i * size),
    );
    const digests = leafHashesOfSymbols(copied, size, positions.length);
    const leaf = (table: Uint8Array, i: number) =>
      table.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
    if (positions.some((p, i) => !bytesEqual(leaf(digests, i), leaf(leafHashes, p)))) {
      this.logger.log('error', 'storage.sliver_corrupt', {
        blobId: metadata.blobId,
        pairIndex,
        axis,
      });
      return undefined;
    }
    return {
      symbols: positions.map((_, i) => copied.subarray(i * size, (i + 1) * size)),
      leafHashes,
    };
  }

  /** True when both slivers of every held shard are stored for this blob. */
  hasAllSlivers(blobId: Uint8Array): boolean {
    for (const store of this.shardStores.values()) {
      for (const axis of AXES) if (!store.db.doesExist(sliverKey(blobId, axis))) return false;
    }
    return true;
  }

  /** True when any held shard has any sliver of this blob (e.g. left by an interrupted delete). */
  hasAnySliver(blobId: Uint8Array): boolean {
    for (const store of this.shardStores.values()) {
      for (const axis of AXES) if (store.db.doesExist(sliverKey(blobId, axis))) return true;
    }
    return false;
  }

  /** The pair index each held shard stores for `blobId`. */
  heldPairs(blobId: Uint8Array): number[] {
    return this.heldShards().map((shard) => pairForShard(shard, blobId, this.nShards));
  }

  /** Waits until every write so far is on disk (the node and every held shard). */
  async flushAll(): Promise<void> {
    await Promise.all([
      this.env.flushed,
      ...[...this.shardStores.values()].map((store) => store.db.flushed),
    ]);
  }

  /** Deletes the blob's metadata and its slivers in every held shard. */
  async deleteBlobData(blobId: Uint8Array): Promise<void> {
    const memoryKey = Buffer.from(blobId).toString('hex');
    this.keptMetadata.delete(memoryKey);
    await this.metadataDb.remove(blobKey(blobId));
    // A read while the removal was being written found the metadata and kept it again.
    this.keptMetadata.delete(memoryKey);
    await failPoint('delete-between-metadata-and-slivers');
    const removals: Promise<boolean>[] = [];
    for (const store of this.shardStores.values()) {
      for (const axis of AXES) {
        removals.push(store.db.remove(sliverKey(blobId, axis)));
        removals.push(store.db.remove(sliverDigestKey(blobId, axis)));
        removals.push(store.db.remove(sliverLeafHashesKey(blobId, axis)));
      }
    }
    await Promise.all(removals);
    await this.flushAll();
  }

  // Registrations mirrored from the chain, and the chain cursor.

  registration(blobId: Uint8Array): BlobRegistration | null {
    const record = this.registrationDb.get(blobKey(blobId));
    return record === undefined ? null : registrationFromRecord(record);
  }

  chainCursor(): string | null {
    const cursor = this.stateDb.get(STATE_CURSOR);
    return typeof cursor === 'string' ? cursor : null;
  }

  /** Records a registration snapshot and the cursor of the change that carried it, atomically. */
  async recordRegistration(registration: BlobRegistration, cursor: string): Promise<void> {
    await this.env.transaction(() => {
      this.registrationDb.put(blobKey(registration.blobId), registrationToRecord(registration));
      this.stateDb.put(STATE_CURSOR, cursor);
    });
    await this.env.flushed;
  }

  async recordCursor(cursor: string): Promise<void> {
    await this.stateDb.put(STATE_CURSOR, cursor);
    await this.env.flushed;
  }

  /** Every mirrored registration, in blob ID order, `batchMax` at a time from `after`. */
  registrationsAfter(after: Uint8Array | null, batchMax: number): BlobRegistration[] {
    const out: BlobRegistration[] = [];
    const range = this.registrationDb.getRange({
      start: after === null ? undefined : blobKey(after),
      limit: batchMax + 1,
    });
    for (const { key, value } of range) {
      if (after !== null && Buffer.compare(key, blobKey(after)) === 0) continue;
      out.push(registrationFromRecord(value));
      if (out.length === batchMax) break;
    }
    return out;
  }

  async close(): Promise<void> {
    for (const store of this.shardStores.values()) await store.db.close();
    this.shardStores.clear();
    await this.env.close();
  }
}
