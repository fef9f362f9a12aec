// Micro-benchmark of the BLAKE2b-256 backends on the message shapes of Red Stuff at n = 1000
// (docs/spec/encoding.md §13): leaves of 1 + S bytes and 65-byte inner Merkle nodes.
// Build, then run: node dist/bench/blake2b.js. Prints µs per hash, best of a few short runs
// (the machine is shared), with @noble/hashes called per message as the baseline.
import { xorshiftFill } from './pseudo-random.js';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  blake2b256,
  hashSymbols,
  merkleRootOfLeaves,
  useBlake2bBackend,
  type Blake2bBackend,
} from '../core/hash/blake2b.js';

const BACKENDS: Blake2bBackend[] = ['wasm-simd', 'wasm', 'js'];
const SYMBOL_SIZES = [6, 302];
const LEAVES_PER_BATCH = 4000;
const MERKLE_LEAVES = 1000;
const RUNS = 5;
const RUN_MS_MIN = 40;
const NOBLE = 'noble per call';
const OUT_STRIDE_BYTES = 2048;

function pseudoRandomBytes(length: number): Uint8Array {
  return xorshiftFill(new Uint8Array(length), 0xff);
}

/** Best µs per hash over RUNS runs of at least RUN_MS_MIN each, after one warm-up run. */
function microsecondsPerHash(hashesPerCall: number, call: () => void): number {
  let best = Infinity;
  for (let run = -1; run < RUNS; run++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < RUN_MS_MIN) {
      call();
      calls++;
      elapsed = performance.now() - start;
    }
    if (run >= 0) best = Math.min(best, (elapsed * 1000) / (calls * hashesPerCall));
  }
  return best;
}

function innerHashCount(leaves: number): number {
  let hashes = 0;
  for (let n = leaves; n > 1; n = (n + 1) >> 1) hashes += (n + 1) >> 1;
  return hashes;
}

function main(): void {
  const rows: [string, string, number][] = [];
  for (const symbolBytes of SYMBOL_SIZES) {
    const src = pseudoRandomBytes(symbolBytes * LEAVES_PER_BATCH);
    const out = new Uint8Array(32 * LEAVES_PER_BATCH);
    const label = `leaf 1+${symbolBytes} B`;
    for (const backend of BACKENDS) {
      useBlake2bBackend(backend);
      rows.push([
        label,
        backend,
        microsecondsPerHash(LEAVES_PER_BATCH, () =>
          hashSymbols(0, src, 0, symbolBytes, LEAVES_PER_BATCH, out, 0, 32),
        ),
      ]);
    }
    // Column-major output, as for a table of leaf hashes written one column at a time.
    const strided = new Uint8Array(OUT_STRIDE_BYTES * LEAVES_PER_BATCH);
    useBlake2bBackend('wasm-simd');
    const stridedUs = microsecondsPerHash(LEAVES_PER_BATCH, () =>
      hashSymbols(0, src, 0, symbolBytes, LEAVES_PER_BATCH, strided, 0, OUT_STRIDE_BYTES),
    );
    rows.push([label, `wasm-simd, stride ${OUT_STRIDE_BYTES}`, stridedUs]);
    const message = new Uint8Array(1 + symbolBytes);
    rows.push([
      label,
      NOBLE,
      microsecondsPerHash(LEAVES_PER_BATCH, () => {
        for (let i = 0; i < LEAVES_PER_BATCH; i++) {
          message.set(src.subarray(i * symbolBytes, (i + 1) * symbolBytes), 1);
          blake2b(message, { dkLen: 32 });
        }
      }),
    ]);
  }
  const leaves = pseudoRandomBytes(32 * MERKLE_LEAVES);
  const root = new Uint8Array(32);
  const innerHashes = innerHashCount(MERKLE_LEAVES);
  const label = `inner 65 B (${MERKLE_LEAVES}-leaf tree)`;
  for (const backend of BACKENDS) {
    useBlake2bBackend(backend);
    rows.push([
      label,
      backend,
      microsecondsPerHash(innerHashes, () =>
        merkleRootOfLeaves(leaves, 0, 32, MERKLE_LEAVES, root, 0),
      ),
    ]);
  }
  const message = new Uint8Array(65);
  rows.push([
    label,
    NOBLE,
    microsecondsPerHash(innerHashes, () => {
      for (let i = 0; i < innerHashes; i++) blake2b(message, { dkLen: 32 });
    }),
  ]);

  // One message per call, as for blob IDs and proofs: the per-call overhead of each backend.
  const single = pseudoRandomBytes(65);
  const callLabel = 'blake2b256(65 B) per call';
  const CALLS = 1000;
  for (const backend of BACKENDS) {
    useBlake2bBackend(backend);
    rows.push([
      callLabel,
      backend,
      microsecondsPerHash(CALLS, () => {
        for (let i = 0; i < CALLS; i++) blake2b256(single);
      }),
    ]);
  }
  rows.push([
    callLabel,
    NOBLE,
    microsecondsPerHash(CALLS, () => {
      for (let i = 0; i < CALLS; i++) blake2b(single, { dkLen: 32 });
    }),
  ]);

  const baseline = new Map<string, number>();
  for (const [shape, name, us] of rows) if (name === NOBLE) baseline.set(shape, us);
  const line = (shape: string, name: string, us: string, ratio: string) =>
    console.log(shape.padEnd(30) + name.padEnd(24) + us.padStart(9) + ratio.padStart(10));
  line('shape', 'backend', 'µs/hash', 'vs noble');
  for (const [shape, name, us] of rows) {
    line(shape, name, us.toFixed(3), `${((baseline.get(shape) ?? us) / us).toFixed(1)}×`);
  }
}

main();
