/**
 * core/bcs-exact.ts: a BCS value inside a larger buffer is read from its own bytes only. Without
 * it, @mysten/bcs 2.1.2 reads a truncated value's missing bytes from whatever follows the view
 * (the fuzzer's counterexample below), and ignores trailing bytes.
 */
import { describe, expect, it } from 'vitest';
import { bcs } from '@mysten/bcs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { BcsLengthError, parseBcsExactly } from '../../../core/bcs-exact.js';
import { DecodingError } from '../../../core/encoding/reed-solomon.js';
import { decodeRecoverySymbols } from '../../../core/encoding/recovery-symbol-list.js';

const Pair = bcs.struct('Pair', { a: bcs.u8(), bytes: bcs.byteVector() });

describe('parseBcsExactly', () => {
  const whole = Pair.serialize({ a: 7, bytes: Uint8Array.of(1, 2, 3, 4) }).toBytes(); // 07 04 01 02 03 04

  it('reads a value that spans its bytes, also from a view inside a larger buffer', () => {
    expect(parseBcsExactly(Pair, whole)).toEqual({ a: 7, bytes: Uint8Array.of(1, 2, 3, 4) });
    const framed = new Uint8Array(whole.length + 4).fill(0xee);
    framed.set(whole, 2);
    expect(parseBcsExactly(Pair, framed.subarray(2, 2 + whole.length))).toEqual({
      a: 7,
      bytes: Uint8Array.of(1, 2, 3, 4),
    });
  });

  it('refuses a truncated view even when the bytes it lacks follow it in the buffer', () => {
    const truncated = whole.subarray(0, whole.length - 1);
    // What @mysten/bcs alone does: it finds the missing byte beyond the view.
    expect(Pair.parse(truncated)).toEqual({ a: 7, bytes: Uint8Array.of(1, 2, 3, 4) });
    expect(() => parseBcsExactly(Pair, truncated)).toThrow(RangeError);
  });

  it('refuses trailing bytes', () => {
    const longer = new Uint8Array(whole.length + 1);
    longer.set(whole);
    expect(() => parseBcsExactly(Pair, longer)).toThrow(BcsLengthError);
    expect(() => parseBcsExactly(Pair, longer)).toThrow('1 trailing bytes after the value');
  });

  it('recovery symbols: the fuzzer counterexample, a cut view of a longer body', () => {
    const body = hexToBytes('01010200080101010101010101050001020304050607');
    expect(() => decodeRecoverySymbols(body.subarray(0, 15))).toThrow(DecodingError);
    expect(() => decodeRecoverySymbols(body.slice(0, 15))).toThrow(DecodingError);
  });
});
