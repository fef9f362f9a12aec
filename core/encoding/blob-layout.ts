/**
 * The geometry of one encoded blob: the n × n expanded matrix, where its cells live in memory, and
 * how the work is split into batches (spec: encoding.md §3).
 *
 * Memory plan (why the buffers look like this): the systematic part of the matrix IS the blob, so it
 * is never copied; only the f recovery columns (secondary slivers n_s..n−1), the 2f recovery rows
 * restricted to the first n_s columns (primary slivers n_p..n−1) and one 32-byte leaf hash per cell
 * are kept. The 2f × f corner block is needed only for hashing and is computed, hashed and dropped.
 */
import { DIGEST_BYTES } from '../hash/blake2b.js';
import { type EncodingParams, encodingParams, symbolBytes } from './config.js';

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

/** Buffer sizes of an encoding job; each may be backed by a SharedArrayBuffer for worker threads. */
export function encodingBufferBytes(layout: BlobLayout) {
  const { nShards, params, symbolBytes: size } = layout;
  return {
    /** Secondary slivers n_s..n−1, each contiguous (column-major recovery columns). */
    recoveryColumns: params.maxFaulty * params.nPrimary * size,
    /** Primary slivers n_p..n−1, each contiguous. */
    recoveryRows: 2 * params.maxFaulty * params.nSecondary * size,
    /** leaf[r][c] = H(0x00 ‖ M[r][c]) for every cell, row-major. */
    leafHashes: nShards * nShards * DIGEST_BYTES,
    /** Pair p: primary hash ‖ secondary hash. */
    sliverHashes: nShards * 2 * DIGEST_BYTES,
  };
}

export interface EncodingBuffers {
  readonly recoveryColumns: Uint8Array;
  readonly recoveryRows: Uint8Array;
  readonly leafHashes: Uint8Array;
  readonly sliverHashes: Uint8Array;
}

export function allocateEncodingBuffers(
  layout: BlobLayout,
  allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
): EncodingBuffers {
  const sizes = encodingBufferBytes(layout);
  return {
    recoveryColumns: allocate(sizes.recoveryColumns),
    recoveryRows: allocate(sizes.recoveryRows),
    leafHashes: allocate(sizes.leafHashes),
    sliverHashes: allocate(sizes.sliverHashes),
  };
}

/**
 * Elements per work shard that one Reed–Solomon call processes. Small symbols are batched across
 * codewords so the per-butterfly overhead is amortized; large symbols are split into element ranges
 * so the work buffer stays near the CPU cache. Measured on the bench machine: see bench/encode.ts.
 */
export const WORK_WIDTH_ELEMENTS_TARGET = 1024;

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

/** Splits codewords [first, last) with `symbolElements` elements each into work batches. */
export function* codewordBatches(first: number, last: number, symbolElements: number): Generator<CodewordBatch> {
  if (symbolElements <= WORK_WIDTH_ELEMENTS_TARGET) {
    const perBatch = Math.max(1, Math.floor(WORK_WIDTH_ELEMENTS_TARGET / symbolElements));
    for (let start = first; start < last; start += perBatch) {
      const end = Math.min(last, start + perBatch);
      yield { first: start, last: end, elementStart: 0, elementEnd: symbolElements, completesCodewords: true };
    }
    return;
  }
  for (let codeword = first; codeword < last; codeword++) {
    for (let start = 0; start < symbolElements; start += WORK_WIDTH_ELEMENTS_TARGET) {
      const end = Math.min(symbolElements, start + WORK_WIDTH_ELEMENTS_TARGET);
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
