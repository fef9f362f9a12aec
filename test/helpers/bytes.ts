import { expect } from 'vitest';

/**
 * Byte-for-byte equality that stays fast on megabytes (vitest's deep equality walks typed arrays
 * element by element) and still says where the first difference is.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  const same =
    actual.length === expected.length &&
    Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
    );
  if (same) return;
  let first = 0;
  while (first < Math.min(actual.length, expected.length) && actual[first] === expected[first])
    first++;
  expect.fail(
    `${what} differ: lengths ${actual.length} vs ${expected.length}, first difference at byte ${first}`,
  );
}
