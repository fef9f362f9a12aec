/**
 * A response body that may not stall: between two chunks at most `idleMs` may pass, or the body
 * errors and the underlying request is aborted. Once headers have arrived a request holds no
 * connection slot, so without this a peer that sends headers and then nothing would hold its
 * reader forever. One chunk is pulled at a time (no queue of our own), so memory follows the
 * consumer.
 */
export interface BodyDeadline {
  readonly idleMs: number;
  /** Aborts the underlying request. */
  readonly abort: (reason: unknown) => void;
  /** Builds the error a stalled body fails with (and records the stall where it must). */
  readonly onStall: () => Error;
}

export function withBodyDeadline(response: Response, deadline: BodyDeadline): Response {
  if (response.body === null) return response;
  const reader = response.body.getReader();
  /** The running pull's stall timer: cancel clears it too, so no timer outlives the body. */
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clearStallTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = deadline.onStall();
            deadline.abort(error);
            reject(error);
          }, deadline.idleMs);
          // In Node, a stall timer alone must not keep a finished process alive.
          (timer as { unref?: () => void }).unref?.();
        });
        try {
          const { done, value } = await Promise.race([reader.read(), stalled]);
          if (done) {
            stream.close();
          } else {
            stream.enqueue(value);
          }
        } finally {
          clearStallTimer();
        }
      },
      cancel(reason) {
        clearStallTimer();
        deadline.abort(reason);
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, headers: response.headers });
}
