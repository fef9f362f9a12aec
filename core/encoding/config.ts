/**
 * RS2 encoding parameters derived from the number of shards (docs/spec/encoding.md §1–2).
 *
 * Naming trap kept from Walrus: `nPrimary` (= n − 2f) is the number of ROWS of the message matrix and
 * the length in symbols of a SECONDARY sliver; `nSecondary` (= n − f) is the number of COLUMNS and the
 * length of a PRIMARY sliver.
 */
import { assert, checkInteger } from '../assert.js';

/** RS2 symbols are whole GF(2^16) elements, so even-sized; 65 534 is the largest even u16. */
export const SYMBOL_BYTES_MAX = 65_534;
/** Every symbol is a whole number of GF(2^16) elements. */
export const SYMBOL_ALIGNMENT_BYTES = 2;
/** n ≤ 3 gives f = 0 and a code without recovery symbols, which reed-solomon-simd refuses. */
export const SHARDS_MIN = 4;
/** n_shards is a u16 on chain. */
export const SHARDS_MAX = 65_535;
/** Storage is priced in units of 1 MiB (Move `BYTES_PER_UNIT_SIZE`). */
export const STORAGE_UNIT_BYTES = 1_048_576;
/** BLAKE2b-256 digest length, used for sliver hashes and the blob ID. */
export const HASH_BYTES = 32;
/** The only supported encoding type, RS2 (BCS enum index / Move `encoding::RS2`). */
export const ENCODING_TYPE_RS2 = 1;

assert(SYMBOL_BYTES_MAX % SYMBOL_ALIGNMENT_BYTES === 0, 'the largest symbol must be aligned');

export class DataTooLargeError extends RangeError {
  override name = 'DataTooLargeError';
  constructor(
    readonly blobBytes: number,
    readonly blobBytesMax: number,
    readonly nShards: number,
  ) {
    super(
      `blob of ${blobBytes} bytes is larger than ${blobBytesMax}, the maximum for ${nShards} shards`,
    );
  }
}

export interface EncodingParams {
  readonly nShards: number;
  /** f: the number of Byzantine shards tolerated, floor((n − 1) / 3). */
  readonly maxFaulty: number;
  /** n − 2f: rows of the message matrix, symbols per secondary sliver. */
  readonly nPrimary: number;
  /** n − f: columns of the message matrix, symbols per primary sliver. */
  readonly nSecondary: number;
}

const paramsCache = new Map<number, EncodingParams>();

/** Parameters for `nShards`; throws RangeError outside [SHARDS_MIN, SHARDS_MAX]. */
export function encodingParams(nShards: number): EncodingParams {
  const cached = paramsCache.get(nShards);
  if (cached !== undefined) return cached;
  checkInteger('nShards', nShards, SHARDS_MIN, SHARDS_MAX);
  const maxFaulty = Math.floor((nShards - 1) / 3);
  const params = Object.freeze({
    nShards,
    maxFaulty,
    nPrimary: nShards - 2 * maxFaulty,
    nSecondary: nShards - maxFaulty,
  });
  paramsCache.set(nShards, params);
  return params;
}

/** Source symbols per blob: the cells of the n_p × n_s message matrix. */
export function sourceSymbolCount(params: EncodingParams): number {
  return params.nPrimary * params.nSecondary;
}

/** n_p · n_s · 65 534: the largest blob that can be encoded for `nShards`. */
export function maxBlobBytes(nShards: number): number {
  return sourceSymbolCount(encodingParams(nShards)) * SYMBOL_BYTES_MAX;
}

/**
 * Symbol size for a blob of `blobBytes`: ceil(max(L, 1) / (n_p · n_s)) rounded up to even.
 * Keep in sync with move/sources/encoding.move (`symbol_size`).
 */
export function symbolBytes(blobBytes: number, nShards: number): number {
  checkInteger('blobBytes', blobBytes, 0, Number.MAX_SAFE_INTEGER);
  const sourceSymbols = sourceSymbolCount(encodingParams(nShards));
  let size = Math.ceil(Math.max(blobBytes, 1) / sourceSymbols);
  if (size % SYMBOL_ALIGNMENT_BYTES !== 0)
    size += SYMBOL_ALIGNMENT_BYTES - (size % SYMBOL_ALIGNMENT_BYTES);
  if (size > SYMBOL_BYTES_MAX)
    throw new DataTooLargeError(blobBytes, maxBlobBytes(nShards), nShards);
  return size;
}

/** Bytes of primary sliver data (one message-matrix row): n_s · S. */
export function primarySliverBytes(blobBytes: number, nShards: number): number {
  return encodingParams(nShards).nSecondary * symbolBytes(blobBytes, nShards);
}

/** Bytes of secondary sliver data (one message-matrix column): n_p · S. */
export function secondarySliverBytes(blobBytes: number, nShards: number): number {
  return encodingParams(nShards).nPrimary * symbolBytes(blobBytes, nShards);
}

/** The metadata every shard stores: 2n sliver hashes plus the blob ID. */
export function metadataBytes(nShards: number): number {
  return nShards * 2 * HASH_BYTES + HASH_BYTES;
}

/**
 * Encoded length used for storage accounting: n · metadata + n · (n_p + n_s) · S.
 * Keep in sync with move/sources/encoding.move (`encoded_blob_length`).
 */
export function encodedBlobLength(blobBytes: number, nShards: number): number {
  const params = encodingParams(nShards);
  const sliversBytes =
    nShards * (params.nPrimary + params.nSecondary) * symbolBytes(blobBytes, nShards);
  return nShards * metadataBytes(nShards) + sliversBytes;
}

/** Storage units (1 MiB each) to reserve for a blob. */
export function storageUnits(blobBytes: number, nShards: number): number {
  return Math.ceil(encodedBlobLength(blobBytes, nShards) / STORAGE_UNIT_BYTES);
}

/** Off-chain quorum (2f + 1 shards): enough confirmations for a certificate. */
export function isQuorum(shardCount: number, nShards: number): boolean {
  return shardCount > 2 * encodingParams(nShards).maxFaulty;
}

/** Off-chain validity (f + 1 shards): at least one honest shard among them. */
export function isAboveValidity(shardCount: number, nShards: number): boolean {
  return shardCount > encodingParams(nShards).maxFaulty;
}
