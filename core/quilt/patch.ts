/**
 * One serialized patch (docs/spec/quilts.md §3; `get_header_and_extension_bytes`,
 * `QuiltVersionV1::decode_blob`):
 *
 *   0x01 ‖ u32le length ‖ u8 mask ‖ u16le idlen ‖ BCS(String id) ‖ [u16le taglen ‖ BCS(tags)] ‖ data
 *
 * `length` counts every byte after the 6-byte header; the tags section is present iff mask bit 0,
 * which is set iff the tags are non-empty. The file bytes are not copied into a serialized patch:
 * the encoder writes the prefix and then the data straight into the quilt.
 */
import { bcs } from '@mysten/bcs';
import { bytesEqual } from '../bytes.js';
import type { ColumnRun } from './columns.js';
import { QuiltDecodeError, QuiltLimitError } from './errors.js';
import { isWellFormedUnicode, validateQuiltIdentifier } from './identifier.js';
import {
  PATCH_HEADER_BYTES,
  PATCH_LENGTH_MAX,
  PATCH_MASK_HAS_TAGS,
  QUILT_VERSION_V1,
  SECTION_LENGTH_BYTES,
  TAGS_BCS_BYTES_MAX,
} from './limits.js';

/** BCS `BTreeMap<String, String>`: @mysten/bcs sorts by serialized key bytes, as the bcs crate. */
export const QuiltTagsBcs = bcs.map(bcs.string(), bcs.string());
const IdentifierBcs = bcs.string();

export type QuiltTags = ReadonlyMap<string, string>;
/** Tags as callers give them: a map, or a plain object's own string properties (JSON). */
export type QuiltTagsInput = QuiltTags | Readonly<Record<string, string>>;

/** Tags as a Map, refusing values that are not strings or not Unicode a Rust `String` can hold. */
export function tagsOf(input: QuiltTagsInput | undefined): QuiltTags {
  if (input === undefined) return new Map();
  const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || typeof value !== 'string')
      throw new TypeError('quilt tag keys and values must be strings');
    for (const text of [key, value]) {
      if (!isWellFormedUnicode(text)) {
        throw new QuiltLimitError('TAG_NOT_UNICODE', text, undefined, 'tag has a lone surrogate');
      }
    }
  }
  return new Map(entries);
}

/** BCS(tags), refused past the u16 length that precedes it. */
export function serializeTags(tags: QuiltTags): Uint8Array {
  const bytes = QuiltTagsBcs.serialize(new Map(tags)).toBytes();
  if (bytes.length > TAGS_BCS_BYTES_MAX) {
    throw new QuiltLimitError(
      'TAGS_BCS_BYTES',
      bytes.length,
      TAGS_BCS_BYTES_MAX,
      'BCS bytes of the tags',
    );
  }
  return bytes;
}

/**
 * Everything before the file bytes: header, identifier section and (for non-empty tags) the tags
 * section. Validates the identifier (§2) and the tag and length limits.
 */
export function patchPrefix(identifier: string, tags: QuiltTags, dataBytes: number): Uint8Array {
  validateQuiltIdentifier(identifier);
  const identifierBcs = IdentifierBcs.serialize(identifier).toBytes();
  const tagsBcs = tags.size > 0 ? serializeTags(tags) : undefined;
  const tagsSection = tagsBcs === undefined ? 0 : SECTION_LENGTH_BYTES + tagsBcs.length;
  const prefixBytes =
    PATCH_HEADER_BYTES + SECTION_LENGTH_BYTES + identifierBcs.length + tagsSection;
  const length = prefixBytes - PATCH_HEADER_BYTES + dataBytes;
  if (length > PATCH_LENGTH_MAX) {
    throw new QuiltLimitError('PATCH_LENGTH', length, PATCH_LENGTH_MAX, 'patch length field');
  }
  const out = new Uint8Array(prefixBytes);
  const view = new DataView(out.buffer);
  out[0] = QUILT_VERSION_V1;
  view.setUint32(1, length, true);
  out[5] = tagsBcs === undefined ? 0 : PATCH_MASK_HAS_TAGS;
  let at = PATCH_HEADER_BYTES;
  view.setUint16(at, identifierBcs.length, true);
  out.set(identifierBcs, (at += SECTION_LENGTH_BYTES));
  at += identifierBcs.length;
  if (tagsBcs !== undefined) {
    view.setUint16(at, tagsBcs.length, true);
    out.set(tagsBcs, (at += SECTION_LENGTH_BYTES));
  }
  return out;
}

/** A patch read back: what the aggregator serves (body, identifier header, tag headers). */
export interface QuiltPatchContents {
  /** From the patch header, re-validated as Rust's `QuiltStoreBlob::new_owned` does. */
  readonly identifier: string;
  /** From the patch header (the index holds a copy). */
  readonly tags: QuiltTags;
  readonly data: Uint8Array;
}

/**
 * Parses `bytes` (fresh, exact-sized) as exactly one value of `type`: BCS that is truncated, has
 * trailing bytes or is not canonical (unsorted or duplicate map keys, overlong lengths) is
 * refused, as the bcs crate refuses it. Re-serializing and comparing checks all three at once.
 */
export function parseCanonicalBcs<T>(
  type: { parse(bytes: Uint8Array): T; serialize(value: T): { toBytes(): Uint8Array } },
  bytes: Uint8Array,
): T | undefined {
  try {
    const value = type.parse(bytes);
    return bytesEqual(type.serialize(value).toBytes(), bytes) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the patch at the start of `run` (its columns). Every length is checked before a copy. */
export function parsePatch(run: ColumnRun): QuiltPatchContents {
  if (run.length < PATCH_HEADER_BYTES + SECTION_LENGTH_BYTES)
    throw new QuiltDecodeError('PATCH_OUTSIDE_COLUMNS', 'the columns cannot hold a patch header');
  const version = run.byte(0);
  if (version !== QUILT_VERSION_V1)
    throw new QuiltDecodeError('VERSION_MISMATCH', `patch version byte ${version}, expected 1`);
  const length = run.u32le(1);
  const mask = run.byte(5);
  const end = PATCH_HEADER_BYTES + length;
  if (end > run.length) {
    throw new QuiltDecodeError(
      'PATCH_OUTSIDE_COLUMNS',
      `a patch of ${end} bytes does not fit its ${run.length} bytes of columns`,
    );
  }
  let at = PATCH_HEADER_BYTES;
  const identifierBcsBytes = section(run, at, end, 'identifier');
  at += SECTION_LENGTH_BYTES;
  const identifier = parseCanonicalBcs(IdentifierBcs, run.copy(at, identifierBcsBytes));
  if (identifier === undefined)
    throw new QuiltDecodeError('MALFORMED_PATCH', 'the identifier is not one BCS UTF-8 string');
  at += identifierBcsBytes;
  try {
    validateQuiltIdentifier(identifier);
  } catch (error) {
    throw new QuiltDecodeError('INVALID_IDENTIFIER', (error as Error).message);
  }
  let tags: QuiltTags = new Map();
  if ((mask & PATCH_MASK_HAS_TAGS) !== 0) {
    const tagsBcsBytes = section(run, at, end, 'tags');
    at += SECTION_LENGTH_BYTES;
    const parsed = parseCanonicalBcs(QuiltTagsBcs, run.copy(at, tagsBcsBytes));
    if (parsed === undefined)
      throw new QuiltDecodeError('MALFORMED_PATCH', 'the tags are not one canonical BCS map');
    tags = parsed;
    at += tagsBcsBytes;
  }
  return { identifier, tags, data: run.copy(at, end - at) };
}

/** The u16le length of a section at `at`, refused when the section passes the patch's end. */
function section(run: ColumnRun, at: number, end: number, what: string): number {
  if (at + SECTION_LENGTH_BYTES > end)
    throw new QuiltDecodeError('MALFORMED_PATCH', `the ${what} length passes the patch length`);
  const bytes = run.u16le(at);
  if (at + SECTION_LENGTH_BYTES + bytes > end)
    throw new QuiltDecodeError('MALFORMED_PATCH', `the ${what} section passes the patch length`);
  return bytes;
}
