#!/usr/bin/env node
// Generates core/wasm/gf16.wat: WebAssembly SIMD kernels for the additive FFT of the Reed–Solomon
// code (docs/spec/encoding.md §4.4, core/encoding/fft-kernel.ts). The multiply-by-a-constant step is
// unrolled here, in a script, and the .wat is kept in the repo so a diff shows the real kernel.
//
// Technique (that of reed-solomon-simd's SSSE3/Neon engines): multiplying by a fixed element
// g^L is GF(2)-linear in the 16 bits of the stored value, so
//   v · g^L = T0[v & 15] ^ T1[(v >> 4) & 15] ^ T2[(v >> 8) & 15] ^ T3[v >> 12]
// where Tk[n] is the product of the nibble n placed at bit 4k. Each Tk is split into a table of
// low bytes and one of high bytes, 16 bytes each, so one i8x16.swizzle looks up 16 elements.
// The work matrix keeps u16 elements interleaved (as the JS side stores them); 16 elements are two
// v128s whose low and high bytes are separated with an unzip shuffle and merged back with a zip
// shuffle (V8 turns both into one or two instructions).
//
// Per butterfly group the factor is fixed, so the eight tables are built once per group (16 scalar
// log/exp lookups and SIMD masking, no memory stores) and held in locals for dist·width elements.
// The a and b halves of a group are each contiguous ((pos + r)·width and (pos + r + dist)·width,
// dist·width elements), so each group is a single loop with a single tail.
//
// Measured (bench/rs-kernel.ts, 2-vCPU EPYC VM, Node 20): one encode of a 1024-element-wide batch
// of the (667, 333) code takes 1.5 ms, against 19 ms for the scalar JS loop: ~0.3 ns per
// element-butterfly, close to the cost of the ~45 vector instructions per 16 elements, so two-layer
// (radix-4) butterflies, which save loads and stores but no arithmetic, were not tried.
//
// Usage: node scripts/gen-gf16-wat.mjs [output path]   (deterministic; no inputs)
// Over 400 lines: it writes one WAT module, whose kernels share the butterfly and shuffle macros.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_PATH_DEFAULT = join(REPO_DIR, 'core', 'wasm', 'gf16.wat');

const PAGE_BYTES = 65_536;
const GF_SIZE = 65_536;
/** Log of zero in LOG and "skip the multiply" in SKEW. */
const GF_ORDER = 65_535;

// Memory layout, of fixed size (no growth, so JS views never detach). The JS side copies the
// LOG/EXP/SKEW tables of core/encoding/gf16.ts in at instantiation, and work matrices (or column
// slices of them) into the work region for each transform.
const LOG_PTR = 0;
const EXP_PTR = LOG_PTR + 2 * GF_SIZE;
const SKEW_PTR = EXP_PTR + 2 * GF_SIZE; // 65 535 entries; the last slot is padding
const WORK_PTR = SKEW_PTR + 2 * GF_SIZE;
/** 4 MiB holds the 1024-shard × 1024-element work matrices of n = 1000 blob encoding in one go. */
const WORK_BYTES = 4 << 20;
/** Where symbol bytes are copied in before conversion to elements, and out after; longer runs
 *  go through in pieces (copies of 1 MiB are as fast per byte as larger ones). */
const STAGING_PTR = WORK_PTR + WORK_BYTES;
const STAGING_BYTES = 1 << 20;
/** The converters read up to 16 bytes past a symbol or element run (and mask what they read):
 *  slack after the last region keeps those reads in memory. */
const SLACK_BYTES = 64;
const MEMORY_PAGES = Math.ceil((STAGING_PTR + STAGING_BYTES + SLACK_BYTES) / PAGE_BYTES);

/** Groups with fewer elements than this skip the table build (~110 ops) and go scalar. Narrow
 *  encodes (width 1..24, as for generator columns) were ~10-25% faster with 32 than with 8 or
 *  16, and no faster with 64. */
const TABLE_ELEMENTS_MIN = 32;

if (WORK_PTR % 16 !== 0) throw new Error('the work region must be 16-byte aligned');
if (STAGING_PTR % 16 !== 0) throw new Error('the staging region must be 16-byte aligned');

const range = (n) => Array.from({ length: n }, (_, i) => i);
const bytes = (values) => values.join(' ');
const UNZIP_LOW = bytes(range(16).map((i) => 2 * i));
const UNZIP_HIGH = bytes(range(16).map((i) => 2 * i + 1));
const ZIP_FIRST = bytes(range(8).flatMap((i) => [i, 16 + i]));
const ZIP_SECOND = bytes(range(8).flatMap((i) => [8 + i, 24 + i]));
/** Bytes 8..15 then 0..7: the upper half of a vector moved down. */
const SWAP_HALVES = bytes([...range(8).map((i) => 8 + i), ...range(8)]);
/** The 8 low bytes of 8 elements, then their 8 high bytes (only the first operand is read). */
const UNZIP_HALVES = bytes([...range(8).map((i) => 2 * i), ...range(8).map((i) => 2 * i + 1)]);
/** NIBBLE_BIT_MASK[b]: byte n is 0xff when bit b of n is set (the table builder's selectors). */
const NIBBLE_BIT_MASK = range(4).map((b) => bytes(range(16).map((n) => ((n >> b) & 1 ? 0xff : 0))));
const NIBBLE_MASK = bytes(range(16).map(() => 15));

// Tiny s-expression helpers, so that the kernels below read as expressions.
const op = (name, ...args) => `(${name} ${args.join(' ')})`;
const get = (name) => `(local.get $${name})`;
const set = (name, value) => `(local.set $${name} ${value})`;
const i32 = (value) => `(i32.const ${value})`;
const add = (a, b) => op('i32.add', a, b);
/** Byte offset of `count` u16 elements. */
const elementBytes = (count) => op('i32.shl', count, i32(1));
const indent = (lines, depth) => lines.map((line) => `${'  '.repeat(depth)}${line}`).join('\n');
/** A `while (!exit) { body }` loop at `depth`; `exit` is an i32 expression, `body` lines. */
const whileNot = (label, exit, body, depth) =>
  indent(
    [
      `(block $${label}Done`,
      `  (loop $${label}`,
      `    (br_if $${label}Done ${exit})`,
      ...body.flatMap((line) => line.split('\n')).map((line) => `    ${line}`),
      `    (br $${label})))`,
    ],
    depth,
  );

const TABLES = ['t0l', 't1l', 't2l', 't3l', 't0h', 't1h', 't2h', 't3h'];
const VECTOR_LOCALS = [
  ...TABLES,
  'mask',
  'b0',
  'b1',
  'a0',
  'a1',
  'lo',
  'hi',
  'n0',
  'n1',
  'n2',
  'n3',
  'pl',
  'ph',
  'm0',
  'm1',
];
const SCALAR_LOCALS = ['q0', 'q1', 'q2', 'q3', 's', 'x', 'end'];
const locals = (names, type) => names.map((name) => `(local $${name} ${type})`).join(' ');

/** (sum + (sum >> 16)) & 0xffff: the ones'-complement add of gf16.ts addMod; `sum` is a local. */
const addModOf = (sum) =>
  op('i32.and', add(get(sum), op('i32.shr_u', get(sum), i32(16))), i32(0xffff));
/** EXP[i] and LOG[i] for an element index expression. */
const expAt = (index) => `(i32.load16_u offset=${EXP_PTR} ${elementBytes(index)})`;
const logAt = (index) => `(i32.load16_u offset=${LOG_PTR} ${elementBytes(index)})`;

/** Sets the eight table locals (and the nibble mask) for the factor g^$L. */
function buildTables() {
  const lines = [];
  for (let k = 0; k < 4; k++) {
    for (let b = 0; b < 4; b++) {
      // q_b = (1 << (4k + b)) · g^L; LOG of the basis value is read at a constant address.
      const basisLog = `(i32.load16_u ${i32(LOG_PTR + 2 * (1 << (4 * k + b)))})`;
      lines.push(set('s', add(basisLog, get('L'))), set(`q${b}`, expAt(addModOf('s'))));
    }
    for (const [half, shift] of [
      ['l', 0],
      ['h', 8],
    ]) {
      const [t0, t1, t2, t3] = range(4).map((b) =>
        op(
          'v128.and',
          op('i8x16.splat', op('i32.shr_u', get(`q${b}`), i32(shift))),
          `(v128.const i8x16 ${NIBBLE_BIT_MASK[b]})`,
        ),
      );
      const table = op('v128.xor', op('v128.xor', t0, t1), op('v128.xor', t2, t3));
      lines.push(set(`t${k}${half}`, table));
    }
  }
  lines.push(set('mask', `(v128.const i8x16 ${NIBBLE_MASK})`));
  return lines;
}

/** Sets m0 (and m1 unless `single`) to the products of b0 (and b1) with the tabled factor. */
function multiply(single) {
  const second = get(single ? 'b0' : 'b1');
  const lookup = (half) => {
    const [s0, s1, s2, s3] = range(4).map((k) =>
      op('i8x16.swizzle', get(`t${k}${half}`), get(`n${k}`)),
    );
    return op('v128.xor', op('v128.xor', s0, s1), op('v128.xor', s2, s3));
  };
  const lines = [
    set('lo', `(i8x16.shuffle ${UNZIP_LOW} ${get('b0')} ${second})`),
    set('hi', `(i8x16.shuffle ${UNZIP_HIGH} ${get('b0')} ${second})`),
    // A 16-bit shift then the nibble mask: wasm's byte shift is emulated by V8 less cheaply.
    set('n0', op('v128.and', get('lo'), get('mask'))),
    set('n1', op('v128.and', op('i16x8.shr_u', get('lo'), i32(4)), get('mask'))),
    set('n2', op('v128.and', get('hi'), get('mask'))),
    set('n3', op('v128.and', op('i16x8.shr_u', get('hi'), i32(4)), get('mask'))),
    set('pl', lookup('l')),
    set('ph', lookup('h')),
    set('m0', `(i8x16.shuffle ${ZIP_FIRST} ${get('pl')} ${get('ph')})`),
  ];
  if (!single) lines.push(set('m1', `(i8x16.shuffle ${ZIP_SECOND} ${get('pl')} ${get('ph')})`));
  return lines;
}

/**
 * One butterfly step on 16 (or 8 when `single`) elements at $ap and $bp.
 * kind 'fft': a ^= b·F; b ^= a.   kind 'ifft': b ^= a; a ^= b·F.   kind 'muladd': a ^= b·F.
 */
function vectorStep(kind, single) {
  const vectors = single ? [0] : [0, 1];
  const load = (pointer, i) => `(v128.load offset=${16 * i} ${get(pointer)})`;
  const store = (pointer, i, value) => `(v128.store offset=${16 * i} ${get(pointer)} ${value})`;
  const lines = [];
  for (const i of vectors) lines.push(set(`b${i}`, load('bp', i)), set(`a${i}`, load('ap', i)));
  if (kind === 'ifft') {
    for (const i of vectors) {
      lines.push(set(`b${i}`, op('v128.xor', get(`b${i}`), get(`a${i}`))));
      lines.push(store('bp', i, get(`b${i}`)));
    }
  }
  lines.push(...multiply(single));
  for (const i of vectors) {
    lines.push(set(`a${i}`, op('v128.xor', get(`a${i}`), get(`m${i}`))));
    lines.push(store('ap', i, get(`a${i}`)));
    if (kind === 'fft') lines.push(store('bp', i, op('v128.xor', get(`b${i}`), get(`a${i}`))));
  }
  return lines;
}

/** One element at $ap/$bp, scalar, through LOG/EXP (a zero b multiplies to zero). */
function scalarStep(kind) {
  const a = '(i32.load16_u (local.get $ap))';
  const b = '(i32.load16_u (local.get $bp))';
  const mulAddX = [
    `(if ${get('x')} (then`,
    `  ${set('s', add(logAt(get('x')), get('L')))}`,
    `  (i32.store16 ${get('ap')} ${op('i32.xor', a, expAt(addModOf('s')))})))`,
  ];
  if (kind === 'fft') {
    return [set('x', b), ...mulAddX, `(i32.store16 ${get('bp')} (i32.xor ${get('x')} ${a}))`];
  }
  if (kind === 'ifft') {
    return [set('x', op('i32.xor', b, a)), `(i32.store16 ${get('bp')} ${get('x')})`, ...mulAddX];
  }
  return [set('x', b), ...mulAddX];
}

/** Advances $ap and $bp by `stepBytes`. */
const advance = (stepBytes) => [
  set('ap', add(get('ap'), i32(stepBytes))),
  set('bp', add(get('bp'), i32(stepBytes))),
];

/**
 * $KIND_group(ap, bp, count, L): the butterfly (or multiply-add into a) of `count` element pairs
 * a = [ap, +count), b = [bp, +count) with the factor of log L (never 65535 here): 16 elements per
 * step, then one 8-element step, then scalar for the last 0..7 (or all, for small groups).
 */
function groupFunction(kind) {
  const pastEnd = op('i32.ge_u', get('ap'), get('end'));
  return `
  (func $${kind}_group (param $ap i32) (param $bp i32) (param $count i32) (param $L i32)
    ${locals(VECTOR_LOCALS, 'v128')}
    ${locals(SCALAR_LOCALS, 'i32')}
    (if (i32.ge_u ${get('count')} ${i32(TABLE_ELEMENTS_MIN)})
      (then
${indent(buildTables(), 4)}
        ${set('end', add(get('ap'), elementBytes(op('i32.and', get('count'), i32(-16)))))}
${whileNot('vectors16', pastEnd, [...vectorStep(kind, false), ...advance(32)], 4)}
        (if (i32.and ${get('count')} ${i32(8)})
          (then
${indent([...vectorStep(kind, true), ...advance(16)], 6)}))
        ${set('count', op('i32.and', get('count'), i32(7)))}))
    ${set('end', add(get('ap'), elementBytes(get('count'))))}
${whileNot('scalars', pastEnd, [...scalarStep(kind), ...advance(2)], 2)})`;
}

/** The FFT (dist halving) or IFFT (dist doubling) driver over shards [pos, pos + size). */
function transformFunction(kind) {
  const forward = kind === 'fft';
  const skewIndex = op('i32.sub', add(add(get('r'), get('dist')), get('delta')), i32(1));
  const bp = add(get('ap'), elementBytes(get('count')));
  const groups = [
    set('L', `(i32.load16_u offset=${SKEW_PTR} ${elementBytes(skewIndex)})`),
    set(
      'ap',
      add(get('work'), elementBytes(op('i32.mul', add(get('pos'), get('r')), get('width')))),
    ),
    `(if (i32.eq ${get('L')} ${i32(GF_ORDER)})`,
    '  ;; A skew of "zero" means the multiplication is skipped, never mul(x, 65535).',
    `  (then (call $xor_into ${bp} ${get('ap')} ${get('count')}))`,
    `  (else (call $${kind}_group ${get('ap')} ${bp} ${get('count')} ${get('L')})))`,
    set('r', add(get('r'), op('i32.shl', get('dist'), i32(1)))),
  ];
  const layers = [
    // Both halves of a group are contiguous runs of dist·width elements.
    set('count', op('i32.mul', get('dist'), get('width'))),
    set('r', i32(0)),
    whileNot('groups', op('i32.ge_u', get('r'), get('trunc')), groups, 0),
    set('dist', op(forward ? 'i32.shr_u' : 'i32.shl', get('dist'), i32(1))),
  ];
  const params = ['work', 'width', 'pos', 'size', 'trunc', 'delta'].map(
    (name) => `(param $${name} i32)`,
  );
  const layersDone = forward
    ? op('i32.eqz', get('dist'))
    : op('i32.ge_u', get('dist'), get('size'));
  return `
  ;; ${kind}(work, width, pos, size, trunc, delta): spec §4.4 on the shards of \`width\` elements
  ;; at byte address \`work\`; blocks from \`trunc\` on are not touched.
  (func (export "${kind}") ${params.join(' ')}
    ${locals(['dist', 'r', 'L', 'ap', 'count'], 'i32')}
    ${set('dist', forward ? op('i32.shr_u', get('size'), i32(1)) : i32(1))}
${whileNot('layers', layersDone, layers, 2)})`;
}

function xorIntoFunction() {
  const load = (pointer, i) => `(v128.load offset=${16 * i} ${get(pointer)})`;
  const xorVector = (i) =>
    `(v128.store offset=${16 * i} ${get('dst')} (v128.xor ${load('dst', i)} ${load('src', i)}))`;
  const advanceBoth = (stepBytes) => [
    set('dst', add(get('dst'), i32(stepBytes))),
    set('src', add(get('src'), i32(stepBytes))),
  ];
  const pastEnd = op('i32.ge_u', get('dst'), get('end'));
  return `
  ;; xor_into(dst, src, count): dst[i] ^= src[i] for \`count\` u16 elements (byte addresses).
  (func $xor_into (export "xor_into") (param $dst i32) (param $src i32) (param $count i32)
    (local $end i32)
    ${set('end', add(get('dst'), elementBytes(op('i32.and', get('count'), i32(-32)))))}
${whileNot('blocks64', pastEnd, [...range(4).map(xorVector), ...advanceBoth(64)], 2)}
    ${set('end', add(get('dst'), elementBytes(op('i32.and', get('count'), i32(31)))))}
${whileNot(
  'elements',
  pastEnd,
  [
    `(i32.store16 ${get('dst')} ` +
      `(i32.xor (i32.load16_u ${get('dst')}) (i32.load16_u ${get('src')})))`,
    ...advanceBoth(2),
  ],
  2,
)})`;
}

function mulAddRowsFunction() {
  const params = ['dst', 'src', 'rows', 'width', 'logs'].map((name) => `(param $${name} i32)`);
  return `
  ;; mul_add_rows(dst, src, rows, width, logs): dst ^= Σ_j src_j · g^logs[j] over \`width\`
  ;; elements, src_j the j-th of \`rows\` consecutive rows; a log of 65535 stands for zero.
  (func (export "mul_add_rows") ${params.join(' ')}
    (local $end i32) (local $L i32)
    ${set('end', add(get('logs'), elementBytes(get('rows'))))}
${whileNot(
  'rowsLoop',
  op('i32.ge_u', get('logs'), get('end')),
  [
    set('L', `(i32.load16_u ${get('logs')})`),
    `(if (i32.ne ${get('L')} ${i32(GF_ORDER)})`,
    `  (then (call $muladd_group ${get('dst')} ${get('src')} ${get('width')} ${get('L')})))`,
    set('src', add(get('src'), elementBytes(get('width')))),
    set('logs', add(get('logs'), i32(2))),
  ],
  2,
)})`;
}

/**
 * Stores the first `$rem` units (of `unitBytes` = 1 or 2 bytes; $rem < 8) of vector `vector` at
 * `$pointer`, low lanes first, by lane stores (advancing `$pointer`; the vector is shifted down).
 */
function partialStore(vector, pointer, unitBytes) {
  const widths = [4, 2, 1].map((units) => ({ units, bytes: units * unitBytes }));
  return widths.map(({ units, bytes }) => {
    const store = `(v128.store${8 * bytes}_lane 0 ${get(pointer)} ${get(vector)})`;
    const shift =
      bytes === 8
        ? set(vector, `(i8x16.shuffle ${SWAP_HALVES} ${get(vector)} ${get(vector)})`)
        : set(vector, `(i64x2.shr_u ${get(vector)} ${i32(8 * bytes)})`);
    return `  (if (i32.and ${get('rem')} ${i32(units)}) (then ${store} ${shift} ${set(pointer, add(get(pointer), i32(bytes)))}))`;
  });
}

/**
 * Byte ↔ element conversion of whole symbols (spec §4.1) between the staging region and the work
 * region, so the JS side never touches single elements: in a 64-byte block element i has its low
 * byte at i and its high byte at 32 + i (one zip or unzip shuffle per 8 or 16 elements); in the
 * T-byte tail (h = T/2 elements) at i and h + i, read 8 at a time with unaligned 8-byte loads. A
 * last partial vector is written with lane stores, so nothing past a symbol or element run
 * is written. These replace per-element JS loops that took a third of a 64 MiB encode.
 */
function converterFunctions() {
  const bump = (name, bytes) => set(name, add(get(name), bytes));
  return `
  ;; symbols_to_elements(src, size, count, srcStride, dst, dstStride): symbol i of \`size\` bytes at
  ;; src + i·srcStride becomes size/2 u16 elements at dst + i·dstStride (byte addresses).
  (func (export "symbols_to_elements") (param $src i32) (param $size i32) (param $count i32)
      (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (local $p i32) (local $q i32) (local $end i32) (local $h i32) (local $rem i32)
    (local $lo v128) (local $hi v128)
    ${set('h', op('i32.shr_u', op('i32.and', get('size'), i32(63)), i32(1)))}
${whileNot(
  'symbols',
  op('i32.eqz', get('count')),
  [
    set('p', get('src')),
    set('q', get('dst')),
    set('end', add(get('src'), op('i32.and', get('size'), i32(-64)))),
    whileNot(
      'blocks',
      op('i32.ge_u', get('p'), get('end')),
      [
        set('lo', '(v128.load (local.get $p))'),
        set('hi', '(v128.load offset=32 (local.get $p))'),
        `(v128.store (local.get $q) (i8x16.shuffle ${ZIP_FIRST} ${get('lo')} ${get('hi')}))`,
        `(v128.store offset=16 (local.get $q) (i8x16.shuffle ${ZIP_SECOND} ${get('lo')} ${get('hi')}))`,
        set('lo', '(v128.load offset=16 (local.get $p))'),
        set('hi', '(v128.load offset=48 (local.get $p))'),
        `(v128.store offset=32 (local.get $q) (i8x16.shuffle ${ZIP_FIRST} ${get('lo')} ${get('hi')}))`,
        `(v128.store offset=48 (local.get $q) (i8x16.shuffle ${ZIP_SECOND} ${get('lo')} ${get('hi')}))`,
        bump('p', i32(64)),
        bump('q', i32(64)),
      ],
      0,
    ),
    set('rem', get('h')),
    whileNot(
      'tail',
      op('i32.lt_s', get('rem'), i32(8)),
      [
        set('lo', '(v128.load64_zero (local.get $p))'),
        set('hi', `(v128.load64_zero ${add(get('p'), get('h'))})`),
        `(v128.store (local.get $q) (i8x16.shuffle ${ZIP_FIRST} ${get('lo')} ${get('hi')}))`,
        bump('p', i32(8)),
        bump('q', i32(16)),
        set('rem', op('i32.sub', get('rem'), i32(8))),
      ],
      0,
    ),
    `(if ${get('rem')} (then`,
    `  ${set('lo', '(v128.load64_zero (local.get $p))')}`,
    `  ${set('hi', `(v128.load64_zero ${add(get('p'), get('h'))})`)}`,
    `  ${set('lo', `(i8x16.shuffle ${ZIP_FIRST} ${get('lo')} ${get('hi')})`)}`,
    ...partialStore('lo', 'q', 2),
    '))',
    bump('src', get('srcStride')),
    bump('dst', get('dstStride')),
    set('count', op('i32.sub', get('count'), i32(1))),
  ],
  2,
)})

  ;; elements_to_symbols(src, srcStride, count, size, dst, dstStride): the inverse; size/2 elements
  ;; at src + i·srcStride become the symbol of \`size\` bytes at dst + i·dstStride.
  (func (export "elements_to_symbols") (param $src i32) (param $srcStride i32) (param $count i32)
      (param $size i32) (param $dst i32) (param $dstStride i32)
    (local $p i32) (local $q i32) (local $end i32) (local $h i32) (local $rem i32)
    (local $e0 v128) (local $e1 v128) (local $x v128)
    ${set('h', op('i32.shr_u', op('i32.and', get('size'), i32(63)), i32(1)))}
${whileNot(
  'symbols',
  op('i32.eqz', get('count')),
  [
    set('p', get('src')),
    set('q', get('dst')),
    set('end', add(get('dst'), op('i32.and', get('size'), i32(-64)))),
    whileNot(
      'blocks',
      op('i32.ge_u', get('q'), get('end')),
      [
        set('e0', '(v128.load (local.get $p))'),
        set('e1', '(v128.load offset=16 (local.get $p))'),
        `(v128.store (local.get $q) (i8x16.shuffle ${UNZIP_LOW} ${get('e0')} ${get('e1')}))`,
        `(v128.store offset=32 (local.get $q) (i8x16.shuffle ${UNZIP_HIGH} ${get('e0')} ${get('e1')}))`,
        set('e0', '(v128.load offset=32 (local.get $p))'),
        set('e1', '(v128.load offset=48 (local.get $p))'),
        `(v128.store offset=16 (local.get $q) (i8x16.shuffle ${UNZIP_LOW} ${get('e0')} ${get('e1')}))`,
        `(v128.store offset=48 (local.get $q) (i8x16.shuffle ${UNZIP_HIGH} ${get('e0')} ${get('e1')}))`,
        bump('p', i32(64)),
        bump('q', i32(64)),
      ],
      0,
    ),
    set('rem', get('h')),
    whileNot(
      'tail',
      op('i32.lt_s', get('rem'), i32(8)),
      [
        set('x', `(i8x16.shuffle ${UNZIP_HALVES} (v128.load (local.get $p)) (local.get $x))`),
        '(v128.store64_lane 0 (local.get $q) (local.get $x))',
        `(v128.store64_lane 1 ${add(get('q'), get('h'))} (local.get $x))`,
        bump('p', i32(16)),
        bump('q', i32(8)),
        set('rem', op('i32.sub', get('rem'), i32(8))),
      ],
      0,
    ),
    `(if ${get('rem')} (then`,
    `  ${set('x', `(i8x16.shuffle ${UNZIP_HALVES} (v128.load (local.get $p)) (local.get $x))`)}`,
    `  ${set('e1', `(i8x16.shuffle ${SWAP_HALVES} ${get('x')} ${get('x')})`)}`,
    `  ${set('end', get('q'))}`,
    ...partialStore('x', 'q', 1),
    `  ${set('q', add(get('end'), get('h')))}`,
    ...partialStore('e1', 'q', 1),
    '))',
    bump('src', get('srcStride')),
    bump('dst', get('dstStride')),
    set('count', op('i32.sub', get('count'), i32(1))),
  ],
  2,
)})`;
}

/** Polynomial-basis values of the Cantor basis vectors (core/encoding/gf16.ts, spec §4.2). */
const CANTOR_BASIS = [
  0x0001, 0xacca, 0x3c0e, 0x163e, 0xc582, 0xed2e, 0x914c, 0x4012, 0x6c98, 0x10d8, 0x6a72, 0xb900,
  0xfdb8, 0xfb34, 0xff38, 0x991e,
];
const GF_POLYNOMIAL = 0x1002d;
const FIELD_BITS = 16;
/** init_tables' scratch in the work region (unused until the first transform): the polynomial
 *  log, the Cantor map, and the skew builder's 15 temporaries. */
const PLOG_PTR = WORK_PTR;
const CANTOR_PTR = PLOG_PTR + 2 * GF_SIZE;
const TEMP_PTR = CANTOR_PTR + 2 * GF_SIZE;

/**
 * init_tables(): LOG, EXP and SKEW built in place, exactly as core/encoding/gf16.ts builds them
 * (spec §4.2–4.3; tests compare both). The same loops in JS run mostly in the interpreter at
 * start-up and took ~175·10^6 instructions per thread (~50 ms); here they take a few million.
 */
function tableFunctions() {
  const u16 = (base, index) => `(i32.load16_u offset=${base} ${elementBytes(index)})`;
  const put = (base, index, value) =>
    `(i32.store16 offset=${base} ${elementBytes(index)} ${value})`;
  const temp = (index) => `(i32.load offset=${TEMP_PTR} (i32.shl ${index} (i32.const 2)))`;
  const putTemp = (index, value) =>
    `(i32.store offset=${TEMP_PTR} (i32.shl ${index} (i32.const 2)) ${value})`;
  const cantorLoops = CANTOR_BASIS.map(
    (basis, bit) => `    ;; φ(v | 2^${bit}) = φ(v) ^ CANTOR[${bit}]
    ${set('v', i32(0))}
${whileNot('cantor' + bit, op('i32.ge_u', get('v'), i32(1 << bit)), [put(CANTOR_PTR, op('i32.or', get('v'), i32(1 << bit)), op('i32.xor', u16(CANTOR_PTR, get('v')), i32(basis))), set('v', add(get('v'), i32(1)))], 2)}`,
  );
  return `
  ;; (a + b) mod 65535 in the ones'-complement style of gf16.ts addMod.
  (func $add_mod (param $a i32) (param $b i32) (result i32)
    (local $sum i32)
    ${set('sum', add(get('a'), get('b')))}
    ${addModOf('sum')})

  ;; x · g^l (0 stays 0), as gf16.ts buildSkew's mulLog.
  (func $mul_log (param $x i32) (param $l i32) (result i32)
    (if (result i32) (i32.eqz ${get('x')})
      (then ${i32(0)})
      (else ${u16(EXP_PTR, `(call $add_mod ${u16(LOG_PTR, get('x'))} ${get('l')})`)})))

  (func (export "init_tables")
    (local $i i32) (local $v i32) (local $state i32) (local $m i32) (local $j i32) (local $s i32) (local $step i32)
    ;; Powers of z in the polynomial basis.
    ${put(PLOG_PTR, i32(0), i32(GF_ORDER))}
    ${set('state', i32(1))}
${whileNot(
  'plog',
  op('i32.ge_u', get('i'), i32(GF_ORDER)),
  [
    put(PLOG_PTR, get('state'), get('i')),
    set('state', op('i32.shl', get('state'), i32(1))),
    `(if (i32.ge_u ${get('state')} ${i32(GF_SIZE)}) (then ${set('state', op('i32.xor', get('state'), i32(GF_POLYNOMIAL)))}))`,
    set('i', add(get('i'), i32(1))),
  ],
  2,
)}
    ${put(CANTOR_PTR, i32(0), i32(0))}
${cantorLoops.join('\n')}
    ;; LOG[v] = polynomial log of φ(v); EXP inverts it.
    ${set('v', i32(0))}
${whileNot(
  'logs',
  op('i32.ge_u', get('v'), i32(GF_SIZE)),
  [
    put(LOG_PTR, get('v'), u16(PLOG_PTR, u16(CANTOR_PTR, get('v')))),
    put(EXP_PTR, u16(LOG_PTR, get('v')), get('v')),
    set('v', add(get('v'), i32(1))),
  ],
  2,
)}
    ${put(EXP_PTR, i32(GF_ORDER), u16(EXP_PTR, i32(0)))}
    ;; SKEW (spec §4.3), then mapped through LOG.
    (memory.fill ${i32(SKEW_PTR)} ${i32(0)} ${i32(2 * GF_ORDER)})
    ${set('i', i32(0))}
${whileNot(
  'temps',
  op('i32.ge_u', get('i'), i32(FIELD_BITS - 1)),
  [
    putTemp(get('i'), op('i32.shl', i32(1), add(get('i'), i32(1)))),
    set('i', add(get('i'), i32(1))),
  ],
  2,
)}
    ${set('m', i32(0))}
${whileNot(
  'layers',
  op('i32.ge_u', get('m'), i32(FIELD_BITS - 1)),
  [
    set('step', op('i32.shl', i32(1), add(get('m'), i32(1)))),
    put(SKEW_PTR, op('i32.sub', op('i32.shl', i32(1), get('m')), i32(1)), i32(0)),
    set('i', get('m')),
    whileNot(
      'spans',
      op('i32.ge_u', get('i'), i32(FIELD_BITS - 1)),
      [
        set('s', op('i32.shl', i32(1), add(get('i'), i32(1)))),
        set('j', op('i32.sub', op('i32.shl', i32(1), get('m')), i32(1))),
        whileNot(
          'fill',
          op('i32.ge_u', get('j'), get('s')),
          [
            put(
              SKEW_PTR,
              add(get('j'), get('s')),
              op('i32.xor', u16(SKEW_PTR, get('j')), temp(get('i'))),
            ),
            set('j', add(get('j'), get('step'))),
          ],
          0,
        ),
        set('i', add(get('i'), i32(1))),
      ],
      0,
    ),
    putTemp(
      get('m'),
      op(
        'i32.sub',
        i32(GF_ORDER),
        u16(
          LOG_PTR,
          `(call $mul_log ${temp(get('m'))} ${u16(LOG_PTR, op('i32.xor', temp(get('m')), i32(1)))})`,
        ),
      ),
    ),
    set('i', add(get('m'), i32(1))),
    whileNot(
      'update',
      op('i32.ge_u', get('i'), i32(FIELD_BITS - 1)),
      [
        putTemp(
          get('i'),
          `(call $mul_log ${temp(get('i'))} (call $add_mod ${u16(LOG_PTR, op('i32.xor', temp(get('i')), i32(1)))} ${temp(get('m'))}))`,
        ),
        set('i', add(get('i'), i32(1))),
      ],
      0,
    ),
    set('m', add(get('m'), i32(1))),
  ],
  2,
)}
    ${set('i', i32(0))}
${whileNot(
  'skewLogs',
  op('i32.ge_u', get('i'), i32(GF_ORDER)),
  [put(SKEW_PTR, get('i'), u16(LOG_PTR, u16(SKEW_PTR, get('i')))), set('i', add(get('i'), i32(1)))],
  2,
)})`;
}

function wat() {
  return `;; GENERATED by scripts/gen-gf16-wat.mjs: edit the generator, not this file.
;; GF(2^16) additive-FFT kernels of the Reed–Solomon code; the generator explains them.
;; Memory: ${MEMORY_PAGES} fixed pages; LOG at ${LOG_PTR}, EXP at ${EXP_PTR}, SKEW at ${SKEW_PTR}
;; (built by init_tables), work region [${WORK_PTR}, +${WORK_BYTES}), staging region
;; [${STAGING_PTR}, +${STAGING_BYTES}).
(module
  (memory (export "memory") ${MEMORY_PAGES} ${MEMORY_PAGES})
  (global (export "log_ptr") i32 (i32.const ${LOG_PTR}))
  (global (export "exp_ptr") i32 (i32.const ${EXP_PTR}))
  (global (export "skew_ptr") i32 (i32.const ${SKEW_PTR}))
  (global (export "work_ptr") i32 (i32.const ${WORK_PTR}))
  (global (export "work_bytes") i32 (i32.const ${WORK_BYTES}))
  (global (export "staging_ptr") i32 (i32.const ${STAGING_PTR}))
  (global (export "staging_bytes") i32 (i32.const ${STAGING_BYTES}))
${tableFunctions()}
${xorIntoFunction()}
${converterFunctions()}
${groupFunction('fft')}
${groupFunction('ifft')}
${groupFunction('muladd')}
${transformFunction('fft')}
${transformFunction('ifft')}
${mulAddRowsFunction()}
)
`;
}

writeFileSync(process.argv[2] ?? OUT_PATH_DEFAULT, wat());
