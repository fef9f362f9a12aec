/**
 * Benchmark inputs: fast, deterministic, not all zeros (zeros flatter kernels with data-dependent
 * branches, docs/spec/encoding.md §13). xorshift32; not for anything that needs real randomness.
 */
export function xorshiftFill<T extends Uint8Array | Uint16Array>(values: T, mask: number): T {
  let x = 0x9e3779b9;
  for (let i = 0; i < values.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    values[i] = x & mask;
  }
  return values;
}
