/**
 * Move types as data: parse the strings package authors and clients write, compare them after
 * normalizing addresses, substitute type parameters, and print them in Sui's long and short forms.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { TYPE_CHARS_MAX, TYPE_DEPTH_MAX } from './limits.js';

export type PrimitiveKind =
  'bool' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'address' | 'signer';

export type MoveType =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'vector'; readonly elem: MoveType }
  | {
      readonly kind: 'struct';
      readonly address: string;
      readonly module: string;
      readonly name: string;
      readonly typeArgs: readonly MoveType[];
    }
  | { readonly kind: 'param'; readonly index: number };

export type StructType = Extract<MoveType, { kind: 'struct' }>;

/** A function parameter: a type plus how it is passed. */
export interface ParamSig {
  readonly ref: 'imm' | 'mut' | null;
  readonly type: MoveType;
}

const PRIMITIVES: ReadonlySet<string> = new Set([
  'bool',
  'u8',
  'u16',
  'u32',
  'u64',
  'u128',
  'u256',
  'address',
  'signer',
]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEX_ADDRESS = /^0x[0-9a-fA-F]{1,64}$/;

export class MoveTypeError extends Error {
  override name = 'MoveTypeError';
}

/** Splits a type string into identifiers, addresses and punctuation. */
function tokenize(text: string): string[] {
  if (text.length > TYPE_CHARS_MAX)
    throw new MoveTypeError(`type longer than ${TYPE_CHARS_MAX} chars`);
  const tokens: string[] = [];
  const re = /\s*(::|<|>|,|&|[A-Za-z0-9_]+)/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new MoveTypeError(`unexpected character at ${at} in type '${text}'`);
    tokens.push(m[1]);
    at = re.lastIndex;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: string[],
    private readonly source: string,
  ) {}

  done(): boolean {
    return this.at === this.tokens.length;
  }

  peek(): string | undefined {
    return this.tokens[this.at];
  }

  next(): string {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new MoveTypeError(`type '${this.source}' ends early`);
    return token;
  }

  expect(token: string): void {
    const got = this.next();
    if (got !== token)
      throw new MoveTypeError(`expected '${token}' but got '${got}' in '${this.source}'`);
  }

  type(depth: number): MoveType {
    if (depth > TYPE_DEPTH_MAX) throw new MoveTypeError(`type nests deeper than ${TYPE_DEPTH_MAX}`);
    const head = this.next();
    if (PRIMITIVES.has(head)) return { kind: head as PrimitiveKind };
    if (head === 'vector') {
      this.expect('<');
      const elem = this.type(depth + 1);
      this.expect('>');
      return { kind: 'vector', elem };
    }
    const param = /^T([0-9]*)$/.exec(head);
    if (param) return { kind: 'param', index: param[1] === '' ? 0 : Number(param[1]) };
    if (!HEX_ADDRESS.test(head))
      throw new MoveTypeError(`'${head}' is not a type in '${this.source}'`);
    this.expect('::');
    const module = this.next();
    this.expect('::');
    const name = this.next();
    if (!IDENTIFIER.test(module) || !IDENTIFIER.test(name)) {
      throw new MoveTypeError(`bad identifier in '${this.source}'`);
    }
    const typeArgs: MoveType[] = [];
    if (this.peek() === '<') {
      this.next();
      for (;;) {
        typeArgs.push(this.type(depth + 1));
        const sep = this.next();
        if (sep === '>') break;
        if (sep !== ',') throw new MoveTypeError(`expected ',' or '>' in '${this.source}'`);
      }
    }
    return { kind: 'struct', address: normalizeSuiAddress(head), module, name, typeArgs };
  }
}

/** Parses `u64`, `vector<u8>`, `0x2::coin::Coin<0x2::sui::SUI>`, `T0` (type parameter 0). */
export function parseType(text: string): MoveType {
  const parser = new Parser(tokenize(text), text);
  const type = parser.type(0);
  if (!parser.done()) throw new MoveTypeError(`trailing tokens in type '${text}'`);
  return type;
}

/** Parses a parameter as Move source spells it: `&mut 0xabc::m::S`, `&T0`, `u64`. */
export function parseParam(text: string): ParamSig {
  const trimmed = text.trim();
  if (trimmed.startsWith('&mut ')) return { ref: 'mut', type: parseType(trimmed.slice(5)) };
  if (trimmed.startsWith('&')) return { ref: 'imm', type: parseType(trimmed.slice(1)) };
  return { ref: null, type: parseType(trimmed) };
}

/** Parses a concrete struct type (no type parameters); the form events and objects use. */
export function parseStructType(text: string): StructType {
  const type = parseType(text);
  if (type.kind !== 'struct') throw new MoveTypeError(`'${text}' is not a struct type`);
  if (hasTypeParams(type)) throw new MoveTypeError(`'${text}' has unbound type parameters`);
  return type;
}

function shortAddress(address: string): string {
  const trimmed = address.slice(2).replace(/^0+/, '');
  return `0x${trimmed === '' ? '0' : trimmed}`;
}

/**
 * Prints a type. The long form (64-hex addresses) is our canonical key; the short form trims
 * leading zeros (`0x2::sui::SUI`) as Sui's JSON-RPC prints object and event types.
 */
export function formatType(type: MoveType, short = false): string {
  switch (type.kind) {
    case 'vector':
      return `vector<${formatType(type.elem, short)}>`;
    case 'struct': {
      const address = short ? shortAddress(type.address) : type.address;
      const args =
        type.typeArgs.length === 0
          ? ''
          : `<${type.typeArgs.map((arg) => formatType(arg, short)).join(', ')}>`;
      return `${address}::${type.module}::${type.name}${args}`;
    }
    case 'param':
      return `T${type.index}`;
    default:
      return type.kind;
  }
}

/** Canonical (long-form) spelling of any accepted type string. */
export function normalizeType(text: string): string {
  return formatType(parseType(text));
}

export function hasTypeParams(type: MoveType): boolean {
  switch (type.kind) {
    case 'param':
      return true;
    case 'vector':
      return hasTypeParams(type.elem);
    case 'struct':
      return type.typeArgs.some(hasTypeParams);
    default:
      return false;
  }
}

/** Replaces `T<i>` with `typeArgs[i]`. */
export function substitute(type: MoveType, typeArgs: readonly MoveType[]): MoveType {
  switch (type.kind) {
    case 'param': {
      const arg = typeArgs[type.index];
      if (arg === undefined) throw new MoveTypeError(`type parameter T${type.index} is not bound`);
      return arg;
    }
    case 'vector':
      return { kind: 'vector', elem: substitute(type.elem, typeArgs) };
    case 'struct':
      return { ...type, typeArgs: type.typeArgs.map((arg) => substitute(arg, typeArgs)) };
    default:
      return type;
  }
}

export function typesEqual(a: MoveType, b: MoveType): boolean {
  return formatType(a) === formatType(b);
}

/** `address::module::name` without type arguments. */
export function structBase(type: StructType): string {
  return `${type.address}::${type.module}::${type.name}`;
}

export function isStructNamed(
  type: MoveType,
  address: string,
  module: string,
  name: string,
): boolean {
  return (
    type.kind === 'struct' &&
    type.address === normalizeSuiAddress(address) &&
    type.module === module &&
    type.name === name
  );
}

export const SUI_FRAMEWORK = normalizeSuiAddress('0x2');
export const MOVE_STDLIB = normalizeSuiAddress('0x1');
export const SUI_TYPE: StructType = {
  kind: 'struct',
  address: SUI_FRAMEWORK,
  module: 'sui',
  name: 'SUI',
  typeArgs: [],
};

export function coinType(inner: MoveType): StructType {
  return {
    kind: 'struct',
    address: SUI_FRAMEWORK,
    module: 'coin',
    name: 'Coin',
    typeArgs: [inner],
  };
}

export const GAS_COIN_TYPE = coinType(SUI_TYPE);

/** The `T` of `0x2::coin::Coin<T>`, or undefined for any other type. */
export function coinInnerType(type: MoveType): MoveType | undefined {
  return isStructNamed(type, SUI_FRAMEWORK, 'coin', 'Coin') && type.kind === 'struct'
    ? type.typeArgs[0]
    : undefined;
}

export function isTxContext(type: MoveType): boolean {
  return isStructNamed(type, SUI_FRAMEWORK, 'tx_context', 'TxContext');
}

/** Sui's JSON-RPC `SuiMoveNormalizedType`, as `sui_getNormalizedMoveFunction` returns it. */
export type NormalizedType =
  | string
  | { Vector: NormalizedType }
  | { Struct: { address: string; module: string; name: string; typeArguments: NormalizedType[] } }
  | { TypeParameter: number }
  | { Reference: NormalizedType }
  | { MutableReference: NormalizedType };

function normalizedBody(type: MoveType): NormalizedType {
  switch (type.kind) {
    case 'vector':
      return { Vector: normalizedBody(type.elem) };
    case 'struct':
      return {
        Struct: {
          address: type.address,
          module: type.module,
          name: type.name,
          typeArguments: type.typeArgs.map(normalizedBody),
        },
      };
    case 'param':
      return { TypeParameter: type.index };
    default:
      return type.kind.charAt(0).toUpperCase() + type.kind.slice(1);
  }
}

export function normalizedParam(sig: ParamSig): NormalizedType {
  const body = normalizedBody(sig.type);
  if (sig.ref === 'imm') return { Reference: body };
  if (sig.ref === 'mut') return { MutableReference: body };
  return body;
}

/** The `TypeTag` value `@mysten/sui/bcs` serializes (its untransformed inner enum form). */
export function typeTagOf(type: MoveType): unknown {
  switch (type.kind) {
    case 'vector':
      return { vector: typeTagOf(type.elem) };
    case 'struct':
      return {
        struct: {
          address: type.address,
          module: type.module,
          name: type.name,
          typeParams: type.typeArgs.map(typeTagOf),
        },
      };
    case 'param':
      throw new MoveTypeError('a type tag cannot contain a type parameter');
    default:
      return { [type.kind]: null };
  }
}
