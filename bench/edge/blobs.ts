/**
 * Blob files for the bench: seeded xorshift bytes (bench/pseudo-random.ts), each stamped with its
 * own label at the front. The filler's seed is fixed, so without the stamp two blobs of one size
 * would be the same blob (same blob ID) and a "fresh" read would not be a cache miss.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xorshiftFill } from '../pseudo-random.js';

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;
const BYTE_MASK = 0xff;

export interface BlobFile {
  readonly label: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Writes `bytes` seeded bytes stamped with `label` (unique per blob in a run) under `dir`. */
export function writeBlobFile(dir: string, label: string, bytes: number): BlobFile {
  const contents = xorshiftFill(new Uint8Array(bytes), BYTE_MASK);
  const stamp = new TextEncoder().encode(`walrus-edge bench:edge ${label}\n`);
  if (stamp.length > bytes) throw new RangeError(`a ${bytes}-byte blob cannot hold its label`);
  contents.set(stamp, 0);
  const path = join(dir, `${label}.bin`);
  writeFileSync(path, contents);
  return { label, path, bytes, sha256: createHash('sha256').update(contents).digest('hex') };
}
