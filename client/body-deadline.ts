/**
 * A response body that may not stall: while its consumer waits for a chunk, at most `idleMs` may
 * pass, or the body errors and the underlying request is aborted. Once headers have arrived a
 * request holds no connection slot, so without this a peer that sends headers and then nothing
 * would hold its reader forever. One chunk is pulled at a time (no queue of our own), so memory
 * follows the consumer.
 *
 * Why one watchdog timer per body rather than a timer per chunk: a 64 MiB read is thousands of
 * chunks, and arming, racing and clearing a timer for each cost more CPU in workerd than verifying
 * the slivers' bytes. Each chunk only notes when the wait began; the watchdog wakes when the
 * oldest wait could first be overdue and re-arms itself for the rest.
 *
 * In workerd a fetch body arrives in ~4 KiB chunks (16,000 for a 64 MiB read, each a promise and a
 * stream hop); its BYOB reader's `readAtLeast` gathers them into pieces of BODY_PIECE_BYTES_MIN.
 * Node's fetch already hands out ~64 KiB chunks, so it keeps the default reader (no extra copy).
 */

/** In workerd, a body is read in pieces of at least this many bytes (or to its end). */
export const BODY_PIECE_BYTES_MIN = 64 * 1024;
/** The buffer each piece is read into. */
const BODY_PIECE_BUFFER_BYTES = 4 * BODY_PIECE_BYTES_MIN;

/** workerd's non-standard BYOB read: resolves once `minBytes` arrived or the body ended. */
interface GatheringReader {
  readAtLeast(minBytes: number, view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * A read function over `body`: gathering pieces where the runtime can, chunk by chunk otherwise.
 * `reuse`: each read hands the previous piece's buffer back to the runtime (see
 * BodyDeadline.chunksCopiedByConsumer) instead of allocating another.
 */
function pieceReader(
  body: ReadableStream<Uint8Array>,
  reuse: boolean,
): {
  readonly read: () => Promise<ReadableStreamReadResult<Uint8Array>>;
  readonly cancel: (reason: unknown) => Promise<void>;
} {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream: chunk by chunk.
  }
  if (byob !== undefined && 'readAtLeast' in byob && typeof byob.readAtLeast === 'function') {
    const gathering = byob as unknown as GatheringReader;
    let previous: ArrayBufferLike | undefined;
    return {
      read: async () => {
        const view =
          previous === undefined
            ? new Uint8Array(BODY_PIECE_BUFFER_BYTES)
            : new Uint8Array(previous);
        const result = await gathering.readAtLeast(BODY_PIECE_BYTES_MIN, view);
        if (reuse && result.value !== undefined) previous = result.value.buffer;
        return result;
      },
      cancel: (reason) => gathering.cancel(reason),
    };
  }
  if (byob !== undefined) byob.releaseLock();
  const reader = body.getReader();
  return { read: () => reader.read(), cancel: (reason) => reader.cancel(reason) };
}
export interface BodyDeadline {
  readonly idleMs: number;
  /** Aborts the underlying request. */
  readonly abort: (reason: unknown) => void;
  /** Builds the error a stalled body fails with (and records the stall where it must). */
  readonly onStall: () => Error;
  /**
   * The consumer copies what it keeps out of each chunk before it asks for the next (a streaming
   * parser does). Then, in workerd, one piece buffer serves the whole body: a 64 MiB read would
   * otherwise allocate ~256 fresh 256 KiB buffers, garbage at once, and fresh memory is what made
   * an isolate's first large read slow. Handing the buffer back to the runtime detaches the
   * previous chunk, so a consumer that kept one anyway finds it empty, never overwritten.
   */
  readonly chunksCopiedByConsumer?: boolean;
}

export function withBodyDeadline(response: Response, deadline: BodyDeadline): Response {
  if (response.body === null) return response;
  const reader = pieceReader(response.body, deadline.chunksCopiedByConsumer === true);
  /** When the consumer's pending read began (ms); undefined while nobody waits. */
  let waitingSinceMs: number | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const stop = () => {
    finished = true;
    if (watchdog !== undefined) clearTimeout(watchdog);
    watchdog = undefined;
  };
  const arm = (delayMs: number) => {
    watchdog = setTimeout(check, Math.max(1, delayMs));
    // In Node, a watchdog alone must not keep a finished process alive.
    (watchdog as { unref?: () => void }).unref?.();
  };
  function check() {
    watchdog = undefined;
    if (finished) return;
    if (waitingSinceMs === undefined) return; // the next read re-arms
    const waitedMs = Date.now() - waitingSinceMs;
    if (waitedMs < deadline.idleMs) return arm(deadline.idleMs - waitedMs);
    stop();
    const error = deadline.onStall();
    controller.error(error);
    deadline.abort(error);
    reader.cancel(error).catch(() => {});
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      async pull(stream) {
        waitingSinceMs = Date.now();
        if (watchdog === undefined) arm(deadline.idleMs);
        // Until something is enqueued or the body ends: a pull that returns empty-handed is not
        // called again, and an empty chunk is not the end.
        for (;;) {
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (error) {
            if (finished) return; // the watchdog already errored the stream
            stop();
            throw error;
          }
          if (finished) return;
          // A BYOB read may end with a last piece and `done` together.
          const piece = result.value;
          const hasBytes = piece !== undefined && piece.length > 0;
          if (hasBytes) stream.enqueue(piece);
          if (result.done) {
            stop();
            stream.close();
            return;
          }
          if (hasBytes) break;
        }
        waitingSinceMs = undefined;
      },
      cancel(reason) {
        stop();
        deadline.abort(reason);
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, headers: response.headers });
}
