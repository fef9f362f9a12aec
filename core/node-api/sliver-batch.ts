/**
 * The batch sliver read, walrus-edge's extension of the storage-node API (documented in
 * node-reference/README.md): many slivers of one blob and axis in one response, so a full read of
 * a blob costs one request per node instead of one per sliver.
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
 * The node streams entries as it reads and re-verifies them, so the body has no Content-Length;
 * `SliverBatchParser` decodes it incrementally, one entry at a time.
 */

export const BATCH_COUNT_BYTES = 2;
export const BATCH_ENTRY_HEADER_BYTES = 6;

export class BatchFormatError extends Error {
  override name = 'BatchFormatError';
}

export function batchCountHeader(count: number): Uint8Array {
  const out = new Uint8Array(BATCH_COUNT_BYTES);
  new DataView(out.buffer).setUint16(0, count, true);
  return out;
}

/** An entry's header: its pair and the length of the sliver that follows (0: none). */
export function batchEntryHeader(pairIndex: number, length: number): Uint8Array {
  const out = new Uint8Array(BATCH_ENTRY_HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint16(0, pairIndex, true);
  view.setUint32(2, length, true);
  return out;
}

/** One entry: header and sliver in one buffer (null sliver → length 0). */
export function batchEntry(pairIndex: number, sliver: Uint8Array | null): Uint8Array {
  const header = batchEntryHeader(pairIndex, sliver?.length ?? 0);
  if (sliver === null) return header;
  const out = new Uint8Array(header.length + sliver.length);
  out.set(header);
  out.set(sliver, header.length);
  return out;
}

/** `pairs=0-99,130`: ascending distinct pairs written as runs. */
export function formatPairList(pairs: readonly number[]): string {
  const sorted = [...new Set(pairs)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.join(',');
}

export interface BatchEntry {
  readonly pairIndex: number;
  /** BCS SliverData, or null when the node could not serve it. */
  readonly sliver: Uint8Array | null;
}

/**
 * Incremental decoder of a batch response: feed chunks as they arrive, take complete entries. Each
 * sliver is copied once, into a buffer of its announced length (bounded by `sliverBytesMax`), so
 * memory stays at one entry however the body is chunked; the framing is checked as it goes:
 * entries for exactly the requested pairs, ascending, none longer than the caller allows.
 */
export class SliverBatchParser {
  private count: number | undefined;
  private entriesSeen = 0;
  private lastPair = -1;
  /** Count or entry header being assembled. */
  private readonly head = new Uint8Array(BATCH_ENTRY_HEADER_BYTES);
  private headFilled = 0;
  /** The entry whose sliver bytes are arriving. */
  private entry: { pairIndex: number; bytes: Uint8Array; filled: number } | undefined;

  constructor(
    private readonly requestedPairs: ReadonlySet<number>,
    /** The longest entry the caller accepts: the BCS size of one sliver of this blob. */
    private readonly sliverBytesMax: number,
  ) {}

  /** Adds a chunk; returns the entries it completed. */
  push(chunk: Uint8Array): BatchEntry[] {
    const entries: BatchEntry[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.entry !== undefined) {
        const entry = this.entry;
        const take = Math.min(entry.bytes.length - entry.filled, chunk.length - offset);
        entry.bytes.set(chunk.subarray(offset, offset + take), entry.filled);
        entry.filled += take;
        offset += take;
        if (entry.filled === entry.bytes.length) {
          entries.push({ pairIndex: entry.pairIndex, sliver: entry.bytes });
          this.entry = undefined;
        }
        continue;
      }
      if (this.count !== undefined && this.entriesSeen === this.count) {
        throw new BatchFormatError('bytes after the last entry');
      }
      const need = this.count === undefined ? BATCH_COUNT_BYTES : BATCH_ENTRY_HEADER_BYTES;
      const take = Math.min(need - this.headFilled, chunk.length - offset);
      this.head.set(chunk.subarray(offset, offset + take), this.headFilled);
      this.headFilled += take;
      offset += take;
      if (this.headFilled < need) continue;
      this.headFilled = 0;
      const view = new DataView(this.head.buffer);
      if (this.count === undefined) {
        this.count = view.getUint16(0, true);
        if (this.count !== this.requestedPairs.size) {
          throw new BatchFormatError(
            `batch of ${this.count} entries for ${this.requestedPairs.size} requested pairs`,
          );
        }
        continue;
      }
      const entry = this.startEntry(view.getUint16(0, true), view.getUint32(2, true));
      if (entry !== null) entries.push(entry);
    }
    return entries;
  }

  /** Checks an entry header; a zero-length entry is complete at once. */
  private startEntry(pairIndex: number, length: number): BatchEntry | null {
    if (!this.requestedPairs.has(pairIndex) || pairIndex <= this.lastPair) {
      throw new BatchFormatError(`unexpected or out-of-order pair ${pairIndex}`);
    }
    if (length > this.sliverBytesMax) {
      throw new BatchFormatError(`entry of ${length} bytes exceeds ${this.sliverBytesMax}`);
    }
    this.lastPair = pairIndex;
    this.entriesSeen++;
    if (length === 0) return { pairIndex, sliver: null };
    this.entry = { pairIndex, bytes: new Uint8Array(length), filled: 0 };
    return null;
  }

  /** Call at the end of the body: throws unless every entry arrived whole. */
  finish(): void {
    const whole = this.entry === undefined && this.headFilled === 0;
    if (this.count === undefined || this.entriesSeen !== this.count || !whole) {
      throw new BatchFormatError('the batch response ended early');
    }
  }
}

/** Decodes a complete batch response (tests and small reads). */
export function decodeSliverBatch(bytes: Uint8Array, pairs?: readonly number[]): BatchEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < BATCH_COUNT_BYTES) throw new BatchFormatError('batch shorter than its count');
  let requested: Set<number>;
  if (pairs !== undefined) {
    requested = new Set(pairs);
  } else {
    // Without the request at hand, accept whatever pairs the body names.
    requested = new Set();
    const count = view.getUint16(0, true);
    let offset = BATCH_COUNT_BYTES;
    for (let i = 0; i < count && offset + BATCH_ENTRY_HEADER_BYTES <= bytes.length; i++) {
      requested.add(view.getUint16(offset, true));
      offset += BATCH_ENTRY_HEADER_BYTES + view.getUint32(offset + 2, true);
    }
  }
  const parser = new SliverBatchParser(requested, bytes.length);
  const entries = parser.push(bytes);
  parser.finish();
  return entries;
}
