/**
 * Streaming reads: the blob's bytes are the systematic primary slivers 0..n_p−1 in order (row r of
 * the message matrix is bytes [r·rowBytes, (r+1)·rowBytes)), so a healthy network streams a blob —
 * or any byte range of it — sliver by sliver, verified, without decoding and with bounded memory.
 * When a systematic sliver cannot be had, the reader falls back to collecting any n_p verified
 * primary slivers and decoding the rest of the range.
 */
import { blobIdToString } from '../core/blob-id.js';
import { decodeBlob } from '../core/encoding/blob-decoder.js';
import { blobLayout } from '../core/encoding/blob-layout.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import type { SliverData } from '../core/encoding/sliver-data.js';
import { verifySliver } from '../core/encoding/sliver-verification.js';
import { type CommitteeView, memberForPair, shardOwners } from './committee.js';
import { BlobUnavailableError, SLIVER_LANES_DEFAULT, inLanes, readMetadata } from './read.js';
import { StorageNodeClient, type StorageNodeClientOptions } from './storage-node-client.js';

/** Slivers fetched ahead of the one being streamed: bounds memory at window × sliver size. */
export const STREAM_WINDOW_SLIVERS = 16;
/** Attempts per systematic sliver before falling back to decoding. */
const SLIVER_ATTEMPTS = 2;

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface BlobStream {
  readonly metadata: VerifiedMetadata;
  readonly blobBytes: number;
  /** The requested range (the whole blob when none was asked for); empty blobs have none. */
  readonly range: ByteRange | undefined;
  readonly stream: ReadableStream<Uint8Array>;
}

export interface StreamOptions extends StorageNodeClientOptions {
  readonly range?: (blobBytes: number) => ByteRange | undefined;
  readonly signal?: AbortSignal;
}

class SliverFetcher {
  private readonly owners: Int32Array;
  private readonly clients: StorageNodeClient[];

  constructor(
    readonly blobId: Uint8Array,
    readonly committee: CommitteeView,
    readonly metadata: VerifiedMetadata,
    options: StorageNodeClientOptions,
    private readonly signal?: AbortSignal,
  ) {
    this.owners = shardOwners(committee);
    this.clients = committee.members.map((member) => new StorageNodeClient(member.url, options));
  }

  /** A verified primary sliver for `pair`, or undefined when its node cannot give one. */
  async primary(pair: number): Promise<SliverData | undefined> {
    const client = this.clients[memberForPair(this.owners, this.blobId, pair)];
    for (let attempt = 0; attempt < SLIVER_ATTEMPTS; attempt++) {
      try {
        const sliver = await client.getSliver(this.blobId, pair, 'primary', this.signal);
        if (sliver.index !== pair) return undefined;
        verifySliver(this.metadata, 'primary', sliver);
        return sliver;
      } catch {
        // Retry once: transient network errors are common at the edge.
      }
    }
    return undefined;
  }

  /** Any n_p verified primary slivers, starting from those already in hand. */
  async decodeAll(have: Map<number, SliverData>): Promise<Uint8Array> {
    const layout = blobLayout(this.metadata.unencodedLength, this.metadata.nShards);
    const needed = layout.params.nPrimary;
    const candidates = Array.from({ length: layout.nShards }, (_, p) => p).filter(
      (p) => !have.has(p),
    );
    await inLanes(
      candidates,
      SLIVER_LANES_DEFAULT,
      () => have.size >= needed,
      async (pair) => {
        const sliver = await this.primary(pair);
        if (sliver !== undefined && have.size < needed) have.set(pair, sliver);
      },
    );
    if (have.size < needed) {
      throw new BlobUnavailableError(
        `only ${have.size} of the ${needed} primary slivers needed for ${blobIdToString(this.blobId)} could be read`,
      );
    }
    return decodeBlob(this.metadata, 'primary', [...have.values()], { alreadyVerified: true });
  }
}

/**
 * Opens a verified stream of a blob (or of `options.range`). Metadata is fetched and verified
 * before this returns, so callers can answer 404/503 before sending headers; errors after that
 * abort the stream.
 */
export async function openBlobStream(
  blobId: Uint8Array,
  committee: CommitteeView,
  options: StreamOptions = {},
): Promise<BlobStream> {
  const clients = committee.members.map((member) => new StorageNodeClient(member.url, options));
  const metadata = await readMetadata(blobId, committee, clients, options.signal);
  const blobBytes = metadata.unencodedLength;
  const range =
    blobBytes === 0 ? undefined : (options.range?.(blobBytes) ?? { start: 0, end: blobBytes - 1 });
  const fetcher = new SliverFetcher(blobId, committee, metadata, options, options.signal);
  const rowBytes = blobLayout(blobBytes, committee.nShards).primarySliverBytes;
  const firstRow = range === undefined ? 0 : Math.floor(range.start / rowBytes);
  const lastRow = range === undefined ? -1 : Math.floor(range.end / rowBytes);
  let nextRow = firstRow;
  let decoded: Uint8Array | undefined;
  const inFlight = new Map<number, Promise<SliverData | undefined>>();
  const have = new Map<number, SliverData>();

  const slice = (row: number, bytes: Uint8Array): Uint8Array => {
    const rowStart = row * rowBytes;
    const from = Math.max(range!.start, rowStart) - rowStart;
    const to = Math.min(range!.end + 1, rowStart + rowBytes) - rowStart;
    return bytes.subarray(from, to);
  };

  const stream = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (nextRow > lastRow) {
        controller.close();
        return;
      }
      if (decoded !== undefined) {
        controller.enqueue(
          slice(nextRow, decoded.subarray(nextRow * rowBytes, (nextRow + 1) * rowBytes)),
        );
        nextRow++;
        return;
      }
      for (
        let row = nextRow;
        row <= Math.min(lastRow, nextRow + STREAM_WINDOW_SLIVERS - 1);
        row++
      ) {
        if (!inFlight.has(row)) inFlight.set(row, fetcher.primary(row));
      }
      const sliver = await inFlight.get(nextRow)!;
      inFlight.delete(nextRow);
      if (sliver !== undefined) {
        // Streamed slivers are not kept (memory stays at the window); a fallback fetches anew.
        controller.enqueue(slice(nextRow, sliver.data));
        nextRow++;
        return;
      }
      // A systematic sliver is missing: collect any n_p slivers and decode the rest of the range.
      for (const [row, pending] of inFlight) {
        const other = await pending;
        if (other !== undefined) have.set(row, other);
      }
      inFlight.clear();
      decoded = await fetcher.decodeAll(have);
      have.clear();
      // Enqueue now: a pull that returns without enqueuing is not called again for the same read.
      controller.enqueue(
        slice(nextRow, decoded.subarray(nextRow * rowBytes, (nextRow + 1) * rowBytes)),
      );
      nextRow++;
    },
    cancel: () => {
      inFlight.clear();
      have.clear();
    },
  });
  return { metadata, blobBytes, range, stream };
}
