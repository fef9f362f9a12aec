/**
 * Media type values (RFC 9110 §8.3.1) as they arrive from outside — a blob's `content-type`
 * attribute, a quilt patch tag — checked before they become a Content-Type header:
 *
 *     media-type = type "/" subtype parameters
 *     parameters = *( OWS ";" OWS [ parameter ] )
 *     parameter  = parameter-name "=" ( token / quoted-string )
 *
 * Only ASCII passes: `Headers` refuses code points above 0xFF, and CR/LF could split a header.
 */

/**
 * Longest media type accepted. RFC 6838 §4.2 caps type and subtype names at 127 characters each;
 * real values (`application/vnd.openxmlformats-officedocument.wordprocessingml.document`, with a
 * charset) stay under 100. Anything longer is an attack on a header or a log line, not a type.
 */
export const MEDIA_TYPE_CHARS_MAX = 256;

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** qdtext is HTAB, SP and VCHAR but DQUOTE and backslash; quoted-pair escapes HTAB, SP or VCHAR. */
const QUOTED_STRING = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*"';
const PARAMETER = `${TOKEN}=(?:${TOKEN}|${QUOTED_STRING})`;
// Every repetition consumes a ';', so matching is linear.
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})((?:[ \\t]*;[ \\t]*(?:${PARAMETER})?)*)$`);
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

export interface MediaType {
  /** The value to send: the input without surrounding whitespace. */
  readonly value: string;
  /** `type/subtype`, lower-cased (type names are case-insensitive). */
  readonly essence: string;
  readonly type: string;
  readonly subtype: string;
}

/** Parses a media type, or returns undefined for anything that is not one we would send. */
export function parseMediaType(input: string): MediaType | undefined {
  if (input.length > MEDIA_TYPE_CHARS_MAX) return undefined;
  const value = input.replace(OWS_EDGES, '');
  const match = MEDIA_TYPE.exec(value);
  if (match === null) return undefined;
  const type = match[1].toLowerCase();
  const subtype = match[2].toLowerCase();
  // `*` is a token character, but `*/*` and `image/*` are media ranges (Accept), not types.
  if (type === '*' || subtype === '*') return undefined;
  return { value, essence: `${type}/${subtype}`, type, subtype };
}
