/**
 * The quilt vectors (copied from shared/vectors/quilts.jsonl; field meanings in
 * docs/spec/quilts.md §9) and their content generator.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface QuiltVectorContent {
  utf8?: string;
  b64?: string;
  generator?: 'sha256-ctr';
  seed_utf8?: string;
  size?: number;
}

export interface QuiltVectorInput {
  identifier: string;
  identifier_utf8_hex: string;
  tags?: Record<string, string>;
  content: QuiltVectorContent;
  size: number;
  sha256: string;
}

export interface QuiltVectorPatch {
  identifier: string;
  tags: Record<string, string>;
  start_index: number;
  end_index: number;
  patch_internal_id_hex: string;
  quilt_patch_id: string;
  quilt_patch_id_hex: string;
  serialized_length: number;
  prefix_hex: string;
  data_length: number;
  data_sha256: string;
  columns_sha256: string;
  sliver_pair_indices: number[];
  shard_indices: number[];
}

export interface QuiltVector {
  kind: 'quilt';
  id: string;
  n_shards: number;
  n_rows: number;
  n_columns: number;
  max_patches: number;
  inputs: QuiltVectorInput[];
  sorted_identifiers: string[];
  symbol_size_inputs: number[];
  symbol_size: number;
  column_size: number;
  row_size: number;
  quilt_length: number;
  quilt_sha256: string;
  quilt_b64?: string;
  blob_id: string;
  blob_id_hex: string;
  root_hash_hex: string;
  rotation_offset: number;
  encoded_length: number;
  attributes: Record<string, string>;
  index: {
    prefix_hex: string;
    bcs_length: number;
    bcs_hex: string;
    total_length: number;
    columns: number;
    first_patch_start: number;
  };
  patches: QuiltVectorPatch[];
  sdk_matches_rust_order?: boolean;
  rust_order?: {
    sorted_identifiers: string[];
    quilt_length: number;
    quilt_sha256: string;
    quilt_b64: string;
    blob_id: string;
    index_bcs_hex: string;
    patches: {
      identifier: string;
      start_index: number;
      end_index: number;
      quilt_patch_id: string;
    }[];
  };
}

export interface SymbolSizeVector {
  kind: 'symbol_size';
  sizes: number[];
  n_columns: number;
  n_rows: number;
  max_index_columns: number;
  symbol_size?: number;
  error?: string;
}

export interface QuiltErrorVector {
  kind: 'error';
  id: string;
  n_shards: number;
  rust_error: string;
  inputs?: QuiltVectorInput[];
  identifiers?: string[];
  identifiers_utf8_hex?: string[];
}

export interface QuiltMetaVector {
  kind: 'meta';
  content_generator: string;
  b64_limit_bytes: number;
}

export type QuiltVectorRecord = QuiltMetaVector | QuiltVector | SymbolSizeVector | QuiltErrorVector;

export function loadQuiltVectors(): QuiltVectorRecord[] {
  const text = readFileSync(new URL('../fixtures/quilts.jsonl', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as QuiltVectorRecord);
}

/** The meta line's generator: the first `size` bytes of SHA-256(seed ‖ u64le(0)) ‖ … */
export function sha256Counter(seed: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const counter = new Uint8Array(8);
  for (let i = 0, o = 0; o < size; i++, o += 32) {
    new DataView(counter.buffer).setBigUint64(0, BigInt(i), true);
    const digest = createHash('sha256').update(seed).update(counter).digest();
    out.set(digest.subarray(0, Math.min(32, size - o)), o);
  }
  return out;
}

export function inputBytes(content: QuiltVectorContent): Uint8Array {
  if (content.utf8 !== undefined) return new TextEncoder().encode(content.utf8);
  if (content.generator === 'sha256-ctr') {
    const bytes = sha256Counter(new TextEncoder().encode(content.seed_utf8!), content.size!);
    if (content.b64 !== undefined && Buffer.from(content.b64, 'base64').compare(bytes) !== 0)
      throw new Error('the generator disagrees with the vector bytes');
    return bytes;
  }
  if (content.b64 !== undefined) return new Uint8Array(Buffer.from(content.b64, 'base64'));
  throw new Error(`unknown content ${JSON.stringify(content)}`);
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
export const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
export const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
