/**
 * RFC 9110 range and conditional-request rules for immutable, content-addressed blobs
 * (spec: edge-platform.md §5.1 and its conformance matrix). Pure functions, tested in Node.
 *
 * A blob ID names exactly one byte string, so its strong ETag `"<blob id>"` never changes meaning.
 */
import type { ByteRange } from '../client/read-stream.js';

/** Ranges beyond this many parts are not worth serving as multipart; the first one is served. */
export type RangeDecision =
  { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

const RANGE_HEADER_CHARS_MAX = 1024;

/**
 * Interprets a `Range` header for a representation of `length` bytes. Invalid syntax is ignored
 * (full response); a valid header with no satisfiable range is 416; several ranges are answered with
 * the first satisfiable one (allowed: RFC 9110 §14.2 lets a server ignore or coalesce ranges).
 */
export function decideRange(header: string | null, length: number): RangeDecision {
  if (header === null || header.length > RANGE_HEADER_CHARS_MAX) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (match === null) return { kind: 'full' };
  const specs = match[1].split(',').map((part) => part.trim());
  const parsed: ({ first: number; last: number | undefined } | { suffix: number })[] = [];
  for (const spec of specs) {
    const int = /^(\d+)-(\d*)$/.exec(spec);
    const suffix = /^-(\d+)$/.exec(spec);
    if (int !== null) {
      const first = Number(int[1]);
      const last = int[2] === '' ? undefined : Number(int[2]);
      if (last !== undefined && last < first) return { kind: 'full' };
      parsed.push({ first, last });
    } else if (suffix !== null) {
      parsed.push({ suffix: Number(suffix[1]) });
    } else {
      return { kind: 'full' };
    }
  }
  for (const spec of parsed) {
    if ('suffix' in spec) {
      if (spec.suffix === 0 || length === 0) continue;
      return {
        kind: 'partial',
        range: { start: Math.max(0, length - spec.suffix), end: length - 1 },
      };
    }
    if (spec.first >= length) continue;
    return {
      kind: 'partial',
      range: { start: spec.first, end: Math.min(length - 1, spec.last ?? length - 1) },
    };
  }
  return { kind: 'unsatisfiable' };
}

function entityTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** If-None-Match uses weak comparison; `*` matches any existing representation. */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return entityTags(header).some((tag) => tag === '*' || opaque(tag) === etag);
}

/** If-Match uses strong comparison; a mismatch is 412. */
export function ifMatchFails(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return !entityTags(header).some((tag) => tag === '*' || tag === etag);
}

/** If-Range with an ETag uses strong comparison: a weak or different tag means "send it all". */
export function ifRangeAllowsRange(header: string | null, etag: string): boolean {
  return header === null || header.trim() === etag;
}
