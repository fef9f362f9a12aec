/**
 * From a Move type to its BCS layout and abilities, using the structs packages registered.
 * Also the JSON rendering Sui's RPC uses for Move values (numbers above u32 as strings, byte
 * vectors as arrays of numbers).
 */
import { bcs } from '@mysten/sui/bcs';
import type { Ability, AnyBcs, Registry } from './registry.js';
import { formatType, type MoveType } from './move-types.js';

export class LayoutError extends Error {
  override name = 'LayoutError';
}

const ALL_ABILITIES: readonly Ability[] = ['copy', 'drop', 'store'];

export class Layouts {
  readonly #cache = new Map<string, AnyBcs>();
  constructor(private readonly registry: Registry) {}

  /** The BCS layout of a concrete type; throws LayoutError for an unregistered struct. */
  of(type: MoveType): AnyBcs {
    const key = formatType(type);
    let layout = this.#cache.get(key);
    if (layout === undefined) {
      layout = this.#build(type);
      this.#cache.set(key, layout);
    }
    return layout;
  }

  #build(type: MoveType): AnyBcs {
    switch (type.kind) {
      case 'bool':
        return bcs.bool();
      case 'u8':
        return bcs.u8();
      case 'u16':
        return bcs.u16();
      case 'u32':
        return bcs.u32();
      case 'u64':
        return bcs.u64();
      case 'u128':
        return bcs.u128();
      case 'u256':
        return bcs.u256();
      case 'address':
        return bcs.Address;
      case 'vector':
        return type.elem.kind === 'u8' ? bcs.byteVector() : bcs.vector(this.of(type.elem));
      case 'struct': {
        const def = this.registry.struct(type.address, type.module, type.name);
        if (def === undefined)
          throw new LayoutError(`no layout registered for ${formatType(type)}`);
        const arity = def.typeParams?.length ?? 0;
        if (arity !== type.typeArgs.length) {
          throw new LayoutError(`${formatType(type)} needs ${arity} type arguments`);
        }
        if (typeof def.layout === 'function')
          return def.layout(type.typeArgs.map((arg) => this.of(arg)));
        return def.layout;
      }
      default:
        throw new LayoutError(`type ${formatType(type)} has no value layout`);
    }
  }

  /** Abilities of a concrete type, applying Move's rule for generic structs. */
  abilities(type: MoveType): ReadonlySet<Ability> {
    switch (type.kind) {
      case 'vector': {
        const elem = this.abilities(type.elem);
        return new Set(ALL_ABILITIES.filter((a) => elem.has(a)));
      }
      case 'struct': {
        const def = this.registry.struct(type.address, type.module, type.name);
        if (def === undefined)
          throw new LayoutError(`no struct registered for ${formatType(type)}`);
        const result = new Set(def.abilities);
        type.typeArgs.forEach((arg, i) => {
          if (def.typeParams?.[i]?.phantom === true) return;
          const argAbilities = this.abilities(arg);
          for (const ability of [...result]) {
            // An instance has `key` when its arguments have `store`, any other ability when they
            // have that ability (Move's conditional abilities).
            const needed = ability === 'key' ? 'store' : ability;
            if (!argAbilities.has(needed)) result.delete(ability);
          }
        });
        return result;
      }
      case 'signer':
        return new Set(['drop']);
      case 'param':
        throw new LayoutError('abilities of an unbound type parameter');
      default:
        return new Set(ALL_ABILITIES);
    }
  }

  isObject(type: MoveType): boolean {
    return type.kind === 'struct' && this.abilities(type).has('key');
  }

  encode(type: MoveType, value: unknown): Uint8Array {
    return this.of(type).serialize(value).toBytes();
  }

  /** Decodes and insists every byte was used, as Move's deserializer does. */
  decode(type: MoveType, bytes: Uint8Array): unknown {
    const layout = this.of(type);
    const value = layout.parse(bytes);
    // Re-encoding catches trailing bytes and invalid UTF-8 (which decodes lossily).
    const again = layout.serialize(value).toBytes();
    if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
      throw new LayoutError(`bytes are not a canonical ${formatType(type)}`);
    }
    return value;
  }
}

/** Sui's JSON rendering of a decoded value: bigints as strings, bytes as number arrays. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = toJsonValue(field);
    return out;
  }
  return value;
}
