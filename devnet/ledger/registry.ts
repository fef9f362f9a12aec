/**
 * The extension point: a package (our Move package mirrored in TypeScript, or the built-in slice
 * of the Sui framework) registers its structs' BCS layouts and its functions here. The ledger
 * dispatches `MoveCall` commands to these functions and decodes arguments by the declared types.
 *
 * Conventions a package author relies on:
 * - Types are written as Move source spells them, with full addresses: `u64`, `vector<u8>`,
 *   `0x2::coin::Coin<0x2::sui::SUI>`, `&mut 0xabc::system::System`, `0x2::coin::Coin<T0>`.
 *   Type parameters are `T0`, `T1`, ... (a bare `T` means `T0`).
 * - A trailing `&mut 0x2::tx_context::TxContext` / `&0x2::tx_context::TxContext` parameter is
 *   injected, as in Sui; it gets no argument.
 * - Arguments arrive decoded: u8/u16/u32 as numbers, u64/u128/u256 as decimal strings (the
 *   `@mysten/bcs` convention), `vector<u8>` as Uint8Array, addresses and IDs as 0x-hex strings,
 *   `Option<T>` as value-or-null, objects (structs with `key`) as {@link ObjectHandle}s, `&mut`
 *   non-object values as {@link MutRef}s. Return values are encoded by the declared `returns`.
 * - `execute` is synchronous, so a transaction runs start to end without interleaving.
 *   To fail, call `ctx.abort(code)`; any other exception is reported as a runtime error.
 */
import type { BcsType } from '@mysten/bcs';
import { normalizeSuiAddress, isValidSuiAddress } from '@mysten/sui/utils';
import type { Owner } from './objects.js';
import { isTxContext, parseParam, parseType, type MoveType, type ParamSig } from './move-types.js';

export type Ability = 'copy' | 'drop' | 'store' | 'key';
// Layouts of arbitrary Move structs: the value types are whatever the author's layout produces.
export type AnyBcs = BcsType<any, any>;

export interface StructDef {
  readonly abilities: readonly Ability[];
  /** One entry per type parameter; phantom parameters do not constrain abilities. */
  readonly typeParams?: readonly { readonly phantom?: boolean }[];
  /** The BCS layout; a generic struct gives a function of its type arguments' layouts. */
  readonly layout: AnyBcs | ((typeArgs: readonly AnyBcs[]) => AnyBcs);
}

export interface FunctionDef {
  readonly params: readonly string[];
  readonly returns?: readonly string[];
  /** Number of type parameters (`T0` ...). */
  readonly typeParams?: number;
  /** Ability constraints per type parameter (`T0: key + store` is `[['key', 'store']]`). */
  readonly typeParamAbilities?: readonly (readonly Ability[])[];
  readonly isEntry?: boolean;
  // The argument list is typed by the declared parameters, which TypeScript cannot see.
  execute(ctx: CallContext, args: any[]): unknown;
}

export interface ModuleDef {
  readonly structs?: Readonly<Record<string, StructDef>>;
  readonly functions?: Readonly<Record<string, FunctionDef>>;
}

export interface PackageDef {
  readonly packageId: string;
  readonly modules: Readonly<Record<string, ModuleDef>>;
  /**
   * Runs once per data directory, the first time the ledger starts with this package, as a
   * system transaction (sender 0x0): create and share the package's initial objects here.
   */
  genesis?(ctx: SystemContext): void;
}

export type Access = 'imm' | 'mut' | 'value';

/** An object as a function sees it. Writes need `mut` or `value` access. */
export interface ObjectHandle<T = unknown> {
  readonly id: string;
  /** Canonical struct tag (64-hex addresses). */
  readonly type: string;
  readonly access: Access;
  /** Null while the object is held by the transaction (fresh, or passed by value). */
  readonly owner: Owner | null;
  readonly bytes: Uint8Array;
  /** Decoded contents; a fresh copy on every read, so edit it and `set` it back. */
  readonly fields: T;
  set(fields: T): void;
  setBytes(bytes: Uint8Array): void;
  /** Decode, let `mutate` edit (or return a replacement), encode. */
  update(mutate: (fields: T) => T | void): void;
}

/** A `&mut` to a non-object value (a pure input or an earlier command's result). */
export interface MutRef<T> {
  readonly value: T;
  set(value: T): void;
}

/** A parent is an object handle or, for a UID inside another object (a Table), its address. */
export type FieldParent = ObjectHandle<unknown> | string;

/** `0x2::dynamic_field` over `Field<K, V>` objects at Sui-derived IDs. */
export interface DynamicFields {
  exists(parent: FieldParent, nameType: string, name: unknown): boolean;
  existsWithType(parent: FieldParent, nameType: string, name: unknown, valueType: string): boolean;
  /** Aborts `dynamic_field::EFieldAlreadyExists` (0) when present. */
  add(
    parent: FieldParent,
    nameType: string,
    name: unknown,
    valueType: string,
    value: unknown,
  ): void;
  /** Aborts `EFieldDoesNotExist` (1) or `EFieldTypeMismatch` (2). */
  borrow<V>(parent: FieldParent, nameType: string, name: unknown, valueType: string): V;
  /** `borrow_mut` followed by an assignment. */
  set(
    parent: FieldParent,
    nameType: string,
    name: unknown,
    valueType: string,
    value: unknown,
  ): void;
  remove<V>(parent: FieldParent, nameType: string, name: unknown, valueType: string): V;
}

/** `Coin<T>` balance moves with Sui's abort codes (`balance::ENotEnough` = 2). */
export interface Coins {
  value(coin: ObjectHandle<unknown>): bigint;
  /** `coin::split`: a new coin of `amount`, held by the transaction until placed. */
  split(coin: ObjectHandle<unknown>, amount: bigint | number | string): ObjectHandle<unknown>;
  /** `balance::split` out of the coin, returned as a plain amount (e.g. into a fee pool). */
  take(coin: ObjectHandle<unknown>, amount: bigint | number | string): bigint;
  /** `balance::join` into the coin. */
  put(coin: ObjectHandle<unknown>, amount: bigint | number | string): void;
}

export interface AbortLocation {
  readonly package?: string;
  readonly module?: string;
  readonly function?: string;
}

export interface CallContext {
  readonly sender: string;
  readonly txDigest: string;
  /** The call's type arguments, canonical. */
  readonly typeArgs: readonly string[];
  /** Sui epoch (`tx_context::epoch`). */
  readonly epoch: bigint;
  readonly epochTimestampMs: bigint;
  readonly packageId: string;
  readonly moduleName: string;
  readonly functionName: string;
  /** The 0x6 Clock's `timestamp_ms`. */
  nowMs(): bigint;
  /** `object::new`: a fresh ID derived from the transaction digest. */
  freshId(): string;
  /** A new object held by the transaction; `fields.id` is filled with a fresh UID when absent. */
  newObject<T>(type: string, fields: T): ObjectHandle<T>;
  transfer(object: ObjectHandle<unknown>, recipient: string): void;
  share(object: ObjectHandle<unknown>): void;
  freeze(object: ObjectHandle<unknown>): void;
  /** `object::delete` of a by-value object. */
  deleteObject(object: ObjectHandle<unknown>): void;
  /** Consumes a by-value object so its fields can be stored inside another value. */
  wrap<T>(object: ObjectHandle<T>): T;
  /** Brings a previously wrapped object back as a by-value object (its ID is reused). */
  unwrap<T>(type: string, fields: T): ObjectHandle<T>;
  emit(type: string, fields: unknown): void;
  /** Aborts the transaction; the location defaults to the running function. */
  abort(code: number | bigint, location?: AbortLocation): never;
  readonly dynamicFields: DynamicFields;
  readonly coins: Coins;
  layout(type: string): AnyBcs;
}

/** What genesis and system transactions (timers, faucet) may do on top of a call. */
export interface SystemContext extends CallContext {
  /** Any stored object by ID, without ownership checks. */
  object<T>(id: string, access?: 'imm' | 'mut'): ObjectHandle<T>;
}

export interface RegisteredFunction {
  readonly packageId: string;
  readonly moduleName: string;
  readonly name: string;
  /** Position in the module's declaration order (Sui's `function` index in abort locations). */
  readonly index: number;
  readonly params: readonly ParamSig[];
  /** Whether the last parameter is an injected TxContext. */
  readonly takesTxContext: boolean;
  readonly returns: readonly MoveType[];
  readonly typeParams: number;
  readonly def: FunctionDef;
}

export interface RegisteredPackage {
  readonly packageId: string;
  readonly def: PackageDef;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Package definitions by ID, with their parsed signatures. */
export class Registry {
  readonly #packages = new Map<string, RegisteredPackage>();
  readonly #functions = new Map<string, RegisteredFunction>();
  readonly #structs = new Map<string, StructDef>();

  registerPackage(def: PackageDef): void {
    if (!isValidSuiAddress(normalizeSuiAddress(def.packageId))) {
      throw new RegistryError(`package id '${def.packageId}' is not an address`);
    }
    const packageId = normalizeSuiAddress(def.packageId);
    if (this.#packages.has(packageId))
      throw new RegistryError(`package ${packageId} registered twice`);
    const functions: RegisteredFunction[] = [];
    for (const [moduleName, module] of Object.entries(def.modules)) {
      if (!IDENTIFIER.test(moduleName)) throw new RegistryError(`bad module name '${moduleName}'`);
      for (const structName of Object.keys(module.structs ?? {})) {
        if (!IDENTIFIER.test(structName))
          throw new RegistryError(`bad struct name '${structName}'`);
      }
      Object.entries(module.functions ?? {}).forEach(([name, fn], index) => {
        functions.push(parseFunction(packageId, moduleName, name, index, fn));
      });
    }
    this.#packages.set(packageId, { packageId, def });
    for (const fn of functions)
      this.#functions.set(functionKey(packageId, fn.moduleName, fn.name), fn);
    for (const [moduleName, module] of Object.entries(def.modules)) {
      for (const [structName, struct] of Object.entries(module.structs ?? {})) {
        this.#structs.set(`${packageId}::${moduleName}::${structName}`, struct);
      }
    }
  }

  package(packageId: string): RegisteredPackage | undefined {
    return this.#packages.get(normalizeSuiAddress(packageId));
  }

  packages(): RegisteredPackage[] {
    return [...this.#packages.values()];
  }

  function(packageId: string, moduleName: string, name: string): RegisteredFunction | undefined {
    return this.#functions.get(functionKey(normalizeSuiAddress(packageId), moduleName, name));
  }

  hasModule(packageId: string, moduleName: string): boolean {
    return this.package(packageId)?.def.modules[moduleName] !== undefined;
  }

  struct(address: string, moduleName: string, name: string): StructDef | undefined {
    return this.#structs.get(`${normalizeSuiAddress(address)}::${moduleName}::${name}`);
  }
}

function functionKey(packageId: string, moduleName: string, name: string): string {
  return `${packageId}::${moduleName}::${name}`;
}

function parseFunction(
  packageId: string,
  moduleName: string,
  name: string,
  index: number,
  def: FunctionDef,
): RegisteredFunction {
  if (!IDENTIFIER.test(name)) throw new RegistryError(`bad function name '${name}'`);
  const where = `${moduleName}::${name}`;
  try {
    const params = def.params.map(parseParam);
    const last = params[params.length - 1];
    const takesTxContext = last !== undefined && isTxContext(last.type);
    params.forEach((param, i) => {
      if (isTxContext(param.type) && i !== params.length - 1) {
        throw new RegistryError(`${where}: TxContext must be the last parameter`);
      }
    });
    const returns = (def.returns ?? []).map(parseType);
    const typeParams = def.typeParams ?? 0;
    return {
      packageId,
      moduleName,
      name,
      index,
      params,
      takesTxContext,
      returns,
      typeParams,
      def,
    };
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(`${where}: ${(error as Error).message}`);
  }
}
