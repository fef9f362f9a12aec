/**
 * Entity tags (RFC 9110 §8.8.3): parsing the lists in If-Match and If-None-Match and the single tag
 * in If-Range, and the strong and weak comparisons of §8.8.3.2.
 *
 *     entity-tag = [ weak ] opaque-tag      weak = %s"W/"
 *     opaque-tag = DQUOTE *etagc DQUOTE     etagc = %x21 / %x23-7E / obs-text
 *
 * etagc excludes only DQUOTE, whitespace and controls, so a tag may contain commas: a list is read
 * tag by tag, never split on commas (`"a,b", "c"` is two tags).
 */

/** An entity tag; `opaque` keeps its quotes, as a header would carry it. */
export interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/**
 * Longest conditional header value parsed; longer ones are malformed. A cache revalidating many
 * stored variants sends one tag per variant; 8 KiB holds ~170 of our 46-character tags.
 */
export const CONDITION_HEADER_CHARS_MAX = 8192;

const DQUOTE = 0x22;
const isOws = (code: number) => code === 0x20 || code === 0x09;
/** etagc; obs-text arrives from `Headers` as Latin-1 code units 0x80–0xFF. */
const isEtagc = (code: number) =>
  code === 0x21 || (code >= 0x23 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);

/** Reads one entity-tag at `offset`; returns it and the offset after it, or undefined. */
function readTag(text: string, offset: number): { tag: EntityTag; next: number } | undefined {
  let index = offset;
  const weak = text.startsWith('W/', index);
  if (weak) index += 2;
  if (text.charCodeAt(index) !== DQUOTE) return undefined;
  const open = index;
  index++;
  while (index < text.length && isEtagc(text.charCodeAt(index))) index++;
  if (text.charCodeAt(index) !== DQUOTE) return undefined;
  return { tag: { weak, opaque: text.slice(open, index + 1) }, next: index + 1 };
}

function skipOws(text: string, offset: number): number {
  let index = offset;
  while (index < text.length && isOws(text.charCodeAt(index))) index++;
  return index;
}

/** Parses exactly one entity-tag (surrounding OWS allowed), or undefined when malformed. */
export function parseEntityTag(text: string): EntityTag | undefined {
  if (text.length > CONDITION_HEADER_CHARS_MAX) return undefined;
  const read = readTag(text, skipOws(text, 0));
  if (read === undefined || skipOws(text, read.next) !== text.length) return undefined;
  return read.tag;
}

/**
 * Parses `"*" / #entity-tag` (If-Match, If-None-Match): `'*'`, the tags (possibly none: `#`
 * allows an empty list, and empty elements are ignored per §5.6.1), or undefined when malformed.
 */
export function parseEntityTagList(text: string): '*' | EntityTag[] | undefined {
  if (text.length > CONDITION_HEADER_CHARS_MAX) return undefined;
  const start = skipOws(text, 0);
  if (text.charCodeAt(start) === 0x2a /* * */) {
    return skipOws(text, start + 1) === text.length ? '*' : undefined;
  }
  const tags: EntityTag[] = [];
  let index = start;
  for (;;) {
    while (index < text.length && (isOws(text.charCodeAt(index)) || text[index] === ',')) index++;
    if (index === text.length) return tags;
    const read = readTag(text, index);
    if (read === undefined) return undefined;
    tags.push(read.tag);
    index = skipOws(text, read.next);
    if (index < text.length && text[index] !== ',') return undefined;
  }
}

/** §8.8.3.2 strong comparison: neither tag weak, opaque tags identical. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** §8.8.3.2 weak comparison: opaque tags identical, weakness ignored. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}
