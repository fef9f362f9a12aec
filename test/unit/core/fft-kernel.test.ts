// The wasm-simd FFT kernel against the scalar JS reference (core/encoding/fft-kernel.ts): the same
// transforms on the same random matrices must give the same elements, for widths that exercise
// every vector/scalar tail, factors that skip the multiply, and matrices larger than the kernel's
// work region (column slices). Seeded; a failing case names its parameters.
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import {
  type SymbolSpan,
  type WorkTransforms,
  gf16Backend,
  gf16WasmBytes,
  mulAddRows,
  openWorkBatch,
  transformWork,
  useGf16Js,
  useGf16WasmModule,
  workBatchWidthMax,
} from '../../../core/encoding/fft-kernel.js';
import { symbolToElements } from '../../../core/encoding/symbol-layout.js';
import { expectBytes } from '../../helpers/bytes.js';
import { GF_ORDER, GF_SIZE, buildGfTables, gfTables } from '../../../core/encoding/gf16.js';
import { verifyMetadata } from '../../../core/encoding/metadata.js';
import {
  RecoverySymbolSource,
  decodeSliverFromSymbols,
} from '../../../core/encoding/recovery-symbols.js';
import { ReedSolomonCode } from '../../../core/encoding/reed-solomon.js';
import { randomBytes, seededRandom } from '../../helpers/random.js';

const wasmModule = new WebAssembly.Module(gf16WasmBytes());
const useWasm = () => useGf16WasmModule(wasmModule);
afterAll(useWasm);

const randomElements = (random: () => number, length: number, zeroShare = 0.1) =>
  Uint16Array.from({ length }, () => (random() < zeroShare ? 0 : Math.floor(random() * 65536)));

/** Runs `body` on a copy of `work` with each backend; returns [js, wasm] results. */
function bothBackends(
  work: Uint16Array,
  shards: number,
  width: number,
  body: (transforms: WorkTransforms) => void,
): [Uint16Array, Uint16Array] {
  const results = (['js', 'wasm'] as const).map((backend) => {
    if (backend === 'js') useGf16Js();
    else useWasm();
    const copy = work.slice();
    transformWork(copy, shards, width, shards, body);
    return copy;
  });
  return [results[0], results[1]];
}

/** First index where two arrays differ, or −1 (keeps failure output short). */
function firstDifference(a: Uint16Array, b: Uint16Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('backend selection', () => {
  it('defaults to wasm-simd in Node and can be forced to JS and back', () => {
    expect(gf16Backend()).toBe('wasm-simd');
    useGf16Js();
    expect(gf16Backend()).toBe('js');
    useWasm();
    expect(gf16Backend()).toBe('wasm-simd');
    expect(() => useGf16WasmModule({} as WebAssembly.Module)).toThrow(TypeError);
  });
});

describe('tables', () => {
  it('the kernel builds LOG, EXP and SKEW exactly as gf16.ts does', () => {
    const kernel = new WebAssembly.Instance(wasmModule, {}).exports as unknown as {
      memory: WebAssembly.Memory;
      init_tables(): void;
      log_ptr: WebAssembly.Global;
      exp_ptr: WebAssembly.Global;
      skew_ptr: WebAssembly.Global;
    };
    kernel.init_tables();
    const memory = new Uint16Array(kernel.memory.buffer);
    const at = (ptr: WebAssembly.Global, length: number) =>
      memory.slice((ptr.value as number) / 2, (ptr.value as number) / 2 + length);
    const js = buildGfTables();
    expect(firstDifference(at(kernel.log_ptr, GF_SIZE), js.log)).toBe(-1);
    expect(firstDifference(at(kernel.exp_ptr, GF_SIZE), js.exp)).toBe(-1);
    expect(firstDifference(at(kernel.skew_ptr, GF_ORDER), js.skew)).toBe(-1);
    expect(firstDifference(gfTables().log, js.log)).toBe(-1);
  });
});

describe('FFT and IFFT: wasm-simd equals the JS reference', () => {
  const { skew } = gfTables();
  const widths = [...Array.from({ length: 40 }, (_, i) => i + 1), 63, 64, 65, 1000, 1024, 1031];

  it('for random (size, trunc, delta) at widths 1..40 and 1000+', () => {
    const random = seededRandom(1601);
    for (const width of widths) {
      for (let trial = 0; trial < 3; trial++) {
        const size = 2 << Math.floor(random() * (width > 100 ? 7 : 9));
        const pos = Math.floor(random() * 3) * size;
        const trunc = 1 + Math.floor(random() * size);
        // Chunk-end deltas as the encoder uses them, and arbitrary ones within the skew table.
        const delta =
          random() < 0.5
            ? size * Math.floor(random() * 4)
            : Math.floor(random() * (skew.length - size));
        const shards = pos + size;
        const work = randomElements(random, shards * width);
        for (const kind of ['fft', 'ifft'] as const) {
          const transform = (t: WorkTransforms) => t[kind](pos, size, trunc, delta);
          const [js, wasm] = bothBackends(work, shards, width, transform);
          const name =
            `${kind} width=${width} pos=${pos} size=${size} trunc=${trunc} ` + `delta=${delta}`;
          expect(firstDifference(js, wasm), name).toBe(-1);
          expect(firstDifference(js, work), `${name} changed something`).not.toBe(-1);
        }
      }
    }
  });

  it('skips the multiply where the skew is zero (log 65535)', () => {
    // SKEW[0], [1], [3], [7], ... are 65535: delta = 0 hits them at every layer.
    const random = seededRandom(1602);
    for (const width of [1, 8, 17, 48]) {
      const work = randomElements(random, 16 * width);
      for (const kind of ['fft', 'ifft'] as const) {
        const [js, wasm] = bothBackends(work, 16, width, (t) => t[kind](0, 16, 16, 0));
        expect(firstDifference(js, wasm), `${kind} width=${width}`).toBe(-1);
      }
    }
  });

  it('in column slices when the matrix exceeds the work region', () => {
    // 1024 shards × 2100 elements is 4.2 MiB, over the kernel's 4 MiB region; 2100 is no multiple
    // of the slice alignment, so the last slice has a vector tail.
    const random = seededRandom(1603);
    const shards = 1024;
    const width = 2100;
    const work = randomElements(random, shards * width);
    const [js, wasm] = bothBackends(work, shards, width, (t) => {
      t.ifft(0, 512, 400, 512);
      t.ifft(512, 512, 300, 1024);
      t.xorShards(0, 512, 512);
      t.copyShards(700, 0, 100);
      t.fft(0, 1024, 1000, 0);
    });
    expect(firstDifference(js, wasm)).toBe(-1);
  });

  it('XORs and copies shards', () => {
    const random = seededRandom(1604);
    for (const width of [1, 7, 31, 32, 33, 95, 1000]) {
      const work = randomElements(random, 12 * width);
      const [js, wasm] = bothBackends(work, 12, width, (t) => {
        t.xorShards(0, 5, 5);
        t.copyShards(10, 1, 2);
      });
      expect(firstDifference(js, wasm), `width=${width}`).toBe(-1);
      const expected = work.slice();
      for (let e = 0; e < 5 * width; e++) expected[e] ^= work[5 * width + e];
      expected.copyWithin(10 * width, width, 3 * width);
      expect(firstDifference(js, expected), `width=${width}`).toBe(-1);
    }
  });
});

describe('mulAddRows: wasm-simd equals the JS reference', () => {
  it('for random coefficient matrices with zero coefficients, at many widths', () => {
    const random = seededRandom(1605);
    // The last case's 700 source rows of 3100 elements exceed the work region: column slices.
    for (const width of [1, 5, 8, 15, 16, 17, 40, 1000, 1029, 3100]) {
      const srcRows = width === 3100 ? 700 : 1 + Math.floor(random() * 20);
      const outShards = [3, 0, 5];
      const src = randomElements(random, srcRows * width);
      const logs = Uint16Array.from({ length: outShards.length * srcRows }, () =>
        random() < 0.2 ? 65535 : Math.floor(random() * 65535),
      );
      const out = randomElements(random, 6 * width);
      const results = (['js', 'wasm'] as const).map((backend) => {
        if (backend === 'js') useGf16Js();
        else useWasm();
        const copy = out.slice();
        mulAddRows(copy, outShards, src, srcRows, logs, width);
        return copy;
      });
      expect(firstDifference(results[0], results[1]), `width=${width} rows=${srcRows}`).toBe(-1);
    }
  });
});

describe('encode and decode agree across backends', () => {
  const CODES: [number, number][] = [
    [2, 2],
    [7, 3],
    [34, 66],
    [67, 33],
    [334, 666],
    [667, 333],
  ];

  it.each(CODES)('(%i, %i)', (k, m) => {
    const random = seededRandom(1606 + k);
    const width = 37;
    const originals = randomElements(random, k * width);
    const order = Array.from({ length: k + m }, (_, i) => i).sort(() => random() - 0.5);
    const chosen = order.slice(0, k);
    const outputs = (['js', 'wasm'] as const).map((backend) => {
      if (backend === 'js') useGf16Js();
      else useWasm();
      // A fresh code per backend, so its cached generator columns come from that backend too.
      const code = new ReedSolomonCode(k, m);
      const work = code.allocateWork(width);
      work.set(originals);
      code.encodeInPlace(work, width);
      const recovery = work.slice(0, m * width);
      const codeword = new Uint16Array((k + m) * width);
      codeword.set(originals);
      codeword.set(recovery, k * width);
      const symbols = new Uint16Array(k * width);
      chosen.forEach((index, slot) => {
        symbols.set(codeword.subarray(index * width, (index + 1) * width), slot * width);
      });
      return { recovery, decoded: code.decode(chosen, symbols, width) };
    });
    expect(firstDifference(outputs[0].recovery, outputs[1].recovery)).toBe(-1);
    expect(firstDifference(outputs[0].decoded, originals)).toBe(-1);
    expect(firstDifference(outputs[1].decoded, originals)).toBe(-1);
  });
});

describe('sliver rebuilds (ErasureDecoder.decodeBatch) agree across backends', () => {
  // n = 10 and 100 000 bytes give 3 572-byte symbols, which batches split into element ranges;
  // n = 100 at 40 000 bytes gives 18-byte symbols (tails only). Helpers are random, so the missing
  // originals and the recovery symbols used differ per trial, some trials miss none.
  for (const [n, size] of [
    [10, 100_000],
    [100, 40_000],
    [7, 900],
  ] as const) {
    it(`n=${n} size=${size}: rows and columns rebuilt from random helpers`, () => {
      const random = seededRandom(1610 + n);
      useWasm();
      const encoded = encodeBlob(randomBytes(size, 1611 + n), n);
      const metadata = verifyMetadata(encoded.blobId, encoded.metadata, n);
      const all = Array.from({ length: n }, (_, i) => i);
      for (let trial = 0; trial < 4; trial++) {
        const target = Math.floor(random() * n);
        const order = [...all].sort(() => random() - 0.5);
        const rowSymbols = order.map((j) =>
          new RecoverySymbolSource(
            metadata,
            'secondary',
            j,
            encoded.secondarySliver(j).slice(),
          ).symbolFor(target),
        );
        const columnSymbols = order.map((i) =>
          new RecoverySymbolSource(
            metadata,
            'primary',
            i,
            encoded.primarySliver(i).slice(),
          ).symbolFor(target),
        );
        for (const backend of ['js', 'wasm'] as const) {
          if (backend === 'js') useGf16Js();
          else useWasm();
          const name = `${backend} n=${n} trial=${trial} target=${target}`;
          expectBytes(
            decodeSliverFromSymbols(encoded.layout, 'primary', rowSymbols),
            encoded.primarySliver(target),
            `${name} row`,
          );
          expectBytes(
            decodeSliverFromSymbols(encoded.layout, 'secondary', columnSymbols),
            encoded.secondarySliver(target),
            `${name} column`,
          );
        }
      }
    });
  }
});

describe('WorkBatch: symbols in and out of the kernel', () => {
  // Whole blocks only, tails of every parity class, a tail-only symbol, and a symbol split into
  // 64-byte-aligned element ranges (as codewordBatches splits symbols over 2 KiB).
  const SPANS: SymbolSpan[] = [
    ...[2, 4, 6, 14, 16, 18, 30, 62, 64, 66, 70, 126, 128, 130, 302, 1318].map((symbolBytes) => ({
      symbolBytes,
      elementStart: 0,
      elementEnd: symbolBytes / 2,
    })),
    { symbolBytes: 4142, elementStart: 0, elementEnd: 1024 },
    { symbolBytes: 4142, elementStart: 1024, elementEnd: 2048 },
    { symbolBytes: 4142, elementStart: 2048, elementEnd: 2071 },
    { symbolBytes: 4096, elementStart: 1024, elementEnd: 2048 },
  ];
  const SENTINEL = 0xa5;

  it.each(SPANS)('%o: wasm reads the JS mapping, writes back only the symbols', (span) => {
    const random = seededRandom(1607 + span.symbolBytes + span.elementStart);
    const { symbolBytes: size, elementStart, elementEnd } = span;
    const elements = elementEnd - elementStart;
    const count = 5;
    // Symbols `gap` bytes apart (stride > size exercises the copy per symbol).
    for (const gap of [0, 10]) {
      const stride = size + gap;
      const source = randomBytes(7 + count * stride, 1700 + gap + size);
      const shards = 3;
      const width = count * elements + 1;
      const expected = new Uint16Array(shards * width);
      for (let i = 0; i < count; i++) {
        symbolToElements(
          source,
          7 + i * stride,
          size,
          elementStart,
          elementEnd,
          expected,
          1 + i * elements + width,
        );
      }
      for (const backend of ['js', 'wasm'] as const) {
        if (backend === 'js') useGf16Js();
        else useWasm();
        const name = `${backend} size=${size} range=${elementStart}..${elementEnd} gap=${gap}`;
        const batch = openWorkBatch(shards, width, span, 0);
        batch.readSymbols(source, 7, stride, count, width + 1, elements);
        const read = new Uint16Array(shards * width);
        // Elements come back out through a transform that copies shard 1 over shard 2.
        batch.transform((t) => t.copyShards(2, 1, 1));
        const out = new Uint8Array(source.length).fill(SENTINEL);
        batch.writeSymbols(2 * width + 1, elements, count, out, 7, stride);
        for (let i = 0; i < count; i++) {
          symbolToElements(
            out,
            7 + i * stride,
            size,
            elementStart,
            elementEnd,
            read,
            1 + i * elements + width,
          );
        }
        expect(firstDifference(read, expected), name).toBe(-1);
        const untouched = out.slice();
        for (let i = 0; i < count; i++) {
          const at = 7 + i * stride;
          // Bytes of the range's elements: [2·start, 2·end) within whole blocks, to the end with a tail.
          const end = elementEnd === size / 2 ? size : 2 * elementEnd;
          untouched.fill(SENTINEL, at + 2 * elementStart, at + end);
        }
        expect(
          untouched.every((byte) => byte === SENTINEL),
          `${name}: wrote outside`,
        ).toBe(true);
      }
    }
  });

  it('the wasm batch width is bounded by its region; the JS one is not', () => {
    useWasm();
    expect(workBatchWidthMax(1024)).toBeGreaterThanOrEqual(1024);
    expect(workBatchWidthMax(65536)).toBeGreaterThanOrEqual(32);
    useGf16Js();
    expect(workBatchWidthMax(65536)).toBeGreaterThanOrEqual(1 << 20);
    useWasm();
  });

  it('a blob encodes to the same bytes on both backends (whole and split symbols)', () => {
    // n = 10: 100 000 bytes gives 3 572-byte symbols, which batches split into element ranges.
    for (const [n, size] of [
      [10, 100_000],
      [100, 70_001],
      [4, 1000],
    ] as const) {
      const blob = randomBytes(size, 1608 + n);
      useGf16Js();
      const js = encodeBlob(blob, n);
      useWasm();
      const wasm = encodeBlob(blob, n);
      expectBytes(wasm.blobId, js.blobId, `n=${n} size=${size} blob ID`);
      for (const p of [0, n - 1]) {
        expectBytes(wasm.primarySliver(p), js.primarySliver(p), `n=${n} primary ${p}`);
        expectBytes(wasm.secondarySliver(p), js.secondarySliver(p), `n=${n} secondary ${p}`);
      }
    }
  });
});
