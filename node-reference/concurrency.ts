/**
 * A non-blocking counting limiter: a request either takes a slot at once or is refused (503), so
 * load beyond a named cap never queues in memory (Walrus's recovery and long-poll semaphores).
 */
import { assert } from '../core/assert.js';
import { NodeErrors } from './errors.js';

export class ConcurrencyLimit {
  private inFlight = 0;

  constructor(
    readonly name: string,
    readonly inFlightMax: number,
  ) {
    assert(
      Number.isInteger(inFlightMax) && inFlightMax >= 0,
      `${name}: the cap must be a non-negative integer`,
    );
  }

  get active(): number {
    return this.inFlight;
  }

  /** A release function, or null when the cap is reached. Release exactly once. */
  tryAcquire(): (() => void) | null {
    if (this.inFlight >= this.inFlightMax) return null;
    this.inFlight++;
    let released = false;
    return () => {
      assert(!released, `${this.name}: slot released twice`);
      released = true;
      this.inFlight--;
    };
  }

  /** Takes a slot or throws 503 UNAVAILABLE. */
  acquire(): () => void {
    const release = this.tryAcquire();
    if (release === null) throw NodeErrors.unavailable();
    return release;
  }

  /** Runs `work` in a slot, or throws 503 UNAVAILABLE when none is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}
