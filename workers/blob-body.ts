/**
 * A blob's bytes at the edge, by segment. A segment is a run of whole systematic rows (about
 * SEGMENT_BYTES_TARGET of verified data), cached under a key of its own, so seeks and re-reads of
 * blobs of any size hit the cache, and a range costs only the segments it touches. A missing
 * segment is read from the storage nodes (client/read/rows.ts: verified, hedged, rebuilt from
 * recovery symbols where a node fails), then stored — only for certified blobs, only verified.
 * Concurrent misses of one segment in an isolate share one fetch, and a stream runs one segment
 * ahead of its reader, so memory stays at about two segments per read.
 *
 * A segment read from the nodes is its verified rows as they arrived, not one buffer: copying them
 * together cost a copy of every byte of a miss, and, the first time, fresh memory (on the 2-core
 * VM this was measured on, first-touch page faults cost ~3 ms per MiB). Rows are joined into one
 * buffer only for a blob of one segment (kept whole); a segment's cache entry is put from its rows.
 */
import { blobIdToString } from '../core/blob-id.js';
import { type BlobLayout } from '../core/encoding/blob-layout.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import { layoutOf } from '../core/encoding/sliver-verification.js';
import type { ReadNodes } from '../client/read/nodes.js';
import { BlobRowReader } from '../client/read/rows.js';
import type { ByteRange } from '../client/read/stream.js';
import type { EdgeCache } from './edge-cache.js';
import { singleFlight } from './single-flight.js';

/** Verified bytes per cached segment: a few MiB keeps seeks cheap and cache writes quick. */
export const SEGMENT_BYTES_TARGET = 8 * 1024 * 1024;
/** Rows one segment's node read may hold while it verifies (client/read/rows.ts window). */
export const WORKER_READ_WINDOW_BYTES = 2 * SEGMENT_BYTES_TARGET;

export class BlobBody {
  readonly layout: BlobLayout;
  readonly rowsPerSegment: number;
  readonly segmentCount: number;
  private readonly id: string;
  private firstSegment: Promise<SegmentBytes> | undefined;
  /** False once the request stores the whole object instead (wholeObjectCachedInstead). */
  private storeSegments = true;

  constructor(
    private readonly blobId: Uint8Array,
    private readonly metadata: VerifiedMetadata,
    private readonly cache: EdgeCache,
    private readonly nodes: () => ReadNodes,
    /** Seconds cached segments live; undefined: this blob's bytes are not cached (uncertified). */
    private readonly cacheTtlS: number | undefined,
  ) {
    this.layout = layoutOf(metadata);
    this.id = blobIdToString(blobId);
    const rowBytes = this.layout.primarySliverBytes;
    this.rowsPerSegment = Math.max(1, Math.floor(SEGMENT_BYTES_TARGET / rowBytes));
    const rows = Math.ceil(metadata.unencodedLength / rowBytes);
    this.segmentCount = Math.ceil(rows / this.rowsPerSegment);
  }

  /**
   * This request stores the blob whole in the Cache API, which answers any later read or range of
   * it: storing its segments as well would write every byte to the cache twice on a miss. Cached
   * segments are still read. Call before the first segment is asked for.
   */
  wholeObjectCachedInstead(): void {
    this.storeSegments = false;
  }

  get blobBytes(): number {
    return this.metadata.unencodedLength;
  }

  /** Byte offset of segment `k` in the blob. */
  segmentStart(k: number): number {
    return k * this.rowsPerSegment * this.layout.primarySliverBytes;
  }

  segmentOf(offset: number): number {
    return Math.floor(offset / (this.rowsPerSegment * this.layout.primarySliverBytes));
  }

  segmentKey(k: number): Request {
    return this.cache.key('segment', this.id, String(this.rowsPerSegment), String(k));
  }

  /** Every segment key (to forget a blob the network no longer serves). */
  segmentKeys(): Request[] {
    return Array.from({ length: this.segmentCount }, (_, k) => this.segmentKey(k));
  }

  /**
   * Segment `k`'s verified bytes (the last one ends with the blob). A fetch shared with another
   * request that then failed (that request's client left, say) is tried once more on our own.
   */
  async segment(k: number): Promise<SegmentBytes> {
    // Segment 0 is kept for the request: sniffing the type needs it besides the body.
    if (k === 0) {
      this.firstSegment ??= this.sharedSegment(0);
      return this.firstSegment;
    }
    return this.sharedSegment(k);
  }

  private async sharedSegment(k: number): Promise<SegmentBytes> {
    let ours = false;
    const shared = singleFlight(`segment:${this.id}:${this.rowsPerSegment}:${k}`, () => {
      ours = true;
      return this.fetchSegment(k);
    });
    try {
      return await shared;
    } catch (error) {
      if (ours || this.nodes().signal.aborted) throw error;
      return this.fetchSegment(k);
    }
  }

  private async fetchSegment(k: number): Promise<SegmentBytes> {
    const key = this.segmentKey(k);
    const start = this.segmentStart(k);
    const bytes = Math.min(this.blobBytes, this.segmentStart(k + 1)) - start;
    if (this.cacheTtlS !== undefined) {
      const cached = await this.cache.getBytes(key);
      if (cached !== undefined && cached.length === bytes) return [cached];
    }
    const rows: Uint8Array[] = [];
    const rowBytes = this.layout.primarySliverBytes;
    const first = k * this.rowsPerSegment;
    const last = Math.floor((start + bytes - 1) / rowBytes);
    const reader = new BlobRowReader(this.blobId, this.metadata, this.nodes(), {
      windowBytesMax: WORKER_READ_WINDOW_BYTES,
    });
    for await (const { row, data } of reader.rows(first, last)) {
      const at = row * rowBytes - start;
      // The last row of the blob is cut at its end (the rest is padding).
      rows.push(data.subarray(0, Math.min(rowBytes, bytes - at)));
    }
    if (this.cacheTtlS !== undefined && this.storeSegments) {
      this.cache.putBytes(key, rows, this.cacheTtlS);
    }
    return rows;
  }

  /**
   * The bytes of `range` as a stream; resolves once the first segment is verified in hand (so the
   * caller can still answer 503), and errors the stream if a later segment cannot be had.
   */
  async open(range: ByteRange, onEnd: () => void = () => {}): Promise<ReadableStream<Uint8Array>> {
    const last = this.segmentOf(range.end);
    let k = this.segmentOf(range.start);
    const slice = (segment: number, rows: SegmentBytes): Uint8Array[] => {
      const start = this.segmentStart(segment);
      return sliceSegment(rows, Math.max(range.start, start) - start, range.end + 1 - start);
    };
    const prefetch = (segment: number): Promise<SegmentBytes> | undefined => {
      if (segment > last) return undefined;
      const promise = this.segment(segment);
      // Awaited later; a failure while nobody awaits must not be an unhandled rejection.
      promise.catch(() => {});
      return promise;
    };
    let pending: Uint8Array[] | undefined;
    let ahead: Promise<SegmentBytes> | undefined;
    let ended = false;
    const end = () => {
      if (!ended) onEnd();
      ended = true;
    };
    try {
      pending = slice(k, await this.segment(k));
      ahead = prefetch(k + 1);
    } catch (error) {
      end();
      throw error;
    }
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            if (pending === undefined) {
              if (ahead === undefined) {
                end();
                controller.close();
                return;
              }
              const rows = await ahead;
              k++;
              pending = slice(k, rows);
              ahead = prefetch(k + 1);
            }
            // A segment's rows go out together: they are in memory already.
            for (const chunk of pending) controller.enqueue(chunk);
            pending = undefined;
          } catch (error) {
            end();
            controller.error(error);
          }
        },
        cancel: () => {
          pending = undefined;
          ahead = undefined;
          end();
        },
      },
      { highWaterMark: 0 },
    );
  }
}

/** A segment's verified bytes: its rows in order (or, from the cache, one buffer). */
export type SegmentBytes = readonly Uint8Array[];

function segmentLength(rows: SegmentBytes): number {
  let length = 0;
  for (const row of rows) length += row.length;
  return length;
}

/** Bytes [from, to) of a segment, as views of its rows (no copy). */
export function sliceSegment(rows: SegmentBytes, from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const row of rows) {
    const start = Math.max(from, at);
    const end = Math.min(to, at + row.length);
    if (start < end) out.push(row.subarray(start - at, end - at));
    at += row.length;
    if (at >= to) break;
  }
  return out;
}

/** A segment as one buffer (a view of its only row when it has one). */
export function joinSegment(rows: SegmentBytes): Uint8Array {
  if (rows.length === 1) return rows[0];
  const out = new Uint8Array(segmentLength(rows));
  let at = 0;
  for (const row of rows) {
    out.set(row, at);
    at += row.length;
  }
  return out;
}
