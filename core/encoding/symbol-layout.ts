/**
 * Byte ↔ GF(2^16) element mapping inside one symbol (docs/spec/encoding.md §4.1).
 *
 * reed-solomon-simd works on 64-byte blocks holding 32 low bytes followed by 32 high bytes, and on a
 * tail of T = S mod 64 bytes split into a low half and a high half. Element positions are independent
 * codewords, so only this grouping matters — but it must be exact, since a 4-byte symbol [a,b,c,d]
 * holds the elements a|c<<8 and b|d<<8, not a|b<<8 and c|d<<8.
 */

const BLOCK_BYTES = 64;
const BLOCK_ELEMENTS = 32;

/** Reads elements [elementStart, elementEnd) of the symbol at src[srcOffset, +symbolBytes) into dst. */
export function symbolToElements(
  src: Uint8Array,
  srcOffset: number,
  symbolBytes: number,
  elementStart: number,
  elementEnd: number,
  dst: Uint16Array,
  dstOffset: number,
): void {
  const wholeElements = Math.floor(symbolBytes / BLOCK_BYTES) * BLOCK_ELEMENTS;
  const tailHalf = (symbolBytes % BLOCK_BYTES) >>> 1;
  let x = elementStart;
  let out = dstOffset;
  // Whole blocks: low byte at 64b + i, high byte 32 further.
  for (; x < elementEnd && x < wholeElements; x++, out++) {
    const low = srcOffset + ((x >>> 5) << 6) + (x & 31);
    dst[out] = src[low] | (src[low + BLOCK_ELEMENTS] << 8);
  }
  // Tail: element 32W + i has its low byte at 64W + i = (32W + i) + 32W, its high byte h further.
  const tailStart = srcOffset + wholeElements;
  for (; x < elementEnd; x++, out++) {
    const low = tailStart + x;
    dst[out] = src[low] | (src[low + tailHalf] << 8);
  }
}

/** Writes elements [elementStart, elementEnd) of a symbol from src back to its byte layout in dst. */
export function elementsToSymbol(
  src: Uint16Array,
  srcOffset: number,
  symbolBytes: number,
  elementStart: number,
  elementEnd: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  const wholeElements = Math.floor(symbolBytes / BLOCK_BYTES) * BLOCK_ELEMENTS;
  const tailHalf = (symbolBytes % BLOCK_BYTES) >>> 1;
  let x = elementStart;
  let input = srcOffset;
  for (; x < elementEnd && x < wholeElements; x++, input++) {
    const low = dstOffset + ((x >>> 5) << 6) + (x & 31);
    const value = src[input];
    dst[low] = value & 0xff;
    dst[low + BLOCK_ELEMENTS] = value >>> 8;
  }
  const tailStart = dstOffset + wholeElements;
  for (; x < elementEnd; x++, input++) {
    const low = tailStart + x;
    const value = src[input];
    dst[low] = value & 0xff;
    dst[low + tailHalf] = value >>> 8;
  }
}
