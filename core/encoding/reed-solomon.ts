/**
 * The systematic Reed–Solomon code of reed-solomon-simd 3.1.0 over GF(2^16), byte for byte
 * (docs/spec/encoding.md §4.4–4.8).
 *
 * Data is handled as "shards" of `width` elements laid out one after another in a Uint16Array, so
 * one call encodes `width` independent codewords (many symbols of many rows or columns at once),
 * which amortizes the per-butterfly overhead that dominates with small symbols.
 */
import { assert, checkInteger } from '../assert.js';
import { type WorkBatch, type WorkTransforms, mulAddRows, transformWork } from './fft-kernel.js';
import { gfInv, gfMul, gfTables } from './gf16.js';

/** The library's rate bound: min(npow2(k), npow2(m)) + max(k, m) ≤ 65536. */
const SHARD_COUNT_SUM_MAX = 65_536;

export type Rate = 'high' | 'low';

export class DecodingError extends Error {
  override name = 'DecodingError';
}

export function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** reed-solomon-simd's choice between its high- and low-rate codes (they give different bytes). */
export function selectRate(k: number, m: number): Rate {
  checkInteger('k', k, 1, SHARD_COUNT_SUM_MAX);
  checkInteger('m', m, 1, SHARD_COUNT_SUM_MAX);
  const kPow = nextPowerOfTwo(k);
  const mPow = nextPowerOfTwo(m);
  if (Math.min(kPow, mPow) + Math.max(k, m) > SHARD_COUNT_SUM_MAX) {
    throw new RangeError(`unsupported shard counts: ${k} original, ${m} recovery`);
  }
  if (kPow !== mPow) return kPow > mPow ? 'high' : 'low';
  return k <= m ? 'high' : 'low';
}

/** One systematic code with `k` original and `m` recovery symbols per codeword. */
export class ReedSolomonCode {
  readonly rate: Rate;
  /** Shards in the work buffer of `encode`: originals go in shards 0..k−1, the rest must be zero. */
  readonly workShardCount: number;
  private readonly chunkSize: number;
  private generatorColumns = new Map<number, Uint16Array>();

  constructor(
    readonly k: number,
    readonly m: number,
  ) {
    this.rate = selectRate(k, m);
    if (this.rate === 'high') {
      this.chunkSize = nextPowerOfTwo(m);
      this.workShardCount = Math.ceil(k / this.chunkSize) * this.chunkSize;
    } else {
      this.chunkSize = nextPowerOfTwo(k);
      this.workShardCount = Math.ceil(m / this.chunkSize) * this.chunkSize;
    }
    assert(this.workShardCount >= k, 'the work buffer holds the originals');
    assert(this.workShardCount >= m, 'the work buffer holds the recovery shards');
  }

  /** Total symbols per codeword. */
  get n(): number {
    return this.k + this.m;
  }

  /**
   * Encodes `width` codewords in place: on entry shards 0..k−1 of `work` hold the originals and
   * shards k..workShardCount−1 are zero; on return shard t (t < m) holds recovery symbol t.
   * The other shards are left with unspecified values (they differ between kernel backends).
   */
  encodeInPlace(work: Uint16Array, width: number): void {
    assert(work.length >= this.workShardCount * width, 'work buffer too small');
    transformWork(work, this.workShardCount, width, this.m, (transforms) => {
      this.encodeWork(transforms);
    });
  }

  /**
   * encodeInPlace on a WorkBatch whose first workShardCount shards are the work matrix
   * (fft-kernel.ts): originals read into shards 0..k−1, the others opened zeroed; recovery symbol t
   * ends in shard t. Shards past the work matrix are left alone.
   */
  encodeBatch(batch: WorkBatch): void {
    assert(batch.shards >= this.workShardCount, 'the batch holds the work shards of this code');
    batch.transform((transforms) => this.encodeWork(transforms));
  }

  /** spec §4.6 on a work matrix held by the FFT kernel. */
  private encodeWork(transforms: WorkTransforms): void {
    const { k, m, chunkSize } = this;
    if (this.rate === 'high') {
      transforms.ifft(0, chunkSize, Math.min(k, chunkSize), chunkSize);
      for (let c = chunkSize; c < k; c += chunkSize) {
        transforms.ifft(c, chunkSize, Math.min(chunkSize, k - c), c + chunkSize);
        transforms.xorShards(0, c, chunkSize);
      }
      transforms.fft(0, chunkSize, m, 0);
    } else {
      transforms.ifft(0, chunkSize, k, 0);
      for (let c = chunkSize; c < m; c += chunkSize) transforms.copyShards(c, 0, chunkSize);
      for (let c = 0; c < m; c += chunkSize) {
        transforms.fft(c, chunkSize, Math.min(chunkSize, m - c), c + chunkSize);
      }
    }
  }

  /** Allocates a zeroed work buffer for `width` codewords. */
  allocateWork(width: number): Uint16Array {
    return new Uint16Array(this.workShardCount * width);
  }

  /**
   * Column i of the m × k generator matrix: the recovery symbols of the unit codeword e_i.
   * Cached, since decoders of one blob reuse the same few columns.
   */
  generatorColumn(i: number): Uint16Array {
    let column = this.generatorColumns.get(i);
    if (column === undefined) {
      const work = this.allocateWork(1);
      work[i] = 1;
      this.encodeInPlace(work, 1);
      column = work.slice(0, this.m);
      this.generatorColumns.set(i, column);
    }
    return column;
  }

  /**
   * A decoder for one set of received codeword positions (i < k is original i, i ≥ k is recovery
   * symbol i − k). Building it inverts the matrix once; it is then applied to any number of batches
   * of codewords received at the same positions.
   */
  decoderFor(indices: readonly number[]): ErasureDecoder {
    return new ErasureDecoder(this, indices);
  }

  /** One-shot decode; see ErasureDecoder.decode. */
  decode(indices: readonly number[], symbols: Uint16Array, width: number): Uint16Array {
    return this.decoderFor(indices).decode(symbols, width);
  }
}

/** Solves for the missing originals of codewords received at fixed positions. */
export class ErasureDecoder {
  /** slot (position in the caller's symbol list) of each original that was received, or −1. */
  private readonly slotOfOriginal: Int32Array;
  private readonly missing: number[];
  /** Received recovery symbols used for solving: [recovery index t, slot]. */
  private readonly recoveryUsed: [number, number][];
  /** Logs of the inverse matrix entries (65535 = zero), row l for missing original l. */
  private readonly inverseLogs: Uint16Array;

  constructor(
    private readonly code: ReedSolomonCode,
    indices: readonly number[],
  ) {
    const { k, m } = code;
    this.slotOfOriginal = new Int32Array(k).fill(-1);
    const seen = new Set<number>();
    const recoveryAvailable: [number, number][] = [];
    indices.forEach((index, slot) => {
      if (!Number.isInteger(index) || index < 0 || index >= k + m) {
        throw new DecodingError(`symbol index ${index} is outside the code of length ${k + m}`);
      }
      if (seen.has(index)) return;
      seen.add(index);
      if (index < k) this.slotOfOriginal[index] = slot;
      else recoveryAvailable.push([index - k, slot]);
    });
    if (seen.size < k)
      throw new DecodingError(`need ${k} distinct symbols to decode, got ${seen.size}`);
    this.missing = [];
    for (let i = 0; i < k; i++) if (this.slotOfOriginal[i] < 0) this.missing.push(i);
    this.recoveryUsed = recoveryAvailable.slice(0, this.missing.length);
    const inverse = invertMatrix(
      this.recoveryUsed.map(([t]) => this.missing.map((i) => code.generatorColumn(i)[t])),
    );
    const { log } = gfTables();
    this.inverseLogs = Uint16Array.from(inverse.flat(), (value) => log[value]);
  }

  /** Indices of the originals this decoder reconstructs. */
  get missingOriginals(): readonly number[] {
    return this.missing;
  }

  /** Shards of the WorkBatch that decodeBatch works in. */
  get batchShards(): number {
    return this.code.workShardCount + 2 * this.missing.length;
  }

  /**
   * decode inside a WorkBatch of batchShards shards opened zeroed, so that symbols stay in the
   * kernel's memory from their bytes to the missing originals' bytes (no element arrays in JS).
   * `readSlot(slot, shard)` reads the received symbol of a slot into a shard of the batch. On
   * return, shard outputShard(l) holds missing original missingOriginals[l]; the originals that
   * were received are not written anywhere (the caller has their bytes).
   *
   * Layout: the code's work matrix [0, W), then one residual shard per missing original, then one
   * accumulator per missing original (zero from the opening).
   */
  decodeBatch(batch: WorkBatch, readSlot: (slot: number, shard: number) => void): void {
    assert(batch.shards >= this.batchShards, 'the batch holds the decoder layout');
    const { k, workShardCount } = this.code;
    const missing = this.missing.length;
    if (missing === 0) return;
    for (let i = 0; i < k; i++)
      if (this.slotOfOriginal[i] >= 0) readSlot(this.slotOfOriginal[i], i);
    this.recoveryUsed.forEach(([, slot], j) => readSlot(slot, workShardCount + j));
    // Recovery symbols of the known part alone; XOR with the received ones leaves G[R][missing]·x.
    this.code.encodeBatch(batch);
    batch.transform((transforms) => {
      this.recoveryUsed.forEach(([t], j) => transforms.xorShards(workShardCount + j, t, 1));
      for (let l = 0; l < missing; l++) {
        const logs = this.inverseLogs.subarray(l * missing, (l + 1) * missing);
        transforms.mulAddShards(this.outputShard(l), workShardCount, logs);
      }
    });
  }

  /** The shard of decodeBatch's batch that receives missing original missingOriginals[l]. */
  outputShard(l: number): number {
    return this.code.workShardCount + this.missing.length + l;
  }

  /**
   * `symbols` holds one shard of `width` elements per received index, in the order given to
   * `decoderFor`. Returns the k × width originals.
   */
  decode(symbols: Uint16Array, width: number): Uint16Array {
    const { k } = this.code;
    const slots = this.slotOfOriginal.reduce((max, slot) => Math.max(max, slot), -1);
    const needed = Math.max(slots, ...this.recoveryUsed.map(([, slot]) => slot)) + 1;
    if (symbols.length < needed * width) throw new DecodingError('fewer symbols than indices');
    const originals = this.code.allocateWork(width);
    for (let i = 0; i < k; i++) {
      const slot = this.slotOfOriginal[i];
      if (slot >= 0) originals.set(symbols.subarray(slot * width, (slot + 1) * width), i * width);
    }
    const missing = this.missing;
    if (missing.length === 0) return originals.subarray(0, k * width);
    // Recovery symbols of the known part alone; XOR with the received ones leaves G[R][missing]·x.
    const known = originals.slice();
    this.code.encodeInPlace(known, width);
    const residual = new Uint16Array(missing.length * width);
    this.recoveryUsed.forEach(([t, slot], j) => {
      for (let e = 0; e < width; e++) {
        residual[j * width + e] = symbols[slot * width + e] ^ known[t * width + e];
      }
    });
    // The missing originals are still zero in `originals`, so accumulating gives them.
    mulAddRows(originals, missing, residual, missing.length, this.inverseLogs, width);
    return originals.subarray(0, k * width);
  }
}

/** Gauss–Jordan inversion over GF(2^16); the code is MDS, so a singular matrix is a bug. */
function invertMatrix(matrix: number[][]): number[][] {
  const size = matrix.length;
  const a = matrix.map((row) => row.slice());
  const inv = matrix.map((_, i) =>
    Array.from({ length: size }, (_, j): number => (i === j ? 1 : 0)),
  );
  for (let col = 0; col < size; col++) {
    let pivot = col;
    while (pivot < size && a[pivot][col] === 0) pivot++;
    if (pivot === size) throw new DecodingError('singular decoding matrix');
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [inv[col], inv[pivot]] = [inv[pivot], inv[col]];
    const scale = gfInv(a[col][col]);
    for (let j = 0; j < size; j++) {
      a[col][j] = gfMul(a[col][j], scale);
      inv[col][j] = gfMul(inv[col][j], scale);
    }
    for (let row = 0; row < size; row++) {
      const factor = a[row][col];
      if (row === col || factor === 0) continue;
      for (let j = 0; j < size; j++) {
        a[row][j] ^= gfMul(factor, a[col][j]);
        inv[row][j] ^= gfMul(factor, inv[col][j]);
      }
    }
  }
  return inv;
}

const codeCache = new Map<string, ReedSolomonCode>();

/** Shared code objects, so generator columns are computed once per (k, m). */
export function reedSolomonCode(k: number, m: number): ReedSolomonCode {
  const key = `${k}/${m}`;
  let code = codeCache.get(key);
  if (code === undefined) {
    code = new ReedSolomonCode(k, m);
    codeCache.set(key, code);
  }
  return code;
}
