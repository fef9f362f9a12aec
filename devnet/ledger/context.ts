/**
 * The API a package function runs against: object handles over the working set, object
 * placement (transfer, share, freeze, delete, wrap), events, aborts, dynamic fields and coins.
 * Every rule Move's type system would enforce at compile time is checked here at run time and
 * reported as a {@link PackageBug}.
 *
 * Over 400 lines: handles, the frame, dynamic fields and coins reach into each other's private
 * state (a field's parent is a handle; coin helpers create objects through the frame).
 */
import { deriveDynamicFieldID, isValidSuiAddress, normalizeSuiAddress } from '@mysten/sui/utils';
import { MoveAbortSignal, PackageBug, simpleFailure, type AbortInfo } from './errors.js';
import type { Layouts } from './layouts.js';
import { toJsonValue } from './layouts.js';
import {
  coinInnerType,
  formatType,
  parseStructType,
  parseType,
  SUI_FRAMEWORK,
  typesEqual,
  type MoveType,
} from './move-types.js';
import type {
  AbortLocation,
  Access,
  AnyBcs,
  CallContext,
  Coins,
  DynamicFields,
  FieldParent,
  ObjectHandle,
  Registry,
  SystemContext,
} from './registry.js';
import type { WorkingObject, WorkingSet } from './working-set.js';

const U64_MAX = (1n << 64n) - 1n;

/** Everything a frame needs that is fixed for the whole transaction. */
export interface TxEnvironment {
  readonly ws: WorkingSet;
  readonly layouts: Layouts;
  readonly registry: Registry;
  readonly sender: string;
  readonly epoch: bigint;
  readonly epochTimestampMs: bigint;
  readonly nowMs: bigint;
}

/** Where a frame runs: the PTB's target function (events are attributed to it, as in Sui). */
export interface FrameTarget {
  readonly packageId: string;
  readonly moduleName: string;
  readonly functionName: string;
  readonly functionIndex: number;
  readonly typeArgs: readonly MoveType[];
}

export class Handle<T = unknown> implements ObjectHandle<T> {
  constructor(
    private readonly frame: Frame,
    readonly object: WorkingObject,
    readonly access: Access,
  ) {}

  get id(): string {
    return this.object.id;
  }

  get type(): string {
    return formatType(this.object.type);
  }

  get owner(): ObjectHandle['owner'] {
    return this.object.owner;
  }

  get bytes(): Uint8Array {
    this.#checkLive();
    return this.object.contents.slice();
  }

  get fields(): T {
    this.#checkLive();
    return this.frame.env.layouts.of(this.object.type).parse(this.object.contents) as T;
  }

  /** Writes allowed: `&mut`, by value, or any non-`&` handle in a system transaction. */
  get writable(): boolean {
    return this.access !== 'imm';
  }

  set(fields: T): void {
    this.setBytes(this.frame.env.layouts.encode(this.object.type, fields));
  }

  setBytes(bytes: Uint8Array): void {
    this.#checkLive();
    if (!this.writable) throw new PackageBug(`write to ${this.id} through an immutable reference`);
    this.frame.env.ws.setContents(this.object, bytes);
  }

  update(mutate: (fields: T) => T | void): void {
    const fields = this.fields;
    const replaced = mutate(fields);
    this.set(replaced === undefined ? fields : replaced);
  }

  #checkLive(): void {
    if (this.object.status !== 'live')
      throw new PackageBug(`object ${this.id} was already ${this.object.status}`);
  }
}

export class Frame implements CallContext {
  /** Handles created here (new or unwrapped objects): each must be placed or returned. */
  readonly created: Handle[] = [];
  readonly dynamicFields: DynamicFields;
  readonly coins: Coins;

  constructor(
    readonly env: TxEnvironment,
    readonly target: FrameTarget,
    readonly system = false,
  ) {
    this.dynamicFields = new FieldsApi(this);
    this.coins = new CoinsApi(this);
  }

  get sender(): string {
    return this.env.sender;
  }
  get txDigest(): string {
    return this.env.ws.txDigest;
  }
  get typeArgs(): readonly string[] {
    return this.target.typeArgs.map((t) => formatType(t));
  }
  get epoch(): bigint {
    return this.env.epoch;
  }
  get epochTimestampMs(): bigint {
    return this.env.epochTimestampMs;
  }
  get packageId(): string {
    return this.target.packageId;
  }
  get moduleName(): string {
    return this.target.moduleName;
  }
  get functionName(): string {
    return this.target.functionName;
  }

  nowMs(): bigint {
    return this.env.nowMs;
  }

  freshId(): string {
    return this.env.ws.mintId();
  }

  layout(type: string): AnyBcs {
    return this.env.layouts.of(parseType(type));
  }

  handle<T>(object: WorkingObject, access: Access): Handle<T> {
    return new Handle<T>(this, object, access);
  }

  newObject<T>(type: string, fields: T): Handle<T> {
    const parsed = parseStructType(type);
    if (!this.env.layouts.isObject(parsed)) throw new PackageBug(`${type} has no 'key' ability`);
    const withId = fields as { id?: { id: string } };
    if (withId.id === undefined) withId.id = { id: this.freshId() };
    const id = normalizeSuiAddress(withId.id.id);
    if (!this.env.ws.wasMinted(id))
      throw new PackageBug(`newObject: ${id} was not minted by freshId`);
    return this.#place(parsed, id, fields as T, true);
  }

  unwrap<T>(type: string, fields: T): Handle<T> {
    const parsed = parseStructType(type);
    const id = normalizeSuiAddress((fields as { id: { id: string } }).id.id);
    const existing = this.env.ws.load(id, 'fresh');
    if (existing !== undefined && existing.status === 'live') {
      throw new PackageBug(`unwrap: object ${id} is not wrapped`);
    }
    return this.#place(parsed, id, fields, this.env.ws.wasMinted(id));
  }

  #place<T>(type: MoveType, id: string, fields: T, createdHere: boolean): Handle<T> {
    const abilities = this.env.layouts.abilities(type);
    const contents = this.env.layouts.encode(type, fields);
    const object = this.env.ws.addNew(id, type, contents, abilities.has('store'), { createdHere });
    const handle = new Handle<T>(this, object, 'value');
    this.created.push(handle as Handle);
    return handle;
  }

  /** The object behind a handle that this frame may move: held by value, or any in system mode. */
  #movable(object: ObjectHandle<unknown>, operation: string): WorkingObject {
    const handle = object as Handle;
    if (!(handle instanceof Handle))
      throw new PackageBug(`${operation}: not a ledger object handle`);
    const target = handle.object;
    if (target.status !== 'live')
      throw new PackageBug(`${operation}: object ${target.id} is ${target.status}`);
    const held = handle.access === 'value' && target.owner === null;
    const systemOwned =
      this.system &&
      handle.access === 'mut' &&
      (target.owner === null || target.owner.kind === 'address' || target.owner.kind === 'object');
    if (!held && !systemOwned)
      throw new PackageBug(`${operation}: object ${target.id} is not held by value`);
    return target;
  }

  transfer(object: ObjectHandle<unknown>, recipient: string): void {
    if (!isValidSuiAddress(normalizeSuiAddress(recipient)))
      throw new PackageBug(`bad recipient '${recipient}'`);
    const target = this.#movable(object, 'transfer');
    target.owner = { kind: 'address', address: normalizeSuiAddress(recipient) };
    target.dirty = true;
  }

  share(object: ObjectHandle<unknown>): void {
    const target = this.#movable(object, 'share');
    // Sui only shares objects created by the same transaction.
    if (target.before !== undefined) throw simpleFailure('SharedObjectOperationNotAllowed');
    // The initial shared version is the transaction's Lamport version, filled in at commit.
    target.owner = { kind: 'shared', initialSharedVersion: 0n };
    target.dirty = true;
  }

  freeze(object: ObjectHandle<unknown>): void {
    const target = this.#movable(object, 'freeze');
    target.owner = { kind: 'immutable' };
    target.dirty = true;
  }

  deleteObject(object: ObjectHandle<unknown>): void {
    const target = this.#movable(object, 'delete');
    target.status = 'deleted';
    target.owner = null;
    target.dirty = true;
  }

  wrap<T>(object: ObjectHandle<T>): T {
    const fields = object.fields;
    const target = this.#movable(object as ObjectHandle<unknown>, 'wrap');
    target.status = 'wrapped';
    target.owner = null;
    target.dirty = true;
    return fields;
  }

  emit(type: string, fields: unknown): void {
    const parsed = parseStructType(type);
    const abilities = this.env.layouts.abilities(parsed);
    if (!abilities.has('copy') || !abilities.has('drop')) {
      throw new PackageBug(`event ${type} needs the copy and drop abilities`);
    }
    const layout = this.env.layouts.of(parsed);
    const bytes = layout.serialize(fields).toBytes();
    this.env.ws.emit({
      packageId: this.target.packageId,
      module: this.target.moduleName,
      type: parsed,
      bcs: bytes,
      json: toJsonValue(layout.parse(bytes)),
    });
  }

  abort(code: number | bigint, location?: AbortLocation): never {
    throw new MoveAbortSignal(this.abortInfo(code, location));
  }

  abortInfo(code: number | bigint, location?: AbortLocation): AbortInfo {
    const packageId = normalizeSuiAddress(location?.package ?? this.target.packageId);
    const module = location?.module ?? this.target.moduleName;
    const functionName = location?.function ?? this.target.functionName;
    const functionIndex =
      location === undefined
        ? this.target.functionIndex
        : (this.env.registry.function(packageId, module, functionName)?.index ?? 0);
    return { packageId, module, functionName, functionIndex, code: BigInt(code) };
  }
}

/** Genesis, timers and the faucet: a frame that may also load any object by ID. */
export class SystemFrame extends Frame implements SystemContext {
  constructor(env: TxEnvironment, target: FrameTarget) {
    super(env, target, true);
  }

  object<T>(id: string, access: 'imm' | 'mut' = 'mut'): Handle<T> {
    const object = this.env.ws.load(normalizeSuiAddress(id), 'system');
    if (object === undefined || object.status !== 'live')
      throw new PackageBug(`object ${id} does not exist`);
    if (access === 'mut' && object.owner?.kind === 'immutable') {
      throw new PackageBug(`object ${id} is immutable`);
    }
    return this.handle<T>(object, access);
  }
}

/** Sui's abort codes in `0x2::dynamic_field`. */
const FIELD_ALREADY_EXISTS = 0;
const FIELD_DOES_NOT_EXIST = 1;
const FIELD_TYPE_MISMATCH = 2;

class FieldsApi implements DynamicFields {
  constructor(private readonly frame: Frame) {}

  #parentId(parent: FieldParent, mutable: boolean): string {
    if (typeof parent === 'string') {
      const id = normalizeSuiAddress(parent);
      if (!isValidSuiAddress(id)) throw new PackageBug(`bad dynamic field parent '${parent}'`);
      return id;
    }
    if (!(parent instanceof Handle)) throw new PackageBug('dynamic field parent is not a handle');
    if (mutable && !parent.writable)
      throw new PackageBug(`mutating fields of ${parent.id} through &`);
    return parent.id;
  }

  #fieldType(nameType: MoveType, valueType: MoveType): MoveType {
    return {
      kind: 'struct',
      address: SUI_FRAMEWORK,
      module: 'dynamic_field',
      name: 'Field',
      typeArgs: [nameType, valueType],
    };
  }

  #locate(parent: FieldParent, nameType: string, name: unknown, mutable: boolean) {
    const parentId = this.#parentId(parent, mutable);
    const keyType = parseType(nameType);
    const nameBytes = this.frame.env.layouts.encode(keyType, name);
    const id = deriveDynamicFieldID(parentId, formatType(keyType), nameBytes);
    const object = this.frame.env.ws.load(id, 'child');
    const live =
      object !== undefined &&
      object.status === 'live' &&
      object.owner?.kind === 'object' &&
      object.owner.parent === parentId;
    return { parentId, keyType, nameBytes, id, object: live ? object : undefined, stale: object };
  }

  #abort(code: number, fn: string): never {
    this.frame.abort(code, { package: SUI_FRAMEWORK, module: 'dynamic_field', function: fn });
  }

  exists(parent: FieldParent, nameType: string, name: unknown): boolean {
    return this.#locate(parent, nameType, name, false).object !== undefined;
  }

  existsWithType(parent: FieldParent, nameType: string, name: unknown, valueType: string): boolean {
    const found = this.#locate(parent, nameType, name, false);
    return (
      found.object !== undefined &&
      typesEqual(found.object.type, this.#fieldType(found.keyType, parseType(valueType)))
    );
  }

  add(
    parent: FieldParent,
    nameType: string,
    name: unknown,
    valueType: string,
    value: unknown,
  ): void {
    const found = this.#locate(parent, nameType, name, true);
    if (found.object !== undefined) this.#abort(FIELD_ALREADY_EXISTS, 'add');
    const type = this.#fieldType(found.keyType, parseType(valueType));
    const contents = this.frame.env.layouts.encode(type, { id: { id: found.id }, name, value });
    this.frame.env.ws.addNew(found.id, type, contents, false, {
      createdHere: true,
      owner: { kind: 'object', parent: found.parentId },
      dynamicField: { nameType: formatType(found.keyType), name: found.nameBytes },
    });
  }

  #existing(
    parent: FieldParent,
    nameType: string,
    name: unknown,
    valueType: string,
    mutable: boolean,
    fn: string,
  ): { object: WorkingObject; type: MoveType } {
    const found = this.#locate(parent, nameType, name, mutable);
    if (found.object === undefined) this.#abort(FIELD_DOES_NOT_EXIST, fn);
    const type = this.#fieldType(found.keyType, parseType(valueType));
    if (!typesEqual(found.object.type, type)) this.#abort(FIELD_TYPE_MISMATCH, fn);
    return { object: found.object, type };
  }

  borrow<V>(parent: FieldParent, nameType: string, name: unknown, valueType: string): V {
    const { object, type } = this.#existing(
      parent,
      nameType,
      name,
      valueType,
      false,
      'borrow_child_object',
    );
    return (this.frame.env.layouts.of(type).parse(object.contents) as { value: V }).value;
  }

  set(
    parent: FieldParent,
    nameType: string,
    name: unknown,
    valueType: string,
    value: unknown,
  ): void {
    const { object, type } = this.#existing(
      parent,
      nameType,
      name,
      valueType,
      true,
      'borrow_child_object_mut',
    );
    const layout = this.frame.env.layouts.of(type);
    const field = layout.parse(object.contents) as { value: unknown };
    field.value = value;
    this.frame.env.ws.setContents(object, layout.serialize(field).toBytes());
  }

  remove<V>(parent: FieldParent, nameType: string, name: unknown, valueType: string): V {
    const { object, type } = this.#existing(
      parent,
      nameType,
      name,
      valueType,
      true,
      'remove_child_object',
    );
    const value = (this.frame.env.layouts.of(type).parse(object.contents) as { value: V }).value;
    object.status = 'deleted';
    object.owner = null;
    object.dirty = true;
    return value;
  }
}

/** `balance::ENotEnough`, raised by `balance::split`. */
const BALANCE_NOT_ENOUGH = 2;

function amountOf(amount: bigint | number | string): bigint {
  const value = BigInt(amount);
  if (value < 0n || value > U64_MAX) throw new PackageBug(`coin amount ${value} is not a u64`);
  return value;
}

class CoinsApi implements Coins {
  constructor(private readonly frame: Frame) {}

  #coin(coin: ObjectHandle<unknown>): {
    handle: Handle<{ id: unknown; balance: string }>;
    balance: bigint;
  } {
    const handle = coin as Handle<{ id: unknown; balance: string }>;
    if (!(handle instanceof Handle) || coinInnerType(handle.object.type) === undefined) {
      throw new PackageBug(`${coin.id} is not a Coin`);
    }
    return { handle, balance: BigInt(handle.fields.balance) };
  }

  value(coin: ObjectHandle<unknown>): bigint {
    return this.#coin(coin).balance;
  }

  take(coin: ObjectHandle<unknown>, amount: bigint | number | string): bigint {
    const { handle, balance } = this.#coin(coin);
    const value = amountOf(amount);
    if (balance < value) {
      this.frame.abort(BALANCE_NOT_ENOUGH, {
        package: SUI_FRAMEWORK,
        module: 'balance',
        function: 'split',
      });
    }
    handle.update((fields) => {
      fields.balance = (balance - value).toString();
    });
    return value;
  }

  put(coin: ObjectHandle<unknown>, amount: bigint | number | string): void {
    const { handle, balance } = this.#coin(coin);
    const total = balance + amountOf(amount);
    if (total > U64_MAX) throw simpleFailure('CoinBalanceOverflow');
    handle.update((fields) => {
      fields.balance = total.toString();
    });
  }

  split(coin: ObjectHandle<unknown>, amount: bigint | number | string): ObjectHandle<unknown> {
    const value = this.take(coin, amount);
    return this.frame.newObject(coin.type, { balance: value.toString() });
  }
}
