/**
 * Shared pieces of the TypeScript mirror of the `walrus_edge` Move package (move/): the devnet
 * package ID, type strings, Move-style checked integer arithmetic and abort helpers.
 *
 * Aborts carry Move's location: the module and function whose `assert!` fails (an assert inside
 * a `do!` macro is inlined, so it belongs to the calling function, as in Move).
 */
import type { CallContext, FunctionDef } from '../ledger/registry.js';
import { ExecutionFailure, runtimeError, simpleFailure } from '../ledger/errors.js';

/**
 * The devnet's fixed package ID for `walrus_edge`:
 * `0x` ‖ hex(BLAKE2b-256(utf8("walrus-edge devnet package walrus_edge"))).
 * A real publish gets an address from Sui; on the devnet the package is "published" at this one.
 */
export const WALRUS_EDGE_PACKAGE_ID =
  '0x26039ddf44c182957c6b1955d8df6156565385d183ed69a89243dd2a63f51e9f';
/** The string hashed into {@link WALRUS_EDGE_PACKAGE_ID}. */
export const WALRUS_EDGE_PACKAGE_SEED = 'walrus-edge devnet package walrus_edge';

const PKG = WALRUS_EDGE_PACKAGE_ID;

/** `<package>::<module>::<name>`. */
export function typeName(module: string, name: string): string {
  return `${PKG}::${module}::${name}`;
}

export const SUI_COIN_TYPE = '0x2::coin::Coin<0x2::sui::SUI>';
export const TX_CONTEXT_MUT = '&mut 0x2::tx_context::TxContext';
export const TX_CONTEXT_REF = '&0x2::tx_context::TxContext';
export const CLOCK_REF = '&0x2::clock::Clock';
export const STRING_TYPE = '0x1::string::String';
export const ID_TYPE = '0x2::object::ID';

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffff_ffff;
export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;

/** A UID as the layouts decode it. */
export interface Uid {
  id: string;
}

/** Aborts with `code` at `module::fn` of our package (Move's `abort` / failed `assert!`). */
export function abortAt(ctx: CallContext, module: string, fn: string, code: number): never {
  return ctx.abort(code, { package: PKG, module, function: fn });
}

/** Move's `assert!(condition, code)` inside `module::fn`. */
export function ensure(
  ctx: CallContext,
  condition: boolean,
  module: string,
  fn: string,
  code: number,
): asserts condition {
  if (!condition) abortAt(ctx, module, fn, code);
}

/** Declaration order of each module's registered functions (Sui's `function` index). */
const functionOrder = new Map<string, readonly string[]>();

/** Called by each module file with its function table, so runtime errors get an index. */
export function recordFunctionOrder(module: string, functions: Record<string, FunctionDef>): void {
  functionOrder.set(module, Object.keys(functions));
}

/**
 * Move's arithmetic error (overflow, underflow, division by zero, a failing cast) or an
 * out-of-bounds vector index in `module::fn`: Sui reports `MovePrimitiveRuntimeError` there.
 */
export function arithmeticError(module: string, fn: string): never {
  const index = functionOrder.get(module)?.indexOf(fn) ?? -1;
  throw runtimeError({
    packageId: PKG,
    module,
    functionName: fn,
    functionIndex: Math.max(index, 0),
  });
}

function checkedBig(value: bigint, max: bigint, module: string, fn: string): bigint {
  if (value < 0n || value > max) arithmeticError(module, fn);
  return value;
}

/** u64 result of Move arithmetic in `module::fn`; aborts arithmetically out of range. */
export function u64(value: bigint, module: string, fn: string): bigint {
  return checkedBig(value, U64_MAX, module, fn);
}

export function u32(value: number | bigint, module: string, fn: string): number {
  return Number(checkedBig(BigInt(value), BigInt(U32_MAX), module, fn));
}

export function u16(value: number | bigint, module: string, fn: string): number {
  return Number(checkedBig(BigInt(value), BigInt(U16_MAX), module, fn));
}

/** Byte length of a Move `String` (`string::length` counts bytes). */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * A public function that returns a reference (`&T`): Sui refuses to call it from a programmable
 * transaction (`InvalidPublicFunctionReturnType`), so the mirror registers it (it exists, and
 * `sui_getNormalizedMoveFunction` lists it) but every call fails the same way.
 */
export function returnsReference(params: readonly string[], referenced: string): FunctionDef {
  return {
    params,
    returns: [referenced],
    execute() {
      throw new ExecutionFailure(
        { InvalidPublicFunctionReturnType: { idx: 0 } },
        'InvalidPublicFunctionReturnType { idx: 0 }',
      );
    },
  };
}

/**
 * A `public(package)` or private Move function. Sui refuses to call it from a programmable
 * transaction (`NonEntryFunctionInvoked`); it is registered so that every function keeps its
 * declaration index, which Sui prints as `function: N` in abort locations. The TypeScript
 * implementation is the exported function next to it, called by the module's public functions.
 */
export function internal(params: readonly string[], returns: readonly string[] = []): FunctionDef {
  return {
    params,
    returns,
    execute() {
      throw simpleFailure('NonEntryFunctionInvoked');
    },
  };
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
