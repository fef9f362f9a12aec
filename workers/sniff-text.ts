/**
 * Text formats recognised in the first bytes of a blob: markup (HTML, SVG, XML) so it can be
 * neutralised, JSON, and UTF-8 plain text. The head may be cut anywhere, including inside a UTF-8
 * sequence, a JSON string or an XML comment; `complete` says whether it is the whole blob, so a cut
 * is only tolerated where one can be.
 */

const BOM = [0xef, 0xbb, 0xbf];
const LT = 0x3c;
const GT = 0x3e;

/** WHATWG mimesniff's whitespace bytes: TAB, LF, FF, CR, SP. */
const isWhitespace = (byte: number) =>
  byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x20;

/**
 * Control characters allowed in text: TAB, LF, CR, and also FF (page breaks in RFC-style text and
 * some source files) and ESC (ANSI colours in logs). NUL and the other C0 controls, DEL and the C1
 * controls (U+0080–U+009F) mark binary data.
 */
const isTextControl = (byte: number) =>
  byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0c || byte === 0x1b;

/**
 * Whether `bytes` is UTF-8 (Unicode Table 3-7: no overlongs, surrogates or values past U+10FFFF)
 * without binary control characters. When `complete` is false, a sequence cut by the end of the
 * head counts if the bytes present are a valid start of one.
 */
export function isUtf8Text(bytes: Uint8Array, complete: boolean): boolean {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    if (lead < 0x80) {
      if ((lead < 0x20 || lead === 0x7f) && !isTextControl(lead)) return false;
      index++;
      continue;
    }
    // The allowed range of the second byte depends on the lead; later bytes are 80–BF.
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f; // U+D800–DFFF are surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f; // above U+10FFFF
    } else return false;
    for (let offset = 1; offset < length; offset++) {
      if (index + offset === bytes.length) return !complete;
      const byte = bytes[index + offset];
      if (offset === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return false;
    }
    if (lead === 0xc2 && bytes[index + 1] <= 0x9f) return false; // C1 controls
    index += length;
  }
  return true;
}

/** Skips a UTF-8 byte order mark. */
export function withoutBom(bytes: Uint8Array): Uint8Array {
  return BOM.every((byte, index) => bytes[index] === byte) ? bytes.subarray(BOM.length) : bytes;
}

function skipWhitespace(bytes: Uint8Array, offset: number): number {
  let index = offset;
  while (index < bytes.length && isWhitespace(bytes[index])) index++;
  return index;
}

/** Case-insensitive ASCII match of `text` (lower-case) at `offset`. */
function matchesAt(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let index = 0; index < text.length; index++) {
    const byte = bytes[offset + index];
    const lower = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    if (lower !== text.charCodeAt(index)) return false;
  }
  return true;
}

/** Index just past `terminator` at or after `offset`, or -1 when the head ends first. */
function skipPast(bytes: Uint8Array, offset: number, terminator: string): number {
  for (let index = offset; index + terminator.length <= bytes.length; index++) {
    if (matchesAt(bytes, index, terminator)) return index + terminator.length;
  }
  return -1;
}

/** Element or DOCTYPE name at `offset`: bytes up to whitespace, `>`, `/` or `[`, lower-cased. */
function nameAt(bytes: Uint8Array, offset: number): string {
  let name = '';
  for (let index = offset; index < bytes.length; index++) {
    const byte = bytes[index];
    if (isWhitespace(byte) || byte === GT || byte === 0x2f || byte === 0x5b) break;
    name += String.fromCharCode(byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
  }
  return name;
}

/** First tags WHATWG mimesniff takes for HTML ("identifying a resource with an unknown type"). */
// prettier-ignore
const HTML_FIRST_TAGS = new Set([
  'html', 'head', 'script', 'iframe', 'h1', 'div', 'font', 'table', 'a', 'style', 'title', 'b',
  'body', 'br', 'p',
]);

/** The local name of a root element (`svg:svg` is SVG too). */
const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Markup by its prolog and root element: an XML declaration, processing instructions, comments
 * and a DOCTYPE are skipped to reach the root. SVG and HTML roots name themselves; another root
 * after an XML declaration is XML; a document that starts with a comment or an HTML tag is HTML,
 * as browsers sniff it. A head cut inside the prolog keeps what the prolog has shown.
 */
export function sniffMarkup(bytes: Uint8Array): string | undefined {
  let index = skipWhitespace(bytes, 0);
  if (bytes[index] !== LT) return undefined;
  const xml = matchesAt(bytes, index, '<?xml');
  let comment = false;
  const undecided = () => (xml ? 'application/xml' : comment ? 'text/html' : undefined);
  for (;;) {
    index = skipWhitespace(bytes, index);
    if (index >= bytes.length) return undecided();
    if (bytes[index] !== LT) return undecided();
    if (matchesAt(bytes, index, '<?')) {
      index = skipPast(bytes, index + 2, '?>');
    } else if (matchesAt(bytes, index, '<!--')) {
      comment = true;
      index = skipPast(bytes, index + 4, '-->');
    } else if (matchesAt(bytes, index, '<!doctype')) {
      const name = localName(nameAt(bytes, skipWhitespace(bytes, index + '<!doctype'.length)));
      if (name === 'svg') return 'image/svg+xml';
      if (name === 'html') return xml ? 'application/xhtml+xml' : 'text/html';
      index = skipPast(bytes, index, '>');
    } else {
      const name = nameAt(bytes, index + 1);
      const root = localName(name);
      if (root === 'svg') return 'image/svg+xml';
      if (root === 'html') return xml ? 'application/xhtml+xml' : 'text/html';
      if (!xml && HTML_FIRST_TAGS.has(name)) return 'text/html';
      return undecided();
    }
    if (index < 0) return undecided();
  }
}

/** What the JSON tokenizer expects next. */
type JsonState = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after' | 'end';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((char) => char.charCodeAt(0)));
const HEX = /^[0-9a-fA-F]*$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const NUMBER_PREFIX = /^-?([0-9]+)?(\.[0-9]*)?([eE][+-]?[0-9]*)?$/;
const NUMBER_BYTE = /[0-9+\-.eE]/;

/** Index past a JSON string starting at `offset` (a quote), `length` if cut, -1 if invalid. */
function skipString(bytes: Uint8Array, offset: number): number {
  let index = offset + 1;
  while (index < bytes.length) {
    const byte = bytes[index];
    if (byte === QUOTE) return index + 1;
    if (byte < 0x20) return -1;
    if (byte !== BACKSLASH) {
      index++;
      continue;
    }
    const escape = bytes[index + 1];
    if (escape === undefined) return bytes.length;
    if (SIMPLE_ESCAPES.has(escape)) index += 2;
    else if (escape === 0x75 /* u */) {
      const hex = String.fromCharCode(...bytes.subarray(index + 2, index + 6));
      if (!HEX.test(hex)) return -1;
      index += 6;
    } else return -1;
  }
  return bytes.length;
}

/** Index past a number or literal token at `offset`, `length` if cut, -1 if invalid. */
function skipScalar(bytes: Uint8Array, offset: number): number {
  for (const literal of ['true', 'false', 'null']) {
    if (bytes[offset] !== literal.charCodeAt(0)) continue;
    const present = String.fromCharCode(...bytes.subarray(offset, offset + literal.length));
    if (present === literal) return offset + literal.length;
    return literal.startsWith(present) && offset + present.length === bytes.length
      ? bytes.length
      : -1;
  }
  let end = offset;
  while (end < bytes.length && NUMBER_BYTE.test(String.fromCharCode(bytes[end]))) end++;
  const token = String.fromCharCode(...bytes.subarray(offset, end));
  if (NUMBER.test(token)) return end;
  return end === bytes.length && NUMBER_PREFIX.test(token) ? end : -1;
}

/**
 * Whether `bytes` is a JSON text whose top level is an object or an array, or (when not
 * `complete`) a prefix of one. A tokenizer, not a parser: it checks the grammar and keeps only a
 * stack of open brackets, so a log line such as `[2026-01-01] started` is not taken for JSON.
 */
export function isJsonPrefix(bytes: Uint8Array, complete: boolean): boolean {
  const stack: number[] = [];
  let state: JsonState = 'value';
  let index = skipWhitespace(bytes, 0);
  if (bytes[index] !== 0x7b && bytes[index] !== 0x5b) return false;
  for (;;) {
    index = skipWhitespace(bytes, index);
    if (index >= bytes.length) return !complete || state === 'end';
    const byte = bytes[index];
    const closes = (open: number) => stack.at(-1) === open && stack.pop() !== undefined;
    switch (state) {
      case 'value':
      case 'value-or-close':
        if (byte === 0x5d /* ] */ && state === 'value-or-close' && closes(0x5b)) {
          state = stack.length === 0 ? 'end' : 'after';
          index++;
        } else if (byte === 0x7b /* { */ || byte === 0x5b /* [ */) {
          stack.push(byte);
          state = byte === 0x7b ? 'key-or-close' : 'value-or-close';
          index++;
        } else {
          index = byte === QUOTE ? skipString(bytes, index) : skipScalar(bytes, index);
          state = 'after';
        }
        break;
      case 'key':
      case 'key-or-close':
        if (byte === 0x7d /* } */ && state === 'key-or-close' && closes(0x7b)) {
          state = stack.length === 0 ? 'end' : 'after';
          index++;
        } else if (byte === QUOTE) {
          index = skipString(bytes, index);
          state = 'colon';
        } else return false;
        break;
      case 'colon':
        if (byte !== 0x3a /* : */) return false;
        state = 'value';
        index++;
        break;
      case 'after':
        if (byte === 0x2c /* , */) {
          state = stack.at(-1) === 0x7b ? 'key' : 'value';
        } else if (closes(byte === 0x7d ? 0x7b : byte === 0x5d ? 0x5b : -1)) {
          state = stack.length === 0 ? 'end' : 'after';
        } else return false;
        index++;
        break;
      case 'end':
        return false;
    }
    if (index < 0) return false;
  }
}

/**
 * The type of a text head, or undefined for binary data: markup first (by ASCII patterns, so a
 * Latin-1 page is still recognised and neutralised), then JSON and plain text, which must be UTF-8.
 */
export function sniffText(head: Uint8Array, complete: boolean): string | undefined {
  const bytes = withoutBom(head);
  const markup = sniffMarkup(bytes);
  if (markup !== undefined) return markup;
  if (!isUtf8Text(bytes, complete)) return undefined;
  if (isJsonPrefix(bytes, complete)) return 'application/json';
  return 'text/plain; charset=utf-8';
}
