/**
 * A cap on requests waiting for response headers at once. Cloudflare Workers allow each
 * invocation 6 outgoing connections waiting for headers (once headers arrive the slot frees and the
 * body may be read as long as needed; docs/spec/edge-platform.md §1.4), and local workerd does not
 * enforce it — so the Worker enforces it itself, and a test that passes locally holds in
 * production. Node processes use a larger cap to spare the nodes a flood.
 */

/** Cloudflare's limit per Worker invocation (and per Durable Object). */
export const WORKERS_HEADERS_WAITING_MAX = 6;
/** The SDK and CLI in Node: enough to overlap a committee's latency, bounded out of courtesy. */
export const NODE_HEADERS_WAITING_MAX = 64;

export class RequestGate {
  private waiting = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a gate needs a limit ≥ 1');
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.waiting < this.limit) {
      this.waiting++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.waiting++;
        resolve(this.releaser());
      };
      const onAbort = () => {
        const index = this.queue.indexOf(grant);
        if (index !== -1) this.queue.splice(index, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.waiting--;
      this.queue.shift()?.();
    };
  }
}
