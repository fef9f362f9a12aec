/**
 * Column-major bytes inside a row-major matrix (docs/spec/quilts.md §5.4, §11.1). Byte t of an
 * item written from column `start` lands in column start + ⌊t / col⌋, row ⌊(t mod col) / S⌋, so
 * the item's bytes are the concatenation of its columns' secondary slivers, and reading a patch
 * needs only those slivers.
 */
import { checkInteger } from '../assert.js';
import { QuiltDecodeError } from './errors.js';
import type { QuiltGeometry } from './geometry.js';

/** Below this many bytes a symbol is copied by a loop: `set(subarray())` costs more (2-byte S). */
const SYMBOL_COPY_LOOP_BYTES_MAX = 32;

/**
 * Writes `bytes` into the quilt matrix as bytes [offset, offset + length) of the item that starts
 * at column `startColumn`.
 */
export function writeColumnMajor(
  quilt: Uint8Array,
  geometry: QuiltGeometry,
  startColumn: number,
  offset: number,
  bytes: Uint8Array,
): void {
  const { symbolBytes: size, columnBytes, rowBytes, rowCount, columnCount } = geometry;
  const endColumn = startColumn + Math.ceil((offset + bytes.length) / columnBytes);
  if (bytes.length > 0 && endColumn > columnCount)
    throw new RangeError('column-major write past the last column');
  let column = startColumn + Math.floor(offset / columnBytes);
  let row = Math.floor((offset % columnBytes) / size);
  let within = offset % size;
  for (let read = 0; read < bytes.length;) {
    const at = row * rowBytes + column * size + within;
    const length = Math.min(size - within, bytes.length - read);
    if (length <= SYMBOL_COPY_LOOP_BYTES_MAX) {
      for (let i = 0; i < length; i++) quilt[at + i] = bytes[read + i];
    } else {
      quilt.set(bytes.subarray(read, read + length), at);
    }
    read += length;
    within = 0;
    if (++row === rowCount) {
      row = 0;
      column++;
    }
  }
}

/** Column j of a whole quilt blob: its secondary sliver j (n_p · S bytes), gathered from the rows. */
export function quiltColumn(
  quilt: Uint8Array,
  geometry: QuiltGeometry,
  column: number,
): Uint8Array {
  checkInteger('column', column, 0, geometry.columnCount - 1);
  if (quilt.length !== geometry.quiltBytes)
    throw new RangeError(`a quilt of this geometry is ${geometry.quiltBytes} bytes`);
  const { symbolBytes: size, rowBytes, rowCount } = geometry;
  const out = new Uint8Array(geometry.columnBytes);
  for (let row = 0; row < rowCount; row++) {
    const from = row * rowBytes + column * size;
    out.set(quilt.subarray(from, from + size), row * size);
  }
  return out;
}

/**
 * The bytes of consecutive columns read as one run, without concatenating them: a patch or the
 * index is parsed in place and only what is returned is copied.
 */
export class ColumnRun {
  /** Bytes of all the columns together. */
  readonly length: number;

  constructor(
    private readonly columns: readonly Uint8Array[],
    private readonly columnBytes: number,
  ) {
    columns.forEach((column, i) => {
      if (column.length !== columnBytes) {
        throw new QuiltDecodeError(
          'COLUMN_SIZE',
          `column ${i} of the run is ${column.length} bytes, expected ${columnBytes}`,
        );
      }
    });
    this.length = columns.length * columnBytes;
  }

  /**
   * A fresh copy of bytes [offset, offset + length): the copy is exact-sized, as BCS parsers that
   * read the underlying buffer need. Throws PATCH_OUTSIDE_COLUMNS past the run's end, before
   * allocating, so a hostile length costs nothing.
   */
  copy(offset: number, length: number): Uint8Array {
    if (offset + length > this.length) {
      throw new QuiltDecodeError(
        'PATCH_OUTSIDE_COLUMNS',
        `bytes [${offset}, ${offset + length}) run past the ${this.length} bytes of the columns`,
      );
    }
    const out = new Uint8Array(length);
    let column = Math.floor(offset / this.columnBytes);
    let within = offset % this.columnBytes;
    for (let written = 0; written < length; column++, within = 0) {
      const take = Math.min(this.columnBytes - within, length - written);
      out.set(this.columns[column].subarray(within, within + take), written);
      written += take;
    }
    return out;
  }

  byte(offset: number): number {
    return this.copy(offset, 1)[0];
  }

  u16le(offset: number): number {
    const bytes = this.copy(offset, 2);
    return bytes[0] | (bytes[1] << 8);
  }

  u32le(offset: number): number {
    const bytes = this.copy(offset, 4);
    return (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  }
}
