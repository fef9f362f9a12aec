/**
 * Named fault-injection sites (Walrus's `fail_point!`). Production code calls `failPoint(name)` at
 * crash-relevant places; nothing happens unless test configuration enabled that name. Actions:
 * `throw` (the operation fails with an internal error), `crash` (the process dies at once, as a
 * power cut would: SIGKILL to itself), or `wait` (pause until the test releases it).
 */
import { assert } from '../core/assert.js';

export const FAIL_POINTS = [
  /** A sliver is committed to its shard but not yet flushed to disk. */
  'sliver-after-write-before-flush',
  /** Metadata is committed but not yet flushed to disk. */
  'metadata-after-write-before-flush',
  /** Every sliver is stored and flushed; the confirmation is about to be signed. */
  'confirmation-before-sign',
  /** A recovery-symbol request holds its concurrency slot and is about to expand slivers. */
  'recovery-symbols-before-compute',
  /** A blob's data is being deleted: metadata gone, slivers not yet. */
  'delete-between-metadata-and-slivers',
] as const;
export type FailPointName = (typeof FAIL_POINTS)[number];

export type FailPointAction =
  | { readonly kind: 'throw'; readonly probability?: number }
  | { readonly kind: 'crash'; readonly probability?: number }
  | { readonly kind: 'wait'; readonly until: Promise<void> };

export class FailPointError extends Error {
  override name = 'FailPointError';
}

const enabled = new Map<FailPointName, FailPointAction>();

export function isFailPointName(name: string): name is FailPointName {
  return (FAIL_POINTS as readonly string[]).includes(name);
}

/** Test configuration only. */
export function enableFailPoint(name: FailPointName, action: FailPointAction): void {
  assert(isFailPointName(name), `unknown fail point ${name}`);
  enabled.set(name, action);
}

export function disableAllFailPoints(): void {
  enabled.clear();
}

/** Parses `name=throw|crash[@probability],…` (the WALRUS_NODE_FAIL_POINTS format). */
export function parseFailPoints(spec: string): [FailPointName, FailPointAction][] {
  const out: [FailPointName, FailPointAction][] = [];
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const match = /^([a-z-]+)=(throw|crash)(?:@(0(?:\.\d+)?|1(?:\.0+)?))?$/.exec(item);
    if (match === null || !isFailPointName(match[1]))
      throw new RangeError(`invalid fail point spec ${JSON.stringify(item)}`);
    const probability = match[3] === undefined ? 1 : Number(match[3]);
    out.push([match[1], { kind: match[2] as 'throw' | 'crash', probability }]);
  }
  return out;
}

/** The injection site. Free when the point is disabled (one Map lookup). */
export async function failPoint(name: FailPointName): Promise<void> {
  const action = enabled.get(name);
  if (action === undefined) return;
  if (action.kind === 'wait') {
    await action.until;
    return;
  }
  if (Math.random() >= (action.probability ?? 1)) return;
  if (action.kind === 'crash') process.kill(process.pid, 'SIGKILL');
  throw new FailPointError(`fail point ${name}`);
}
