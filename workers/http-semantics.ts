/**
 * The single-range and one-header forms of the RFC 9110 decisions that workers/aggregator.ts uses
 * today, derived from the general modules (spec: edge-platform.md §5.1):
 * - ranges.ts — `decideRanges`, multiple ranges, coalescing, 416 rules;
 * - entity-tags.ts — entity-tag lists and strong/weak comparison;
 * - preconditions.ts — `evaluatePreconditions`, §13.2.2's order for GET/HEAD;
 * - multipart.ts — multipart/byteranges bodies; content-type.ts — Content-Type and sniffing.
 *
 * A blob ID names exactly one byte string, so its strong ETag `"<blob id>"` never changes meaning.
 */
import { parseEntityTag, parseEntityTagList, strongMatch, weakMatch } from './entity-tags.js';
import { decideRanges, type ByteRange } from './ranges.js';

export type { ByteRange } from './ranges.js';

export type RangeDecision =
  { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * `decideRanges` for a route that sends one range at most: several ranges are answered with the
 * first of the coalesced parts, which RFC 9110 §14.2 allows (and the IPFS conformance suite
 * accepts). Invalid syntax is ignored (full response); no satisfiable range is 416.
 */
export function decideRange(header: string | null, length: number): RangeDecision {
  const decision = decideRanges(header, length);
  if (decision.kind === 'partial') return { kind: 'partial', range: decision.ranges[0] };
  return decision.kind === 'full' ? { kind: 'full' } : decision;
}

function strongTag(etag: string) {
  const tag = parseEntityTag(etag);
  if (tag === undefined || tag.weak) {
    throw new TypeError(`etag must be a strong entity-tag, got ${etag}`);
  }
  return tag;
}

/** If-None-Match uses weak comparison; `*` matches (the representation is taken to exist). */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const ours = strongTag(etag);
  const list = parseEntityTagList(header);
  if (list === undefined) return false; // malformed: no match, serve the representation
  return list === '*' || list.some((tag) => weakMatch(tag, ours));
}

/** If-Match uses strong comparison; a mismatch (or a malformed header) is 412. */
export function ifMatchFails(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const ours = strongTag(etag);
  const list = parseEntityTagList(header);
  if (list === undefined) return true;
  return !(list === '*' || list.some((tag) => strongMatch(tag, ours)));
}

/** If-Range uses strong comparison: a weak or different tag, or a date, means send it all. */
export function ifRangeAllowsRange(header: string | null, etag: string): boolean {
  if (header === null) return true;
  const tag = parseEntityTag(header);
  return tag !== undefined && strongMatch(tag, strongTag(etag));
}
