/**
 * Invariant checks for programmer errors (never for input validation: hostile input gets a typed
 * error that callers can map to a 4xx, not a crash).
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Checks that `value` is an integer in [min, max]; the message names the argument. */
export function checkInteger(name: string, value: number, min: number, max: number): number {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
}
