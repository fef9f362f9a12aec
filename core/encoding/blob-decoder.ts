/**
 * Decoding a blob from slivers (docs/spec/encoding.md §3.5): any n_p distinct primary slivers, or any
 * n_s distinct secondary slivers. Each sliver is verified against the metadata first unless the
 * caller says it already did; when the systematic primary slivers 0..n_p−1 are all there the blob
 * is their concatenation and no Reed–Solomon work is done.
 */
import { type BlobLayout, codewordBatches } from './blob-layout.js';
import type { SliverAxis } from './mapping.js';
import type { VerifiedMetadata } from './metadata.js';
import { DecodingError, reedSolomonCode } from './reed-solomon.js';
import type { SliverData } from './sliver-data.js';
import { layoutOf, verifySliver } from './sliver-verification.js';
import { elementsToSymbol, symbolToElements } from './symbol-layout.js';

export interface DecodeOptions {
  /** The slivers were verified on receipt; skip the per-sliver hash check. */
  readonly alreadyVerified?: boolean;
}

/** Slivers needed to decode along `axis`: n_p primary or n_s secondary. */
export function sliversNeededToDecode(layout: BlobLayout, axis: SliverAxis): number {
  return axis === 'primary' ? layout.params.nPrimary : layout.params.nSecondary;
}

export function decodeBlob(
  metadata: VerifiedMetadata,
  axis: SliverAxis,
  slivers: readonly SliverData[],
  options: DecodeOptions = {},
): Uint8Array {
  const layout = layoutOf(metadata);
  const needed = sliversNeededToDecode(layout, axis);
  const byIndex = new Map<number, SliverData>();
  for (const sliver of slivers) if (!byIndex.has(sliver.index)) byIndex.set(sliver.index, sliver);
  if (byIndex.size < needed) {
    throw new DecodingError(`need ${needed} distinct ${axis} slivers, got ${byIndex.size}`);
  }
  const chosen = [...byIndex.values()].sort((a, b) => a.index - b.index).slice(0, needed);
  if (!options.alreadyVerified) for (const sliver of chosen) verifySliver(metadata, axis, sliver);
  return axis === 'primary'
    ? decodeFromPrimary(layout, chosen)
    : decodeFromSecondary(layout, chosen);
}

/** Columns c < n_s are codewords of the primary code; primary sliver i is position i. */
function decodeFromPrimary(layout: BlobLayout, slivers: readonly SliverData[]): Uint8Array {
  const { nPrimary, nSecondary, maxFaulty } = layout.params;
  const { symbolBytes: size, primarySliverBytes: rowBytes, blobBytes } = layout;
  const out = new Uint8Array(nPrimary * rowBytes);
  if (slivers.every((sliver, slot) => sliver.index === slot)) {
    slivers.forEach((sliver, r) => out.set(sliver.data, r * rowBytes));
    return out.subarray(0, blobBytes);
  }
  const decoder = reedSolomonCode(nPrimary, 2 * maxFaulty).decoderFor(slivers.map((s) => s.index));
  for (const batch of codewordBatches(0, nSecondary, layout.symbolElements)) {
    const span = batch.elementEnd - batch.elementStart;
    const width = (batch.last - batch.first) * span;
    const symbols = new Uint16Array(slivers.length * width);
    slivers.forEach((sliver, slot) => {
      for (let c = batch.first; c < batch.last; c++) {
        symbolToElements(
          sliver.data,
          c * size,
          size,
          batch.elementStart,
          batch.elementEnd,
          symbols,
          slot * width + (c - batch.first) * span,
        );
      }
    });
    const originals = decoder.decode(symbols, width);
    for (let r = 0; r < nPrimary; r++) {
      for (let c = batch.first; c < batch.last; c++) {
        elementsToSymbol(
          originals,
          r * width + (c - batch.first) * span,
          size,
          batch.elementStart,
          batch.elementEnd,
          out,
          r * rowBytes + c * size,
        );
      }
    }
  }
  return out.subarray(0, blobBytes);
}

/** Rows r < n_p are codewords of the secondary code; secondary sliver j is position j. */
function decodeFromSecondary(layout: BlobLayout, slivers: readonly SliverData[]): Uint8Array {
  const { nPrimary, nSecondary, maxFaulty } = layout.params;
  const { symbolBytes: size, primarySliverBytes: rowBytes, blobBytes } = layout;
  const out = new Uint8Array(nPrimary * rowBytes);
  const decoder = reedSolomonCode(nSecondary, maxFaulty).decoderFor(slivers.map((s) => s.index));
  for (const batch of codewordBatches(0, nPrimary, layout.symbolElements)) {
    const span = batch.elementEnd - batch.elementStart;
    const width = (batch.last - batch.first) * span;
    const symbols = new Uint16Array(slivers.length * width);
    slivers.forEach((sliver, slot) => {
      for (let r = batch.first; r < batch.last; r++) {
        symbolToElements(
          sliver.data,
          r * size,
          size,
          batch.elementStart,
          batch.elementEnd,
          symbols,
          slot * width + (r - batch.first) * span,
        );
      }
    });
    const originals = decoder.decode(symbols, width);
    for (let r = batch.first; r < batch.last; r++) {
      for (let c = 0; c < nSecondary; c++) {
        elementsToSymbol(
          originals,
          c * width + (r - batch.first) * span,
          size,
          batch.elementStart,
          batch.elementEnd,
          out,
          r * rowBytes + c * size,
        );
      }
    }
  }
  return out.subarray(0, blobBytes);
}
