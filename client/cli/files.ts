/**
 * Files in and out of the CLI: blob input read into shared memory for the encoder pool, and
 * blob output written atomically (a temporary file in the same directory, then a rename), so a
 * reader of FILE never sees half a blob.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readFileShared } from '../node/read-blob.js';
import { CliError } from './cli-error.js';

/** Writes go out in chunks of this size (writeSync may write less than asked). */
const WRITE_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The file's bytes (in a SharedArrayBuffer), at most `bytesMax`, with clear errors. `onSize` hears
 * the size before the bytes are read.
 */
export function readBlobFile(
  file: string,
  bytesMax: number,
  tooLarge: () => CliError,
  onSize?: (bytes: number) => void,
): Uint8Array {
  try {
    return readFileShared(file, bytesMax, onSize);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(`cannot read ${file}: no such file`, 'Check the path.');
    if (code === 'EISDIR')
      throw new CliError(`cannot read ${file}: it is a directory`, 'Give a file.');
    if (code === 'EACCES') throw new CliError(`cannot read ${file}: permission denied`);
    if (error instanceof RangeError) throw tooLarge();
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Fails early (before a long read) if `file` cannot be created: no directory, no permission. */
export function checkWritable(file: string): void {
  const dir = dirname(file);
  try {
    if (!statSync(dir).isDirectory())
      throw new CliError(`cannot write ${file}: ${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(
        `cannot write ${file}: directory ${dir} does not exist`,
        'Create it first.',
      );
    if (code === 'EACCES') throw new CliError(`cannot write ${file}: permission denied in ${dir}`);
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`);
  }
  try {
    if (statSync(file).isDirectory())
      throw new CliError(`cannot write ${file}: it is a directory`, 'Give a file name.');
  } catch (error) {
    if (error instanceof CliError) throw error;
    // No such file yet: it will be created.
  }
}

/** The temporary name `writeFileAtomic` uses: hidden, in the same directory, unique per call. */
export function temporaryPathFor(file: string): string {
  return join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Writes `bytes` to a temporary file, flushes it, then renames it over `file`. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const temporary = temporaryPathFor(file);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o666);
    for (let offset = 0; offset < bytes.length;) {
      offset += writeSync(fd, bytes, offset, Math.min(WRITE_CHUNK_BYTES, bytes.length - offset));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already renamed.
    }
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`);
  }
}
