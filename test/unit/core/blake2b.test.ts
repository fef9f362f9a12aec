import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  DIGEST_BYTES,
  HASH_SYMBOL_BYTES_MAX,
  blake2b256,
  blake2bBackend,
  hashSymbols,
  leafTableSlotsMax,
  merkleRootOfLeaves,
  openLeafTable,
  useBlake2bBackend,
  useBlake2bWasmModule,
  type Blake2bBackend,
} from '../../../core/hash/blake2b.js';
import { BLAKE2B_WASM_BASE64 } from '../../../core/wasm/blake2b.generated.js';

const BACKENDS: Blake2bBackend[] = ['wasm-simd', 'wasm', 'js'];
// Sizes around the block boundary (128), where prefix and padding bugs live.
const SYMBOL_SIZES = [0, 1, 2, 6, 7, 8, 63, 64, 126, 127, 128, 129, 254, 255, 256, 257, 302, 1000];
// The kernel's input region is 1 MiB; longer messages take the streaming path.
const INPUT_REGION_BYTES = 1 << 20;

const noble = (message: Uint8Array): Uint8Array => blake2b(message, { dkLen: 32 });
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Deterministic bytes (xorshift32), so that failures are reproducible and data is not all zero. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The Walrus Merkle rules written the obvious way, on arrays of nodes. */
function referenceMerkleRoot(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return new Uint8Array(32);
  let level = leafHashes;
  while (level.length > 1) {
    if (level.length % 2 === 1) level = [...level, new Uint8Array(32)];
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(noble(concat(Uint8Array.of(1), level[i], level[i + 1])));
    }
    level = next;
  }
  return level[0];
}

function leafHashList(count: number, seed: number): Uint8Array[] {
  const bytes = pseudoRandomBytes(count * 32, seed);
  return Array.from({ length: count }, (_, i) => bytes.slice(32 * i, 32 * i + 32));
}

/** Places 32-byte nodes at buffer[offset + i*stride], surrounded by filler bytes. */
function stridedLayout(nodes: Uint8Array[], offset: number, stride: number): Uint8Array {
  const buffer = pseudoRandomBytes(offset + nodes.length * stride + 5, 99);
  nodes.forEach((node, i) => buffer.set(node, offset + i * stride));
  return buffer;
}

describe('blake2b default backend', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('selects wasm-simd in Node', async () => {
    vi.resetModules();
    const fresh = await import('../../../core/hash/blake2b.js');
    expect(fresh.blake2bBackend()).toBe('wasm-simd');
  });

  it('falls back to js when the embedder forbids compiling wasm', async () => {
    class ForbiddenModule {
      constructor() {
        throw new Error('Wasm code generation disallowed by embedder');
      }
    }
    vi.stubGlobal('WebAssembly', { Module: ForbiddenModule, Instance: WebAssembly.Instance });
    vi.resetModules();
    const fresh = await import('../../../core/hash/blake2b.js');
    expect(fresh.blake2bBackend()).toBe('js');
    expect(hex(fresh.blake2b256(Uint8Array.of(0, 0, 1)))).toBe(
      '85ab460a6564d1e5ded17716cd5866650d7fbb9cada7fecabd5fe21e2f80e43a',
    );
  });

  it('uses a precompiled module handed in by the embedder', () => {
    const bytes = Uint8Array.from(atob(BLAKE2B_WASM_BASE64), (c) => c.charCodeAt(0));
    useBlake2bWasmModule(new WebAssembly.Module(bytes));
    expect(blake2bBackend()).toBe('wasm-simd');
    expect(hex(blake2b256(new Uint8Array(0)))).toBe(hex(noble(new Uint8Array(0))));
    expect(() => useBlake2bWasmModule({} as WebAssembly.Module)).toThrow(TypeError);
  });
});

/** The root of `leaves` reduced `levels` levels: a tree's root, padded up as a subtree of that
 *  height whose last part it is (every odd level gets the zero node, also above the tree). */
function referenceSubtreeRoot(leafHashes: Uint8Array[], levels: number): Uint8Array {
  let node = referenceMerkleRoot(leafHashes);
  for (let level = Math.ceil(Math.log2(leafHashes.length)); level < levels; level++) {
    node = noble(concat(Uint8Array.of(1), node, new Uint8Array(32)));
  }
  return node;
}

for (const backend of BACKENDS) {
  describe(`LeafTable (${backend})`, () => {
    beforeEach(() => useBlake2bBackend(backend));
    afterEach(() => useBlake2bBackend('wasm-simd'));

    it('hashes leaves into strided slots and takes column and row roots from them', () => {
      // A 7 × 5 table, column-major as the encoder keeps a column chunk: slot c·7 + r.
      const rows = 7;
      const columns = 5;
      for (const symbolBytes of [2, 6, 7, 64, 302]) {
        const src = pseudoRandomBytes(rows * columns * symbolBytes, symbolBytes);
        const table = openLeafTable(rows * columns);
        // Row-major cells (r, c) at src[(r·columns + c)·size]: one call per row, slots n apart.
        for (let r = 0; r < rows; r++) {
          table.hashSymbols(0, src, r * columns * symbolBytes, symbolBytes, columns, r, rows);
        }
        const leaf = (r: number, c: number) => {
          const at = (r * columns + c) * symbolBytes;
          return noble(concat(Uint8Array.of(0), src.subarray(at, at + symbolBytes)));
        };
        const columnRoots = new Uint8Array(columns * 40);
        table.roots(0, rows, 1, rows, 3, columns, columnRoots, 4, 40);
        for (let c = 0; c < columns; c++) {
          const expected = referenceMerkleRoot(Array.from({ length: rows }, (_, r) => leaf(r, c)));
          expect(hex(columnRoots.subarray(4 + c * 40, 4 + c * 40 + 32))).toBe(hex(expected));
        }
        // Row subtrees of height 4 over 5 leaves (the last, partial chunk of a wider tree).
        const rowRoots = new Uint8Array(rows * 32);
        table.roots(0, 1, rows, columns, 4, rows, rowRoots, 0, 32);
        for (let r = 0; r < rows; r++) {
          const leaves = Array.from({ length: columns }, (_, c) => leaf(r, c));
          const expected = referenceSubtreeRoot(leaves, 4);
          expect(hex(rowRoots.subarray(r * 32, r * 32 + 32)), `size ${symbolBytes} row ${r}`).toBe(
            hex(expected),
          );
        }
      }
    });

    it('takes roots of trees larger than one kernel pass, and of one leaf', () => {
      const count = 40_000;
      const leaves = Array.from({ length: count }, (_, i) =>
        noble(Uint8Array.of(i & 0xff, i >> 8)),
      );
      const table = openLeafTable(count);
      // Slot i = H(0x00 ‖ leaf i), 32-byte symbols.
      table.hashSymbols(0, concat(...leaves), 0, 32, count, 0, 1);
      const hashed = leaves.map((leaf) => noble(concat(Uint8Array.of(0), leaf)));
      const out = new Uint8Array(32);
      table.roots(0, count, 1, count, 16, 1, out, 0, 32);
      expect(hex(out)).toBe(hex(referenceMerkleRoot(hashed)));
      table.roots(5, 1, 1, 1, 0, 1, out, 0, 32);
      expect(hex(out)).toBe(hex(hashed[5]));
    });

    it('rejects slots outside the table and too few levels', () => {
      const table = openLeafTable(10);
      const src = new Uint8Array(64);
      expect(() => table.hashSymbols(0, src, 0, 2, 3, 8, 1)).toThrow(RangeError);
      expect(() => table.hashSymbols(0, src, 0, 2, 3, 0, 5)).toThrow(RangeError);
      expect(() => table.roots(0, 1, 1, 5, 2, 1, new Uint8Array(32), 0, 32)).toThrow(RangeError);
      expect(() => table.roots(0, 5, 1, 5, 3, 3, new Uint8Array(96), 0, 32)).toThrow(RangeError);
      expect(() => openLeafTable(leafTableSlotsMax() + 1)).toThrow(RangeError);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`blake2b (${backend})`, () => {
    beforeEach(() => useBlake2bBackend(backend));

    it('is the active backend', () => {
      expect(blake2bBackend()).toBe(backend);
    });

    it('matches the known leaf vector H(0x00 ‖ 00 01)', () => {
      const expected = '85ab460a6564d1e5ded17716cd5866650d7fbb9cada7fecabd5fe21e2f80e43a';
      expect(hex(blake2b256(Uint8Array.of(0x00, 0x00, 0x01)))).toBe(expected);
      expect(hex(blake2b256(Uint8Array.of(0x00), Uint8Array.of(0x00, 0x01)))).toBe(expected);
      const out = new Uint8Array(DIGEST_BYTES);
      hashSymbols(0, Uint8Array.of(0x00, 0x01), 0, 2, 1, out, 0, DIGEST_BYTES);
      expect(hex(out)).toBe(expected);
    });

    it('equals noble for every length 0..300', () => {
      const data = pseudoRandomBytes(300, 1);
      for (let length = 0; length <= 300; length++) {
        const message = data.subarray(0, length);
        expect(hex(blake2b256(message)), `length ${length}`).toBe(hex(noble(message)));
      }
    });

    it('equals noble for large and block-boundary lengths, whole and in parts', () => {
      const lengths = [
        127,
        128,
        129,
        255,
        256,
        257,
        65_535,
        65_536,
        INPUT_REGION_BYTES,
        INPUT_REGION_BYTES + 1,
        INPUT_REGION_BYTES + 128,
        2 * INPUT_REGION_BYTES + 129,
      ];
      const data = pseudoRandomBytes(2 * INPUT_REGION_BYTES + 129, 2);
      for (const length of lengths) {
        const message = data.subarray(0, length);
        const expected = hex(noble(message));
        expect(hex(blake2b256(message)), `length ${length}`).toBe(expected);
        const cuts = [0, 1, Math.floor(length / 3), length - 1, length].sort((a, b) => a - b);
        const parts = cuts.slice(1).map((end, i) => message.subarray(cuts[i], end));
        expect(hex(blake2b256(...parts)), `length ${length} in parts`).toBe(expected);
      }
      expect(hex(blake2b256())).toBe(hex(noble(new Uint8Array(0))));
    });

    it('hashSymbols equals per-message noble, with offsets and strides', () => {
      for (const symbolBytes of SYMBOL_SIZES) {
        for (const count of [1, 2, 3, 5]) {
          for (const [outOffset, outStride] of [
            [0, 32],
            [3, 33],
            [17, 100],
            [8, 96],
          ]) {
            const srcOffset = 7;
            const srcBytes = srcOffset + count * symbolBytes + 11;
            const src = pseudoRandomBytes(srcBytes, symbolBytes + count);
            const prefix = symbolBytes % 2 === 0 ? 0x00 : 0xff;
            const outBytes = outOffset + (count - 1) * outStride + DIGEST_BYTES + 9;
            const out = new Uint8Array(outBytes).fill(0xaa);
            const before = out.slice();
            hashSymbols(prefix, src, srcOffset, symbolBytes, count, out, outOffset, outStride);
            const expected = before.slice();
            for (let i = 0; i < count; i++) {
              const from = srcOffset + i * symbolBytes;
              const symbol = src.subarray(from, from + symbolBytes);
              expected.set(noble(concat(Uint8Array.of(prefix), symbol)), outOffset + i * outStride);
            }
            const label = `symbolBytes ${symbolBytes} count ${count} stride ${outStride}`;
            expect(hex(out), label).toBe(hex(expected));
          }
        }
      }
    });

    it('hashSymbols processes batches larger than one kernel chunk', () => {
      const cases = [
        [2, 40_000],
        [65_534, 20],
        [0, 17_000],
        [HASH_SYMBOL_BYTES_MAX, 2],
      ];
      for (const [symbolBytes, count] of cases) {
        const src = pseudoRandomBytes(symbolBytes * count, symbolBytes);
        const out = new Uint8Array(count * 40);
        hashSymbols(0, src, 0, symbolBytes, count, out, 0, 40);
        // Spot-check everywhere, including both sides of each chunk boundary.
        for (const i of [0, 1, 16_383, 16_384, 16_385, count - 2, count - 1]) {
          if (i >= count) continue;
          const symbol = src.subarray(i * symbolBytes, (i + 1) * symbolBytes);
          const label = `symbolBytes ${symbolBytes} symbol ${i}`;
          const expected = hex(noble(concat(Uint8Array.of(0), symbol)));
          expect(hex(out.subarray(40 * i, 40 * i + 32)), label).toBe(expected);
        }
      }
    });

    it('merkleRootOfLeaves equals the reference, contiguous and strided', () => {
      for (const count of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 33, 1000]) {
        const leaves = leafHashList(count, count + 5);
        const expected = hex(referenceMerkleRoot(leaves));
        const out = new Uint8Array(40).fill(0xaa);
        merkleRootOfLeaves(stridedLayout(leaves, 0, 32), 0, 32, count, out, 4);
        expect(hex(out.subarray(4, 36)), `count ${count}`).toBe(expected);
        expect(out[3]).toBe(0xaa);
        expect(out[36]).toBe(0xaa);
        merkleRootOfLeaves(stridedLayout(leaves, 13, 96), 13, 96, count, out, 0);
        expect(hex(out.subarray(0, 32)), `count ${count} strided`).toBe(expected);
        const aligned = stridedLayout(leaves, 16, 64);
        // A view that starts 4 bytes into its buffer, so offsets are relative to byteOffset.
        merkleRootOfLeaves(aligned.subarray(4), 12, 64, count, out, 0);
        expect(hex(out.subarray(0, 32)), `count ${count} aligned view`).toBe(expected);
      }
    });

    it('merkleRootOfLeaves pads with the literal zero node, not a hash of it', () => {
      const [a, b, c] = leafHashList(3, 3);
      const zero = new Uint8Array(32);
      const inner = (l: Uint8Array, r: Uint8Array) => noble(concat(Uint8Array.of(1), l, r));
      const out = new Uint8Array(32);
      merkleRootOfLeaves(concat(a, b, c), 0, 32, 3, out, 0);
      expect(hex(out)).toBe(hex(inner(inner(a, b), inner(c, zero))));
    });

    it('merkleRootOfLeaves handles trees larger than one kernel chunk', () => {
      for (const count of [16_385, 40_000]) {
        const leaves = leafHashList(count, count);
        const out = new Uint8Array(32);
        merkleRootOfLeaves(concat(...leaves), 0, 32, count, out, 0);
        expect(hex(out), `count ${count}`).toBe(hex(referenceMerkleRoot(leaves)));
      }
    });

    it('merkleRootOfLeaves may write over its own leaves', () => {
      const leaves = leafHashList(5, 8);
      const buffer = concat(...leaves);
      merkleRootOfLeaves(buffer, 0, 32, 5, buffer, 32);
      expect(hex(buffer.subarray(32, 64))).toBe(hex(referenceMerkleRoot(leaves)));
    });
  });
}

describe('blake2b backends agree', () => {
  afterEach(() => useBlake2bBackend('wasm-simd'));

  it('gives identical bytes for symbols, roots and streams on every backend', () => {
    const results = BACKENDS.map((backend) => {
      useBlake2bBackend(backend);
      const src = pseudoRandomBytes(301 * 7, 77);
      const leaves = new Uint8Array(7 * 32);
      hashSymbols(0, src, 0, 301, 7, leaves, 0, 32);
      const root = new Uint8Array(32);
      merkleRootOfLeaves(leaves, 0, 32, 7, root, 0);
      const stream = blake2b256(src, pseudoRandomBytes(INPUT_REGION_BYTES + 3, 78));
      return hex(concat(leaves, root, stream));
    });
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });
});

describe('blake2b argument checks', () => {
  const src = new Uint8Array(100);
  const out = new Uint8Array(100);

  it('rejects bad hashSymbols arguments with RangeError', () => {
    const call =
      (
        prefix: number,
        srcOffset: number,
        symbolBytes: number,
        count: number,
        outOffset: number,
        outStride: number,
      ) =>
      () =>
        hashSymbols(prefix, src, srcOffset, symbolBytes, count, out, outOffset, outStride);
    expect(call(0, 0, 10, 1, 0, 32)).not.toThrow();
    expect(call(0, 0, 10, -1, 0, 32)).toThrow(RangeError);
    expect(call(0, 0, 10, 1.5, 0, 32)).toThrow(RangeError);
    expect(call(0, -1, 10, 1, 0, 32)).toThrow(RangeError);
    expect(call(0, 91, 10, 1, 0, 32)).toThrow(RangeError);
    expect(call(0, 0, 10, 11, 0, 32)).toThrow(RangeError);
    expect(call(0, 0, -2, 1, 0, 32)).toThrow(RangeError);
    expect(call(0, 0, HASH_SYMBOL_BYTES_MAX + 1, 0, 0, 32)).toThrow(RangeError);
    expect(call(256, 0, 10, 1, 0, 32)).toThrow(RangeError);
    expect(call(-1, 0, 10, 1, 0, 32)).toThrow(RangeError);
    expect(call(0, 0, 10, 1, 0, 31)).toThrow(RangeError);
    expect(call(0, 0, 10, 1, 69, 32)).toThrow(RangeError);
    expect(call(0, 0, 10, 3, 0, 35)).toThrow(RangeError);
    expect(call(0, 0, 10, 1, -1, 32)).toThrow(RangeError);
    expect(call(0, 0, 10, 0, 0, 32)).not.toThrow();
  });

  it('rejects bad merkleRootOfLeaves arguments with RangeError', () => {
    const leaves = new Uint8Array(3 * 32);
    const call = (offset: number, stride: number, count: number, outOffset: number) => () =>
      merkleRootOfLeaves(leaves, offset, stride, count, out, outOffset);
    expect(call(0, 32, 3, 0)).not.toThrow();
    expect(call(0, 32, -1, 0)).toThrow(RangeError);
    expect(call(0, 32, 4, 0)).toThrow(RangeError);
    expect(call(1, 32, 3, 0)).toThrow(RangeError);
    expect(call(-1, 32, 1, 0)).toThrow(RangeError);
    expect(call(0, 31, 2, 0)).toThrow(RangeError);
    expect(call(0, 32, 3, 69)).toThrow(RangeError);
  });

  it('rejects values that are not byte arrays with TypeError', () => {
    expect(() => blake2b256('abc' as unknown as Uint8Array)).toThrow(TypeError);
    const notBytes = [1, 2] as unknown as Uint8Array;
    expect(() => hashSymbols(0, notBytes, 0, 1, 1, out, 0, 32)).toThrow(TypeError);
    expect(() => merkleRootOfLeaves(new Uint8Array(32), 0, 32, 1, notBytes, 0)).toThrow(TypeError);
  });
});
