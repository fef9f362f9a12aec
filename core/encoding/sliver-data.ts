/**
 * BCS `SliverData` — what is PUT to and read from a storage node (docs/spec/encoding.md §2.2, §6.4):
 * uleb128(len) ‖ data ‖ u16le(symbol_size) ‖ u16le(sliver_index). The axis travels in the URL.
 *
 * Written by hand rather than with @mysten/bcs because slivers are large and on the hot path: this
 * serializes into one preallocated buffer without intermediate copies.
 */
import { SYMBOL_BYTES_MAX, SHARDS_MAX } from './config.js';
import { uleb128Bytes, writeUleb128 } from '../uleb128.js';

/** A primary sliver is n_s symbols of at most 65 534 bytes; n_s < 65 535. */
export const SLIVER_DATA_BYTES_MAX =
  (SHARDS_MAX - Math.floor((SHARDS_MAX - 1) / 3)) * SYMBOL_BYTES_MAX;

export interface SliverData {
  readonly data: Uint8Array;
  readonly symbolBytes: number;
  /** Sliver index on its axis (not the pair index). */
  readonly index: number;
}

export class SliverDecodeError extends Error {
  override name = 'SliverDecodeError';
}

export function sliverDataBcsBytes(dataBytes: number): number {
  return uleb128Bytes(dataBytes) + dataBytes + 4;
}

/**
 * Writes the BCS frame of a sliver of `dataBytes` bytes into `out` at `offset` — the uleb128 length
 * before the payload and the symbol size and index after it — leaving the payload to the caller, so
 * slivers gathered from a matrix are written in place. Returns the payload's offset.
 */
export function writeSliverDataFrame(
  out: Uint8Array,
  offset: number,
  dataBytes: number,
  symbolBytes: number,
  index: number,
): number {
  const total = sliverDataBcsBytes(dataBytes);
  if (offset + total > out.length) throw new RangeError('output buffer too small for the sliver');
  let o = writeUleb128(out, offset, dataBytes);
  const payload = o;
  o += dataBytes;
  out[o++] = symbolBytes & 0xff;
  out[o++] = symbolBytes >>> 8;
  out[o++] = index & 0xff;
  out[o++] = index >>> 8;
  return payload;
}

/** Serializes into `out` at `offset` (or a new buffer); returns the bytes written as a view. */
export function encodeSliverData(sliver: SliverData, out?: Uint8Array, offset = 0): Uint8Array {
  const total = sliverDataBcsBytes(sliver.data.length);
  const target = out ?? new Uint8Array(total);
  const payload = writeSliverDataFrame(
    target,
    offset,
    sliver.data.length,
    sliver.symbolBytes,
    sliver.index,
  );
  target.set(sliver.data, payload);
  return target.subarray(offset, offset + total);
}

/** Parses BCS SliverData; the data is a view into `bytes`. Structure only — verify separately. */
export function decodeSliverData(bytes: Uint8Array): SliverData {
  let length = 0;
  let shift = 1;
  let o = 0;
  for (;;) {
    if (o >= bytes.length || o >= 5)
      throw new SliverDecodeError('truncated or overlong sliver length');
    const byte = bytes[o++];
    length += (byte & 0x7f) * shift;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && o > 1) throw new SliverDecodeError('non-canonical uleb128 sliver length');
      break;
    }
    shift *= 128;
  }
  if (length > SLIVER_DATA_BYTES_MAX)
    throw new SliverDecodeError(`sliver of ${length} bytes exceeds the maximum`);
  if (bytes.length !== o + length + 4) {
    throw new SliverDecodeError(`sliver body is ${bytes.length} bytes, expected ${o + length + 4}`);
  }
  const data = bytes.subarray(o, o + length);
  o += length;
  const symbolBytes = bytes[o] | (bytes[o + 1] << 8);
  const index = bytes[o + 2] | (bytes[o + 3] << 8);
  if (symbolBytes === 0) throw new SliverDecodeError('symbol size is zero');
  if (length % symbolBytes !== 0)
    throw new SliverDecodeError('sliver data is not a whole number of symbols');
  return { data, symbolBytes, index };
}
