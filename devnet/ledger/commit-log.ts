/**
 * The ledger's only durable state: an append-only file of committed transactions, each record
 * written and fsynced before the transaction's response is sent.
 *
 * Record framing: `u32 LE payload length ‖ 8-byte SHA-256 prefix of the payload ‖ payload`.
 * On open, records are read until the first one that is short or fails its checksum; that one
 * and anything after it are a torn write from a crash (the record was never acknowledged), so
 * the file is truncated there and the ledger starts from the last complete record.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LOG_RECORD_BYTES_MAX } from './limits.js';

const HEADER_BYTES = 12;
const CHECKSUM_BYTES = 8;
export const LOG_FILE_NAME = 'ledger.log';

function checksum(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, CHECKSUM_BYTES);
}

export interface OpenedLog {
  readonly log: CommitLog;
  readonly payloads: Uint8Array[];
  /** Bytes dropped from the tail because they did not form a complete record. */
  readonly tornBytes: number;
}

export class CommitLog {
  #fd: number | undefined;

  private constructor(
    fd: number,
    private readonly fsync: boolean,
  ) {
    this.#fd = fd;
  }

  /** Opens (creating) the log in `dataDir`, returns every complete record, drops a torn tail. */
  static open(dataDir: string, options: { fsync?: boolean } = {}): OpenedLog {
    mkdirSync(dataDir, { recursive: true });
    const fd = openSync(join(dataDir, LOG_FILE_NAME), 'a+');
    try {
      const size = fstatSync(fd).size;
      const { payloads, end } = readRecords(fd, size);
      if (end < size) ftruncateSync(fd, end);
      return { log: new CommitLog(fd, options.fsync ?? true), payloads, tornBytes: size - end };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  append(payload: Uint8Array): void {
    if (this.#fd === undefined) throw new Error('commit log is closed');
    if (payload.length > LOG_RECORD_BYTES_MAX)
      throw new RangeError(`log record of ${payload.length} bytes`);
    const record = Buffer.alloc(HEADER_BYTES + payload.length);
    record.writeUInt32LE(payload.length, 0);
    checksum(payload).copy(record, 4);
    record.set(payload, HEADER_BYTES);
    let written = 0;
    while (written < record.length) written += writeSync(this.#fd, record, written);
    if (this.fsync) fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

function readRecords(fd: number, size: number): { payloads: Uint8Array[]; end: number } {
  const payloads: Uint8Array[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= size) {
    const header = readExactly(fd, HEADER_BYTES, at);
    const length = header.readUInt32LE(0);
    if (length > LOG_RECORD_BYTES_MAX || at + HEADER_BYTES + length > size) break;
    const payload = readExactly(fd, length, at + HEADER_BYTES);
    if (!checksum(payload).equals(header.subarray(4, HEADER_BYTES))) break;
    payloads.push(new Uint8Array(payload));
    at += HEADER_BYTES + length;
  }
  return { payloads, end: at };
}
