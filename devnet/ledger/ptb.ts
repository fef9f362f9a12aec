/**
 * Programmable transaction execution: walks the commands in order over a results array, moving
 * and borrowing values by Sui's rules. Coin commands run natively; `MoveCall` goes to the
 * registered TypeScript function with arguments decoded by its declared parameter types.
 *
 * Over 400 lines: Sui's argument rules (move, borrow, copy, gas coin) are one state machine over
 * the results array, and splitting the commands from it would spread that state across files.
 */
import { bcs } from '@mysten/sui/bcs';
import { Frame, Handle, type TxEnvironment } from './context.js';
import {
  commandArgumentError,
  ExecutionFailure,
  indexOutOfBounds,
  invalidResultArity,
  moveAbort,
  MoveAbortSignal,
  PackageBug,
  runtimeError,
  secondaryIndexOutOfBounds,
  simpleFailure,
  typeArgumentError,
  unusedValueWithoutDrop,
} from './errors.js';
import {
  coinInnerType,
  formatType,
  isStructNamed,
  MOVE_STDLIB,
  parseType,
  substitute,
  SUI_FRAMEWORK,
  typesEqual,
  type MoveType,
  type ParamSig,
} from './move-types.js';
import type { MutRef, RegisteredFunction } from './registry.js';
import type { WorkingObject } from './working-set.js';

export type Value =
  | { readonly kind: 'pure'; readonly bytes: Uint8Array }
  | { readonly kind: 'object'; readonly id: string }
  | { readonly kind: 'data'; readonly type: MoveType; readonly bytes: Uint8Array }
  | { readonly kind: 'objects'; readonly elemType: MoveType; readonly ids: readonly string[] };

interface Slot {
  value: Value | undefined;
}

export interface ReturnedValue {
  readonly bytes: Uint8Array;
  readonly type: string;
}

type Command = ReturnType<typeof bcs.Command.parse>;
type Argument = ReturnType<typeof bcs.Argument.parse>;
type MoveCall = NonNullable<Command['MoveCall']>;

/** Called with a package bug or an unexpected exception, so the mirror's author sees it. */
export type BugReporter = (message: string, error: unknown) => void;

const U64_MAX = (1n << 64n) - 1n;

export function coinBalance(contents: Uint8Array): bigint {
  return new DataView(contents.buffer, contents.byteOffset + 32, 8).getBigUint64(0, true);
}

export function coinContents(id: string, balance: bigint): Uint8Array {
  const contents = new Uint8Array(40);
  contents.set(hexBytes(id), 0);
  new DataView(contents.buffer).setBigUint64(32, balance, true);
  return contents;
}

function hexBytes(id: string): Uint8Array {
  const hex = id.slice(2);
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) =>
    parseInt(hex.slice(i * 2, i * 2 + 2), 16),
  );
}

/** Types a pure input may have (Sui's `is_valid_pure_type`). */
function isPureType(type: MoveType): boolean {
  switch (type.kind) {
    case 'signer':
    case 'param':
      return false;
    case 'vector':
      return isPureType(type.elem);
    case 'struct':
      return (
        isStructNamed(type, MOVE_STDLIB, 'string', 'String') ||
        isStructNamed(type, MOVE_STDLIB, 'ascii', 'String') ||
        isStructNamed(type, SUI_FRAMEWORK, 'object', 'ID') ||
        (isStructNamed(type, MOVE_STDLIB, 'option', 'Option') && isPureType(type.typeArgs[0]))
      );
    default:
      return true;
  }
}

export class PtbExecutor {
  readonly #results: Slot[][] = [];
  readonly #inputs: Slot[];
  readonly #gas: Slot | undefined;

  constructor(
    private readonly env: TxEnvironment,
    inputs: readonly Value[],
    gasId: string | undefined,
    private readonly reportBug: BugReporter,
  ) {
    this.#inputs = inputs.map((value) => ({ value }));
    this.#gas = gasId === undefined ? undefined : { value: { kind: 'object', id: gasId } };
  }

  /** Runs every command; throws an {@link ExecutionFailure} naming the failing command. */
  run(commands: readonly Command[]): void {
    commands.forEach((command, index) => {
      try {
        const slots = this.#command(command);
        this.#results.push(slots);
        this.returned.push(slots.map((slot) => this.#snapshot(slot.value!)));
      } catch (error) {
        throw this.#asFailure(error).atCommand(index);
      }
    });
    this.#checkUnused();
  }

  /** Each command's return values as BCS with their type, as `sui_devInspectTransactionBlock` shows them. */
  readonly returned: ReturnedValue[][] = [];

  #snapshot(value: Value): ReturnedValue {
    switch (value.kind) {
      case 'pure':
        return { bytes: value.bytes, type: '' };
      case 'data':
        return { bytes: value.bytes, type: formatType(value.type, true) };
      case 'object': {
        const object = this.#object(value.id);
        return { bytes: object.contents.slice(), type: formatType(object.type, true) };
      }
      case 'objects': {
        const type: MoveType = { kind: 'vector', elem: value.elemType };
        const items = value.ids.map((id) => this.#object(id).contents);
        const length = bcs.uleb128().serialize(items.length).toBytes();
        const bytes = new Uint8Array(length.length + items.reduce((n, item) => n + item.length, 0));
        bytes.set(length, 0);
        let at = length.length;
        for (const item of items) {
          bytes.set(item, at);
          at += item.length;
        }
        return { bytes, type: formatType(type, true) };
      }
    }
  }

  #asFailure(error: unknown): ExecutionFailure {
    if (error instanceof ExecutionFailure) return error;
    if (error instanceof MoveAbortSignal) return moveAbort(error.info);
    if (error instanceof PackageBug) {
      this.reportBug(error.message, error);
      return new ExecutionFailure(
        { InvariantViolation: true },
        `InvariantViolation (package bug: ${error.message})`,
      );
    }
    this.reportBug('unexpected error while executing a command', error);
    return new ExecutionFailure({ InvariantViolation: true }, 'InvariantViolation');
  }

  #command(command: Command): Slot[] {
    switch (command.$kind) {
      case 'MoveCall':
        return this.#moveCall(command.MoveCall!);
      case 'SplitCoins':
        return this.#splitCoins(command.SplitCoins!);
      case 'MergeCoins':
        this.#mergeCoins(command.MergeCoins!);
        return [];
      case 'TransferObjects':
        this.#transferObjects(command.TransferObjects!);
        return [];
      case 'MakeMoveVec':
        return [this.#makeMoveVec(command.MakeMoveVec!)];
      default:
        throw simpleFailure('FeatureNotYetSupported');
    }
  }

  #slot(arg: Argument, argIdx: number): Slot {
    switch (arg.$kind) {
      case 'GasCoin':
        if (this.#gas === undefined) throw commandArgumentError(argIdx, 'InvalidGasCoinUsage');
        return this.#gas;
      case 'Input': {
        const slot = this.#inputs[arg.Input!];
        if (slot === undefined) throw indexOutOfBounds(argIdx, arg.Input!);
        return slot;
      }
      case 'Result': {
        const result = this.#results[arg.Result!];
        if (result === undefined) throw indexOutOfBounds(argIdx, arg.Result!);
        if (result.length !== 1) throw invalidResultArity(argIdx, arg.Result!);
        return result[0];
      }
      case 'NestedResult': {
        const [resultIdx, secondaryIdx] = arg.NestedResult!;
        const result = this.#results[resultIdx];
        if (result === undefined) throw indexOutOfBounds(argIdx, resultIdx);
        const slot = result[secondaryIdx];
        if (slot === undefined) throw secondaryIndexOutOfBounds(argIdx, resultIdx, secondaryIdx);
        return slot;
      }
      default:
        throw indexOutOfBounds(argIdx, 0);
    }
  }

  #object(id: string): WorkingObject {
    const object = this.env.ws.get(id);
    if (object === undefined) throw new PackageBug(`value refers to unknown object ${id}`);
    return object;
  }

  /** A reference to the argument's value; the value stays in its slot. */
  #borrow(arg: Argument, argIdx: number, mutable: boolean): { slot: Slot; value: Value } {
    const slot = this.#slot(arg, argIdx);
    const value = slot.value;
    if (value === undefined) throw commandArgumentError(argIdx, 'ArgumentWithoutValue');
    if (value.kind === 'object' && mutable) {
      const role = this.#object(value.id).role;
      if (role === 'immutable-input' || role === 'shared-imm-input') {
        throw commandArgumentError(argIdx, 'InvalidObjectByMutRef');
      }
    }
    return { slot, value };
  }

  /** Moves the argument's value out of its slot (copyable data is copied instead). */
  #take(arg: Argument, argIdx: number, allowGas: boolean): Value {
    if (arg.$kind === 'GasCoin' && !allowGas)
      throw commandArgumentError(argIdx, 'InvalidGasCoinUsage');
    const { slot, value } = this.#borrow(arg, argIdx, false);
    switch (value.kind) {
      case 'pure':
        return value;
      case 'data':
        if (!this.env.layouts.abilities(value.type).has('copy')) slot.value = undefined;
        return value;
      case 'objects':
        slot.value = undefined;
        return value;
      case 'object': {
        const object = this.#object(value.id);
        if (
          object.role === 'immutable-input' ||
          object.role === 'shared-imm-input' ||
          object.role === 'shared-mut-input'
        ) {
          throw commandArgumentError(argIdx, 'InvalidObjectByValue');
        }
        slot.value = undefined;
        object.owner = null;
        object.dirty = true;
        return value;
      }
    }
  }

  /** A non-object value decoded by the type the callee expects. */
  #decode(value: Value, type: MoveType, argIdx: number): unknown {
    if (value.kind === 'pure') {
      if (!isPureType(type)) throw commandArgumentError(argIdx, 'InvalidUsageOfPureArg');
      let decoded: unknown;
      try {
        decoded = this.env.layouts.decode(type, value.bytes);
      } catch {
        throw commandArgumentError(argIdx, 'InvalidBCSBytes');
      }
      if (
        isStructNamed(type, MOVE_STDLIB, 'ascii', 'String') &&
        /[^\x00-\x7f]/.test(decoded as string)
      ) {
        throw commandArgumentError(argIdx, 'InvalidBCSBytes');
      }
      return decoded;
    }
    if (value.kind !== 'data' || !typesEqual(value.type, type))
      throw commandArgumentError(argIdx, 'TypeMismatch');
    return this.env.layouts.decode(type, value.bytes);
  }

  #u64(arg: Argument, argIdx: number): bigint {
    return BigInt(this.#decode(this.#take(arg, argIdx, false), { kind: 'u64' }, argIdx) as string);
  }

  #coin(arg: Argument, argIdx: number): WorkingObject {
    const { value } = this.#borrow(arg, argIdx, true);
    if (value.kind !== 'object') throw commandArgumentError(argIdx, 'TypeMismatch');
    const coin = this.#object(value.id);
    if (coinInnerType(coin.type) === undefined) throw commandArgumentError(argIdx, 'TypeMismatch');
    return coin;
  }

  #splitCoins(command: NonNullable<Command['SplitCoins']>): Slot[] {
    const coin = this.#coin(command.coin, 0);
    const amounts = command.amounts.map((arg, i) => this.#u64(arg, i + 1));
    const total = amounts.reduce((sum, amount) => sum + amount, 0n);
    const balance = coinBalance(coin.contents);
    if (total > balance) throw simpleFailure('InsufficientCoinBalance');
    this.env.ws.setContents(coin, coinContents(coin.id, balance - total));
    return amounts.map((amount) => {
      const id = this.env.ws.mintId();
      this.env.ws.addNew(id, coin.type, coinContents(id, amount), true, { createdHere: true });
      return { value: { kind: 'object', id } };
    });
  }

  #mergeCoins(command: NonNullable<Command['MergeCoins']>): void {
    const target = this.#coin(command.destination, 0);
    let balance = coinBalance(target.contents);
    command.sources.forEach((arg, i) => {
      const value = this.#take(arg, i + 1, false);
      if (value.kind !== 'object') throw commandArgumentError(i + 1, 'TypeMismatch');
      if (value.id === target.id) throw commandArgumentError(i + 1, 'InvalidValueUsage');
      const source = this.#object(value.id);
      if (!typesEqual(source.type, target.type)) throw commandArgumentError(i + 1, 'TypeMismatch');
      balance += coinBalance(source.contents);
      if (balance > U64_MAX) throw simpleFailure('CoinBalanceOverflow');
      source.status = 'deleted';
    });
    this.env.ws.setContents(target, coinContents(target.id, balance));
  }

  #transferObjects(command: NonNullable<Command['TransferObjects']>): void {
    const addressIdx = command.objects.length;
    const values = command.objects.map((arg, i) => this.#take(arg, i, true));
    const recipient = this.#decode(
      this.#take(command.address, addressIdx, false),
      { kind: 'address' },
      addressIdx,
    );
    values.forEach((value, i) => {
      if (value.kind !== 'object') throw commandArgumentError(i, 'InvalidTransferObject');
      const object = this.#object(value.id);
      if (!object.hasPublicTransfer) throw commandArgumentError(i, 'InvalidTransferObject');
      object.owner = { kind: 'address', address: recipient as string };
      object.dirty = true;
    });
  }

  #makeMoveVec(command: NonNullable<Command['MakeMoveVec']>): Slot {
    const declared = command.type === null ? undefined : parseType(command.type);
    if (declared !== undefined && !this.env.layouts.isObject(declared)) {
      const items = command.elements.map((arg, i) =>
        this.#decode(this.#take(arg, i, false), declared, i),
      );
      const type: MoveType = { kind: 'vector', elem: declared };
      return { value: { kind: 'data', type, bytes: this.env.layouts.encode(type, items) } };
    }
    if (declared === undefined && command.elements.length === 0) {
      throw commandArgumentError(0, 'InvalidMakeMoveVecNonObjectArgument');
    }
    let elemType = declared;
    const ids = command.elements.map((arg, i) => {
      const value = this.#take(arg, i, false);
      if (value.kind !== 'object')
        throw commandArgumentError(i, 'InvalidMakeMoveVecNonObjectArgument');
      const type = this.#object(value.id).type;
      elemType ??= type;
      if (!typesEqual(type, elemType)) throw commandArgumentError(i, 'TypeMismatch');
      return value.id;
    });
    return { value: { kind: 'objects', elemType: elemType!, ids } };
  }

  #resolveFunction(call: MoveCall): { fn: RegisteredFunction; typeArgs: MoveType[] } {
    const fn = this.env.registry.function(call.package, call.module, call.function);
    if (fn === undefined) throw simpleFailure('FunctionNotFound');
    const typeArgs = call.typeArguments.map((text, i) => {
      try {
        const type = parseType(text);
        this.env.layouts.abilities(type);
        return type;
      } catch {
        throw typeArgumentError(i, 'TypeNotFound');
      }
    });
    if (typeArgs.length !== fn.typeParams) throw simpleFailure('TypeArityMismatch');
    fn.def.typeParamAbilities?.forEach((required, i) => {
      const has = this.env.layouts.abilities(typeArgs[i]);
      if (required.some((ability) => !has.has(ability)))
        throw typeArgumentError(i, 'ConstraintNotSatisfied');
    });
    return { fn, typeArgs };
  }

  #moveCall(call: MoveCall): Slot[] {
    const { fn, typeArgs } = this.#resolveFunction(call);
    const params = fn.takesTxContext ? fn.params.slice(0, -1) : fn.params;
    if (call.arguments.length !== params.length) throw simpleFailure('ArityMismatch');
    const frame = new Frame(this.env, {
      packageId: fn.packageId,
      moduleName: fn.moduleName,
      functionName: fn.name,
      functionIndex: fn.index,
      typeArgs,
    });
    const byValue: Handle[] = [];
    const args = params.map((param, i) =>
      this.#argument(
        call.arguments[i],
        i,
        {
          ref: param.ref,
          type: substitute(param.type, typeArgs),
        },
        frame,
        byValue,
      ),
    );
    const location = frame.abortInfo(0);
    let returned: unknown;
    try {
      returned = fn.def.execute(frame, args);
    } catch (error) {
      if (
        error instanceof MoveAbortSignal ||
        error instanceof ExecutionFailure ||
        error instanceof PackageBug
      ) {
        throw error;
      }
      this.reportBug(`${fn.moduleName}::${fn.name} threw`, error);
      throw runtimeError(location);
    }
    const returns = fn.returns.map((type) => substitute(type, typeArgs));
    const values = returns.length === 1 ? [returned] : returns.length === 0 ? [] : returned;
    if (!Array.isArray(values) || values.length !== returns.length) {
      throw new PackageBug(`${fn.moduleName}::${fn.name} must return ${returns.length} values`);
    }
    const slots = returns.map((type, i) => ({ value: this.#returnValue(values[i], type) }));
    this.#checkPlaced([...byValue, ...frame.created], slots, fn);
    return slots;
  }

  /** Every object the call took by value or created is placed, consumed, or returned. */
  #checkPlaced(handles: readonly Handle[], slots: readonly Slot[], fn: RegisteredFunction): void {
    const returned = new Set<string>();
    for (const slot of slots) {
      if (slot.value?.kind === 'object') returned.add(slot.value.id);
      if (slot.value?.kind === 'objects') slot.value.ids.forEach((id) => returned.add(id));
    }
    for (const handle of handles) {
      const object = handle.object;
      if (object.status === 'live' && object.owner === null && !returned.has(object.id)) {
        throw new PackageBug(
          `${fn.moduleName}::${fn.name} left object ${object.id} without an owner`,
        );
      }
    }
  }

  #argument(
    arg: Argument,
    argIdx: number,
    sig: ParamSig,
    frame: Frame,
    byValue: Handle[],
  ): unknown {
    const { type } = sig;
    if (this.env.layouts.isObject(type))
      return this.#objectArgument(arg, argIdx, sig, frame, byValue);
    if (sig.ref === null && type.kind === 'vector' && this.env.layouts.isObject(type.elem)) {
      const value = this.#take(arg, argIdx, false);
      if (value.kind !== 'objects' || !typesEqual(value.elemType, type.elem)) {
        throw commandArgumentError(argIdx, 'TypeMismatch');
      }
      return value.ids.map((id) => {
        const handle = frame.handle(this.#object(id), 'value');
        byValue.push(handle);
        return handle;
      });
    }
    if (sig.ref === 'mut') {
      const { slot, value } = this.#borrow(arg, argIdx, true);
      return this.#mutRef(slot, type, this.#decode(value, type, argIdx));
    }
    const value =
      sig.ref === 'imm' ? this.#borrow(arg, argIdx, false).value : this.#take(arg, argIdx, false);
    return this.#decode(value, type, argIdx);
  }

  #objectArgument(
    arg: Argument,
    argIdx: number,
    sig: ParamSig,
    frame: Frame,
    byValue: Handle[],
  ): Handle {
    const value =
      sig.ref === null
        ? this.#take(arg, argIdx, false)
        : this.#borrow(arg, argIdx, sig.ref === 'mut').value;
    if (value.kind === 'pure') throw commandArgumentError(argIdx, 'InvalidUsageOfPureArg');
    if (value.kind !== 'object') throw commandArgumentError(argIdx, 'TypeMismatch');
    const object = this.#object(value.id);
    if (!typesEqual(object.type, sig.type)) throw commandArgumentError(argIdx, 'TypeMismatch');
    if (sig.ref === null) {
      const handle = frame.handle(object, 'value');
      byValue.push(handle);
      return handle;
    }
    return frame.handle(object, sig.ref === 'mut' ? 'mut' : 'imm');
  }

  #mutRef(slot: Slot, type: MoveType, initial: unknown): MutRef<unknown> {
    const layouts = this.env.layouts;
    let current = initial;
    return {
      get value() {
        return current;
      },
      set(next: unknown) {
        slot.value = { kind: 'data', type, bytes: layouts.encode(type, next) };
        current = next;
      },
    };
  }

  #returnValue(value: unknown, type: MoveType): Value {
    if (this.env.layouts.isObject(type))
      return { kind: 'object', id: this.#heldHandle(value, type).id };
    if (type.kind === 'vector' && this.env.layouts.isObject(type.elem)) {
      if (!Array.isArray(value))
        throw new PackageBug(`expected an array of ${formatType(type.elem)}`);
      return {
        kind: 'objects',
        elemType: type.elem,
        ids: value.map((item) => this.#heldHandle(item, type.elem).id),
      };
    }
    try {
      return { kind: 'data', type, bytes: this.env.layouts.encode(type, value) };
    } catch (error) {
      throw new PackageBug(
        `cannot encode return value as ${formatType(type)}: ${(error as Error).message}`,
      );
    }
  }

  #heldHandle(value: unknown, type: MoveType): WorkingObject {
    if (!(value instanceof Handle))
      throw new PackageBug(`expected an object of ${formatType(type)}`);
    const object = value.object;
    if (object.status !== 'live' || object.owner !== null || value.access !== 'value') {
      throw new PackageBug(`returned object ${object.id} is not held by value`);
    }
    if (!typesEqual(object.type, type))
      throw new PackageBug(`returned ${formatType(object.type)} as ${formatType(type)}`);
    return object;
  }

  /** Sui rejects a PTB that ends with values that cannot be dropped. */
  #checkUnused(): void {
    this.#results.forEach((slots, resultIdx) =>
      slots.forEach((slot, secondaryIdx) => {
        const value = slot.value;
        if (value === undefined) return;
        const droppable =
          value.kind === 'data' && this.env.layouts.abilities(value.type).has('drop');
        if (!droppable && value.kind !== 'pure')
          throw unusedValueWithoutDrop(resultIdx, secondaryIdx);
      }),
    );
    for (const object of this.env.ws.objects.values()) {
      if (object.status === 'live' && object.owner === null) {
        throw new ExecutionFailure(
          { InvariantViolation: true },
          `InvariantViolation (package bug: object ${object.id} ends the transaction without an owner)`,
        );
      }
    }
  }
}
