/**
 * Quilt identifiers as walrus-core checks and orders them (docs/spec/quilts.md §2, §5.1;
 * `validate_quilt_identifier`, `serialized_blob_size`, `String::cmp`).
 *
 * Rust strings are UTF-8, JS strings UTF-16: identifiers are compared by their UTF-8 bytes (the
 * SDK's `<` on UTF-16 units orders U+E000–U+FFFF after non-BMP characters, walrus-core before),
 * and a lone surrogate, which no Rust string can hold, is refused instead of being replaced.
 */
import { QuiltLimitError } from './errors.js';
import { IDENTIFIER_BCS_BYTES_MAX, IDENTIFIER_BYTES_MAX } from './limits.js';

const utf8 = new TextEncoder();

/** Bytes of the uleb128 length that BCS puts before a string or vector of `length` items. */
export function ulebBytes(length: number): number {
  let bytes = 1;
  for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes;
}

/** True when `text` has no lone surrogate, i.e. it is a Unicode string a Rust `String` can hold. */
export function isWellFormedUnicode(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** Unicode White_Space, what Rust's `trim_end` strips (JS `trimEnd` also strips U+FEFF). */
export function isUnicodeWhiteSpace(codePoint: number): boolean {
  return (
    (codePoint >= 0x09 && codePoint <= 0x0d) ||
    codePoint === 0x20 ||
    codePoint === 0x85 ||
    codePoint === 0xa0 ||
    codePoint === 0x1680 ||
    (codePoint >= 0x2000 && codePoint <= 0x200a) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    codePoint === 0x202f ||
    codePoint === 0x205f ||
    codePoint === 0x3000
  );
}

/** General category Cc, Rust's `char::is_control`. */
export function isControlCharacter(codePoint: number): boolean {
  return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);
}

/**
 * The identifier's UTF-8 bytes, after the checks of `validate_quilt_identifier` in its order (too
 * long, empty, trailing White_Space, control character) and then the BCS size check of
 * `serialized_blob_size`. Throws QuiltLimitError naming the rule.
 */
export function validateQuiltIdentifier(identifier: string): Uint8Array {
  if (typeof identifier !== 'string') throw new TypeError('a quilt identifier must be a string');
  // Cheap bound first: a string longer than the limit in UTF-16 units is longer in UTF-8 bytes.
  if (identifier.length > IDENTIFIER_BYTES_MAX) {
    throw new QuiltLimitError(
      'IDENTIFIER_BYTES',
      identifier,
      IDENTIFIER_BYTES_MAX,
      'identifier has more UTF-8 bytes than the limit',
    );
  }
  if (!isWellFormedUnicode(identifier)) {
    throw new QuiltLimitError(
      'IDENTIFIER_NOT_UNICODE',
      identifier,
      undefined,
      'identifier has a lone UTF-16 surrogate',
    );
  }
  const bytes = utf8.encode(identifier);
  if (bytes.length > IDENTIFIER_BYTES_MAX) {
    throw new QuiltLimitError(
      'IDENTIFIER_BYTES',
      bytes.length,
      IDENTIFIER_BYTES_MAX,
      'identifier UTF-8 bytes',
    );
  }
  if (bytes.length === 0)
    throw new QuiltLimitError('IDENTIFIER_EMPTY', identifier, undefined, 'identifier is empty');
  const last = identifier.codePointAt(identifier.length - 1)!;
  const lastCodePoint =
    last >= 0xdc00 && last <= 0xdfff ? identifier.codePointAt(identifier.length - 2)! : last;
  if (isUnicodeWhiteSpace(lastCodePoint)) {
    throw new QuiltLimitError(
      'IDENTIFIER_TRAILING_WHITESPACE',
      identifier,
      undefined,
      `identifier ends in White_Space U+${hex4(lastCodePoint)}`,
    );
  }
  for (const char of identifier) {
    const codePoint = char.codePointAt(0)!;
    if (isControlCharacter(codePoint)) {
      throw new QuiltLimitError(
        'IDENTIFIER_CONTROL_CHARACTER',
        identifier,
        undefined,
        `identifier holds control character U+${hex4(codePoint)}`,
      );
    }
  }
  const bcsBytes = ulebBytes(bytes.length) + bytes.length;
  if (bcsBytes > IDENTIFIER_BCS_BYTES_MAX) {
    throw new QuiltLimitError(
      'IDENTIFIER_BCS_BYTES',
      bcsBytes,
      IDENTIFIER_BCS_BYTES_MAX,
      'BCS bytes of the identifier',
    );
  }
  return bytes;
}

function hex4(codePoint: number): string {
  return codePoint.toString(16).toUpperCase().padStart(4, '0');
}

/** Byte-wise order of UTF-8 strings (= code point order), Rust's `String::cmp`. */
export function compareUtf8(a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
