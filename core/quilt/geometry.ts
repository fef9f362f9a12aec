/**
 * The shape of a quilt (docs/spec/quilts.md §1, §5): an n_p × n_s matrix of S-byte symbols stored
 * row-major, whose column j is secondary sliver j (n_p · S bytes). The symbol size comes from the
 * quilt's own search (`compute_symbol_size`), not from the blob formula of docs/spec/encoding.md
 * §2.1, but re-deriving S from the quilt's length with the blob formula gives the same S.
 */
import { checkInteger } from '../assert.js';
import {
  SYMBOL_ALIGNMENT_BYTES,
  SYMBOL_BYTES_MAX,
  encodingParams,
  sourceSymbolCount,
} from '../encoding/config.js';
import { QuiltDecodeError, QuiltLimitError } from './errors.js';
import { INDEX_PREFIX_BYTES } from './limits.js';

export interface QuiltGeometry {
  readonly nShards: number;
  /** n_p: rows of the matrix, symbols per column (secondary sliver). */
  readonly rowCount: number;
  /** n_s: columns of the matrix, secondary slivers that hold quilt bytes. */
  readonly columnCount: number;
  readonly symbolBytes: number;
  /** n_p · S: bytes of one column, one secondary sliver. */
  readonly columnBytes: number;
  /** n_s · S: bytes of one row, one primary sliver. */
  readonly rowBytes: number;
  /** n_p · n_s · S: the quilt blob's length, its `unencoded_length`. */
  readonly quiltBytes: number;
}

export function quiltGeometry(nShards: number, symbolBytes: number): QuiltGeometry {
  const params = encodingParams(nShards);
  checkInteger('symbolBytes', symbolBytes, SYMBOL_ALIGNMENT_BYTES, SYMBOL_BYTES_MAX);
  if (symbolBytes % SYMBOL_ALIGNMENT_BYTES !== 0)
    throw new RangeError(`symbolBytes must be even, got ${symbolBytes}`);
  return Object.freeze({
    nShards,
    rowCount: params.nPrimary,
    columnCount: params.nSecondary,
    symbolBytes,
    columnBytes: params.nPrimary * symbolBytes,
    rowBytes: params.nSecondary * symbolBytes,
    quiltBytes: sourceSymbolCount(params) * symbolBytes,
  });
}

/**
 * The geometry of a quilt blob of `unencodedLength` bytes (from its verified metadata). A quilt is
 * always the full matrix, so its length is n_p · n_s · S; anything else is not a quilt.
 */
export function quiltGeometryOfLength(nShards: number, unencodedLength: number): QuiltGeometry {
  const cells = sourceSymbolCount(encodingParams(nShards));
  const symbolBytes = unencodedLength / cells;
  if (
    !Number.isSafeInteger(symbolBytes) ||
    symbolBytes < SYMBOL_ALIGNMENT_BYTES ||
    symbolBytes > SYMBOL_BYTES_MAX ||
    symbolBytes % SYMBOL_ALIGNMENT_BYTES !== 0
  ) {
    throw new QuiltDecodeError(
      'NOT_A_QUILT_LENGTH',
      `a blob of ${unencodedLength} bytes is not ${cells} symbols of an even size ≤ ${SYMBOL_BYTES_MAX}`,
    );
  }
  return quiltGeometry(nShards, symbolBytes);
}

/** Whole columns that `bytes` serialized bytes occupy. */
export function columnsForBytes(geometry: QuiltGeometry, bytes: number): number {
  return Math.ceil(bytes / geometry.columnBytes);
}

/**
 * The symbol-size search of docs/spec/quilts.md §5.3 (`compute_symbol_size`): the smallest even S
 * such that each item, the index first, fills whole columns and all of them fit in `columnCount`
 * columns, with the index in at most `indexColumnsMax`. `sizes[0]` is the index with its prefix.
 * Walrus's own test table passes small matrices here, hence the bare counts.
 */
export function quiltSymbolBytes(
  sizes: readonly number[],
  columnCount: number,
  rowCount: number,
  indexColumnsMax: number,
): number {
  if (sizes.length === 0) throw new RangeError('sizes must start with the index size');
  if (sizes.length > columnCount) {
    throw new QuiltLimitError(
      'PATCH_COUNT',
      sizes.length - 1,
      columnCount - 1,
      'patches (one column is the index)',
    );
  }
  let total = 0;
  let largest = 0;
  for (const size of sizes) {
    total += size;
    largest = Math.max(largest, size);
  }
  let low = Math.max(
    Math.ceil(total / (columnCount * rowCount)),
    Math.ceil(sizes[0] / (rowCount * indexColumnsMax)),
    Math.ceil(INDEX_PREFIX_BYTES / rowCount),
  );
  // Every item fits in floor(columnCount / items) columns of this size, so it is always feasible.
  let high = Math.ceil(largest / (Math.floor(columnCount / sizes.length) * rowCount));
  // Binary search over a range below 2^53: at most 53 rounds of `sizes.length` divisions.
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fits(sizes, columnCount, middle * rowCount)) high = middle;
    else low = middle + 1;
  }
  const symbolBytes = low + (low % SYMBOL_ALIGNMENT_BYTES);
  if (symbolBytes > SYMBOL_BYTES_MAX) {
    // Name the cause: the index alone, or the files.
    const indexOnly = Math.ceil(sizes[0] / (rowCount * indexColumnsMax));
    const limit = indexOnly > SYMBOL_BYTES_MAX ? 'INDEX_BYTES' : 'SYMBOL_BYTES';
    throw new QuiltLimitError(
      limit,
      symbolBytes,
      SYMBOL_BYTES_MAX,
      limit === 'INDEX_BYTES'
        ? `the index (${sizes[0]} bytes) needs more than ${indexColumnsMax} columns; symbol size`
        : 'the quilt needs a symbol size above the maximum (remove files)',
    );
  }
  return symbolBytes;
}

function fits(sizes: readonly number[], columnCount: number, columnBytes: number): boolean {
  let columns = 0;
  for (const size of sizes) {
    columns += Math.ceil(size / columnBytes);
    if (columns > columnCount) return false;
  }
  return true;
}
