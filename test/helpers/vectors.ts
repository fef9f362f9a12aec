/** The official encoder's reference vectors (copied from shared/vectors/redstuff.jsonl). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const SEED = new TextEncoder().encode('walrus-redstuff-test-vector');

export interface VectorPair {
  pair_index: number;
  shard_index: number;
  primary_sliver_index: number;
  secondary_sliver_index: number;
  primary_hash: string;
  secondary_hash: string;
  primary_sliver_sha256: string;
  secondary_sliver_sha256: string;
}

export interface RedStuffVector {
  kind: 'anchor' | 'standard' | 'extra';
  n_shards: number;
  size: number;
  content_utf8?: string;
  content_sha256?: string;
  error?: string;
  max_blob_size?: number;
  max_faulty: number;
  n_primary_source_symbols: number;
  n_secondary_source_symbols: number;
  symbol_size: number;
  primary_sliver_len: number;
  secondary_sliver_len: number;
  encoded_length: number;
  blob_id: string;
  blob_id_hex: string;
  blob_id_u256_dec: string;
  root_hash_hex: string;
  rotation_offset: number;
  metadata_bcs_len: number;
  metadata_bcs_sha256: string;
  sliver_pairs: VectorPair[];
  full?: {
    metadata_bcs_hex: string;
    pairs: {
      primary_hash: string;
      secondary_hash: string;
      primary_sliver_hex: string;
      secondary_sliver_hex: string;
    }[];
  };
}

export function loadVectors(): RedStuffVector[] {
  const text = readFileSync(new URL('../fixtures/redstuff.jsonl', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RedStuffVector);
}

/** The first `size` bytes of SHA-256(SEED ‖ u64le(0)) ‖ SHA-256(SEED ‖ u64le(1)) ‖ … */
export function vectorBlob(size: number): Uint8Array {
  const out = new Uint8Array(size);
  const counter = new Uint8Array(8);
  for (let i = 0, o = 0; o < size; i++, o += 32) {
    new DataView(counter.buffer).setBigUint64(0, BigInt(i), true);
    const digest = createHash('sha256').update(SEED).update(counter).digest();
    out.set(digest.subarray(0, Math.min(32, size - o)), o);
  }
  return out;
}

export function contentOf(vector: RedStuffVector): Uint8Array {
  return vector.content_utf8 !== undefined
    ? new TextEncoder().encode(vector.content_utf8)
    : vectorBlob(vector.size);
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
export const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
