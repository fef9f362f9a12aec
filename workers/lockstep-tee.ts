/**
 * A tee whose two branches advance together: a chunk is read from the source only when both
 * branches have taken the previous one, so memory stays at one chunk however slow the slower
 * branch is. `ReadableStream.tee()` instead buffers everything the faster branch has read and the
 * slower has not — with a fast cache write and a slow client, the whole blob, in a 128 MB isolate
 * (docs/spec/edge-platform.md §1.3).
 *
 * When one branch is cancelled (the client went away) the other goes on alone, so a cache fill
 * completes; when both are cancelled, the source is.
 */
export function lockstepTee<T>(source: ReadableStream<T>): [ReadableStream<T>, ReadableStream<T>] {
  const reader = source.getReader();
  /** The chunk both branches must take before the next is read (undefined: none read yet). */
  let current: Promise<ReadableStreamReadResult<T>> | undefined;
  const taken = [true, true];
  const cancelled = [false, false];
  const waiting: (() => void)[] = [];

  const wake = () => {
    for (const resume of waiting.splice(0)) resume();
  };

  const branch = (side: 0 | 1): ReadableStream<T> =>
    new ReadableStream<T>(
      {
        async pull(controller) {
          const other = 1 - side;
          // Wait until the other branch has taken the chunk this one already has.
          while (taken[side] && !taken[other] && !cancelled[other]) {
            await new Promise<void>((resume) => waiting.push(resume));
          }
          if (taken[side]) {
            current = reader.read();
            taken[0] = cancelled[0];
            taken[1] = cancelled[1];
          }
          taken[side] = true;
          wake();
          try {
            const result = await current!;
            if (result.done) controller.close();
            else controller.enqueue(result.value);
          } catch (error) {
            controller.error(error);
          }
        },
        cancel(reason) {
          cancelled[side] = true;
          taken[side] = true;
          wake();
          if (cancelled[0] && cancelled[1]) return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );

  return [branch(0), branch(1)];
}
