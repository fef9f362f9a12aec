/**
 * Reading one patch from its own secondary slivers (docs/spec/quilts.md §7): which columns to
 * fetch, from which sliver pairs and shards, and the patch from those columns' bytes.
 *
 * Verification stays with the caller and the existing code: decode each BCS `SliverData`
 * (core/encoding/sliver-data.ts), check it with `verifySliver(metadata, 'secondary', sliver)`
 * (core/encoding/sliver-verification.ts), then hand the verified slivers here. By patch ID:
 * `patchColumnRange` → fetch → `columnsOfSlivers` → `readQuiltPatch`. By identifier: column 0 →
 * `quiltIndexColumns` → fetch columns 1..k−1 → `decodeQuiltIndex` → `findQuiltPatch` → as by ID.
 */
import { checkInteger } from '../assert.js';
import { pairOfSliverIndex, shardForPair } from '../encoding/mapping.js';
import type { VerifiedMetadata } from '../encoding/metadata.js';
import type { SliverData } from '../encoding/sliver-data.js';
import { ColumnRun, quiltColumn } from './columns.js';
import { QuiltDecodeError } from './errors.js';
import { type QuiltGeometry, quiltGeometryOfLength } from './geometry.js';
import { type QuiltPatchContents, parsePatch } from './patch.js';
import { quiltIndexColumns } from './quilt-index.js';

/** Columns [start, end) of the quilt matrix = secondary slivers start..end−1. */
export interface ColumnRange {
  readonly start: number;
  readonly end: number;
}

/** Where one column lives: fetch `GET /v1/blobs/{quilt_id}/slivers/{sliverPairIndex}/secondary`. */
export interface ColumnSliver {
  /** The column, which is the secondary sliver index. */
  readonly column: number;
  readonly sliverPairIndex: number;
  readonly shardIndex: number;
}

/** The geometry of a quilt from its verified blob metadata (S = unencoded_length / (n_p · n_s)). */
export function quiltGeometryOf(metadata: VerifiedMetadata): QuiltGeometry {
  return quiltGeometryOfLength(metadata.nShards, metadata.unencodedLength);
}

/** The first column to fetch when reading by identifier: the index prefix is in column 0. */
export const INDEX_HEAD_RANGE: ColumnRange = Object.freeze({ start: 0, end: 1 });

/** All index columns [0, k), known from column 0 alone. */
export function indexColumnRange(geometry: QuiltGeometry, column0: Uint8Array): ColumnRange {
  return { start: 0, end: quiltIndexColumns(geometry, column0) };
}

/**
 * The columns of a patch from its patch ID or index entry, refused when no patch could occupy
 * them: empty, in column 0 (the index) or past the last column.
 */
export function patchColumnRange(
  geometry: QuiltGeometry,
  patch: { readonly startIndex: number; readonly endIndex: number },
): ColumnRange {
  const { startIndex: start, endIndex: end } = patch;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 1 <= start && start < end)) {
    throw new QuiltDecodeError('PATCH_RANGE', `columns [${start}, ${end}) cannot hold a patch`);
  }
  if (end > geometry.columnCount) {
    throw new QuiltDecodeError(
      'PATCH_RANGE',
      `columns [${start}, ${end}) pass the quilt's ${geometry.columnCount} columns`,
    );
  }
  return { start, end };
}

/** Sliver pair and shard of every column in `range` (docs/spec/encoding.md §7). */
export function columnSlivers(
  range: ColumnRange,
  quiltId: Uint8Array,
  nShards: number,
): ColumnSliver[] {
  checkInteger('range.start', range.start, 0, nShards - 1);
  checkInteger('range.end', range.end, range.start, nShards);
  const out: ColumnSliver[] = [];
  for (let column = range.start; column < range.end; column++) {
    const sliverPairIndex = pairOfSliverIndex('secondary', column, nShards);
    out.push({
      column,
      sliverPairIndex,
      shardIndex: shardForPair(sliverPairIndex, quiltId, nShards),
    });
  }
  return out;
}

/**
 * The data of each column in `range`, in order, from secondary slivers in any order (already
 * verified). A missing or repeated sliver is refused, and so is one outside the range.
 */
export function columnsOfSlivers(range: ColumnRange, slivers: readonly SliverData[]): Uint8Array[] {
  const columns = new Array<Uint8Array | undefined>(range.end - range.start);
  for (const sliver of slivers) {
    const slot = sliver.index - range.start;
    if (!(slot >= 0 && slot < columns.length) || columns[slot] !== undefined) {
      throw new QuiltDecodeError(
        'MISSING_COLUMNS',
        `secondary sliver ${sliver.index} is outside columns [${range.start}, ${range.end}) or repeated`,
      );
    }
    columns[slot] = sliver.data;
  }
  const missing = columns.findIndex((column) => column === undefined);
  if (missing !== -1) {
    throw new QuiltDecodeError(
      'MISSING_COLUMNS',
      `secondary sliver ${range.start + missing} is missing`,
    );
  }
  return columns as Uint8Array[];
}

/**
 * The patch that starts at `range.start`, read from the data of columns `range` (one Uint8Array
 * per column, n_p · S bytes each, in order). Refuses a wrong version byte, a header whose sections
 * do not fit its length, an identifier that breaks docs/spec/quilts.md §2, and bytes that run
 * past the last column given, as Rust's `QuiltDecoderV1` refuses them.
 */
export function readQuiltPatch(
  geometry: QuiltGeometry,
  range: ColumnRange,
  columns: readonly Uint8Array[],
): QuiltPatchContents {
  patchColumnRange(geometry, { startIndex: range.start, endIndex: range.end });
  if (columns.length !== range.end - range.start) {
    throw new QuiltDecodeError(
      'MISSING_COLUMNS',
      `columns [${range.start}, ${range.end}) are ${range.end - range.start}, ${columns.length} given`,
    );
  }
  return parsePatch(new ColumnRun(columns, geometry.columnBytes));
}

/** Columns `range` of a whole quilt blob (the full-read fallback of docs/spec/quilts.md §7.3). */
export function quiltColumns(
  quilt: Uint8Array,
  geometry: QuiltGeometry,
  range: ColumnRange,
): Uint8Array[] {
  const columns: Uint8Array[] = [];
  for (let column = range.start; column < range.end; column++)
    columns.push(quiltColumn(quilt, geometry, column));
  return columns;
}
