/**
 * Every bound of a V1 quilt (docs/spec/quilts.md §2–4), with its unit and its reason. Walrus's
 * limits come from the field widths of the serialized patch and index; the two `…_DEFAULT` bounds
 * are walrus-edge's, for memory, and callers may pass others.
 */
import { assert } from '../assert.js';
import { SYMBOL_BYTES_MAX, encodingParams } from '../encoding/config.js';

/** The first byte of the index and of every patch (`QuiltVersionV1`). */
export const QUILT_VERSION_V1 = 0x01;
/** Before the BCS index in column 0: the version byte and the u32le length of the BCS index. */
export const INDEX_PREFIX_BYTES = 5;
/** Before a patch's identifier: version byte, u32le length, mask byte (`BlobHeaderV1`). */
export const PATCH_HEADER_BYTES = 6;
/** Bit 0 of the patch mask: a tags section follows the identifier. Other bits are ignored. */
export const PATCH_MASK_HAS_TAGS = 0x01;
/** The u16le that precedes the identifier's BCS bytes, and the one before the tags' BCS bytes. */
export const SECTION_LENGTH_BYTES = 2;

/** Identifier length in UTF-8 bytes (`MAX_BLOB_IDENTIFIER_BYTES_LENGTH`, a u16). */
export const IDENTIFIER_BYTES_MAX = 65_535;
/** BCS(identifier) must be below 65 535 bytes (`serialized_blob_size` uses `>=`). */
export const IDENTIFIER_BCS_BYTES_MAX = 65_534;
/** BCS(tags) is preceded by a u16 length. */
export const TAGS_BCS_BYTES_MAX = 65_535;
/** The patch header's `length` (bytes after the 6-byte header) is a u32. */
export const PATCH_LENGTH_MAX = 2 ** 32 - 1;
/** The index lives in at most this many columns (`MAX_NUM_SLIVERS_FOR_QUILT_INDEX`). */
export const INDEX_COLUMNS_MAX = 10;
/** Index entries store `end_index` as a u16. */
export const COLUMN_INDEX_MAX = 65_535;

/** The publisher's `--max-quilt-body-size` default (100 MiB): larger requests get 413. */
export const QUILT_BODY_BYTES_DEFAULT = 100 * 1024 * 1024;
/**
 * walrus-edge's bound on the quilt buffer (n_p · n_s · S bytes), which column granularity can make
 * far larger than the files: at n = 1000, 665 one-byte files next to one 20 MB file take one column
 * each, so S ≈ 20 MB / 334 and the quilt is 13 GB. Walrus itself stops only at S = 65 534.
 */
export const QUILT_BYTES_DEFAULT = 1024 * 1024 * 1024;

assert(IDENTIFIER_BCS_BYTES_MAX < IDENTIFIER_BYTES_MAX, 'BCS adds a length to the identifier');
assert(SYMBOL_BYTES_MAX % 2 === 0, 'the quilt symbol size is rounded to even');
assert(QUILT_BODY_BYTES_DEFAULT <= QUILT_BYTES_DEFAULT, 'a full body must fit a quilt buffer');

/** A quilt of n shards has n_s columns; column 0 always holds (the start of) the index. */
export function quiltPatchesMax(nShards: number): number {
  return encodingParams(nShards).nSecondary - 1;
}
