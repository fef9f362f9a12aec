/**
 * RFC 9110 §14 byte ranges of one representation whose length is known: parse a `Range` header and
 * decide between all of it (200), some parts of it (206) or none of it (416). Pure, so every row
 * of the conformance matrix in docs/spec/edge-platform.md §5.1 is a unit test.
 *
 * Serving all of it is always a correct answer (§14.2: a server MAY ignore Range), so every doubt
 * — bad syntax, another unit, an over-long header, too many specs — resolves to a full 200. A 416
 * is only for a well-formed header none of whose specs is satisfiable.
 */
import { assert } from '../core/assert.js';

/** An inclusive byte range, `Content-Range`'s form (the same shape as client/read-stream.ts's). */
export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

/** Longest `Range` value parsed; a longer one is ignored (full 200) before any parsing work. */
export const RANGE_HEADER_CHARS_MAX = 1024;
/**
 * Most range specs honoured in one header; with more, the header is ignored (full 200). Players
 * and resumable downloads send one range, PDF readers and archive tools a handful; each part costs
 * the Worker a sub-stream of slivers, and long sets are the Apache-killer (CVE-2011-3192) shape
 * that §14.2 lets a server refuse.
 */
export const RANGES_MAX = 16;
/**
 * Two ranges closer than this many bytes are sent as one part: §15.3.7.2 allows coalescing gaps
 * "smaller than the overhead of sending multiple parts", which it puts "around 80 bytes".
 */
export const RANGE_GAP_COALESCE_BYTES = 80;
/**
 * Several parts that together cover at least this share of the representation are answered with
 * all of it (§14.2 "or a full 200 where that is cheaper"): the multipart framing and one sub-stream
 * per part then cost more than the few bytes skipped. A single range is always a 206, even of the
 * whole representation: players send `bytes=0-` and take a 200 to mean "cannot seek".
 */
export const RANGES_COVERAGE_FULL_RATIO = 0.8;

/** Decimal positions saturate here; representations are never longer, so clipping stays exact. */
const POSITION_MAX = Number.MAX_SAFE_INTEGER;
/** `bytes=` and, per spec, two positions of 16 digits, a dash and a comma with one space. */
const RANGE_SPEC_CHARS_MAX = 16 + 1 + 16 + 2;

assert(
  RANGE_HEADER_CHARS_MAX >= 'bytes='.length + RANGES_MAX * RANGE_SPEC_CHARS_MAX,
  'a header of RANGES_MAX ordinary specs must fit the length limit',
);
assert(RANGES_COVERAGE_FULL_RATIO > 0 && RANGES_COVERAGE_FULL_RATIO <= 1, 'a ratio');

/** One range-spec as written (RFC 9110 §14.1.1), positions saturated at `POSITION_MAX`. */
export type RangeSpec =
  | { readonly kind: 'int'; readonly first: number; readonly last: number | undefined }
  | { readonly kind: 'suffix'; readonly suffixLength: number };

/** Why a Range header was answered with the whole representation. */
export type FullReason =
  | 'absent'
  | 'invalid'
  | 'too-many'
  | 'covers-most'
  /** A zero-length representation and a non-zero suffix: satisfiable, but no 206 can say so. */
  | 'empty-representation';

export type RangesDecision =
  | { readonly kind: 'full'; readonly reason: FullReason }
  /** Sorted, disjoint, non-adjacent ranges, each within the representation; never empty. */
  | { readonly kind: 'partial'; readonly ranges: readonly ByteRange[] }
  | { readonly kind: 'unsatisfiable' };

const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;
/** OWS around list elements (RFC 9110 §5.6.1, §5.6.3): spaces and tabs only. */
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

function position(digits: string): number {
  // §14.1.2: "recipients MUST anticipate potentially large decimal numerals". The header length
  // limit keeps the BigInt small.
  const value = BigInt(digits);
  return value > BigInt(POSITION_MAX) ? POSITION_MAX : Number(value);
}

/**
 * Parses a `Range` value into its specs, or `undefined` when it is not a valid bytes range set
 * (which the caller ignores) or holds more than `RANGES_MAX` specs (`'too-many'`).
 */
export function parseRange(header: string): RangeSpec[] | 'too-many' | undefined {
  if (header.length > RANGE_HEADER_CHARS_MAX) return undefined;
  const equals = header.indexOf('=');
  // The range unit is case-insensitive (§14.1); `bytes` is the only one defined.
  if (equals < 0 || header.slice(0, equals).toLowerCase() !== 'bytes') return undefined;
  const specs: RangeSpec[] = [];
  for (const element of header.slice(equals + 1).split(',')) {
    const spec = element.replace(OWS_EDGES, '');
    if (spec === '') continue; // empty list elements are ignored (§5.6.1)
    if (specs.length === RANGES_MAX) return 'too-many';
    const int = INT_RANGE.exec(spec);
    if (int !== null) {
      // A last-pos below first-pos makes the whole set invalid (§14.1.1); compare exactly.
      if (int[2] !== '' && BigInt(int[2]) < BigInt(int[1])) return undefined;
      const last = int[2] === '' ? undefined : position(int[2]);
      specs.push({ kind: 'int', first: position(int[1]), last });
      continue;
    }
    const suffix = SUFFIX_RANGE.exec(spec);
    if (suffix === null) return undefined;
    specs.push({ kind: 'suffix', suffixLength: position(suffix[1]) });
  }
  return specs.length === 0 ? undefined : specs; // `1#range-spec`: at least one
}

/** The bytes a satisfiable spec selects in a non-empty representation, clipped (§14.1.2). */
function resolve(spec: RangeSpec, length: number): ByteRange | undefined {
  if (spec.kind === 'suffix') {
    if (spec.suffixLength === 0) return undefined;
    return { start: Math.max(0, length - spec.suffixLength), end: length - 1 };
  }
  if (spec.first >= length) return undefined;
  return { start: spec.first, end: Math.min(length - 1, spec.last ?? length - 1) };
}

/** Sorts and merges ranges that overlap, touch, or lie within `RANGE_GAP_COALESCE_BYTES`. */
export function coalesceRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: ByteRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && range.start <= last.end + 1 + RANGE_GAP_COALESCE_BYTES) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/**
 * Decides how to answer a `Range` header (`null` when absent) for a representation of `length`
 * bytes. Parts come back in ascending order, not the request's: §15.3.7.2's SHOULD keep the
 * request order yields to coalescing (which the same section allows "regardless of the order"),
 * each part names its bytes in its own Content-Range, and the blob is then read front to back.
 */
export function decideRanges(header: string | null, length: number): RangesDecision {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`length must be a non-negative safe integer, got ${length}`);
  }
  if (header === null) return { kind: 'full', reason: 'absent' };
  const specs = parseRange(header);
  if (specs === undefined) return { kind: 'full', reason: 'invalid' };
  if (specs === 'too-many') return { kind: 'full', reason: 'too-many' };
  if (length === 0) {
    // §14.1.2: only a non-zero suffix is satisfiable here, and it selects nothing; Content-Range
    // cannot express an empty part, so the (empty) whole is the answer.
    const satisfiable = specs.some((spec) => spec.kind === 'suffix' && spec.suffixLength > 0);
    return satisfiable
      ? { kind: 'full', reason: 'empty-representation' }
      : { kind: 'unsatisfiable' };
  }
  const selected: ByteRange[] = [];
  for (const spec of specs) {
    const range = resolve(spec, length);
    if (range !== undefined) selected.push(range);
  }
  if (selected.length === 0) return { kind: 'unsatisfiable' };
  const ranges = coalesceRanges(selected);
  if (ranges.length > 1) {
    const coveredBytes = ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0);
    if (coveredBytes >= RANGES_COVERAGE_FULL_RATIO * length) {
      return { kind: 'full', reason: 'covers-most' };
    }
  }
  return { kind: 'partial', ranges };
}

/** `Content-Range` of one part (§14.4). */
export function contentRange(range: ByteRange, length: number): string {
  return `bytes ${range.start}-${range.end}/${length}`;
}

/** `Content-Range` of a 416 (§14.4, §15.5.17). */
export function unsatisfiedContentRange(length: number): string {
  return `bytes */${length}`;
}

/** Bytes in an inclusive range. */
export function rangeBytes(range: ByteRange): number {
  return range.end - range.start + 1;
}
