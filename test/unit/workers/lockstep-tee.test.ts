/**
 * The lockstep tee (workers/lockstep-tee.ts): both branches get every chunk; the source is read
 * only as fast as the slower branch, so nothing piles up; a cancelled branch lets the other go on.
 */
import { describe, expect, it } from 'vitest';
import { lockstepTee } from '../../../workers/lockstep-tee.js';

function counted(chunks: number): { stream: ReadableStream<number>; pulled: () => number } {
  let next = 0;
  const stream = new ReadableStream<number>(
    {
      pull(controller) {
        if (next === chunks) controller.close();
        else controller.enqueue(next++);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => next };
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<T>) out.push(chunk);
  return out;
}

describe('lockstepTee', () => {
  it('gives both branches every chunk in order', async () => {
    const { stream } = counted(50);
    const [a, b] = lockstepTee(stream);
    const [fromA, fromB] = await Promise.all([readAll(a), readAll(b)]);
    expect(fromA).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(fromB).toEqual(fromA);
  });

  it('reads the source no further than one chunk ahead of the slower branch', async () => {
    const { stream, pulled } = counted(100);
    const [fast, slow] = lockstepTee(stream);
    const fastReader = fast.getReader();
    const slowReader = slow.getReader();
    const fastReads = (async () => {
      for (let i = 0; i < 10; i++) await fastReader.read();
    })();
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled()).toBeLessThanOrEqual(2); // the slow branch has taken nothing yet
    for (let i = 0; i < 10; i++) expect((await slowReader.read()).value).toBe(i);
    await fastReads;
    expect(pulled()).toBeLessThanOrEqual(11);
  });

  it('lets the other branch finish when one is cancelled, and cancels the source when both are', async () => {
    const { stream } = counted(20);
    const [client, cache] = lockstepTee(stream);
    await client.cancel('client went away');
    expect(await readAll(cache)).toHaveLength(20);
    let cancelled = false;
    const source = new ReadableStream<number>({
      pull: (controller) => controller.enqueue(1),
      cancel: () => {
        cancelled = true;
      },
    });
    const [x, y] = lockstepTee(source);
    await x.cancel();
    await y.cancel();
    expect(cancelled).toBe(true);
  });
});
