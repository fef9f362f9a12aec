import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gfInv, gfMul, gfTables } from '../../../core/encoding/gf16.js';
import { ReedSolomonCode, selectRate } from '../../../core/encoding/reed-solomon.js';
import { elementsToSymbol, symbolToElements } from '../../../core/encoding/symbol-layout.js';
import { seededRandom } from '../../helpers/random.js';

const sha256Le = (table: Uint16Array) =>
  createHash('sha256')
    .update(new Uint8Array(table.buffer, table.byteOffset, table.byteLength))
    .digest('hex');
const hex16 = (values: ArrayLike<number>) =>
  Array.from(values, (v) => v.toString(16).padStart(4, '0')).join(' ');

describe('GF(2^16) tables (docs/spec/encoding.md §4.2–4.3)', () => {
  it('match the spot values and SHA-256 of reed-solomon-simd', () => {
    const { log, exp, skew } = gfTables();
    expect(hex16(log.subarray(0, 8))).toBe('ffff 0000 5555 aaaa 4444 1111 8888 2222');
    expect(hex16(exp.subarray(0, 8))).toBe('0001 4690 65d8 62d0 5734 45f0 53b8 1e38');
    expect(sha256Le(log)).toBe('c7eafc7e425f44aa8c3cf82dee5f4b3e50a710844082c0f1adcd4b95d4330c1f');
    expect(sha256Le(exp)).toBe('2016ee0982f33f3b6d46fc5731540a073e73b2e7d093ba82e1998364d9dafcd5');
    expect(hex16(skew.subarray(0, 16))).toBe(
      'ffff ffff 5555 ffff 4444 5555 8888 ffff dddd 4444 7777 5555 bbbb 8888 3333 ffff',
    );
    expect(skew[65534]).toBe(0xa8a5);
    expect(skew.filter((v) => v === 0xffff).length).toBe(16);
    expect(sha256Le(skew)).toBe('386153e81df25ed50a4be744fc292281790994bf3472076e6bed4e65463c3949');
  });

  it('multiplies and inverts consistently', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const a = 1 + Math.floor(random() * 65535);
      const b = Math.floor(random() * 65536);
      expect(gfMul(gfMul(a, b), gfInv(a))).toBe(b);
      expect(gfMul(a, b)).toBe(gfMul(b, a));
    }
  });
});

describe('Reed–Solomon encoding (docs/spec/encoding.md §4.5–4.6)', () => {
  const recoveryOf = (k: number, m: number) => {
    const code = new ReedSolomonCode(k, m);
    const work = code.allocateWork(1);
    for (let i = 0; i < k; i++) work[i] = i + 1;
    code.encodeInPlace(work, 1);
    return hex16(work.subarray(0, m));
  };

  it('selects the rate as reed-solomon-simd does', () => {
    expect([selectRate(2, 2), selectRate(3, 1), selectRate(4, 6), selectRate(7, 3)]).toEqual([
      'high',
      'high',
      'low',
      'high',
    ]);
    expect([
      selectRate(334, 666),
      selectRate(667, 333),
      selectRate(34, 66),
      selectRate(67, 33),
    ]).toEqual(['low', 'high', 'low', 'high']);
    expect(() => selectRate(0, 1)).toThrow(RangeError);
    expect(() => selectRate(65536, 65536)).toThrow(RangeError);
  });

  it('reproduces the element-level examples', () => {
    expect(recoveryOf(2, 2)).toBe('0000 0003');
    expect(recoveryOf(3, 1)).toBe('0000');
    expect(recoveryOf(4, 6)).toBe('0008 0000 0003 000f 0009 000c');
    expect(recoveryOf(7, 3)).toBe('0005 0008 0003');
    expect(recoveryOf(3, 4)).toBe('000f 000c 000d 000e');
  });

  it('with one recovery symbol, it is the XOR of the originals', () => {
    const code = new ReedSolomonCode(5, 1);
    const work = code.allocateWork(1);
    work.set([0x1234, 0x0f0f, 0xabcd, 0x0001, 0x8000]);
    const expected = 0x1234 ^ 0x0f0f ^ 0xabcd ^ 0x0001 ^ 0x8000;
    code.encodeInPlace(work, 1);
    expect(work[0]).toBe(expected);
  });

  it('decodes from any k of n symbols (multi-chunk high and low rate)', () => {
    const random = seededRandom(42);
    for (const [k, m] of [
      [2, 2],
      [7, 3],
      [34, 66],
      [67, 33],
      [130, 70],
      [70, 130],
      [40, 9],
    ]) {
      const code = new ReedSolomonCode(k, m);
      const width = 3;
      const originals = Uint16Array.from({ length: k * width }, () => Math.floor(random() * 65536));
      const work = code.allocateWork(width);
      work.set(originals);
      code.encodeInPlace(work, width);
      const codeword = new Uint16Array((k + m) * width);
      codeword.set(originals);
      codeword.set(work.subarray(0, m * width), k * width);
      for (let trial = 0; trial < 3; trial++) {
        const order = Array.from({ length: k + m }, (_, i) => i).sort(() => random() - 0.5);
        const chosen = order.slice(0, k);
        const symbols = new Uint16Array(k * width);
        chosen.forEach((index, slot) =>
          symbols.set(codeword.subarray(index * width, (index + 1) * width), slot * width),
        );
        expect(code.decode(chosen, symbols, width)).toEqual(originals);
      }
      expect(() => code.decode([0], new Uint16Array(width), width)).toThrow(/need/);
    }
  });
});

describe('symbol layout (docs/spec/encoding.md §4.1)', () => {
  it('maps 64-byte blocks as 32 low then 32 high bytes, and the tail as halves', () => {
    const symbol = Uint8Array.from({ length: 70 }, (_, i) => i);
    const elements = new Uint16Array(35);
    symbolToElements(symbol, 0, 70, 0, 35, elements, 0);
    expect(elements[0]).toBe(0x2000);
    expect(elements[1]).toBe(0x2101);
    expect(elements[31]).toBe(0x3f1f);
    expect(hex16(elements.subarray(32))).toBe('4340 4441 4542');
    const back = new Uint8Array(70);
    elementsToSymbol(elements, 0, 70, 0, 35, back, 0);
    expect(back).toEqual(symbol);
  });

  it('maps a 4-byte symbol [a,b,c,d] to a|c<<8, b|d<<8', () => {
    const elements = new Uint16Array(2);
    symbolToElements(Uint8Array.of(1, 2, 3, 4), 0, 4, 0, 2, elements, 0);
    expect(hex16(elements)).toBe('0301 0402');
  });

  it('round-trips element ranges of any symbol size', () => {
    const random = seededRandom(3);
    for (const size of [2, 4, 62, 64, 66, 128, 130, 302, 1206]) {
      const symbol = Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
      const half = size / 2;
      const cut = Math.floor(half / 3);
      const elements = new Uint16Array(half);
      symbolToElements(symbol, 0, size, 0, cut, elements, 0);
      symbolToElements(symbol, 0, size, cut, half, elements, cut);
      const back = new Uint8Array(size);
      elementsToSymbol(elements, 0, size, 0, half, back, 0);
      expect(back).toEqual(symbol);
    }
  });
});
