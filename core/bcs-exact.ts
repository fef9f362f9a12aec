/**
 * Parsing BCS from the network so that exactly the given bytes are read. @mysten/bcs 2.1.2's
 * reader builds `readBytes`/`readULEB` views on the underlying ArrayBuffer without bounding them by
 * the view it was given: parsing `body.subarray(a, b)` silently reads past `b` into whatever follows
 * (found by test/unit/fuzz/core-parsers.test.ts), and `parse` ignores trailing bytes. Here a view
 * that does not span its buffer is copied first (bodies read whole are never copied), and the
 * value must end exactly at the last byte.
 */
import { BcsReader } from '@mysten/bcs';

export class BcsLengthError extends Error {
  override name = 'BcsLengthError';
}

/** Something @mysten/bcs can read (`BcsType`). */
export interface BcsReadable<T> {
  read(reader: BcsReader): T;
}

/** The value `bytes` holds, reading nothing outside them and refusing trailing bytes. */
export function parseBcsExactly<T>(type: BcsReadable<T>, bytes: Uint8Array): T {
  const owned =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  const reader = new BcsReader(owned);
  const value = type.read(reader);
  // `bytePosition` is the reader's cursor (public in 2.x); past the end means a read was cut.
  const consumed = (reader as unknown as { bytePosition: number }).bytePosition;
  if (consumed !== owned.length) {
    throw new BcsLengthError(
      consumed > owned.length
        ? `the value runs ${consumed - owned.length} bytes past the end`
        : `${owned.length - consumed} trailing bytes after the value`,
    );
  }
  return value;
}
