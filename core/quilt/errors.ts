/**
 * Quilt failures, one class per operation (docs/spec/quilts.md §2, §4, §6, §7): building a quilt
 * past a limit, duplicate identifiers, reading a hostile or damaged quilt, parsing a patch ID.
 * Each carries a `reason` a caller can map to a status; messages say which limit and which value.
 */

/** The limits of docs/spec/quilts.md §2 (and walrus-edge's memory bounds in limits.ts). */
export type QuiltLimit =
  | 'PATCH_COUNT'
  | 'IDENTIFIER_EMPTY'
  | 'IDENTIFIER_BYTES'
  | 'IDENTIFIER_BCS_BYTES'
  | 'IDENTIFIER_TRAILING_WHITESPACE'
  | 'IDENTIFIER_CONTROL_CHARACTER'
  | 'IDENTIFIER_NOT_UNICODE'
  | 'TAG_NOT_UNICODE'
  | 'TAGS_BCS_BYTES'
  | 'PATCH_LENGTH'
  | 'INDEX_BYTES'
  | 'SYMBOL_BYTES'
  | 'BODY_BYTES'
  | 'QUILT_BYTES';

/** Long identifiers are cut in messages: the message names the value, it need not repeat 64 KiB. */
const MESSAGE_VALUE_CHARS_MAX = 80;

export function describeValue(value: number | string): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value);
  return text.length <= MESSAGE_VALUE_CHARS_MAX
    ? text
    : `${text.slice(0, MESSAGE_VALUE_CHARS_MAX)}… (${value.length} UTF-16 units)`;
}

/** A quilt that cannot be built: which limit, the offending value and, for sizes, the maximum. */
export class QuiltLimitError extends RangeError {
  override name = 'QuiltLimitError';
  constructor(
    readonly limit: QuiltLimit,
    readonly value: number | string,
    readonly max: number | undefined,
    detail: string,
  ) {
    const bound = max === undefined ? '' : ` (at most ${max})`;
    super(`quilt limit ${limit}: ${detail}: ${describeValue(value)}${bound}`);
  }
}

/** Two patches with the same identifier (Rust `QuiltError::DuplicateIdentifier`). */
export class DuplicateIdentifierError extends Error {
  override name = 'DuplicateIdentifierError';
  constructor(readonly identifier: string) {
    super(`duplicate quilt identifier ${describeValue(identifier)}`);
  }
}

export type QuiltDecodeReason =
  /** The blob length is not n_p · n_s · S with an even S ≤ 65 534: not a quilt. */
  | 'NOT_A_QUILT_LENGTH'
  /** A column (secondary sliver) is not n_p · S bytes. */
  | 'COLUMN_SIZE'
  /** Fewer columns than the index or the patch needs were given. */
  | 'MISSING_COLUMNS'
  /** The index or a patch does not start with the version byte 0x01. */
  | 'VERSION_MISMATCH'
  /** The index prefix declares more than 10 columns of index. */
  | 'INDEX_TOO_LARGE'
  /** The BCS index is truncated, has trailing bytes, is not canonical or lists too many patches. */
  | 'MALFORMED_INDEX'
  /** A patch range is empty, overlaps the index or its neighbour, or lies outside the blob. */
  | 'PATCH_RANGE'
  /** An identifier breaks docs/spec/quilts.md §2 (Rust refuses to return such a patch). */
  | 'INVALID_IDENTIFIER'
  /** The patch header's sections do not fit its `length`, or their BCS is malformed. */
  | 'MALFORMED_PATCH'
  /** The patch's bytes run past the columns it was read from. */
  | 'PATCH_OUTSIDE_COLUMNS';

export class QuiltDecodeError extends Error {
  override name = 'QuiltDecodeError';
  constructor(
    readonly reason: QuiltDecodeReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}

export type QuiltPatchIdReason =
  /** Not base64url, not canonical, or under 33 bytes: Rust's path parser refuses it (400). */
  | 'MALFORMED'
  /** The internal ID is not 5 bytes starting with version 1: Rust fails the read (500). */
  | 'UNSUPPORTED_INTERNAL_ID'
  /** start ≥ end, or start 0 (the index's column): no patch can have that range. */
  | 'INVALID_RANGE';

export class InvalidQuiltPatchIdError extends TypeError {
  override name = 'InvalidQuiltPatchIdError';
  constructor(
    readonly reason: QuiltPatchIdReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
  }
}
