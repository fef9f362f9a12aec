/**
 * The geometry of one encoded blob: the n × n expanded matrix, where its cells live in memory, and
 * how the work is split into batches (docs/spec/encoding.md §3).
 *
 * Memory plan (why the buffers look like this): the systematic part of the matrix IS the blob, so it
 * is never copied; only the f recovery columns (secondary slivers n_s..n−1) and the 2f recovery rows
 * restricted to the first n_s columns (primary slivers n_p..n−1) are kept. The 2f × f corner block
 * is needed only for hashing and is computed, hashed and dropped. Leaf hashes are not kept either:
 * columns are processed in aligned chunks of 2^h, each chunk yields its columns' Merkle roots and,
 * per row, the root of the row's subtree over the chunk; the row roots are built from those.
 */
import { assert } from '../assert.js';
// HASH_BYTES, not the hash module's DIGEST_BYTES: this module is loaded by threads before they
// load the hash kernel (client/node/encoder-pool.ts).
import {
  type EncodingParams,
  HASH_BYTES as DIGEST_BYTES,
  encodingParams,
  symbolBytes,
} from './config.js';

export interface BlobLayout {
  readonly params: EncodingParams;
  readonly nShards: number;
  readonly blobBytes: number;
  readonly symbolBytes: number;
  /** GF(2^16) elements per symbol. */
  readonly symbolElements: number;
  /** n_s · S: one message-matrix row, one primary sliver. */
  readonly primarySliverBytes: number;
  /** n_p · S: one message-matrix column, one secondary sliver. */
  readonly secondarySliverBytes: number;
}

export function blobLayout(blobBytes: number, nShards: number): BlobLayout {
  const params = encodingParams(nShards);
  const size = symbolBytes(blobBytes, nShards);
  return Object.freeze({
    params,
    nShards,
    blobBytes,
    symbolBytes: size,
    symbolElements: size / 2,
    primarySliverBytes: params.nSecondary * size,
    secondarySliverBytes: params.nPrimary * size,
  });
}

/** BLAKE2b processes messages in blocks of this many bytes. */
const HASH_BLOCK_BYTES = 128;

/**
 * The BLAKE2b compressions an encoding takes: one leaf hash (prefix byte and symbol) per cell of
 * the n × n matrix, and about 2n² inner Merkle nodes of one block each. Hashing is most of the
 * work at every size (docs/spec/encoding.md §13), so this is the cost estimate that decides whether
 * spreading an encoding over threads pays for starting them (client/node/encoder-pool.ts).
 */
export function encodingHashBlocks(layout: BlobLayout): number {
  const cells = layout.nShards * layout.nShards;
  return cells * Math.ceil((layout.symbolBytes + 1) / HASH_BLOCK_BYTES) + 2 * cells;
}

/**
 * Buffer sizes of an encoding job; each may be backed by a SharedArrayBuffer for worker threads.
 * Without `slivers` (metadata only, as for a blob ID) the recovery rows are hashed and dropped:
 * they are ~2/3 of the encoded slivers (134 MB for a 64 MiB blob at n = 1000). The recovery
 * columns are kept either way, as the column code's input.
 */
export function encodingBufferBytes(layout: BlobLayout, slivers = true) {
  const { nShards, params, symbolBytes: size } = layout;
  return {
    /** Secondary slivers n_s..n−1, each contiguous (column-major recovery columns). */
    recoveryColumns: params.maxFaulty * params.nPrimary * size,
    /** Primary slivers n_p..n−1, each contiguous; none without `slivers`. */
    recoveryRows: slivers ? 2 * params.maxFaulty * params.nSecondary * size : 0,
    /** Per row, the subtree root over each column chunk (row-major). */
    rowChunkRoots: nShards * columnChunking(layout).chunkCount * DIGEST_BYTES,
    /** Pair p: primary hash ‖ secondary hash. */
    sliverHashes: nShards * 2 * DIGEST_BYTES,
  };
}

export interface EncodingBuffers {
  readonly recoveryColumns: Uint8Array;
  readonly recoveryRows: Uint8Array;
  readonly rowChunkRoots: Uint8Array;
  readonly sliverHashes: Uint8Array;
}

export function allocateEncodingBuffers(
  layout: BlobLayout,
  allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
  slivers = true,
): EncodingBuffers {
  const sizes = encodingBufferBytes(layout, slivers);
  return {
    recoveryColumns: allocate(sizes.recoveryColumns),
    recoveryRows: allocate(sizes.recoveryRows),
    rowChunkRoots: allocate(sizes.rowChunkRoots),
    sliverHashes: allocate(sizes.sliverHashes),
  };
}

/**
 * Elements per work shard that one Reed–Solomon call processes. Small symbols are batched across
 * codewords so the per-butterfly overhead is amortized; large symbols are split into element ranges
 * so the work buffer stays near the CPU cache. Measured on the bench machine: see bench/encode.ts.
 */
export const WORK_WIDTH_ELEMENTS_TARGET = 1024;
/** Element ranges of split symbols start and end on 64-byte blocks (32 elements, spec §4.1). */
export const BATCH_RANGE_ALIGN_ELEMENTS = 32;
assert(
  WORK_WIDTH_ELEMENTS_TARGET % BATCH_RANGE_ALIGN_ELEMENTS === 0,
  'split symbols are cut on 64-byte blocks',
);

/**
 * Column chunks per blob to aim for: threads share stage 2 chunk by chunk, and a worker that is
 * still booting when the stage starts (client/node/encoder-pool.ts) must find chunks left when it
 * joins. 32 chunks of 32 columns at n = 1000.
 */
const COLUMN_CHUNKS_TARGET = 32;
/** Bound on a chunk's leaf-hash table (n × chunk width × 32 bytes, one per thread): the hash
 *  kernel's LeafTable (scripts/gen-blake2b-wat.mjs), which holds one column at the largest n. */
export const CHUNK_LEAF_HASH_BYTES_MAX = 2 * 1024 * 1024;

export interface ColumnChunking {
  /** Chunks are 2^height columns wide (the last may be narrower). */
  readonly height: number;
  readonly chunkColumns: number;
  readonly chunkCount: number;
}

/**
 * Chunks narrow enough for COLUMN_CHUNKS_TARGET chunks and a leaf table within
 * CHUNK_LEAF_HASH_BYTES_MAX, but at least one column; one chunk of exactly the tree height when the
 * matrix is narrower than that, since a subtree taller than the whole tree would hash extra levels.
 * Small symbols batch less well in narrow chunks (32 columns of 6-byte symbols are a 96-element
 * batch), which costs little: at such sizes the hashing is nearly all of the work.
 */
export function columnChunking(layout: BlobLayout): ColumnChunking {
  const { nShards } = layout;
  const tableColumnsMax = Math.max(
    1,
    Math.floor(CHUNK_LEAF_HASH_BYTES_MAX / (nShards * DIGEST_BYTES)),
  );
  const heightMax = Math.floor(Math.log2(tableColumnsMax));
  let height = Math.ceil(Math.log2(Math.max(nShards / COLUMN_CHUNKS_TARGET, 1)));
  height = Math.min(height, heightMax);
  if (2 ** height >= nShards) height = Math.ceil(Math.log2(nShards));
  const chunkColumns = 2 ** height;
  return { height, chunkColumns, chunkCount: Math.ceil(nShards / chunkColumns) };
}

export interface CodewordBatch {
  /** Codewords [first, last) (rows or columns of the matrix). */
  readonly first: number;
  readonly last: number;
  /** The element range [elementStart, elementEnd) of each symbol in this batch. */
  readonly elementStart: number;
  readonly elementEnd: number;
  /** True when this batch finishes its codewords (the last element range). */
  readonly completesCodewords: boolean;
}

/**
 * Splits codewords [first, last) with `symbolElements` elements each into work batches of at most
 * WORK_WIDTH_ELEMENTS_TARGET elements per shard, or `kernelWidthMax` where the FFT kernel holds
 * fewer (fft-kernel.ts workBatchWidthMax).
 */
export function* codewordBatches(
  first: number,
  last: number,
  symbolElements: number,
  kernelWidthMax: number = WORK_WIDTH_ELEMENTS_TARGET,
): Generator<CodewordBatch> {
  const widthMax = Math.min(WORK_WIDTH_ELEMENTS_TARGET, kernelWidthMax);
  if (symbolElements <= widthMax) {
    const perBatch = Math.floor(widthMax / symbolElements);
    for (let start = first; start < last; start += perBatch) {
      const end = Math.min(last, start + perBatch);
      yield {
        first: start,
        last: end,
        elementStart: 0,
        elementEnd: symbolElements,
        completesCodewords: true,
      };
    }
    return;
  }
  const rangeElements = widthMax - (widthMax % BATCH_RANGE_ALIGN_ELEMENTS);
  assert(rangeElements > 0, 'a batch holds a 64-byte block of every shard');
  for (let codeword = first; codeword < last; codeword++) {
    for (let start = 0; start < symbolElements; start += rangeElements) {
      const end = Math.min(symbolElements, start + rangeElements);
      yield {
        first: codeword,
        last: codeword + 1,
        elementStart: start,
        elementEnd: end,
        completesCodewords: end === symbolElements,
      };
    }
  }
}
