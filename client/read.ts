/**
 * Reading a blob as the Walrus aggregator does (spec: api.md §3.1, "read algorithm"): metadata from
 * any node that returns metadata verifying against the blob ID; then primary slivers — systematic
 * ones first, so a healthy network needs no Reed–Solomon decoding — each verified against the
 * metadata before it counts, until n_p distinct slivers are in; then decode.
 */
import { blobIdToString } from '../core/blob-id.js';
import { decodeBlob } from '../core/encoding/blob-decoder.js';
import { encodingParams, isQuorum } from '../core/encoding/config.js';
import { type VerifiedMetadata, verifyMetadata } from '../core/encoding/metadata.js';
import type { SliverData } from '../core/encoding/sliver-data.js';
import { verifySliver } from '../core/encoding/sliver-verification.js';
import { type CommitteeView, memberForPair, shardOwners } from './committee.js';
import {
  StorageNodeClient,
  type StorageNodeClientOptions,
  StorageNodeError,
} from './storage-node-client.js';

/** Parallel metadata requests: the first verified reply wins, so a few lanes suffice. */
export const METADATA_LANES = 4;
/** Parallel sliver requests per read. */
export const SLIVER_LANES_DEFAULT = 32;

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
}

/** Not enough nodes answered with valid data; retry later (Walrus: BLOB_UNAVAILABLE, 503). */
export class BlobUnavailableError extends Error {
  override name = 'BlobUnavailableError';
}

export interface ReadProgress {
  readonly stage: 'metadata' | 'slivers' | 'decode';
  readonly done: number;
  readonly total: number;
}

export interface ReadOptions extends StorageNodeClientOptions {
  readonly sliverLanes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReadProgress) => void;
}

/** Runs `worker` over `items` with at most `lanes` in flight; stops taking items once `done()`. */
export async function inLanes<T>(
  items: readonly T[],
  lanes: number,
  done: () => boolean,
  worker: (item: T) => Promise<void>,
) {
  let next = 0;
  const lane = async () => {
    while (!done() && next < items.length) await worker(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

export async function readMetadata(
  blobId: Uint8Array,
  committee: CommitteeView,
  clients: readonly StorageNodeClient[],
  signal?: AbortSignal,
): Promise<VerifiedMetadata> {
  let verified: VerifiedMetadata | undefined;
  let notFoundShards = 0;
  const order = committee.members.map((_, i) => i).sort(() => Math.random() - 0.5);
  await inLanes(
    order,
    METADATA_LANES,
    () => verified !== undefined,
    async (member) => {
      try {
        const reply = await clients[member].getMetadata(blobId, signal);
        verified ??= verifyMetadata(blobId, reply.metadata, committee.nShards);
      } catch (error) {
        if (error instanceof StorageNodeError && error.status === 404)
          notFoundShards += committee.members[member].shards.length;
        // Anything else (unreachable, malformed, not verifying) just means: ask the next node.
      }
    },
  );
  if (verified !== undefined) return verified;
  if (isQuorum(notFoundShards, committee.nShards)) {
    throw new BlobNotFoundError(`blob ${blobIdToString(blobId)} is not stored on this network`);
  }
  throw new BlobUnavailableError(
    `no storage node returned valid metadata for ${blobIdToString(blobId)}`,
  );
}

/** Reads and decodes a blob; every sliver is verified against the metadata before it is used. */
export async function readBlob(
  blobId: Uint8Array,
  committee: CommitteeView,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  const clients = committee.members.map((member) => new StorageNodeClient(member.url, options));
  const report = options.onProgress ?? (() => {});
  report({ stage: 'metadata', done: 0, total: 1 });
  const metadata = await readMetadata(blobId, committee, clients, options.signal);
  report({ stage: 'metadata', done: 1, total: 1 });
  const { nPrimary } = encodingParams(committee.nShards);
  const owners = shardOwners(committee);
  // Systematic pairs first (no decoding needed when they all arrive), then the rest.
  const pairs = Array.from({ length: committee.nShards }, (_, p) => p);
  const slivers: SliverData[] = [];
  const unreachable = new Set<number>();
  await inLanes(
    pairs,
    options.sliverLanes ?? SLIVER_LANES_DEFAULT,
    () => slivers.length >= nPrimary,
    async (pair) => {
      const member = memberForPair(owners, blobId, pair);
      if (unreachable.has(member)) return;
      try {
        const sliver = await clients[member].getSliver(blobId, pair, 'primary', options.signal);
        if (sliver.index !== pair) return;
        verifySliver(metadata, 'primary', sliver);
        if (slivers.length < nPrimary) {
          slivers.push(sliver);
          report({ stage: 'slivers', done: slivers.length, total: nPrimary });
        }
      } catch (error) {
        if (error instanceof StorageNodeError && error.status === 0) unreachable.add(member);
      }
    },
  );
  if (slivers.length < nPrimary) {
    throw new BlobUnavailableError(
      `only ${slivers.length} of the ${nPrimary} primary slivers needed for ${blobIdToString(blobId)} could be read`,
    );
  }
  report({ stage: 'decode', done: 0, total: 1 });
  const blob = decodeBlob(metadata, 'primary', slivers, { alreadyVerified: true });
  report({ stage: 'decode', done: 1, total: 1 });
  return blob;
}
