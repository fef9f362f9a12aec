// Sliver hashes computed without assembling the expanded sliver (core/encoding/sliver-verification.ts)
// equal the definition they replaced: expand the sliver to n symbols, hash every symbol as a leaf,
// take the Merkle root. Both axes, whole and split symbols, both FFT backends. Seeded.
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { codewordBatches } from '../../../core/encoding/blob-layout.js';
import { gf16WasmBytes, useGf16Js, useGf16WasmModule } from '../../../core/encoding/fft-kernel.js';
import type { SliverAxis } from '../../../core/encoding/mapping.js';
import {
  computeSliverHash,
  expandSliver,
  expansionCode,
  sliverRecoverySymbols,
} from '../../../core/encoding/sliver-verification.js';
import { elementsToSymbol, symbolToElements } from '../../../core/encoding/symbol-layout.js';
import type { BlobLayout } from '../../../core/encoding/blob-layout.js';
import { leafHashesOfSymbols, merkleRootOfLeafHashes } from '../../../core/merkle.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes } from '../../helpers/random.js';

const wasmModule = new WebAssembly.Module(gf16WasmBytes());
afterAll(() => useGf16WasmModule(wasmModule));

/** The expansion as sliver-verification.ts computed it before: the whole n · S bytes at once. */
function expandedTheOldWay(layout: BlobLayout, axis: SliverAxis, data: Uint8Array): Uint8Array {
  const { nShards, symbolBytes: size, symbolElements } = layout;
  const code = expansionCode(layout, axis);
  const expanded = new Uint8Array(nShards * size);
  expanded.set(data);
  for (const batch of codewordBatches(0, 1, symbolElements)) {
    const width = batch.elementEnd - batch.elementStart;
    const work = code.allocateWork(width);
    for (let s = 0; s < code.k; s++) {
      symbolToElements(data, s * size, size, batch.elementStart, batch.elementEnd, work, s * width);
    }
    code.encodeInPlace(work, width);
    for (let t = 0; t < code.m; t++) {
      const at = (code.k + t) * size;
      elementsToSymbol(work, t * width, size, batch.elementStart, batch.elementEnd, expanded, at);
    }
  }
  return expanded;
}

function hashTheOldWay(layout: BlobLayout, axis: SliverAxis, data: Uint8Array): Uint8Array {
  const expanded = expandedTheOldWay(layout, axis, data);
  const leaves = leafHashesOfSymbols(expanded, layout.symbolBytes, layout.nShards);
  return merkleRootOfLeafHashes(leaves, layout.nShards);
}

describe('computeSliverHash', () => {
  // n = 10 at 100 000 bytes has 3 572-byte symbols, which are split into element ranges.
  const CASES: [number, number][] = [
    [4, 12],
    [10, 1000],
    [10, 100_000],
    [100, 70_001],
  ];

  for (const backend of ['wasm', 'js'] as const) {
    it.each(CASES)(
      `equals the expand-then-hash definition (${backend}), n=%i size=%i`,
      (n, size) => {
        if (backend === 'js') useGf16Js();
        else useGf16WasmModule(wasmModule);
        const encoded = encodeBlob(randomBytes(size, 2100 + n), n);
        const { layout, metadata } = encoded;
        for (const index of [0, 1, Math.floor(n / 2), n - 1]) {
          const pair = metadata.hashes[index];
          const primary = encoded.primarySliver(index);
          const secondary = encoded.secondarySliver(n - 1 - index);
          for (const [axis, data, expected] of [
            ['primary', primary, pair.primary],
            ['secondary', secondary, pair.secondary],
          ] as const) {
            const name = `${axis} sliver of pair ${index}`;
            const hash = computeSliverHash(layout, axis, data);
            expectBytes(hash, hashTheOldWay(layout, axis, data), `${name} vs the old definition`);
            expectBytes(hash, expected, `${name} vs the metadata`);
            const expanded = expandSliver(layout, axis, data);
            expectBytes(expanded, expandedTheOldWay(layout, axis, data), `${name} expansion`);
            expectBytes(
              sliverRecoverySymbols(layout, axis, data),
              expanded.subarray(data.length),
              `${name} recovery symbols`,
            );
          }
        }
      },
    );
  }

  it('allocates only the recovery symbols beside the sliver', () => {
    const encoded = encodeBlob(randomBytes(70_001, 2199), 100);
    const { layout } = encoded;
    const data = encoded.primarySliver(3);
    // n_s = 67 own symbols, f = 33 recovery symbols: a third of the expanded row, not all of it.
    const recovery = sliverRecoverySymbols(layout, 'primary', data);
    expect(recovery.length).toBe(33 * layout.symbolBytes);
    expect(data.length).toBe(67 * layout.symbolBytes);
  });
});
