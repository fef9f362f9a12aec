/**
 * Reading a file into a SharedArrayBuffer-backed Uint8Array, so the encoder pool's threads use the
 * bytes in place instead of a second copy of the blob.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { sharedBytes } from './encoder-pool.js';

/** Read chunk: large enough for throughput, small enough to not need a second buffer. */
const READ_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The file's bytes in shared memory. `onSize` hears the size before the read starts (the encoder
 * pool starts its workers then, so they boot while the file is read).
 */
export function readFileShared(
  path: string,
  bytesMax: number = Number.MAX_SAFE_INTEGER,
  onSize?: (bytes: number) => void,
): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > bytesMax)
      throw new RangeError(`${path} is ${size} bytes, more than the ${bytesMax} allowed`);
    onSize?.(size);
    const out = sharedBytes(size);
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, out, offset, Math.min(READ_CHUNK_BYTES, size - offset), offset);
      if (read === 0) throw new Error(`${path} shrank while being read`);
      offset += read;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
