/**
 * ULEB128, BCS's encoding of lengths and enum variants, for the hand-written BCS writers of hot
 * paths (slivers, recovery-symbol lists) that fill one exactly sized buffer instead of going
 * through @mysten/bcs's growing writer.
 */

/** Bytes of `value` in ULEB128 (a non-negative safe integer). */
export function uleb128Bytes(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** Writes `value` at `offset`; returns the offset after it. */
export function writeUleb128(out: Uint8Array, offset: number, value: number): number {
  let o = offset;
  while (value >= 128) {
    out[o++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[o++] = value;
  return o;
}
