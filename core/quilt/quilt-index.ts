/**
 * The quilt index (docs/spec/quilts.md §4; walrus-core `QuiltIndexV1`, `decode_quilt_index`):
 * column 0 onward holds 0x01 ‖ u32le(len) ‖ BCS(QuiltIndexV1), written column-major like a patch
 * but without a patch header. Entries carry only `end_index`: patch i starts where patch i − 1
 * ends, and the first starts after the k = ceil((5 + len) / col) index columns.
 */
import { BcsReader, bcs } from '@mysten/bcs';
import { ColumnRun } from './columns.js';
import { QuiltDecodeError } from './errors.js';
import type { QuiltGeometry } from './geometry.js';
import { columnsForBytes } from './geometry.js';
import {
  IDENTIFIER_BYTES_MAX,
  INDEX_COLUMNS_MAX,
  INDEX_PREFIX_BYTES,
  QUILT_VERSION_V1,
  quiltPatchesMax,
} from './limits.js';
import { type QuiltTags, QuiltTagsBcs, parseCanonicalBcs } from './patch.js';

export const QuiltPatchV1Bcs = bcs.struct('QuiltPatchV1', {
  end_index: bcs.u16(),
  identifier: bcs.string(),
  tags: QuiltTagsBcs,
});
export const QuiltIndexV1Bcs = bcs.struct('QuiltIndexV1', {
  quilt_patches: bcs.vector(QuiltPatchV1Bcs),
});

/** One patch of the index, with the start that the wire format leaves out. */
export interface QuiltPatchEntry {
  readonly identifier: string;
  readonly tags: QuiltTags;
  /** First column (secondary sliver index) of the patch. */
  readonly startIndex: number;
  /** One past the last column. */
  readonly endIndex: number;
}

export interface QuiltIndex {
  /** k: columns [0, k) hold the index. */
  readonly indexColumns: number;
  /** In index order: identifiers sorted by UTF-8 bytes, as the encoder wrote them. */
  readonly patches: readonly QuiltPatchEntry[];
}

/** BCS(QuiltIndexV1) of patches in index order. */
export function serializeQuiltIndex(
  patches: readonly { identifier: string; tags: QuiltTags; endIndex: number }[],
): Uint8Array {
  return QuiltIndexV1Bcs.serialize({
    quilt_patches: patches.map((patch) => ({
      end_index: patch.endIndex,
      identifier: patch.identifier,
      tags: new Map(patch.tags),
    })),
  }).toBytes();
}

/** The 5-byte prefix 0x01 ‖ u32le(len) before the BCS index. */
export function quiltIndexPrefix(indexBcsBytes: number): Uint8Array {
  const prefix = new Uint8Array(INDEX_PREFIX_BYTES);
  prefix[0] = QUILT_VERSION_V1;
  new DataView(prefix.buffer).setUint32(1, indexBcsBytes, true);
  return prefix;
}

/** The largest BCS index a quilt of this geometry can hold: 10 columns less the prefix. */
export function indexBcsBytesMax(geometry: QuiltGeometry): number {
  return INDEX_COLUMNS_MAX * geometry.columnBytes - INDEX_PREFIX_BYTES;
}

/**
 * k, the number of index columns, from column 0 (secondary sliver 0) alone: the version byte and
 * the declared BCS length, which must fit in 10 columns. Fetch columns 1..k−1 next.
 */
export function quiltIndexColumns(geometry: QuiltGeometry, column0: Uint8Array): number {
  const run = new ColumnRun([column0], geometry.columnBytes);
  return indexColumnsOfPrefix(geometry, run).columns;
}

function indexColumnsOfPrefix(geometry: QuiltGeometry, run: ColumnRun) {
  // A column is n_p · S ≥ 2 bytes; the prefix may spill into column 1 when n_p · S < 5.
  if (run.length < INDEX_PREFIX_BYTES) {
    throw new QuiltDecodeError('MISSING_COLUMNS', 'the index prefix spans more than column 0');
  }
  const version = run.byte(0);
  if (version !== QUILT_VERSION_V1)
    throw new QuiltDecodeError('VERSION_MISMATCH', `index version byte ${version}, expected 1`);
  const bcsBytes = run.u32le(1);
  if (bcsBytes > indexBcsBytesMax(geometry)) {
    throw new QuiltDecodeError(
      'INDEX_TOO_LARGE',
      `an index of ${bcsBytes} bytes exceeds ${indexBcsBytesMax(geometry)} (10 columns)`,
    );
  }
  return { bcsBytes, columns: columnsForBytes(geometry, INDEX_PREFIX_BYTES + bcsBytes) };
}

/**
 * Decodes the index from its columns (secondary slivers 0..k−1, in order; more are ignored) and
 * checks what the reader relies on: every patch range is non-empty, follows the previous one and
 * lies inside the blob; no identifier is longer than a patch header can hold. Like Rust, other
 * identifier rules are left to the patch read, so one bad name does not hide the others.
 */
export function decodeQuiltIndex(
  geometry: QuiltGeometry,
  columns: readonly Uint8Array[],
): QuiltIndex {
  // The prefix needs at most the first two columns (two only when a column is under 5 bytes).
  const head = new ColumnRun(columns.slice(0, 2), geometry.columnBytes);
  const { bcsBytes, columns: indexColumns } = indexColumnsOfPrefix(geometry, head);
  if (columns.length < indexColumns) {
    throw new QuiltDecodeError(
      'MISSING_COLUMNS',
      `the index spans ${indexColumns} columns, ${columns.length} given`,
    );
  }
  const run = new ColumnRun(columns.slice(0, indexColumns), geometry.columnBytes);
  const bytes = run.copy(INDEX_PREFIX_BYTES, bcsBytes);
  const patchCount = leadingCount(bytes);
  if (patchCount > quiltPatchesMax(geometry.nShards)) {
    throw new QuiltDecodeError(
      'MALFORMED_INDEX',
      `the index lists ${patchCount} patches, at most ${quiltPatchesMax(geometry.nShards)} fit`,
    );
  }
  const value = parseCanonicalBcs(QuiltIndexV1Bcs, bytes);
  if (value === undefined) {
    throw new QuiltDecodeError(
      'MALFORMED_INDEX',
      `the ${bcsBytes} index bytes are not exactly one canonical BCS QuiltIndexV1`,
    );
  }
  return {
    indexColumns,
    patches: patchEntries(geometry, indexColumns, Array.from(value.quilt_patches)),
  };
}

/** The uleb128 count that starts the BCS vector, read before anything is allocated for it. */
function leadingCount(bytes: Uint8Array): number {
  try {
    return new BcsReader(bytes).readULEB();
  } catch {
    throw new QuiltDecodeError('MALFORMED_INDEX', 'the index does not start with a patch count');
  }
}

function patchEntries(
  geometry: QuiltGeometry,
  indexColumns: number,
  patches: readonly { end_index: number; identifier: string; tags: QuiltTags }[],
): QuiltPatchEntry[] {
  const encoder = new TextEncoder();
  let startIndex = indexColumns;
  return patches.map((patch, i) => {
    const endIndex = patch.end_index;
    if (endIndex <= startIndex || endIndex > geometry.columnCount) {
      throw new QuiltDecodeError(
        'PATCH_RANGE',
        `patch ${i} has columns [${startIndex}, ${endIndex}); patches follow one another ` +
          `inside columns [${indexColumns}, ${geometry.columnCount})`,
      );
    }
    // No patch header could hold it (u16 length), so no read of this entry could succeed.
    if (encoder.encode(patch.identifier).length > IDENTIFIER_BYTES_MAX) {
      throw new QuiltDecodeError(
        'INVALID_IDENTIFIER',
        `patch ${i}'s identifier is longer than ${IDENTIFIER_BYTES_MAX} UTF-8 bytes`,
      );
    }
    const entry = { identifier: patch.identifier, tags: patch.tags, startIndex, endIndex };
    startIndex = endIndex;
    return entry;
  });
}

/** The first patch with this identifier (Rust returns the first of duplicates too). */
export function findQuiltPatch(index: QuiltIndex, identifier: string): QuiltPatchEntry | undefined {
  return index.patches.find((patch) => patch.identifier === identifier);
}
