/**
 * Red Stuff (RS2) encoding of a whole blob: slivers, sliver hashes, root hash and blob ID
 * (docs/spec/encoding.md §3, §6).
 *
 * The work is split into three stages over index ranges so that a host with threads can run each
 * stage's ranges in parallel on shared buffers (client/node/encoder-pool.ts); `encodeBlob` runs them
 * in one thread. Stage 2 needs all of stage 1, stage 3 all of stage 2.
 *   1. rows r < n_p: the secondary code extends each row by f recovery columns;
 *   2. column chunks: the primary code extends each column by 2f recovery rows; every cell is
 *      hashed once, giving the secondary sliver hashes and per-row subtree roots;
 *   3. pairs p: the primary sliver hash of row p from its subtree roots.
 *
 * Over 400 lines: the three stages share the layout, the buffers and the kernels' work batches;
 * apart they would pass all of that around.
 */
import { assert } from '../assert.js';
import { deriveBlobId } from '../blob-id.js';
import {
  DIGEST_BYTES,
  type LeafTable,
  MERKLE_LEAF_PREFIX as LEAF_PREFIX,
  blake2bBackend,
  merkleRootOfLeaves,
  openLeafTable,
} from '../hash/blake2b.js';
import {
  type BlobLayout,
  type ColumnChunking,
  type EncodingBuffers,
  allocateEncodingBuffers,
  blobLayout,
  encodingBufferBytes,
  codewordBatches,
  columnChunking,
} from './blob-layout.js';
import type { BlobMetadata } from './metadata.js';
import { rootHashOfSliverHashes } from './root-hash.js';
import { gf16Backend, openWorkBatch, symbolSpan, workBatchWidthMax } from './fft-kernel.js';
import { type ReedSolomonCode, reedSolomonCode } from './reed-solomon.js';
import { encodeSliverData, sliverDataBcsBytes, writeSliverDataFrame } from './sliver-data.js';

/** Where one cell's bytes are: a buffer and an offset into it. */
interface CellSource {
  readonly bytes: Uint8Array;
  readonly offset: number;
}

/**
 * The message matrix over the unpadded blob: rows that lie wholly inside the blob are read in place;
 * the rest (the last partial row and the empty rows) come from a small zero-padded copy, which is
 * under one row plus 2·n_p·n_s bytes.
 */
export class MessageMatrix {
  private readonly fullRows: number;
  private readonly tail: Uint8Array;

  constructor(
    readonly layout: BlobLayout,
    readonly blob: Uint8Array,
  ) {
    const rowBytes = layout.primarySliverBytes;
    this.fullRows = Math.min(layout.params.nPrimary, Math.floor(blob.length / rowBytes));
    this.tail = new Uint8Array((layout.params.nPrimary - this.fullRows) * rowBytes);
    this.tail.set(blob.subarray(this.fullRows * rowBytes));
  }

  /** Row r (primary sliver r < n_p), as a buffer and the offset of its first byte. */
  row(r: number): CellSource {
    const rowBytes = this.layout.primarySliverBytes;
    return r < this.fullRows
      ? { bytes: this.blob, offset: r * rowBytes }
      : { bytes: this.tail, offset: (r - this.fullRows) * rowBytes };
  }
}

export class BlobEncodingJob {
  readonly matrix: MessageMatrix;
  readonly chunking: ColumnChunking;
  /** False for metadata only (encodingBufferBytes without slivers): recovery rows are dropped. */
  readonly keepsSlivers: boolean;
  private readonly rowCode: ReedSolomonCode;
  private readonly columnCode: ReedSolomonCode;
  /** Per-thread scratch, reused across batches and chunks to spare the garbage collector. */
  private readonly scratch = new Map<string, Uint8Array>();

  constructor(
    readonly layout: BlobLayout,
    blob: Uint8Array,
    readonly buffers: EncodingBuffers,
  ) {
    if (blob.length !== layout.blobBytes)
      throw new RangeError('blob length does not match the layout');
    this.matrix = new MessageMatrix(layout, blob);
    this.keepsSlivers = buffers.recoveryRows.length > 0;
    if (this.keepsSlivers) {
      assert(
        buffers.recoveryRows.length === encodingBufferBytes(layout).recoveryRows,
        'the recovery rows hold every primary recovery sliver',
      );
    }
    this.chunking = columnChunking(layout);
    const { nPrimary, nSecondary, maxFaulty } = layout.params;
    this.rowCode = reedSolomonCode(nSecondary, maxFaulty);
    this.columnCode = reedSolomonCode(nPrimary, 2 * maxFaulty);
  }

  private scratchBytes(name: string, length: number): Uint8Array {
    let buffer = this.scratch.get(name);
    if (buffer === undefined || buffer.length < length) {
      buffer = new Uint8Array(length);
      this.scratch.set(name, buffer);
    }
    return buffer;
  }

  /** Stage 1 for rows [rowStart, rowEnd): the secondary code adds the f recovery columns. */
  encodeRows(rowStart: number, rowEnd: number): void {
    const { symbolBytes: size, symbolElements } = this.layout;
    const { nPrimary, nSecondary, maxFaulty } = this.layout.params;
    const code = this.rowCode;
    const { recoveryColumns } = this.buffers;
    for (const batch of codewordBatches(
      rowStart,
      rowEnd,
      symbolElements,
      workBatchWidthMax(code.workShardCount),
    )) {
      const span = batch.elementEnd - batch.elementStart;
      const rows = batch.last - batch.first;
      const width = rows * span;
      const work = openWorkBatch(code.workShardCount, width, symbolSpan(size, batch), code.k);
      // Row r's n_s symbols are adjacent: one per shard, at the row's place in each shard.
      for (let r = batch.first; r < batch.last; r++) {
        const row = this.matrix.row(r);
        work.readSymbols(row.bytes, row.offset, size, nSecondary, (r - batch.first) * span, width);
      }
      code.encodeBatch(work);
      // Recovery column t keeps its rows adjacent (it is secondary sliver n_s + t).
      for (let t = 0; t < maxFaulty; t++) {
        const at = (t * nPrimary + batch.first) * size;
        work.writeSymbols(t * width, span, rows, recoveryColumns, at, size);
      }
    }
  }

  /**
   * Stage 2 for column chunks [chunkStart, chunkEnd): the primary code adds the 2f recovery rows,
   * every cell of the chunk is hashed, and the chunk yields its columns' roots (secondary sliver
   * hashes) and each row's subtree root over the chunk.
   */
  encodeColumnChunks(chunkStart: number, chunkEnd: number): void {
    const { nShards } = this.layout;
    const { chunkColumns, chunkCount, height } = this.chunking;
    const { sliverHashes, rowChunkRoots } = this.buffers;
    // Slot (c − first)·n + r holds the leaf hash of cell (r, c): one column after another.
    const table = openLeafTable(nShards * chunkColumns);
    const columnRoots = this.scratchBytes('column roots', chunkColumns * DIGEST_BYTES);
    for (let chunk = chunkStart; chunk < chunkEnd; chunk++) {
      const first = chunk * chunkColumns;
      const last = Math.min(nShards, first + chunkColumns);
      this.hashSystematicRows(first, last, table);
      this.encodeColumns(first, last, table);
      const levels = Math.ceil(Math.log2(nShards));
      table.roots(0, nShards, 1, nShards, levels, last - first, columnRoots, 0, DIGEST_BYTES);
      for (let c = first; c < last; c++) {
        // Column c is secondary sliver c, whose hash is the second half of pair n − 1 − c.
        const root = columnRoots.subarray(
          (c - first) * DIGEST_BYTES,
          (c - first + 1) * DIGEST_BYTES,
        );
        sliverHashes.set(root, (nShards - 1 - c) * 2 * DIGEST_BYTES + DIGEST_BYTES);
      }
      // Each row's subtree over the chunk; a partial last chunk is padded up to the full height.
      const rootsStride = chunkCount * DIGEST_BYTES;
      table.roots(
        0,
        1,
        nShards,
        last - first,
        height,
        nShards,
        rowChunkRoots,
        chunk * DIGEST_BYTES,
        rootsStride,
      );
    }
  }

  /** Leaf hashes of rows r < n_p for columns [first, last), into the chunk's table. */
  private hashSystematicRows(first: number, last: number, table: LeafTable): void {
    const { nShards, symbolBytes: size } = this.layout;
    const { nPrimary, nSecondary } = this.layout.params;
    const systematicEnd = Math.min(last, nSecondary);
    if (first < systematicEnd) {
      for (let r = 0; r < nPrimary; r++) {
        const row = this.matrix.row(r);
        const from = row.offset + first * size;
        table.hashSymbols(LEAF_PREFIX, row.bytes, from, size, systematicEnd - first, r, nShards);
      }
    }
    for (let c = Math.max(first, nSecondary); c < last; c++) {
      const from = (c - nSecondary) * nPrimary * size;
      const slot = (c - first) * nShards;
      table.hashSymbols(LEAF_PREFIX, this.buffers.recoveryColumns, from, size, nPrimary, slot, 1);
    }
  }

  /** The column code over columns [first, last), and the leaf hashes of the recovery rows. */
  private encodeColumns(first: number, last: number, table: LeafTable): void {
    const { nShards, symbolBytes: size, symbolElements } = this.layout;
    const { nPrimary, nSecondary, maxFaulty } = this.layout.params;
    const code = this.columnCode;
    const recoveryCount = 2 * maxFaulty;
    const { recoveryRows, recoveryColumns } = this.buffers;
    const columnStride = nShards * DIGEST_BYTES;
    for (const batch of codewordBatches(
      first,
      last,
      symbolElements,
      workBatchWidthMax(code.workShardCount),
    )) {
      const span = batch.elementEnd - batch.elementStart;
      const columns = batch.last - batch.first;
      const width = columns * span;
      const systematicEnd = Math.min(batch.last, nSecondary);
      const cornerStart = Math.max(batch.first, nSecondary);
      const work = openWorkBatch(code.workShardCount, width, symbolSpan(size, batch), code.k);
      // Systematic columns: row r's cells in the batch are adjacent in the blob (shard r).
      if (batch.first < systematicEnd) {
        for (let r = 0; r < nPrimary; r++) {
          const row = this.matrix.row(r);
          const at = row.offset + batch.first * size;
          work.readSymbols(row.bytes, at, size, systematicEnd - batch.first, r * width, span);
        }
      }
      // Recovery columns: a column's n_p cells are adjacent (one per shard).
      for (let c = cornerStart; c < batch.last; c++) {
        const at = (c - nSecondary) * nPrimary * size;
        work.readSymbols(recoveryColumns, at, size, nPrimary, (c - batch.first) * span, width);
      }
      code.encodeBatch(work);
      // Corner cells (recovery rows × recovery columns) are only hashed: kept for this batch only;
      // so are all recovery-row cells when no slivers are kept.
      const corner = this.scratchBytes('corner', recoveryCount * columns * size);
      const keptEnd = this.keepsSlivers ? systematicEnd : batch.first;
      const scratchStart = this.keepsSlivers ? cornerStart : batch.first;
      for (let t = 0; t < recoveryCount; t++) {
        if (batch.first < keptEnd) {
          const at = (t * nSecondary + batch.first) * size;
          work.writeSymbols(t * width, span, keptEnd - batch.first, recoveryRows, at, size);
        }
        if (scratchStart < batch.last) {
          const from = t * width + (scratchStart - batch.first) * span;
          const at = (t * columns + scratchStart - batch.first) * size;
          work.writeSymbols(from, span, batch.last - scratchStart, corner, at, size);
        }
      }
      if (!batch.completesCodewords) continue;
      for (let t = 0; t < recoveryCount; t++) {
        const row = nPrimary + t;
        if (batch.first < keptEnd) {
          const from = (t * nSecondary + batch.first) * size;
          const slot = (batch.first - first) * nShards + row;
          const count = keptEnd - batch.first;
          table.hashSymbols(LEAF_PREFIX, recoveryRows, from, size, count, slot, nShards);
        }
        if (scratchStart < batch.last) {
          const from = (t * columns + scratchStart - batch.first) * size;
          const slot = (scratchStart - first) * nShards + row;
          const count = batch.last - scratchStart;
          table.hashSymbols(LEAF_PREFIX, corner, from, size, count, slot, nShards);
        }
      }
    }
  }

  /** Stage 3 for sliver pairs [pairStart, pairEnd): primary hashes from the rows' chunk roots. */
  hashPrimarySlivers(pairStart: number, pairEnd: number): void {
    const { chunkCount } = this.chunking;
    const { rowChunkRoots, sliverHashes } = this.buffers;
    for (let p = pairStart; p < pairEnd; p++) {
      merkleRootOfLeaves(
        rowChunkRoots,
        p * chunkCount * DIGEST_BYTES,
        DIGEST_BYTES,
        chunkCount,
        sliverHashes,
        p * 2 * DIGEST_BYTES,
      );
    }
  }

  /** Runs every stage in this thread. */
  runStages(): void {
    const { nShards, params } = this.layout;
    this.encodeRows(0, params.nPrimary);
    this.encodeColumnChunks(0, this.chunking.chunkCount);
    this.hashPrimarySlivers(0, nShards);
  }

  /** Runs every stage in this thread; the encoded blob. */
  runAll(): EncodedBlob {
    this.runStages();
    return this.finish();
  }

  /** After stage 3: root hash, blob ID and the encoded blob. */
  finish(): EncodedBlob {
    assert(this.keepsSlivers, 'an encoding for metadata only has no slivers to give');
    const rootHash = rootHashOfSliverHashes(this.buffers.sliverHashes, this.layout.nShards);
    return new EncodedBlob(this, rootHash, deriveBlobId(rootHash, this.layout.blobBytes));
  }

  /** After stage 3: root hash, blob ID and metadata (all an encoding without slivers gives). */
  finishMetadata(): EncodedMetadata {
    const { layout } = this;
    const rootHash = rootHashOfSliverHashes(this.buffers.sliverHashes, layout.nShards);
    const blobId = deriveBlobId(rootHash, layout.blobBytes);
    return { layout, metadata: metadataOf(layout, this.buffers.sliverHashes), rootHash, blobId };
  }
}

/** What a blob ID needs: the metadata, its root hash and the ID (see computeBlobMetadata). */
export interface EncodedMetadata {
  readonly layout: BlobLayout;
  readonly metadata: BlobMetadata;
  readonly rootHash: Uint8Array;
  readonly blobId: Uint8Array;
}

/** The metadata of the n × 64-byte primary ‖ secondary sliver hash table. */
function metadataOf(layout: BlobLayout, table: Uint8Array): BlobMetadata {
  const hashes = [];
  for (let p = 0; p < layout.nShards; p++) {
    const at = p * 2 * DIGEST_BYTES;
    hashes.push({
      primary: table.slice(at, at + DIGEST_BYTES),
      secondary: table.slice(at + DIGEST_BYTES, at + 2 * DIGEST_BYTES),
    });
  }
  return { encodingType: 'RS2', unencodedLength: layout.blobBytes, hashes };
}

/** The result of encoding: metadata, blob ID and every sliver, produced on demand from the buffers. */
export class EncodedBlob {
  readonly layout: BlobLayout;
  readonly metadata: BlobMetadata;

  constructor(
    private readonly job: BlobEncodingJob,
    readonly rootHash: Uint8Array,
    readonly blobId: Uint8Array,
  ) {
    this.layout = job.layout;
    this.metadata = metadataOf(this.layout, job.buffers.sliverHashes);
  }

  /** Primary sliver i (row i), as a view where possible. */
  primarySliver(i: number): Uint8Array {
    const { nPrimary } = this.layout.params;
    const bytes = this.layout.primarySliverBytes;
    if (i < nPrimary) {
      const row = this.job.matrix.row(i);
      return row.bytes.subarray(row.offset, row.offset + bytes);
    }
    return this.job.buffers.recoveryRows.subarray(
      (i - nPrimary) * bytes,
      (i - nPrimary + 1) * bytes,
    );
  }

  /** Secondary sliver j (column j, first n_p symbols). Systematic columns are gathered. */
  secondarySliver(j: number, out?: Uint8Array): Uint8Array {
    const { nPrimary, nSecondary } = this.layout.params;
    const { symbolBytes: size, secondarySliverBytes: bytes } = this.layout;
    if (j >= nSecondary) {
      return this.job.buffers.recoveryColumns.subarray(
        (j - nSecondary) * bytes,
        (j - nSecondary + 1) * bytes,
      );
    }
    const target = out ?? new Uint8Array(bytes);
    for (let r = 0; r < nPrimary; r++) {
      const row = this.job.matrix.row(r);
      const from = row.offset + j * size;
      target.set(row.bytes.subarray(from, from + size), r * size);
    }
    return target.subarray(0, bytes);
  }

  /** BCS SliverData of primary sliver i. */
  primarySliverBcs(i: number, out?: Uint8Array): Uint8Array {
    return encodeSliverData(
      { data: this.primarySliver(i), symbolBytes: this.layout.symbolBytes, index: i },
      out,
    );
  }

  /** BCS SliverData of secondary sliver j; systematic columns are gathered straight into `out`. */
  secondarySliverBcs(j: number, out?: Uint8Array): Uint8Array {
    const { symbolBytes: size, secondarySliverBytes: bytes } = this.layout;
    const total = sliverDataBcsBytes(bytes);
    const target = out ?? new Uint8Array(total);
    const payload = writeSliverDataFrame(target, 0, bytes, size, j);
    if (j >= this.layout.params.nSecondary) target.set(this.secondarySliver(j), payload);
    else this.secondarySliver(j, target.subarray(payload, payload + bytes));
    return target.subarray(0, total);
  }

  get primarySliverBcsBytes(): number {
    return sliverDataBcsBytes(this.layout.primarySliverBytes);
  }

  get secondarySliverBcsBytes(): number {
    return sliverDataBcsBytes(this.layout.secondarySliverBytes);
  }
}

/**
 * Compiles the hash and FFT kernels now instead of on the first encoding, so that a thread that
 * is about to encode (a pool worker that has just started) does it while its caller is busy.
 */
export function prepareEncoder(): void {
  blake2bBackend();
  gf16Backend();
}

/** Encodes `blob` for `nShards` in the calling thread. Throws DataTooLargeError past the limit. */
export function encodeBlob(blob: Uint8Array, nShards: number): EncodedBlob {
  const layout = blobLayout(blob.length, nShards);
  return new BlobEncodingJob(layout, blob, allocateEncodingBuffers(layout)).runAll();
}

/**
 * The metadata and blob ID `encodeBlob` gives, without keeping the slivers (as walrus-wasm's
 * compute_metadata): the recovery rows are hashed and dropped, a third less memory.
 */
export function computeBlobMetadata(blob: Uint8Array, nShards: number): EncodedMetadata {
  const layout = blobLayout(blob.length, nShards);
  const buffers = allocateEncodingBuffers(layout, undefined, false);
  const job = new BlobEncodingJob(layout, blob, buffers);
  job.runStages();
  return job.finishMetadata();
}
