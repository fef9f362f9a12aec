/**
 * GF(2^16) as reed-solomon-simd 3.1.0 represents it (docs/spec/encoding.md §4.2–4.3).
 *
 * A stored 16-bit value v is NOT a polynomial-basis element: it denotes XOR of CANTOR[b] over the set
 * bits b of v. Addition is still XOR; multiplication goes through the LOG/EXP tables built here.
 * The value 65535 doubles as "log of zero" in LOG and as "multiply by zero" in SKEW.
 */

/** 2^16 − 1: the multiplicative group order, and the log that stands for zero. */
export const GF_ORDER = 65_535;
export const GF_SIZE = 65_536;
/** z^16 + z^5 + z^3 + z^2 + 1. */
const GF_POLYNOMIAL = 0x1002d;
/** Polynomial-basis values of the Cantor basis vectors. */
const CANTOR_BASIS = [
  0x0001, 0xacca, 0x3c0e, 0x163e, 0xc582, 0xed2e, 0x914c, 0x4012, 0x6c98, 0x10d8, 0x6a72, 0xb900,
  0xfdb8, 0xfb34, 0xff38, 0x991e,
];
const FIELD_BITS = 16;

export interface GfTables {
  /** LOG[v]: discrete log of the element stored as v; LOG[0] = 65535. */
  readonly log: Uint16Array;
  /** EXP[l]: stored value of g^l; EXP[65535] = EXP[0] = 1. */
  readonly exp: Uint16Array;
  /** SKEW[i]: logs of the additive-FFT skew factors (65535 entries; 65535 = zero, skip). */
  readonly skew: Uint16Array;
}

let tables: GfTables | undefined;
/** Where gfTables() takes the tables from when something has built them already. */
let adopted: (() => GfTables) | undefined;

/** (a + b) mod 65535 for logs in [0, 65535], with 65535 ≡ 0 as reed-solomon-simd computes it. */
export function addMod(a: number, b: number): number {
  const sum = a + b;
  return (sum + (sum >>> 16)) & 0xffff;
}

/** (a − b) mod 65535 in the same ones'-complement style. */
export function subMod(a: number, b: number): number {
  const dif = a - b;
  return (dif + (dif >> 16)) & 0xffff;
}

/** The tables, built once on first use (or taken from the wasm FFT kernel, see adoptGfTables). */
export function gfTables(): GfTables {
  if (tables === undefined) tables = adopted?.() ?? buildGfTables();
  return tables;
}

/**
 * Lets gfTables() take the tables from `source` instead of building them: the wasm FFT kernel
 * builds the same tables in its own memory at start-up, where the loops below, running mostly in
 * the interpreter, took ~175·10^6 instructions per thread (~50 ms). Tests check both agree.
 */
export function adoptGfTables(source: () => GfTables): void {
  adopted = source;
}

/**
 * The tables in JS (spec §4.2–4.3). φ is filled by doubling: it is GF(2)-linear, so
 * φ(v | 2^b) = φ(v) ^ CANTOR[b] for v < 2^b.
 */
export function buildGfTables(): GfTables {
  const polynomialLog = new Uint16Array(GF_SIZE);
  polynomialLog[0] = GF_ORDER;
  let state = 1;
  for (let i = 0; i < GF_ORDER; i++) {
    polynomialLog[state] = i;
    state <<= 1;
    if (state >= GF_SIZE) state ^= GF_POLYNOMIAL;
  }
  const cantor = new Uint16Array(GF_SIZE);
  for (let bit = 0; bit < FIELD_BITS; bit++) {
    const high = 1 << bit;
    const basis = CANTOR_BASIS[bit];
    for (let v = 0; v < high; v++) cantor[high | v] = cantor[v] ^ basis;
  }
  const log = new Uint16Array(GF_SIZE);
  for (let v = 0; v < GF_SIZE; v++) log[v] = polynomialLog[cantor[v]];
  const exp = new Uint16Array(GF_SIZE);
  for (let v = 0; v < GF_SIZE; v++) exp[log[v]] = v;
  exp[GF_ORDER] = exp[0];
  return Object.freeze({ log, exp, skew: buildSkew(log, exp) });
}

function buildSkew(log: Uint16Array, exp: Uint16Array): Uint16Array {
  const mulLog = (x: number, l: number) => (x === 0 ? 0 : exp[addMod(log[x], l)]);
  const skew = new Uint16Array(GF_ORDER);
  const temp = new Array<number>(FIELD_BITS - 1);
  for (let i = 0; i < FIELD_BITS - 1; i++) temp[i] = 1 << (i + 1);
  for (let m = 0; m < FIELD_BITS - 1; m++) {
    const step = 1 << (m + 1);
    skew[(1 << m) - 1] = 0;
    for (let i = m; i < FIELD_BITS - 1; i++) {
      const s = 1 << (i + 1);
      for (let j = (1 << m) - 1; j < s; j += step) skew[j + s] = skew[j] ^ temp[i];
    }
    temp[m] = GF_ORDER - log[mulLog(temp[m], log[temp[m] ^ 1])];
    for (let i = m + 1; i < FIELD_BITS - 1; i++) {
      temp[i] = mulLog(temp[i], addMod(log[temp[i] ^ 1], temp[m]));
    }
  }
  for (let i = 0; i < GF_ORDER; i++) skew[i] = log[skew[i]];
  return skew;
}

/** a · b for stored values. */
export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  const { log, exp } = gfTables();
  return exp[addMod(log[a], log[b])];
}

/** a⁻¹ for a stored value a ≠ 0. */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('zero has no inverse in GF(2^16)');
  const { log, exp } = gfTables();
  return exp[(GF_ORDER - log[a]) % GF_ORDER];
}
