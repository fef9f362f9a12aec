/**
 * Bounded parallelism for fan-out to storage nodes: `worker` runs over `items` with at most `lanes`
 * in flight, in order of `items`; once `done()` turns true no further item is started.
 */
export async function inLanes<T>(
  items: readonly T[],
  lanes: number,
  worker: (item: T) => Promise<void>,
  done: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (!done() && next < items.length) await worker(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

/** A uniformly random permutation (Fisher–Yates): spreads load without favouring any node. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
