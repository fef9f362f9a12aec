/**
 * The slice of Move's standard library (0x1) and the Sui framework (0x2) that the ledger and our
 * package need: struct layouts for common types, and the coin/transfer functions clients call
 * directly in PTBs (the Walrus SDK ends its PTBs with `0x2::coin::destroy_zero`).
 */
import { bcs } from '@mysten/sui/bcs';
import type {
  Ability,
  AnyBcs,
  CallContext,
  ObjectHandle,
  PackageDef,
  StructDef,
} from './registry.js';

/** `0x2::object::UID`: a struct holding the ID, rendered `{ id: "0x…" }` as in Sui's JSON. */
export const UID = bcs.struct('UID', { id: bcs.Address });
/** `0x2::object::ID` is a struct around an address; Sui's JSON shows it as the bare address. */
export const ID = bcs.Address;
/** `0x2::balance::Balance<T>` is `{ value: u64 }`; Sui's JSON shows the bare value. */
export const BALANCE = bcs.u64();
export const COIN = bcs.struct('Coin', { id: UID, balance: BALANCE });
export const CLOCK = bcs.struct('Clock', { id: UID, timestamp_ms: bcs.u64() });

export function vecMapLayout(key: AnyBcs, value: AnyBcs): AnyBcs {
  return bcs.struct('VecMap', { contents: bcs.vector(bcs.struct('Entry', { key, value })) });
}

export function fieldLayout(name: AnyBcs, value: AnyBcs): AnyBcs {
  return bcs.struct('Field', { id: UID, name, value });
}

const EMPTY = bcs.struct('Empty', { dummy_field: bool() });
function bool(): AnyBcs {
  return bcs.bool();
}

const DATA: StructDef['abilities'] = ['copy', 'drop', 'store'];
const KEY_STORE: readonly Ability[] = ['key', 'store'];
const ONE = [{}] as const;
const ONE_PHANTOM = [{ phantom: true }] as const;
const TWO = [{}, {}] as const;
const TWO_PHANTOM = [{ phantom: true }, { phantom: true }] as const;

export const MOVE_STDLIB_PACKAGE: PackageDef = {
  packageId: '0x1',
  modules: {
    string: { structs: { String: { abilities: DATA, layout: bcs.string() } } },
    ascii: { structs: { String: { abilities: DATA, layout: bcs.string() } } },
    option: {
      structs: {
        Option: { abilities: DATA, typeParams: ONE, layout: ([inner]) => bcs.option(inner) },
      },
      functions: {
        none: {
          typeParams: 1,
          params: [],
          returns: ['0x1::option::Option<T0>'],
          execute: () => null,
        },
        some: {
          typeParams: 1,
          params: ['T0'],
          returns: ['0x1::option::Option<T0>'],
          execute: (_ctx, [value]) => value,
        },
      },
    },
    type_name: {
      structs: {
        TypeName: { abilities: DATA, layout: bcs.struct('TypeName', { name: bcs.string() }) },
      },
    },
  },
};

type Coin = { id: { id: string }; balance: string };

function coinValue(coin: ObjectHandle<unknown>): string {
  return (coin as ObjectHandle<Coin>).fields.balance;
}

export const SUI_FRAMEWORK_PACKAGE: PackageDef = {
  packageId: '0x2',
  modules: {
    object: {
      structs: {
        UID: { abilities: ['store'], layout: UID },
        ID: { abilities: DATA, layout: ID },
      },
    },
    sui: { structs: { SUI: { abilities: ['drop'], layout: EMPTY } } },
    balance: {
      structs: {
        Balance: { abilities: ['store'], typeParams: ONE_PHANTOM, layout: () => BALANCE },
      },
    },
    clock: { structs: { Clock: { abilities: ['key'], layout: CLOCK } } },
    vec_map: {
      structs: {
        VecMap: { abilities: DATA, typeParams: TWO, layout: ([k, v]) => vecMapLayout(k, v) },
        Entry: {
          abilities: DATA,
          typeParams: TWO,
          layout: ([key, value]) => bcs.struct('Entry', { key, value }),
        },
      },
    },
    vec_set: {
      structs: {
        VecSet: {
          abilities: DATA,
          typeParams: ONE,
          layout: ([k]) => bcs.struct('VecSet', { contents: bcs.vector(k) }),
        },
      },
    },
    table: {
      structs: {
        Table: {
          abilities: ['key', 'store'],
          typeParams: TWO_PHANTOM,
          layout: () => bcs.struct('Table', { id: UID, size: bcs.u64() }),
        },
      },
    },
    object_table: {
      structs: {
        ObjectTable: {
          abilities: ['key', 'store'],
          typeParams: TWO_PHANTOM,
          layout: () => bcs.struct('ObjectTable', { id: UID, size: bcs.u64() }),
        },
      },
    },
    bag: {
      structs: {
        Bag: {
          abilities: ['key', 'store'],
          layout: bcs.struct('Bag', { id: UID, size: bcs.u64() }),
        },
      },
    },
    dynamic_field: {
      structs: {
        Field: { abilities: ['key'], typeParams: TWO, layout: ([k, v]) => fieldLayout(k, v) },
      },
    },
    group_ops: {
      structs: {
        Element: {
          abilities: DATA,
          typeParams: ONE_PHANTOM,
          layout: () => bcs.struct('Element', { bytes: bcs.byteVector() }),
        },
      },
    },
    bls12381: {
      structs: {
        Scalar: { abilities: [], layout: EMPTY },
        G1: { abilities: [], layout: EMPTY },
        G2: { abilities: [], layout: EMPTY },
        GT: { abilities: [], layout: EMPTY },
        UncompressedG1: { abilities: [], layout: EMPTY },
      },
    },
    coin: {
      structs: {
        Coin: { abilities: ['key', 'store'], typeParams: ONE_PHANTOM, layout: () => COIN },
      },
      functions: {
        value: {
          typeParams: 1,
          params: ['&0x2::coin::Coin<T0>'],
          returns: ['u64'],
          execute: (_ctx, [coin]: [ObjectHandle<unknown>]) => coinValue(coin),
        },
        split: {
          typeParams: 1,
          params: ['&mut 0x2::coin::Coin<T0>', 'u64', '&mut 0x2::tx_context::TxContext'],
          returns: ['0x2::coin::Coin<T0>'],
          execute: (ctx, [coin, amount]: [ObjectHandle<unknown>, string]) =>
            ctx.coins.split(coin, amount),
        },
        join: {
          typeParams: 1,
          params: ['&mut 0x2::coin::Coin<T0>', '0x2::coin::Coin<T0>'],
          execute: (ctx, [coin, other]: [ObjectHandle<unknown>, ObjectHandle<unknown>]) => {
            const value = coinValue(other);
            ctx.deleteObject(other);
            ctx.coins.put(coin, value);
          },
        },
        destroy_zero: {
          typeParams: 1,
          params: ['0x2::coin::Coin<T0>'],
          execute: (ctx, [coin]: [ObjectHandle<unknown>]) => {
            // `balance::destroy_zero` aborts with `ENonZero` (0).
            if (BigInt(coinValue(coin)) !== 0n) {
              ctx.abort(0, { package: '0x2', module: 'balance', function: 'destroy_zero' });
            }
            ctx.deleteObject(coin);
          },
        },
        zero: {
          typeParams: 1,
          params: ['&mut 0x2::tx_context::TxContext'],
          returns: ['0x2::coin::Coin<T0>'],
          execute: (ctx: CallContext) =>
            ctx.newObject(`0x2::coin::Coin<${ctx.typeArgs[0]}>`, { balance: '0' }),
        },
      },
    },
    transfer: {
      functions: {
        public_transfer: {
          typeParams: 1,
          typeParamAbilities: [KEY_STORE],
          params: ['T0', 'address'],
          execute: (ctx, [object, recipient]: [ObjectHandle<unknown>, string]) =>
            ctx.transfer(object, recipient),
        },
        public_share_object: {
          typeParams: 1,
          typeParamAbilities: [KEY_STORE],
          params: ['T0'],
          execute: (ctx, [object]: [ObjectHandle<unknown>]) => ctx.share(object),
        },
        public_freeze_object: {
          typeParams: 1,
          typeParamAbilities: [KEY_STORE],
          params: ['T0'],
          execute: (ctx, [object]: [ObjectHandle<unknown>]) => ctx.freeze(object),
        },
      },
    },
  },
};
