/**
 * `QuiltPatchId` (docs/spec/quilts.md §6): quilt blob ID (32 bytes) ‖ 0x01 ‖ u16le(start) ‖
 * u16le(end), shown as unpadded base64url (50 characters) in aggregator URLs. The last five bytes
 * are `QuiltPatchInternalIdV1`. The ID names columns, not content: it changes with the whole
 * quilt.
 *
 * Parsing follows Rust's two stages so a caller can answer as the aggregator does: text that is
 * not base64url of at least 33 bytes is MALFORMED (axum rejects the path, 400); a well-formed ID
 * whose internal part is not V1 is UNSUPPORTED_INTERNAL_ID (the read fails, 500).
 */
import { checkInteger } from '../assert.js';
import { InvalidBlobIdError, fromBase64Url, toBase64Url } from '../blob-id.js';
import { HASH_BYTES } from '../encoding/config.js';
import { InvalidQuiltPatchIdError } from './errors.js';
import { COLUMN_INDEX_MAX, QUILT_VERSION_V1 } from './limits.js';

/** 0x01 ‖ u16le start ‖ u16le end. */
export const PATCH_INTERNAL_ID_BYTES = 5;
export const QUILT_PATCH_ID_BYTES = HASH_BYTES + PATCH_INTERNAL_ID_BYTES;
/** 37 bytes as unpadded base64url. */
export const QUILT_PATCH_ID_TEXT_CHARS = 50;
/**
 * Longer text is refused before decoding: it cannot be a V1 ID, and a URL segment of megabytes
 * should not cost a decode. (Rust would decode it and fail the read.)
 */
export const QUILT_PATCH_ID_TEXT_CHARS_MAX = 256;

export interface QuiltPatchId {
  /** The quilt's blob ID (32 bytes). */
  readonly quiltId: Uint8Array;
  /** Columns [startIndex, endIndex) of the quilt hold the patch. */
  readonly startIndex: number;
  readonly endIndex: number;
}

export function quiltPatchIdBytes(id: QuiltPatchId): Uint8Array {
  if (id.quiltId.length !== HASH_BYTES) throw new RangeError('a quilt ID is 32 bytes');
  checkInteger('startIndex', id.startIndex, 0, COLUMN_INDEX_MAX);
  checkInteger('endIndex', id.endIndex, 0, COLUMN_INDEX_MAX);
  const out = new Uint8Array(QUILT_PATCH_ID_BYTES);
  out.set(id.quiltId);
  out[HASH_BYTES] = QUILT_VERSION_V1;
  const view = new DataView(out.buffer);
  view.setUint16(HASH_BYTES + 1, id.startIndex, true);
  view.setUint16(HASH_BYTES + 3, id.endIndex, true);
  return out;
}

export function quiltPatchIdToString(id: QuiltPatchId): string {
  return toBase64Url(quiltPatchIdBytes(id));
}

/** Parses the URL form; checks everything that can be checked without the quilt. */
export function quiltPatchIdFromString(text: string): QuiltPatchId {
  if (typeof text !== 'string') throw new TypeError('a quilt patch ID is a string');
  if (text.length > QUILT_PATCH_ID_TEXT_CHARS_MAX) {
    throw new InvalidQuiltPatchIdError(
      'MALFORMED',
      `${text.length} characters, a quilt patch ID has ${QUILT_PATCH_ID_TEXT_CHARS}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch (error) {
    if (!(error instanceof InvalidBlobIdError)) throw error;
    throw new InvalidQuiltPatchIdError('MALFORMED', error.message);
  }
  // The last character's spare bits must be zero, as Rust's base64 decoder requires.
  if (toBase64Url(bytes) !== text)
    throw new InvalidQuiltPatchIdError('MALFORMED', 'not canonical base64url');
  if (bytes.length < HASH_BYTES + 1) {
    throw new InvalidQuiltPatchIdError(
      'MALFORMED',
      `${bytes.length} bytes, at least ${HASH_BYTES + 1} needed`,
    );
  }
  return quiltPatchIdFromBytes(bytes);
}

/** The binary form: a 32-byte quilt ID and a V1 internal ID. */
export function quiltPatchIdFromBytes(bytes: Uint8Array): QuiltPatchId {
  const internal = bytes.length - HASH_BYTES;
  if (internal !== PATCH_INTERNAL_ID_BYTES) {
    throw new InvalidQuiltPatchIdError(
      'UNSUPPORTED_INTERNAL_ID',
      `internal ID of ${internal} bytes, V1 has ${PATCH_INTERNAL_ID_BYTES}`,
    );
  }
  if (bytes[HASH_BYTES] !== QUILT_VERSION_V1) {
    throw new InvalidQuiltPatchIdError(
      'UNSUPPORTED_INTERNAL_ID',
      `internal ID version ${bytes[HASH_BYTES]}, expected ${QUILT_VERSION_V1}`,
    );
  }
  const startIndex = bytes[HASH_BYTES + 1] | (bytes[HASH_BYTES + 2] << 8);
  const endIndex = bytes[HASH_BYTES + 3] | (bytes[HASH_BYTES + 4] << 8);
  // Column 0 always holds the index, and a patch has at least its 6-byte header.
  if (startIndex === 0 || endIndex <= startIndex) {
    throw new InvalidQuiltPatchIdError(
      'INVALID_RANGE',
      `columns [${startIndex}, ${endIndex}) cannot hold a patch`,
    );
  }
  return { quiltId: bytes.slice(0, HASH_BYTES), startIndex, endIndex };
}
