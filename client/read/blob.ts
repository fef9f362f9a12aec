/**
 * Reading blobs (docs/spec/api.md §3.1, read algorithm) the way the SDK, the CLI and the edge
 * Worker all do: verified metadata from the first node that has it (metadata.ts), then the
 * systematic rows the request covers, verified, racing slow or failed nodes with recovery symbols
 * (rows.ts) — within a bounded memory window however large the blob.
 */
import type { Committee } from '../../core/chain/committee.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import { blobIdToString } from '../../core/blob-id.js';
import { aggregateBlobStatus, askNodesForStatus } from '../status.js';
import { BlobInconsistentError, BlobNotFoundError, BlobUnavailableError } from './errors.js';
import { readVerifiedMetadata } from './metadata.js';
import { type ReadNodeOptions, ReadNodes } from './nodes.js';
import { BlobRowReader, type RowReaderOptions } from './rows.js';
import { type ByteRange, openRangeStream } from './stream.js';

export interface ReadProgress {
  readonly stage: 'metadata' | 'slivers';
  readonly done: number;
  readonly total: number;
}

export interface ReadOptions extends ReadNodeOptions, RowReaderOptions {
  /** Verified metadata the caller already holds (e.g. from a cache): no metadata request. */
  readonly metadata?: VerifiedMetadata;
  readonly onProgress?: (progress: ReadProgress) => void;
}

export interface BlobStream {
  readonly metadata: VerifiedMetadata;
  readonly blobBytes: number;
  /** The range streamed (the whole blob when none was asked for); undefined for an empty blob. */
  readonly range: ByteRange | undefined;
  readonly stream: ReadableStream<Uint8Array>;
}

export interface StreamOptions extends ReadOptions {
  /** Picks the range once the blob's length is known; undefined: the whole blob. */
  readonly range?: (blobBytes: number) => ByteRange | undefined;
}

/**
 * A read that failed may be of a blob the network invalidated: its nodes drop the data, so the
 * read alone would say "not found" or "unavailable". More than f shards' word that it is invalid
 * turns that into the error it is (Walrus: BLOB_INVALID; the CLI says "invalid blob").
 */
async function explainedFailure(
  blobId: Uint8Array,
  committee: Committee,
  options: ReadOptions,
  error: unknown,
): Promise<never> {
  if (!(error instanceof BlobNotFoundError || error instanceof BlobUnavailableError)) throw error;
  const replies = await askNodesForStatus(blobId, committee, {
    signal: options.signal,
    health: options.health,
    fetch: options.fetch,
  }).catch(() => []);
  const status = aggregateBlobStatus(replies, committee.nShards);
  if (status?.status.kind === 'invalid') {
    throw new BlobInconsistentError(
      `blob ${blobIdToString(blobId)} was marked invalid by the network ` +
        `(${status.weight} of ${committee.nShards} shards say so)`,
    );
  }
  throw error;
}

async function metadataOf(blobId: Uint8Array, nodes: ReadNodes, options: ReadOptions) {
  const report = options.onProgress ?? (() => {});
  if (options.metadata !== undefined) return options.metadata;
  report({ stage: 'metadata', done: 0, total: 1 });
  const metadata = await readVerifiedMetadata(blobId, nodes);
  report({ stage: 'metadata', done: 1, total: 1 });
  return metadata;
}

/** The whole blob in memory (the CLI writes it to a file; prefer openBlobStream for large blobs). */
export async function readBlob(
  blobId: Uint8Array,
  committee: Committee,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  const nodes = new ReadNodes(committee, options);
  try {
    const metadata = await metadataOf(blobId, nodes, options);
    const blobBytes = metadata.unencodedLength;
    const out = new Uint8Array(blobBytes);
    if (blobBytes === 0) return out;
    const report = options.onProgress ?? (() => {});
    const reader = new BlobRowReader(blobId, metadata, nodes, options);
    const rowBytes = reader.layout.primarySliverBytes;
    const last = Math.floor((blobBytes - 1) / rowBytes);
    report({ stage: 'slivers', done: 0, total: last + 1 });
    for await (const { row, data } of reader.rows(0, last)) {
      const start = row * rowBytes;
      out.set(data.subarray(0, Math.min(rowBytes, blobBytes - start)), start);
      report({ stage: 'slivers', done: row + 1, total: last + 1 });
    }
    return out;
  } catch (error) {
    nodes.close();
    return explainedFailure(blobId, committee, options, error);
  } finally {
    nodes.close();
  }
}

/**
 * A verified stream of the blob or of one byte range. Metadata and the first row are in hand
 * before this resolves (so callers can still answer 404/503); later failures error the stream.
 */
export async function openBlobStream(
  blobId: Uint8Array,
  committee: Committee,
  options: StreamOptions = {},
): Promise<BlobStream> {
  const nodes = new ReadNodes(committee, options);
  try {
    const metadata = await metadataOf(blobId, nodes, options);
    const blobBytes = metadata.unencodedLength;
    const range =
      blobBytes === 0
        ? undefined
        : (options.range?.(blobBytes) ?? { start: 0, end: blobBytes - 1 });
    if (range === undefined) {
      nodes.close();
      return {
        metadata,
        blobBytes,
        range,
        stream: new ReadableStream({ start: (c) => c.close() }),
      };
    }
    const reader = new BlobRowReader(blobId, metadata, nodes, options);
    const stream = await openRangeStream(reader, range, () => nodes.close());
    return { metadata, blobBytes, range, stream };
  } catch (error) {
    nodes.close();
    return explainedFailure(blobId, committee, options, error);
  }
}
