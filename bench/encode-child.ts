/**
 * One measurement of bench/encode.ts, in its own process so peak RSS is the case's alone:
 * encodes a seeded pseudo-random blob with one implementation and prints one JSON line.
 *
 *   node dist/bench/encode-child.js --impl edge|wasm --n-shards N --bytes B --seed S
 *
 * Both implementations produce every sliver as BCS SliverData plus the metadata: walrus-wasm writes
 * them into the 2n buffers its API requires; walrus-edge serializes each sliver into one reused
 * buffer, as a client streaming slivers to storage nodes does.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EncoderPool, sharedBytes } from '../client/node/encoder-pool.js';
import { blobIdToString } from '../core/blob-id.js';
import { blobLayout } from '../core/encoding/blob-layout.js';
import { sliverDataBcsBytes } from '../core/encoding/sliver-data.js';

export interface EncodeMeasurement {
  impl: 'edge' | 'wasm';
  nShards: number;
  bytes: number;
  seconds: number;
  peakRssBytes: number;
  blobId: string;
}

/** xorshift128+ bytes: fast, seeded, and not all zeros (zeros flatter some kernels). */
function fillPseudoRandom(out: Uint8Array, seed: number): void {
  let s0 = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  let s1 = 0x6a09e667f3bcc909n;
  const mask = (1n << 64n) - 1n;
  const words = new BigUint64Array(1);
  const chunk = new Uint8Array(words.buffer);
  // A 64 KiB pattern block made with the PRNG, then varied per block by a cheap counter mix: keeps
  // blob generation far below the encode time even at 64 MiB.
  const block = new Uint8Array(65_536);
  for (let i = 0; i < block.length; i += 8) {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & mask;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    words[0] = (s1 + y) & mask;
    block.set(chunk, i);
  }
  for (let o = 0, b = 0; o < out.length; o += block.length, b++) {
    const n = Math.min(block.length, out.length - o);
    for (let i = 0; i < n; i++) out[o + i] = block[i] ^ ((b * 131 + (i >>> 8)) & 0xff);
  }
}

function peakRssBytes(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function encodeEdge(blob: Uint8Array, nShards: number): Promise<string> {
  const pool = new EncoderPool();
  try {
    const encoded = await pool.encode(blob, nShards);
    const layout = blobLayout(blob.length, nShards);
    const out = new Uint8Array(
      sliverDataBcsBytes(Math.max(layout.primarySliverBytes, layout.secondarySliverBytes)),
    );
    for (let p = 0; p < nShards; p++) {
      encoded.primarySliverBcs(p, out);
      encoded.secondarySliverBcs(nShards - 1 - p, out);
    }
    return blobIdToString(encoded.blobId);
  } finally {
    await pool.close();
  }
}

async function encodeWasm(blob: Uint8Array, nShards: number): Promise<string> {
  const { BlobEncoder } = await import('@mysten/walrus-wasm');
  const layout = blobLayout(blob.length, nShards);
  const encoder = new BlobEncoder(nShards);
  const primary = Array.from(
    { length: nShards },
    () => new Uint8Array(sliverDataBcsBytes(layout.primarySliverBytes)),
  );
  const secondary = Array.from(
    { length: nShards },
    () => new Uint8Array(sliverDataBcsBytes(layout.secondarySliverBytes)),
  );
  const [metadata] = encoder.encode(blob, primary, secondary) as [{ blob_id: number[] }];
  encoder.free();
  return blobIdToString(Uint8Array.from(metadata.blob_id));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impl: { type: 'string' },
      'n-shards': { type: 'string' },
      bytes: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const impl = values.impl;
  if (impl !== 'edge' && impl !== 'wasm') throw new Error('--impl must be edge or wasm');
  const nShards = Number(values['n-shards']);
  const bytes = Number(values.bytes);
  // walrus-edge reads files into shared memory (client/node/read-blob.ts); the wasm takes any bytes.
  const blob = impl === 'edge' ? sharedBytes(bytes) : new Uint8Array(bytes);
  fillPseudoRandom(blob, Number(values.seed));
  const start = performance.now();
  const blobId =
    impl === 'edge' ? await encodeEdge(blob, nShards) : await encodeWasm(blob, nShards);
  const seconds = (performance.now() - start) / 1000;
  const result: EncodeMeasurement = {
    impl,
    nShards,
    bytes,
    seconds,
    peakRssBytes: peakRssBytes(),
    blobId,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main();
