/**
 * Red Stuff (RS2) encoding of a whole blob: slivers, sliver hashes, root hash and blob ID
 * (spec: encoding.md §3, §6).
 *
 * The work is split into three stages over index ranges so that a host with threads can run each
 * stage's ranges in parallel on shared buffers (client/encoder-pool.ts); `encodeBlob` runs them in
 * one thread. Stage 2 needs all of stage 1, stage 3 all of stage 2.
 *   1. rows r < n_p: the secondary code extends each row by f recovery columns; leaf hashes of the
 *      systematic cells;
 *   2. columns c < n: the primary code extends each column by 2f recovery rows; leaf hashes of the
 *      recovery rows and recovery columns;
 *   3. pairs p: Merkle roots of expanded row p and expanded column n − 1 − p.
 */
import { deriveBlobId } from '../blob-id.js';
import { DIGEST_BYTES, hashSymbols, merkleRootOfLeaves } from '../hash/blake2b.js';
import { LEAF_PREFIX } from '../merkle.js';
import {
  type BlobLayout,
  type EncodingBuffers,
  allocateEncodingBuffers,
  blobLayout,
  codewordBatches,
} from './blob-layout.js';
import { type BlobMetadata, rootHashOfSliverHashes } from './metadata.js';
import { reedSolomonCode } from './reed-solomon.js';
import { encodeSliverData, sliverDataBcsBytes } from './sliver-data.js';
import { elementsToSymbol, symbolToElements } from './symbol-layout.js';

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
  private readonly rowCode;
  private readonly columnCode;

  constructor(
    readonly layout: BlobLayout,
    blob: Uint8Array,
    readonly buffers: EncodingBuffers,
  ) {
    if (blob.length !== layout.blobBytes) throw new RangeError('blob length does not match the layout');
    this.matrix = new MessageMatrix(layout, blob);
    const { nPrimary, nSecondary, maxFaulty } = layout.params;
    this.rowCode = reedSolomonCode(nSecondary, maxFaulty);
    this.columnCode = reedSolomonCode(nPrimary, 2 * maxFaulty);
  }

  /** Stage 1 for rows [rowStart, rowEnd) of the message matrix. */
  encodeRows(rowStart: number, rowEnd: number): void {
    const { nShards, symbolBytes: size, symbolElements } = this.layout;
    const { nPrimary, nSecondary, maxFaulty } = this.layout.params;
    const code = this.rowCode;
    for (const batch of codewordBatches(rowStart, rowEnd, symbolElements)) {
      const span = batch.elementEnd - batch.elementStart;
      const width = (batch.last - batch.first) * span;
      const work = code.allocateWork(width);
      for (let r = batch.first; r < batch.last; r++) {
        const row = this.matrix.row(r);
        const out = (r - batch.first) * span;
        for (let c = 0; c < nSecondary; c++) {
          symbolToElements(row.bytes, row.offset + c * size, size, batch.elementStart, batch.elementEnd, work, c * width + out);
        }
      }
      code.encodeInPlace(work, width);
      for (let t = 0; t < maxFaulty; t++) {
        for (let r = batch.first; r < batch.last; r++) {
          const at = (t * nPrimary + r) * size;
          elementsToSymbol(work, t * width + (r - batch.first) * span, size, batch.elementStart, batch.elementEnd, this.buffers.recoveryColumns, at);
        }
      }
    }
    for (let r = rowStart; r < rowEnd; r++) {
      const row = this.matrix.row(r);
      hashSymbols(LEAF_PREFIX, row.bytes, row.offset, size, nSecondary, this.buffers.leafHashes, r * nShards * DIGEST_BYTES, DIGEST_BYTES);
    }
  }

  /** Source cell (r, c) of the column code: r < n_p, any column c. */
  private columnCell(r: number, c: number): CellSource {
    const { symbolBytes: size } = this.layout;
    const { nPrimary, nSecondary } = this.layout.params;
    if (c < nSecondary) {
      const row = this.matrix.row(r);
      return { bytes: row.bytes, offset: row.offset + c * size };
    }
    return { bytes: this.buffers.recoveryColumns, offset: ((c - nSecondary) * nPrimary + r) * size };
  }

  /** Stage 2 for columns [columnStart, columnEnd) of the expanded matrix. */
  encodeColumns(columnStart: number, columnEnd: number): void {
    const { nShards, symbolBytes: size, symbolElements } = this.layout;
    const { nPrimary, nSecondary, maxFaulty } = this.layout.params;
    const code = this.columnCode;
    const recoveryCount = 2 * maxFaulty;
    const { recoveryRows, recoveryColumns, leafHashes } = this.buffers;
    let corner = new Uint8Array(0);
    for (const batch of codewordBatches(columnStart, columnEnd, symbolElements)) {
      const span = batch.elementEnd - batch.elementStart;
      const columns = batch.last - batch.first;
      const width = columns * span;
      const work = code.allocateWork(width);
      for (let r = 0; r < nPrimary; r++) {
        for (let c = batch.first; c < batch.last; c++) {
          const cell = this.columnCell(r, c);
          symbolToElements(cell.bytes, cell.offset, size, batch.elementStart, batch.elementEnd, work, r * width + (c - batch.first) * span);
        }
      }
      code.encodeInPlace(work, width);
      // Corner cells (recovery rows × recovery columns) are only hashed; keep them per batch.
      if (batch.elementStart === 0 && corner.length < recoveryCount * columns * size) {
        corner = new Uint8Array(recoveryCount * columns * size);
      }
      for (let t = 0; t < recoveryCount; t++) {
        for (let c = batch.first; c < batch.last; c++) {
          const from = t * width + (c - batch.first) * span;
          if (c < nSecondary) {
            elementsToSymbol(work, from, size, batch.elementStart, batch.elementEnd, recoveryRows, (t * nSecondary + c) * size);
          } else {
            elementsToSymbol(work, from, size, batch.elementStart, batch.elementEnd, corner, (t * columns + c - batch.first) * size);
          }
        }
      }
      if (!batch.completesCodewords) continue;
      const systematicEnd = Math.min(batch.last, nSecondary);
      for (let t = 0; t < recoveryCount; t++) {
        const leafRow = (nPrimary + t) * nShards * DIGEST_BYTES;
        if (batch.first < systematicEnd) {
          hashSymbols(LEAF_PREFIX, recoveryRows, (t * nSecondary + batch.first) * size, size, systematicEnd - batch.first, leafHashes, leafRow + batch.first * DIGEST_BYTES, DIGEST_BYTES);
        }
        const cornerStart = Math.max(batch.first, nSecondary);
        if (cornerStart < batch.last) {
          hashSymbols(LEAF_PREFIX, corner, (t * columns + cornerStart - batch.first) * size, size, batch.last - cornerStart, leafHashes, leafRow + cornerStart * DIGEST_BYTES, DIGEST_BYTES);
        }
      }
    }
    // Leaves of the recovery columns' systematic rows, contiguous per column.
    for (let c = Math.max(columnStart, nSecondary); c < columnEnd; c++) {
      hashSymbols(LEAF_PREFIX, recoveryColumns, (c - nSecondary) * nPrimary * size, size, nPrimary, leafHashes, c * DIGEST_BYTES, nShards * DIGEST_BYTES);
    }
  }

  /** Stage 3 for sliver pairs [pairStart, pairEnd). */
  hashSliverPairs(pairStart: number, pairEnd: number): void {
    const { nShards } = this.layout;
    const { leafHashes, sliverHashes } = this.buffers;
    const rowStride = nShards * DIGEST_BYTES;
    for (let p = pairStart; p < pairEnd; p++) {
      merkleRootOfLeaves(leafHashes, p * rowStride, DIGEST_BYTES, nShards, sliverHashes, p * 2 * DIGEST_BYTES);
      const column = nShards - 1 - p;
      merkleRootOfLeaves(leafHashes, column * DIGEST_BYTES, rowStride, nShards, sliverHashes, p * 2 * DIGEST_BYTES + DIGEST_BYTES);
    }
  }

  /** Runs every stage in this thread. */
  runAll(): EncodedBlob {
    const { nShards, params } = this.layout;
    this.encodeRows(0, params.nPrimary);
    this.encodeColumns(0, nShards);
    this.hashSliverPairs(0, nShards);
    return this.finish();
  }

  /** After stage 3: root hash, blob ID and the encoded blob. */
  finish(): EncodedBlob {
    const rootHash = rootHashOfSliverHashes(this.buffers.sliverHashes, this.layout.nShards);
    return new EncodedBlob(this, rootHash, deriveBlobId(rootHash, this.layout.blobBytes));
  }
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
    const table = job.buffers.sliverHashes;
    const hashes = [];
    for (let p = 0; p < this.layout.nShards; p++) {
      const at = p * 2 * DIGEST_BYTES;
      hashes.push({
        primary: table.slice(at, at + DIGEST_BYTES),
        secondary: table.slice(at + DIGEST_BYTES, at + 2 * DIGEST_BYTES),
      });
    }
    this.metadata = { encodingType: 'RS2', unencodedLength: this.layout.blobBytes, hashes };
  }

  /** Primary sliver i (row i), as a view where possible. */
  primarySliver(i: number): Uint8Array {
    const { nPrimary } = this.layout.params;
    const bytes = this.layout.primarySliverBytes;
    if (i < nPrimary) {
      const row = this.job.matrix.row(i);
      return row.bytes.subarray(row.offset, row.offset + bytes);
    }
    return this.job.buffers.recoveryRows.subarray((i - nPrimary) * bytes, (i - nPrimary + 1) * bytes);
  }

  /** Secondary sliver j (column j, first n_p symbols). Systematic columns are gathered. */
  secondarySliver(j: number, out?: Uint8Array): Uint8Array {
    const { nPrimary, nSecondary } = this.layout.params;
    const { symbolBytes: size, secondarySliverBytes: bytes } = this.layout;
    if (j >= nSecondary) {
      return this.job.buffers.recoveryColumns.subarray((j - nSecondary) * bytes, (j - nSecondary + 1) * bytes);
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
    return encodeSliverData({ data: this.primarySliver(i), symbolBytes: this.layout.symbolBytes, index: i }, out);
  }

  /** BCS SliverData of secondary sliver j. */
  secondarySliverBcs(j: number, out?: Uint8Array): Uint8Array {
    const data = this.secondarySliver(j);
    return encodeSliverData({ data, symbolBytes: this.layout.symbolBytes, index: j }, out);
  }

  get primarySliverBcsBytes(): number {
    return sliverDataBcsBytes(this.layout.primarySliverBytes);
  }

  get secondarySliverBcsBytes(): number {
    return sliverDataBcsBytes(this.layout.secondarySliverBytes);
  }
}

/** Encodes `blob` for `nShards` in the calling thread. Throws DataTooLargeError past the limit. */
export function encodeBlob(blob: Uint8Array, nShards: number): EncodedBlob {
  const layout = blobLayout(blob.length, nShards);
  return new BlobEncodingJob(layout, blob, allocateEncodingBuffers(layout)).runAll();
}
