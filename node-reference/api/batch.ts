/**
 * The batch sliver read (walrus-edge extension, documented in node-reference/README.md):
 *
 *   GET /v1/blobs/{blob_id}/slivers?axis=primary|secondary&pairs=0-99,130
 *
 * Response `application/octet-stream`, little-endian like BCS:
 *
 *   count: u16                      number of entries = distinct requested pairs, ascending
 *   count × {
 *     pair_index: u16
 *     length: u32                   0 = this node cannot serve that sliver now
 *     sliver: [u8; length]          BCS SliverData, exactly as the single-sliver GET returns it
 *   }
 *
 * Entries are streamed as they are read and re-verified, so the body has no Content-Length.
 */
import { BATCH_PAIRS_MAX } from '../limits.js';

export const BATCH_COUNT_BYTES = 2;
export const BATCH_ENTRY_HEADER_BYTES = 6;

export class BatchFormatError extends Error {
  override name = 'BatchFormatError';
}

/**
 * Parses `pairs=0-99,130` into ascending, distinct pair indices (range checks are the service's).
 * Duplicates count against the limit, so the work done here is bounded by BATCH_PAIRS_MAX.
 */
export function parsePairList(
  text: string,
): { readonly pairs: number[] } | { readonly error: string; readonly tooMany: boolean } {
  const seen = new Set<number>();
  let requested = 0;
  for (const item of text.split(',')) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.trim());
    if (match === null)
      return { error: `invalid pair list item ${JSON.stringify(item)}`, tooMany: false };
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return { error: `descending pair range ${item}`, tooMany: false };
    requested += last - first + 1;
    if (requested > BATCH_PAIRS_MAX)
      return { error: `more than ${BATCH_PAIRS_MAX} pairs requested`, tooMany: true };
    for (let p = first; p <= last; p++) seen.add(p);
  }
  return { pairs: [...seen].sort((a, b) => a - b) };
}

export function batchCountHeader(count: number): Uint8Array {
  const out = new Uint8Array(BATCH_COUNT_BYTES);
  new DataView(out.buffer).setUint16(0, count, true);
  return out;
}

/** One entry: header and sliver in one buffer (null sliver → length 0). */
export function batchEntry(pairIndex: number, sliver: Uint8Array | null): Uint8Array {
  const length = sliver?.length ?? 0;
  const out = new Uint8Array(BATCH_ENTRY_HEADER_BYTES + length);
  const view = new DataView(out.buffer);
  view.setUint16(0, pairIndex, true);
  view.setUint32(2, length, true);
  if (sliver !== null) out.set(sliver, BATCH_ENTRY_HEADER_BYTES);
  return out;
}

export interface BatchEntry {
  readonly pairIndex: number;
  /** BCS SliverData, or null when the node could not serve it. */
  readonly sliver: Uint8Array | null;
}

/** Decodes a complete batch response; throws BatchFormatError on any inconsistency. */
export function decodeSliverBatch(bytes: Uint8Array): BatchEntry[] {
  if (bytes.length < BATCH_COUNT_BYTES) throw new BatchFormatError('batch shorter than its count');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(0, true);
  const entries: BatchEntry[] = [];
  let offset = BATCH_COUNT_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + BATCH_ENTRY_HEADER_BYTES > bytes.length)
      throw new BatchFormatError(`entry ${i} is truncated`);
    const pairIndex = view.getUint16(offset, true);
    const length = view.getUint32(offset + 2, true);
    offset += BATCH_ENTRY_HEADER_BYTES;
    if (offset + length > bytes.length)
      throw new BatchFormatError(`sliver of entry ${i} is truncated`);
    entries.push({
      pairIndex,
      sliver: length === 0 ? null : bytes.subarray(offset, offset + length),
    });
    offset += length;
  }
  if (offset !== bytes.length) throw new BatchFormatError('trailing bytes after the last entry');
  return entries;
}
