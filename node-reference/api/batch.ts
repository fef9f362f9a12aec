/**
 * The node side of the batch sliver read (the framing is core/node-api/sliver-batch.ts, shared with
 * the clients): parsing the requested pair list.
 */
import { BATCH_PAIRS_MAX } from '../../core/node-api/limits.js';

/**
 * Parses `pairs=0-99,130` into ascending, distinct pair indices (range checks are the service's).
 * Duplicates count against the limit, so the work done here is bounded by BATCH_PAIRS_MAX.
 */
export function parsePairList(
  text: string,
): { readonly pairs: number[] } | { readonly error: string; readonly tooMany: boolean } {
  const seen = new Set<number>();
  let requested = 0;
  for (const item of text.split(',')) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.trim());
    if (match === null)
      return { error: `invalid pair list item ${JSON.stringify(item)}`, tooMany: false };
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return { error: `descending pair range ${item}`, tooMany: false };
    requested += last - first + 1;
    if (requested > BATCH_PAIRS_MAX)
      return { error: `more than ${BATCH_PAIRS_MAX} pairs requested`, tooMany: true };
    for (let p = first; p <= last; p++) seen.add(p);
  }
  return { pairs: [...seen].sort((a, b) => a - b) };
}
