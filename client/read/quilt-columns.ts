/**
 * The columns (secondary slivers) of a quilt, for one read (docs/spec/quilts.md §7): fetched from
 * their shards' nodes in parallel, each verified against the metadata, a hung or failing node
 * raced with recovery symbols after its hedge deadline (sliver-fetch.ts) — up to
 * QUILT_RECOVERED_COLUMNS_MAX rebuilt columns, as Rust's QuiltClient rebuilds up to 100 missing
 * slivers. Only when that fails is the whole quilt read from its rows, with Walrus's strict check
 * (§7.3: re-encode, compare the blob ID) before any column of it is used, and only for quilts up
 * to `fullReadBytesMax`: rows hold one symbol of every column, so they never help a single patch
 * short of the whole blob.
 */
import { blobIdToString } from '../../core/blob-id.js';
import { bytesEqual } from '../../core/bytes.js';
import { computeBlobMetadata } from '../../core/encoding/blob-encoder.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import type { QuiltGeometry } from '../../core/quilt/geometry.js';
import { type ColumnRange, quiltColumns, quiltGeometryOf } from '../../core/quilt/quilt-reader.js';
import { QuiltDecodeError, QuiltLimitError } from '../../core/quilt/errors.js';
import { QUILT_BYTES_DEFAULT } from '../../core/quilt/limits.js';
import { BlobInconsistentError } from './errors.js';
import type { ReadNodes } from './nodes.js';
import { BlobRowReader, FULL_DECODE_BYTES_MAX } from './rows.js';
import { SliverFetcher } from './sliver-fetch.js';

/** Rust's QuiltClient rebuilds at most this many missing slivers before reading the whole quilt. */
export const QUILT_RECOVERED_COLUMNS_MAX = 100;
/**
 * The whole-quilt fallback is taken only for quilts up to this size by default: the quilt and its
 * re-encoding (for the strict check) must fit in memory next to everything else (Workers give an
 * isolate 128 MB).
 */
export const QUILT_FULL_READ_BYTES_DEFAULT = FULL_DECODE_BYTES_MAX;

/**
 * Columns one read may fetch, by default: the largest quilt walrus-edge builds. A patch ID or an
 * index from the network may name any columns of a quilt of up to 13 GiB (n = 1000), and every
 * byte fetched is held in memory.
 */
export const QUILT_READ_BYTES_DEFAULT = QUILT_BYTES_DEFAULT;

export interface QuiltColumnOptions {
  /** Largest quilt the whole-quilt fallback may read (default QUILT_FULL_READ_BYTES_DEFAULT). */
  readonly fullReadBytesMax?: number;
  /** Most bytes of columns one call may fetch (default QUILT_READ_BYTES_DEFAULT). */
  readonly readBytesMax?: number;
}

export class QuiltColumnReader {
  readonly geometry: QuiltGeometry;
  private readonly fetcher: SliverFetcher;
  private whole: Promise<Uint8Array> | undefined;

  /** Throws QuiltDecodeError NOT_A_QUILT_LENGTH when the blob cannot be a quilt. */
  constructor(
    private readonly quiltId: Uint8Array,
    private readonly metadata: VerifiedMetadata,
    private readonly nodes: ReadNodes,
    private readonly options: QuiltColumnOptions = {},
  ) {
    this.geometry = quiltGeometryOf(metadata);
    this.fetcher = new SliverFetcher(quiltId, metadata, nodes, 'secondary', {
      recoveredSliversMax: QUILT_RECOVERED_COLUMNS_MAX,
    });
  }

  /** The data of columns `range` (n_p · S bytes each), in order, every one verified. */
  async columns(range: ColumnRange): Promise<Uint8Array[]> {
    const { start, end } = range;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end)) {
      throw new QuiltDecodeError('PATCH_RANGE', `columns [${start}, ${end}) are not a range`);
    }
    if (end > this.geometry.columnCount) {
      throw new QuiltDecodeError(
        'PATCH_RANGE',
        `columns [${start}, ${end}) pass the quilt's ${this.geometry.columnCount} columns`,
      );
    }
    const bytes = (end - start) * this.geometry.columnBytes;
    const bytesMax = this.options.readBytesMax ?? QUILT_READ_BYTES_DEFAULT;
    if (bytes > bytesMax) {
      throw new QuiltLimitError(
        'QUILT_BYTES',
        bytes,
        bytesMax,
        `columns [${start}, ${end}) of this quilt are more bytes than one read fetches`,
      );
    }
    if (this.whole !== undefined) return quiltColumns(await this.whole, this.geometry, range);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const slots = this.fetcher.fetch(indices);
    // Every slot settles (data, or an error): wait for all, so no rejection goes unhandled.
    const settled = await Promise.allSettled(indices.map((index) => slots.get(index)!.promise));
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure === undefined)
      return settled.map((result) => (result as PromiseFulfilledResult<Uint8Array>).value);
    const error: unknown = failure.reason;
    if (error instanceof BlobInconsistentError) throw error;
    const limit = this.options.fullReadBytesMax ?? QUILT_FULL_READ_BYTES_DEFAULT;
    if (this.geometry.quiltBytes > limit) throw error;
    return quiltColumns(await this.readWhole(), this.geometry, range);
  }

  /** The whole quilt from its rows, accepted only if it re-encodes to the quilt ID. */
  private readWhole(): Promise<Uint8Array> {
    this.whole ??= (async () => {
      const reader = new BlobRowReader(this.quiltId, this.metadata, this.nodes);
      const rowBytes = reader.layout.primarySliverBytes;
      const quilt = new Uint8Array(this.geometry.quiltBytes);
      for await (const { row, data } of reader.rows(0, this.geometry.rowCount - 1))
        quilt.set(data, row * rowBytes);
      // Rows verified one by one can still disagree with the columns the metadata commits to
      // (an inconsistently encoded blob): only the re-encoding proves the bytes are the quilt's.
      const encoded = computeBlobMetadata(quilt, this.metadata.nShards);
      if (!bytesEqual(encoded.blobId, this.quiltId)) {
        throw new BlobInconsistentError(
          `the rows of quilt ${blobIdToString(this.quiltId)} re-encode to another blob ID`,
        );
      }
      return quilt;
    })();
    return this.whole;
  }
}
