/**
 * Property-based tests over the parsers that face the network (fast-check). Every property runs
 * its kept regression cases first (test/fixtures/fuzz-regressions.json: inputs that once failed,
 * kept so the bug can never come back unnoticed), then `fuzzRuns()` random cases. A failure prints
 * fast-check's seed and shrunk counterexample; add the counterexample to the fixture under the
 * property's name when you fix it.
 *
 * FUZZ_RUNS raises the run count for a long local session (`FUZZ_RUNS=20000 npx vitest run
 * test/unit/fuzz`); FUZZ_SEED replays one seed that CI printed.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Cases per property in `npm test`: enough to catch shallow parser bugs within CI's budget. */
export const FUZZ_RUNS_DEFAULT = 400;

export function fuzzRuns(runs = FUZZ_RUNS_DEFAULT): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : runs;
}

/**
 * JSON cannot hold bytes: the fixture writes a Uint8Array as `{"hex": "…"}`, and these turn it
 * back (and forth, to print a counterexample in the fixture's own form).
 */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === 'hex' && typeof entries[0][1] === 'string')
      return hexToBytes(entries[0][1]);
    return Object.fromEntries(entries.map(([key, inner]) => [key, revive(inner)]));
  }
  return value;
}

export function fixtureForm(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: bytesToHex(value) };
  if (Array.isArray(value)) return value.map(fixtureForm);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fixtureForm(v)]));
  return value;
}

const REGRESSIONS = JSON.parse(
  readFileSync(new URL('../fixtures/fuzz-regressions.json', import.meta.url), 'utf8'),
) as Record<string, unknown[]>;

/** fast-check parameters for the property `name`: its regression cases, run count and seed. */
export function fuzzParameters<T extends unknown[]>(name: string, runs?: number): fc.Parameters<T> {
  const examples = (REGRESSIONS[name] ?? []).map((example) => revive(example) as T);
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: fuzzRuns(runs),
    examples,
    ...(Number.isSafeInteger(seed) ? { seed } : {}),
    reporter: (details) => {
      if (!details.failed) return;
      throw new Error(
        `${fc.defaultReportMessage(details)}\nKeep it as a regression case: add ` +
          `${JSON.stringify(fixtureForm(details.counterexample))} to "${name}" in ` +
          'test/fixtures/fuzz-regressions.json',
      );
    },
  };
}

/** The error class names a call may throw; anything else (TypeError, RangeError…) is a bug. */
export function throwsOnly(
  call: () => unknown,
  ...allowed: (abstract new (...a: never[]) => Error)[]
): unknown {
  try {
    return call();
  } catch (error) {
    if (allowed.some((type) => error instanceof type)) return undefined;
    throw error;
  }
}
