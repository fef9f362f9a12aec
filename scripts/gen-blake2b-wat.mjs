#!/usr/bin/env node
// Generates core/wasm/blake2b.wat: a BLAKE2b-256 kernel for the Merkle trees of the Red Stuff
// encoder (docs/spec/encoding.md §5, §13). The twelve rounds are unrolled here, in a script, because
// 96 hand-written G steps per kernel would be unreviewable; the generator is the source of truth
// and the .wat is kept in the repo so that a diff shows what the kernel really does.
//
// Two kernels share one module:
//  - scalar: one message at a time, native i64 add/rotr on 16 locals;
//  - SIMD:   two equal-length messages at a time, word j of both in one i64x2 lane pair, so the
//            round function needs no diagonalisation shuffles.
// Each reads its message words straight from the input; a partial last block is masked word by
// word (the masked-off bytes are the zero padding), so there is no scratch copy per message.
//
// What was measured (bench/blake2b.ts, 2-vCPU EPYC VM, Node 20), and decided by it:
//  - V8 (Node 20) did not inline wasm calls: an out-of-line mask helper (16 calls per block) cost
//    a third of a single-block hash, so masks, the block loop and the compression are inline.
//  - The SIMD pair is ~1.35x the scalar kernel, not 2x: V8 uses 16 xmm registers and spills about
//    a fifth of the instructions.
//  - Chaining values live in memory, not in locals across the block loop (fewer spills; scalar
//    multi-block hashes 20% faster).
//  - One-block pair kernels for the two commonest shapes (short leaves, inner nodes) that keep only
//    their non-zero message words in registers: 7-byte leaves 151 -> 102 ns, inner nodes 148 ->
//    113 ns per hash (CPU time, same VM); see pairOneBlock.
//  - A rotate-by-24 as i8x16.swizzle by a constant mask (one pshufb): ~10% on every kernel; an
//    i8x16.shuffle of the same bytes is not lowered to one pshufb (see gStepsSimd).
//  - Tried and dropped: message words re-loaded from memory in every round (TurboFan hoists the
//    loads anyway; loaded at each use from an interleaved copy they were 12% slower), the
//    rotate-by-16 as a swizzle too (no faster than pshuflw + pshufhw), a 256-byte mask table instead
//    of computed masks (no faster), and a triple kernel interleaving one scalar message with the
//    SIMD pair (10% slower than the pair: more spills).
//
// WAT template lines run past 100 columns where an s-expression reads better whole.
//
// Usage: node scripts/gen-blake2b-wat.mjs [output path]   (deterministic; no inputs)
// Over 400 lines: it writes one WAT module, whose kernels share the round and compression macros.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_PATH_DEFAULT = join(REPO_DIR, 'core', 'wasm', 'blake2b.wat');

const BLOCK_BYTES = 128;
const DIGEST_BYTES = 32;
const PAGE_BYTES = 65_536;

// Memory layout, of fixed size: the JS side processes larger batches in chunks, and views of a
// memory that never grows never detach. The input region is where the JS side copies symbols or
// leaves; it is also the in-place workspace of merkle_reduce. The slack around it lets a kernel
// read a whole block from `p - 1` (the prefix slot) to `p + 127` without bounds arithmetic.
const STATE_PTR = 64; //          scalar chaining value h[0..8), 64 bytes
const STREAM_T_PTR = 128; //      byte counter t (i64) that goes with STATE_PTR
const STATE2_PTR = 256; //        chaining values of hash_pair, interleaved: h_a[j], h_b[j] at 16*j
// Where the SIMD batches put the second digest of an odd message out, hashed as a pair with
// itself: cheaper than the scalar kernel, which then never has to be compiled for them.
const DISCARD_PTR = 512;
const OUTPUT_PTR = 4096;
const OUTPUT_DIGESTS_MAX = 16_384; // digests per call of hash_symbols
const OUTPUT_BYTES = OUTPUT_DIGESTS_MAX * DIGEST_BYTES;
const SLACK_BYTES = 4096;
const INPUT_PTR = OUTPUT_PTR + OUTPUT_BYTES + SLACK_BYTES;
const INPUT_BYTES = 1 << 20;
// A table of leaf hashes that stays in the kernel (core/hash/blake2b.ts LeafTable): leaves are
// hashed straight into their slots and trees gathered from them, so no digest goes through JS.
// 2 MiB is the encoder's column-chunk table (core/encoding/blob-layout.ts CHUNK_LEAF_HASH_BYTES_MAX):
// one column of the largest n (65 535 leaves), or 64 columns at n = 1000.
const TABLE_PTR = INPUT_PTR + INPUT_BYTES + SLACK_BYTES;
const TABLE_BYTES = 2 << 20;
const MEMORY_BYTES = TABLE_PTR + TABLE_BYTES + SLACK_BYTES;
const MEMORY_PAGES = Math.ceil(MEMORY_BYTES / PAGE_BYTES);

// merkle_reduce pads an odd level with one zero node after the last one, in place.
if (INPUT_BYTES % BLOCK_BYTES !== 0) throw new Error('input region must hold whole blocks');
// The slack also takes the up to 7 bytes a largest symbol is shifted by to keep its copy word-aligned
// (core/hash/blake2b.ts COPY_ALIGN_BYTES).
if (SLACK_BYTES < BLOCK_BYTES + DIGEST_BYTES + 8)
  throw new Error('slack must cover a block over-read');
if (STATE_PTR + 64 > STREAM_T_PTR) throw new Error('scratch areas overlap');
if (STREAM_T_PTR + 8 > STATE2_PTR) throw new Error('scratch areas overlap');
if (STATE2_PTR + 128 > DISCARD_PTR) throw new Error('scratch areas overlap');
if (DISCARD_PTR + DIGEST_BYTES > OUTPUT_PTR) throw new Error('scratch areas overlap');

const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];
// Parameter block word 0, unkeyed 32-byte digest: digest_length | fanout 1 << 16 | depth 1 << 24.
const PARAM_WORD0 = 0x01010000n | BigInt(DIGEST_BYTES);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const ROUNDS = 12;
// The column steps, then the diagonal steps, of one round: state indices (a, b, c, d).
const G_INDICES = [
  [0, 4, 8, 12],
  [1, 5, 9, 13],
  [2, 6, 10, 14],
  [3, 7, 11, 15],
  [0, 5, 10, 15],
  [1, 6, 11, 12],
  [2, 7, 8, 13],
  [3, 4, 9, 14],
];

const hex64 = (x) => '0x' + x.toString(16).padStart(16, '0');
const range = (n) => Array.from({ length: n }, (_, i) => i);

// Byte shuffles that rotate each 64-bit lane right by `bytes` (little-endian lanes).
function rotrShuffle(bytes) {
  return range(16)
    .map((i) => (i & 8) + (((i & 7) + bytes) & 7))
    .join(' ');
}

// The 96 G steps of one compression, one string of statements each, on state locals $<name>0..15.
function gStepsScalar(name, messageWord) {
  const steps = [];
  const v = (i) => `(local.get $${name}${i})`;
  for (let r = 0; r < ROUNDS; r++) {
    const s = SIGMA[r % 10];
    G_INDICES.forEach(([a, b, c, d], k) => {
      const lines = [];
      const set = (i, expr) => lines.push(`    (local.set $${name}${i} ${expr})`);
      set(a, `(i64.add (i64.add ${v(a)} ${v(b)}) ${messageWord(s[2 * k])})`);
      set(d, `(i64.rotr (i64.xor ${v(d)} ${v(a)}) (i64.const 32))`);
      set(c, `(i64.add ${v(c)} ${v(d)})`);
      set(b, `(i64.rotr (i64.xor ${v(b)} ${v(c)}) (i64.const 24))`);
      set(a, `(i64.add (i64.add ${v(a)} ${v(b)}) ${messageWord(s[2 * k + 1])})`);
      set(d, `(i64.rotr (i64.xor ${v(d)} ${v(a)}) (i64.const 16))`);
      set(c, `(i64.add ${v(c)} ${v(d)})`);
      set(b, `(i64.rotr (i64.xor ${v(b)} ${v(c)}) (i64.const 63))`);
      steps.push(lines.join('\n'));
    });
  }
  return steps;
}

// As gStepsScalar on i64x2 lanes. V8 (x64) lowers the rotate-by-32 shuffle to one pshufd and the
// rotate-by-16 one to pshuflw + pshufhw, but rebuilds the pshufb mask of a rotate-by-24 shuffle
// from two 64-bit constants every time; a swizzle by a constant mask is one pshufb (what was a
// shift pair before: 7-byte leaves 95 -> 85 ns, 303-byte leaves 367 -> 324 ns, inner nodes
// 104 -> 92 ns per hash). Rotate-by-63 is (x >> 63) ^ (x + x).
function gStepsSimd(name, messageWord) {
  const steps = [];
  const v = (i) => `(local.get $${name}${i})`;
  for (let r = 0; r < ROUNDS; r++) {
    const s = SIGMA[r % 10];
    G_INDICES.forEach(([a, b, c, d], k) => {
      const lines = [];
      const set = (i, expr) => lines.push(`    (local.set $${name}${i} ${expr})`);
      const rot = (i, bytes) =>
        bytes === 3
          ? set(i, `(i8x16.swizzle ${v(i)} (v128.const i8x16 ${rotrShuffle(3)}))`)
          : set(i, `(i8x16.shuffle ${rotrShuffle(bytes)} ${v(i)} ${v(i)})`);
      const plusWord = (word) => (word === null ? '' : ` ${word}`);
      const addWord = (sum, word) => (word === null ? sum : `(i64x2.add ${sum}${plusWord(word)})`);
      set(a, addWord(`(i64x2.add ${v(a)} ${v(b)})`, messageWord(s[2 * k])));
      set(d, `(v128.xor ${v(d)} ${v(a)})`);
      rot(d, 4);
      set(c, `(i64x2.add ${v(c)} ${v(d)})`);
      set(b, `(v128.xor ${v(b)} ${v(c)})`);
      rot(b, 3);
      set(a, addWord(`(i64x2.add ${v(a)} ${v(b)})`, messageWord(s[2 * k + 1])));
      set(d, `(v128.xor ${v(d)} ${v(a)})`);
      rot(d, 2);
      set(c, `(i64x2.add ${v(c)} ${v(d)})`);
      set(b, `(v128.xor ${v(b)} ${v(c)})`);
      set(b, `(v128.xor (i64x2.shr_u ${v(b)} (i32.const 63)) (i64x2.add ${v(b)} ${v(b)}))`);
      steps.push(lines.join('\n'));
    });
  }
  return steps;
}

const localsDecl = (prefix, type, n) =>
  range(n)
    .map((i) => `(local $${prefix}${i} ${type})`)
    .join(' ');

// Word j of a block that has only r = $n - 8j bytes left: the load ANDed with all-ones over its
// first r bytes (r clamped to 0..8). Bytes past the message are read but masked to zero, which
// is the BLAKE2b padding; this replaces a copy into a zeroed scratch block per message.
function maskedWord(load, j) {
  return `(i64.and ${load}
        (select (i64.const -1)
          (select (i64.const 0)
            (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.tee $r (i32.sub (local.get $n) (i32.const ${8 * j}))) (i32.const 3)))) (i64.const 1))
            (i32.le_s (local.get $r) (i32.const 0)))
          (i32.ge_s (local.get $r) (i32.const 8))))`;
}

// One compression of the block of $n (0..128) bytes at $p into the chaining value at STATE_PTR,
// with counter $t and final flag $last (0 or -1); byte 0 becomes $prefix if it is >= 0.
function scalarBlock() {
  const word = (j) => `(i64.load offset=${8 * j} (local.get $p))`;
  return `
      (if (i32.eq (local.get $n) (i32.const ${BLOCK_BYTES}))
        (then
${range(16)
  .map((j) => `          (local.set $m${j} ${word(j)})`)
  .join('\n')})
        (else
${range(16)
  .map((j) => `          (local.set $m${j} ${maskedWord(word(j), j)})`)
  .join('\n')}))
      (if (i32.ge_s (local.get $prefix) (i32.const 0))
        (then (local.set $m0 (i64.or (i64.and (local.get $m0) (i64.const -256)) (i64.extend_i32_u (local.get $prefix))))))
${range(8)
  .map((i) => `      (local.set $v${i} (i64.load offset=${8 * i} (i32.const ${STATE_PTR})))`)
  .join('\n')}
${range(8)
  .map((i) => `      (local.set $v${i + 8} (i64.const ${hex64(IV[i])}))`)
  .join('\n')}
      (local.set $v12 (i64.xor (local.get $v12) (local.get $t)))
      (local.set $v14 (i64.xor (local.get $v14) (local.get $last)))
${gStepsScalar('v', (i) => `(local.get $m${i})`).join('\n')}
${range(8)
  .map(
    (i) =>
      `      (i64.store offset=${8 * i} (i32.const ${STATE_PTR}) (i64.xor (i64.load offset=${8 * i} (i32.const ${STATE_PTR})) (i64.xor (local.get $v${i}) (local.get $v${i + 8}))))`,
  )
  .join('\n')}`;
}

// As scalarBlock for two messages at $a and $b (lanes 0 and 1), chaining values at STATE2_PTR.
// Word pairs are interleaved with one shuffle each; both messages have the same $n. Byte 0
// becomes the prefix through m0 = (m0 & $keep) | $put.
function pairBlock() {
  const lo = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
  const hi = '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
  const interleave = range(8)
    .map(
      (k) => `          (local.set $x (v128.load offset=${16 * k} (local.get $a)))
          (local.set $y (v128.load offset=${16 * k} (local.get $b)))
          (local.set $m${2 * k} (i8x16.shuffle ${lo} (local.get $x) (local.get $y)))
          (local.set $m${2 * k + 1} (i8x16.shuffle ${hi} (local.get $x) (local.get $y)))`,
    )
    .join('\n');
  const mask = (j) =>
    `(local.set $m${j} (v128.and (local.get $m${j}) (i64x2.splat ${maskedWord('(i64.const -1)', j)})))`;
  return `
${interleave}
      (if (i32.lt_u (local.get $n) (i32.const ${BLOCK_BYTES}))
        (then
${range(16)
  .map((j) => `          ${mask(j)}`)
  .join('\n')}))
      (local.set $m0 (v128.or (v128.and (local.get $m0) (local.get $keep)) (local.get $put)))
${range(8)
  .map((i) => `      (local.set $v${i} (v128.load offset=${16 * i} (i32.const ${STATE2_PTR})))`)
  .join('\n')}
${range(8)
  .map((i) => `      (local.set $v${i + 8} (v128.const i64x2 ${hex64(IV[i])} ${hex64(IV[i])}))`)
  .join('\n')}
      (local.set $v12 (v128.xor (local.get $v12) (i64x2.splat (local.get $t))))
      (local.set $v14 (v128.xor (local.get $v14) (i64x2.splat (local.get $last))))
${gStepsSimd('v', (i) => `(local.get $m${i})`).join('\n')}
${range(8)
  .map(
    (i) =>
      `      (v128.store offset=${16 * i} (i32.const ${STATE2_PTR}) (v128.xor (v128.load offset=${16 * i} (i32.const ${STATE2_PTR})) (v128.xor (local.get $v${i}) (local.get $v${i + 8}))))`,
  )
  .join('\n')}`;
}

// The block loop shared by both kernels: blocks of min($rem, 128) bytes from $p (and $b), the
// last one flagged when $final is set; a non-final run stops when its whole blocks are used up.
function blockLoop(body, advance) {
  return `
    (block $done
      (loop $blocks
        (br_if $done (i32.and (i32.eqz (local.get $final)) (i32.le_s (local.get $rem) (i32.const 0))))
        (local.set $n (select (local.get $rem) (i32.const ${BLOCK_BYTES}) (i32.lt_s (local.get $rem) (i32.const ${BLOCK_BYTES}))))
        (local.set $t (i64.add (local.get $t) (i64.extend_i32_u (local.get $n))))
        (local.set $last (i64.extend_i32_s (i32.sub (i32.const 0)
          (i32.and (local.get $final) (i32.le_s (local.get $rem) (i32.const ${BLOCK_BYTES}))))))
${body}
${advance}
        (local.set $rem (i32.sub (local.get $rem) (i32.const ${BLOCK_BYTES})))
        (br_if $blocks (i64.eqz (local.get $last)))))`;
}

function hashScalar() {
  const h0 = IV[0] ^ PARAM_WORD0;
  return `
  ;; Absorbs $rem bytes at $p into the chaining value and counter kept at STATE_PTR and
  ;; STREAM_T_PTR; with $final the last block (possibly empty) is flagged, without it $rem must be
  ;; a multiple of 128. Byte 0 of the first block is replaced by $prefix if it is >= 0.
  (func $absorb (param $prefix i32) (param $p i32) (param $rem i32) (param $final i32)
    ${localsDecl('v', 'i64', 16)}
    ${localsDecl('m', 'i64', 16)}
    (local $n i32) (local $r i32) (local $t i64) (local $last i64)
    (local.set $t (i64.load (i32.const ${STREAM_T_PTR})))
${blockLoop(
  scalarBlock(),
  `        (local.set $prefix (i32.const -1))
        (local.set $p (i32.add (local.get $p) (i32.const ${BLOCK_BYTES})))`,
)}
    (i64.store (i32.const ${STREAM_T_PTR}) (local.get $t)))

  (func $init
    (i64.store offset=0 (i32.const ${STATE_PTR}) (i64.const ${hex64(h0)}))
${range(7)
  .map(
    (i) =>
      `    (i64.store offset=${8 * (i + 1)} (i32.const ${STATE_PTR}) (i64.const ${hex64(IV[i + 1])}))`,
  )
  .join('\n')}
    (i64.store (i32.const ${STREAM_T_PTR}) (i64.const 0)))

  (func $digest_to (param $out i32)
${range(4)
  .map(
    (i) =>
      `    (i64.store offset=${8 * i} (local.get $out) (i64.load offset=${8 * i} (i32.const ${STATE_PTR})))`,
  )
  .join('\n')})

  ;; out[0..32) = H(prefix ‖ src[0..len)), or H(src[0..len)) when $prefix < 0. The prefix byte
  ;; takes the place of the byte before src, which the first block is read from.
  (func $hash_message (param $prefix i32) (param $src i32) (param $len i32) (param $out i32)
    (local $has i32)
    (local.set $has (i32.ge_s (local.get $prefix) (i32.const 0)))
    (call $init)
    (call $absorb (local.get $prefix) (i32.sub (local.get $src) (local.get $has))
      (i32.add (local.get $len) (local.get $has)) (i32.const 1))
    (call $digest_to (local.get $out)))`;
}

function hashPair() {
  const h0 = IV[0] ^ PARAM_WORD0;
  return `
  ;; out_a = H(prefix ‖ a[0..len)) and out_b = H(prefix ‖ b[0..len)), computed together ($prefix
  ;; >= 0). Outputs are written only after every input byte has been read (the in-place
  ;; merkle_reduce_simd relies on it).
  (func $hash_pair (param $prefix i32) (param $a i32) (param $b i32) (param $len i32) (param $out_a i32) (param $out_b i32)
    ${localsDecl('v', 'v128', 16)}
    ${localsDecl('m', 'v128', 16)}
    (local $x v128) (local $y v128) (local $keep v128) (local $put v128) (local $final i32) (local $rem i32)
    (local $n i32) (local $r i32) (local $t i64) (local $last i64)
    (v128.store (i32.const ${STATE2_PTR}) (v128.const i64x2 ${hex64(h0)} ${hex64(h0)}))
${range(7)
  .map(
    (i) =>
      `    (v128.store offset=${16 * (i + 1)} (i32.const ${STATE2_PTR}) (v128.const i64x2 ${hex64(IV[i + 1])} ${hex64(IV[i + 1])}))`,
  )
  .join('\n')}
    (local.set $keep (v128.const i64x2 -256 -256))
    (local.set $put (i64x2.splat (i64.extend_i32_u (local.get $prefix))))
    (local.set $final (i32.const 1))
    (local.set $rem (i32.add (local.get $len) (i32.const 1)))
    (local.set $a (i32.sub (local.get $a) (i32.const 1)))
    (local.set $b (i32.sub (local.get $b) (i32.const 1)))
${blockLoop(
  pairBlock(),
  `        (local.set $keep (v128.const i64x2 -1 -1))
        (local.set $put (v128.const i64x2 0 0))
        (local.set $a (i32.add (local.get $a) (i32.const ${BLOCK_BYTES})))
        (local.set $b (i32.add (local.get $b) (i32.const ${BLOCK_BYTES})))`,
)}
${range(4)
  .map(
    (i) => `    (local.set $x (v128.load offset=${16 * i} (i32.const ${STATE2_PTR})))
    (i64.store offset=${8 * i} (local.get $out_a) (i64x2.extract_lane 0 (local.get $x)))
    (i64.store offset=${8 * i} (local.get $out_b) (i64x2.extract_lane 1 (local.get $x)))`,
  )
  .join('\n')})`;
}

/**
 * One-block pair kernels for the two message shapes that make up nearly all hashes at small
 * symbol sizes (a 1 MiB blob at n = 1000: 10^6 leaves of 7 bytes, 2·10^6 inner nodes): `words`
 * message words are loaded and the rest are known to be zero, so their additions are dropped and,
 * more importantly, they hold no registers: the general pair kernel keeps 16 message words live
 * beside the 16 state words and spills; with one message word live (short leaves) the state nearly
 * fits V8's 16 vector registers. The state starts from constants (one block, final).
 *  - $hash_pair_short: H(prefix ‖ x) for |x| ≤ 7, t = |x| + 1 bytes (one masked word);
 *  - $hash_pair_node: H(0x01 ‖ left ‖ right), 65 bytes (nine words, the ninth one byte).
 */
function pairOneBlock(name, words, params, wordMask, preamble = '') {
  const h0 = IV[0] ^ PARAM_WORD0;
  const h = [h0, ...IV.slice(1)];
  const loadPair = (j) =>
    `(v128.load64_lane 1 (i32.sub (local.get $b) (i32.const ${1 - 8 * j})) (v128.load64_zero (i32.sub (local.get $a) (i32.const ${1 - 8 * j}))))`;
  const messageLines = range(words).map((j) => {
    const pair = loadPair(j);
    const masked = wordMask(j) === null ? pair : `(v128.and ${pair} ${wordMask(j)})`;
    return j === 0
      ? `    (local.set $m0 (v128.or (v128.and ${masked} (v128.const i64x2 -256 -256)) (i64x2.splat (i64.extend_i32_u (local.get $prefix)))))`
      : `    (local.set $m${j} ${masked})`;
  });
  return `
  (func $${name} ${params} (param $out_a i32) (param $out_b i32)
    ${localsDecl('v', 'v128', 16)}
    ${localsDecl('m', 'v128', words)}${preamble}
${messageLines.join('\n')}
${range(8)
  .map((i) => `    (local.set $v${i} (v128.const i64x2 ${hex64(h[i])} ${hex64(h[i])}))`)
  .join('\n')}
${range(8)
  .map((i) => `    (local.set $v${i + 8} (v128.const i64x2 ${hex64(IV[i])} ${hex64(IV[i])}))`)
  .join('\n')}
    (local.set $v12 (v128.xor (local.get $v12) (i64x2.splat (i64.extend_i32_u (local.get $t)))))
    (local.set $v14 (v128.not (local.get $v14)))
${gStepsSimd('v', (i) => (i < words ? `(local.get $m${i})` : null)).join('\n')}
${range(4)
  .map(
    (
      i,
    ) => `    (local.set $v${i} (v128.xor (v128.const i64x2 ${hex64(h[i])} ${hex64(h[i])}) (v128.xor (local.get $v${i}) (local.get $v${i + 8}))))
    (i64.store offset=${8 * i} (local.get $out_a) (i64x2.extract_lane 0 (local.get $v${i})))
    (i64.store offset=${8 * i} (local.get $out_b) (i64x2.extract_lane 1 (local.get $v${i})))`,
  )
  .join('\n')})`;
}

/** Bytes of a message that fit the one-word short-leaf kernel, prefix included. */
const SHORT_MESSAGE_BYTES_MAX = 8;

function pairOneBlockKernels() {
  // Short: the word's first $t bytes (1..8); t = 8 keeps all of them.
  const shortMask = () =>
    `(i64x2.splat (select (i64.const -1) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $t) (i32.const 3)))) (i64.const 1)) (i32.ge_u (local.get $t) (i32.const 8))))`;
  // Node: words 0..7 whole, word 8 holds only the 65th byte.
  const nodeMask = (j) => (j === 8 ? '(v128.const i64x2 255 255)' : null);
  return [
    pairOneBlock(
      'hash_pair_short',
      1,
      '(param $prefix i32) (param $a i32) (param $b i32) (param $t i32)',
      shortMask,
    ),
    pairOneBlock(
      'hash_pair_node',
      9,
      '(param $a i32) (param $b i32)',
      nodeMask,
      `
    (local $prefix i32) (local $t i32)
    (local.set $prefix (i32.const 1))
    (local.set $t (i32.const ${1 + 2 * DIGEST_BYTES}))`,
    ),
  ].join('\n');
}

function batchScalar() {
  return `
  ;; Digest i of H(prefix ‖ src[i*size, +size)) at out + stride*i, for i < count (prefix < 0: none).
  (func (export "hash_symbols") (param $prefix i32) (param $src i32) (param $size i32) (param $count i32) (param $out i32) (param $stride i32)
    (block $done
      (loop $each
        (br_if $done (i32.eqz (local.get $count)))
        (call $hash_message (local.get $prefix) (local.get $src) (local.get $size) (local.get $out))
        (local.set $src (i32.add (local.get $src) (local.get $size)))
        (local.set $out (i32.add (local.get $out) (local.get $stride)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $each))))

  ;; Replaces the $count nodes at $ptr by the nodes $levels levels up, in place: per level an odd
  ;; count gets the literal zero node appended, then pair i becomes H(0x01 ‖ left ‖ right) at
  ;; node i. Parent i is written over bytes that pair i and earlier pairs have already been read
  ;; from. Returns the remaining node count.
  (func (export "merkle_reduce") (param $ptr i32) (param $count i32) (param $levels i32) (result i32)
    (local $i i32)
    (block $done
      (loop $level
        (br_if $done (i32.eqz (local.get $levels)))
        (call $pad_odd (local.get $ptr) (local.get $count))
        (local.set $count (i32.shr_u (i32.add (local.get $count) (i32.const 1)) (i32.const 1)))
        (local.set $i (i32.const 0))
        (block $level_done
          (loop $pair
            (br_if $level_done (i32.ge_u (local.get $i) (local.get $count)))
            (call $hash_message (i32.const 1) (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 6))) (i32.const 64)
              (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 5))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pair)))
        (local.set $levels (i32.sub (local.get $levels) (i32.const 1)))
        (br $level)))
    (local.get $count))

  (func $pad_odd (param $ptr i32) (param $count i32)
    (local $end i32)
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $count) (i32.const 5))))
${range(4)
  .map((i) => `        (i64.store offset=${8 * i} (local.get $end) (i64.const 0))`)
  .join('\n')})))`;
}

function batchSimd() {
  // Address of the children of parent i + k (64 bytes each) and of parent i + k (32 bytes).
  const node = (k, log2Bytes) =>
    `(i32.add (local.get $ptr) (i32.shl (i32.add (local.get $i) (i32.const ${k})) (i32.const ${log2Bytes})))`;
  const left = (k) => node(k, 6);
  const parent = (k) => node(k, 5);
  return `
  ;; As hash_symbols (prefix >= 0 only), two messages at a time.
  (func (export "hash_symbols_simd") (param $prefix i32) (param $src i32) (param $size i32) (param $count i32) (param $out i32) (param $stride i32)
    (local $next i32)
    (block $done
      (loop $each
        (br_if $done (i32.lt_u (local.get $count) (i32.const 2)))
        (local.set $next (i32.add (local.get $src) (local.get $size)))
        (if (i32.lt_u (local.get $size) (i32.const ${SHORT_MESSAGE_BYTES_MAX}))
          (then (call $hash_pair_short (local.get $prefix) (local.get $src) (local.get $next)
            (i32.add (local.get $size) (i32.const 1)) (local.get $out) (i32.add (local.get $out) (local.get $stride))))
          (else (call $hash_pair (local.get $prefix) (local.get $src) (local.get $next) (local.get $size)
            (local.get $out) (i32.add (local.get $out) (local.get $stride)))))
        (local.set $src (i32.add (local.get $next) (local.get $size)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $stride) (i32.const 1))))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $each)))
    (if (local.get $count)
      (then
        (if (i32.lt_u (local.get $size) (i32.const ${SHORT_MESSAGE_BYTES_MAX}))
          (then (call $hash_pair_short (local.get $prefix) (local.get $src) (local.get $src)
            (i32.add (local.get $size) (i32.const 1)) (local.get $out) (i32.const ${DISCARD_PTR})))
          (else (call $hash_pair (local.get $prefix) (local.get $src) (local.get $src) (local.get $size)
            (local.get $out) (i32.const ${DISCARD_PTR})))))))

  ;; As merkle_reduce, two parents at a time. Parents i and i+1 overwrite bytes [32i, 32i+64),
  ;; which pairs up to i+1 have been read from already.
  (func (export "merkle_reduce_simd") (param $ptr i32) (param $count i32) (param $levels i32) (result i32)
    (local $i i32)
    (block $done
      (loop $level
        (br_if $done (i32.eqz (local.get $levels)))
        (call $pad_odd (local.get $ptr) (local.get $count))
        (local.set $count (i32.shr_u (i32.add (local.get $count) (i32.const 1)) (i32.const 1)))
        (local.set $i (i32.const 0))
        (block $level_done
          (loop $pair
            (br_if $level_done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $count)))
            (call $hash_pair_node ${left(0)} ${left(1)} ${parent(0)} ${parent(1)})
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pair)))
        (if (i32.lt_u (local.get $i) (local.get $count))
          (then (call $hash_pair_node ${left(0)} ${left(0)} ${parent(0)} (i32.const ${DISCARD_PTR}))))
        (local.set $levels (i32.sub (local.get $levels) (i32.const 1)))
        (br $level)))
    (local.get $count))`;
}

function gather() {
  return `
  ;; gather(src, stride, count, dst): the 32-byte nodes at src + stride*i, for i < count, to
  ;; dst + 32*i (a tree's leaves out of a LeafTable into the merkle_reduce workspace).
  (func (export "gather") (param $src i32) (param $stride i32) (param $count i32) (param $dst i32)
    (block $done
      (loop $each
        (br_if $done (i32.eqz (local.get $count)))
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (local.get $stride)))
        (local.set $dst (i32.add (local.get $dst) (i32.const ${DIGEST_BYTES})))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $each))))`;
}

function streaming() {
  return `
  ;; Streaming interface for messages larger than the input region: stream_init, then
  ;; stream_blocks for whole blocks that are known not to be the last, then stream_finish with the
  ;; final 0..128 bytes (0 only for the empty message).
  (func (export "stream_init")
    (call $init))

  (func (export "stream_blocks") (param $src i32) (param $blocks i32)
    (call $absorb (i32.const -1) (local.get $src) (i32.mul (local.get $blocks) (i32.const ${BLOCK_BYTES})) (i32.const 0)))

  (func (export "stream_finish") (param $src i32) (param $len i32) (param $out i32)
    (call $absorb (i32.const -1) (local.get $src) (local.get $len) (i32.const 1))
    (call $digest_to (local.get $out)))`;
}

function layoutGlobals() {
  const g = (name, value) => `  (global (export "${name}") i32 (i32.const ${value}))`;
  return [
    g('input_ptr', INPUT_PTR),
    g('input_bytes', INPUT_BYTES),
    g('output_ptr', OUTPUT_PTR),
    g('output_digests_max', OUTPUT_DIGESTS_MAX),
    g('table_ptr', TABLE_PTR),
    g('table_bytes', TABLE_BYTES),
  ].join('\n');
}

export function generateBlake2bWat() {
  return `;; GENERATED by scripts/gen-blake2b-wat.mjs: edit the generator, not this file.
;; BLAKE2b-256 (unkeyed, digest_length 32) kernels for Merkle trees; the generator explains them.
;; Memory: ${MEMORY_PAGES} fixed pages; input region [${INPUT_PTR}, +${INPUT_BYTES}),
;; output region [${OUTPUT_PTR}, +${OUTPUT_BYTES}), leaf table [${TABLE_PTR}, +${TABLE_BYTES}).
(module
  (memory (export "memory") ${MEMORY_PAGES} ${MEMORY_PAGES})
${layoutGlobals()}
${hashScalar()}
${hashPair()}
${pairOneBlockKernels()}
${batchScalar()}
${batchSimd()}
${gather()}
${streaming()}
)
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outPath = process.argv[2] ?? OUT_PATH_DEFAULT;
  writeFileSync(outPath, generateBlake2bWat());
  console.log(`wrote ${outPath}`);
}
