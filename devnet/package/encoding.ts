/**
 * Mirror of `walrus_edge::encoding` (move/sources/encoding.move): the RS2 encoded length the
 * chain checks a `Storage` against. The numbers come from `core/encoding/config.ts`
 * (`symbolBytes`, `encodedBlobLength`), which implement the same formula; only the cases core
 * refuses and Move accepts are computed here: 1 to 3 shards (core needs at least 4), and sizes
 * beyond 2^53 (always `EDataTooLarge`, the largest encodable blob is below 2^46 bytes).
 */
import {
  DataTooLargeError,
  encodedBlobLength as coreEncodedBlobLength,
  HASH_BYTES,
  SHARDS_MIN,
  symbolBytes as coreSymbolBytes,
  SYMBOL_BYTES_MAX,
} from '../../core/encoding/config.js';
import type { CallContext, FunctionDef, ModuleDef } from '../ledger/registry.js';
import { arithmeticError, ensure, recordFunctionOrder, abortAt } from './common.js';

const M = 'encoding';

// Move: encoding abort codes.
export const EInvalidEncodingType = 0;
export const EInvalidNShards = 1;
export const EDataTooLarge = 2;

/** Move `RS2`. */
export const RS2 = 1;
const DIGEST_BYTES = BigInt(HASH_BYTES);
const BLOB_ID_BYTES = BigInt(HASH_BYTES);

// Move: walrus_edge::encoding::max_byzantine
export function maxByzantine(nShards: number): number {
  if (nShards === 0) arithmeticError(M, 'max_byzantine'); // u16 underflow of `n_shards - 1`
  return Math.floor((nShards - 1) / 3);
}

// Move: walrus_edge::encoding::source_symbols_primary
export function sourceSymbolsPrimary(nShards: number): number {
  if (nShards === 0) arithmeticError(M, 'max_byzantine');
  return nShards - 2 * maxByzantine(nShards);
}

// Move: walrus_edge::encoding::source_symbols_secondary
export function sourceSymbolsSecondary(nShards: number): number {
  if (nShards === 0) arithmeticError(M, 'max_byzantine');
  return nShards - maxByzantine(nShards);
}

// Move: walrus_edge::encoding::symbol_size
export function symbolSize(ctx: CallContext, unencodedLength: bigint, nShards: number): bigint {
  if (nShards === 0) arithmeticError(M, 'max_byzantine');
  if (unencodedLength > BigInt(Number.MAX_SAFE_INTEGER))
    abortAt(ctx, M, 'symbol_size', EDataTooLarge);
  const length = Number(unencodedLength);
  if (nShards >= SHARDS_MIN) {
    try {
      return BigInt(coreSymbolBytes(length, nShards));
    } catch (error) {
      if (error instanceof DataTooLargeError) abortAt(ctx, M, 'symbol_size', EDataTooLarge);
      throw error;
    }
  }
  // 1 to 3 shards: f = 0, so n_p = n_s = n (core refuses these codes; Move computes them).
  const nSymbols = BigInt(sourceSymbolsPrimary(nShards) * sourceSymbolsSecondary(nShards));
  const bytes = unencodedLength === 0n ? 1n : unencodedLength;
  let symbol = (bytes - 1n) / nSymbols + 1n;
  if (symbol % 2n === 1n) symbol += 1n;
  ensure(ctx, symbol <= BigInt(SYMBOL_BYTES_MAX), M, 'symbol_size', EDataTooLarge);
  return symbol;
}

// Move: walrus_edge::encoding::metadata_length
export function metadataLength(nShards: number): bigint {
  return BigInt(nShards) * DIGEST_BYTES * 2n + BLOB_ID_BYTES;
}

// Move: walrus_edge::encoding::encoded_blob_length
export function encodedBlobLength(
  ctx: CallContext,
  unencodedLength: bigint,
  encodingType: number,
  nShards: number,
): bigint {
  ensure(ctx, encodingType === RS2, M, 'encoded_blob_length', EInvalidEncodingType);
  ensure(ctx, nShards > 0, M, 'encoded_blob_length', EInvalidNShards);
  const symbol = symbolSize(ctx, unencodedLength, nShards);
  if (nShards >= SHARDS_MIN) return BigInt(coreEncodedBlobLength(Number(unencodedLength), nShards));
  const pair = BigInt(sourceSymbolsPrimary(nShards) + sourceSymbolsSecondary(nShards)) * symbol;
  return BigInt(nShards) * (pair + metadataLength(nShards));
}

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::encoding::rs2
  rs2: { params: [], returns: ['u8'], execute: () => RS2 },
  // Move: walrus_edge::encoding::max_byzantine
  max_byzantine: {
    params: ['u16'],
    returns: ['u16'],
    execute: (_ctx, [n]: [number]) => maxByzantine(n),
  },
  // Move: walrus_edge::encoding::source_symbols_primary
  source_symbols_primary: {
    params: ['u16'],
    returns: ['u16'],
    execute: (_ctx, [n]: [number]) => sourceSymbolsPrimary(n),
  },
  // Move: walrus_edge::encoding::source_symbols_secondary
  source_symbols_secondary: {
    params: ['u16'],
    returns: ['u16'],
    execute: (_ctx, [n]: [number]) => sourceSymbolsSecondary(n),
  },
  // Move: walrus_edge::encoding::symbol_size
  symbol_size: {
    params: ['u64', 'u16'],
    returns: ['u64'],
    execute: (ctx, [length, n]: [string, number]) => symbolSize(ctx, BigInt(length), n).toString(),
  },
  // Move: walrus_edge::encoding::metadata_length
  metadata_length: {
    params: ['u16'],
    returns: ['u64'],
    execute: (_ctx, [n]: [number]) => metadataLength(n).toString(),
  },
  // Move: walrus_edge::encoding::encoded_blob_length
  encoded_blob_length: {
    params: ['u64', 'u8', 'u16'],
    returns: ['u64'],
    execute: (ctx, [length, encodingType, n]: [string, number, number]) =>
      encodedBlobLength(ctx, BigInt(length), encodingType, n).toString(),
  },
};
recordFunctionOrder(M, functions);

export const encodingModule: ModuleDef = { functions };
