/**
 * Byte ranges of a blob as streams of verified rows. The first row a range needs is fetched and
 * verified before the stream is handed out, so a caller (the Worker) can still answer 503 instead
 * of committing to a 200 it cannot deliver; a failure after that errors the stream, and the HTTP
 * layer aborts the response rather than end it short.
 */
import type { BlobLayout } from '../../core/encoding/blob-layout.js';
import type { BlobRowReader } from './rows.js';

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

/** The systematic rows holding bytes [start, end] of the blob. */
export function rowsOf(layout: BlobLayout, range: ByteRange): { first: number; last: number } {
  const rowBytes = layout.primarySliverBytes;
  return { first: Math.floor(range.start / rowBytes), last: Math.floor(range.end / rowBytes) };
}

/**
 * A stream of exactly the bytes of `range` (non-empty, within the blob). Resolves once the first
 * row is verified; rejects if it cannot be had. `onEnd` runs once when the stream ends, fails or
 * is cancelled.
 */
export async function openRangeStream(
  reader: BlobRowReader,
  range: ByteRange,
  onEnd: () => void = () => {},
): Promise<ReadableStream<Uint8Array>> {
  const rowBytes = reader.layout.primarySliverBytes;
  const { first, last } = rowsOf(reader.layout, range);
  const rows = reader.rows(first, last);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const slice = (row: number, data: Uint8Array): Uint8Array => {
    const rowStart = row * rowBytes;
    const from = Math.max(range.start, rowStart) - rowStart;
    const to = Math.min(range.end + 1, rowStart + rowBytes) - rowStart;
    return data.subarray(from, to);
  };
  let firstChunk: Uint8Array;
  try {
    const head = await rows.next();
    if (head.done === true) throw new Error('no rows for a non-empty range');
    firstChunk = slice(head.value.row, head.value.data);
  } catch (error) {
    end();
    await rows.return(undefined).catch(() => {});
    throw error;
  }
  let pending: Uint8Array | undefined = firstChunk;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending !== undefined) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        try {
          const next = await rows.next();
          if (next.done === true) {
            controller.close();
            end();
            return;
          }
          controller.enqueue(slice(next.value.row, next.value.data));
        } catch (error) {
          end();
          controller.error(error);
        }
      },
      async cancel() {
        pending = undefined;
        end();
        await rows.return(undefined).catch(() => {});
      },
    },
    // Pulled one row at a time: the reader's window, not the stream's queue, bounds memory.
    { highWaterMark: 0 },
  );
}
