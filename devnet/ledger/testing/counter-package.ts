/**
 * A tiny package for the ledger's own tests, written as the package mirror will be: a shared
 * counter with an abort, an event, an owned variant returned to the PTB, and a dynamic field.
 * Load it into a ledger process with `--package dist/devnet/ledger/testing/counter-package.js`.
 */
import { bcs } from '@mysten/sui/bcs';
import { UID } from '../framework.js';
import type { CallContext, MutRef, ObjectHandle, PackageDef } from '../registry.js';

export const COUNTER_PACKAGE_ID =
  '0x00000000000000000000000000000000000000000000000000000000000c0de1';
const PKG = COUNTER_PACKAGE_ID;

/** Abort code when one increment is larger than this. */
export const INCREMENT_MAX = 100;
export const E_TOO_BIG = 7;
export const COUNTER_TYPE = `${PKG}::counter::Counter`;
export const INCREMENTED_TYPE = `${PKG}::counter::Incremented`;

interface Counter {
  id: { id: string };
  value: string;
  creator: string;
}

const COUNTER = bcs.struct('Counter', { id: UID, value: bcs.u64(), creator: bcs.Address });
const INCREMENTED = bcs.struct('Incremented', {
  counter_id: bcs.Address,
  value: bcs.u64(),
  by: bcs.u64(),
});
const NOTE_KEY = 'vector<u8>';
const NOTE_NAME = new TextEncoder().encode('note');

function increment(
  ctx: CallContext,
  counter: ObjectHandle<Counter>,
  by: string,
  capped = true,
): void {
  if (capped && BigInt(by) > BigInt(INCREMENT_MAX)) ctx.abort(E_TOO_BIG);
  const fields = counter.fields;
  fields.value = (BigInt(fields.value) + BigInt(by)).toString();
  counter.set(fields);
  ctx.emit(INCREMENTED_TYPE, { counter_id: counter.id, value: fields.value, by });
}

export const counterPackage: PackageDef = {
  packageId: PKG,
  modules: {
    counter: {
      structs: {
        Counter: { abilities: ['key', 'store'], layout: COUNTER },
        Incremented: { abilities: ['copy', 'drop'], layout: INCREMENTED },
      },
      functions: {
        create: {
          params: ['&mut 0x2::tx_context::TxContext'],
          execute: (ctx) => {
            ctx.share(
              ctx.newObject<Partial<Counter>>(COUNTER_TYPE, { value: '0', creator: ctx.sender }),
            );
          },
        },
        new_owned: {
          params: ['&mut 0x2::tx_context::TxContext'],
          returns: [COUNTER_TYPE],
          execute: (ctx) =>
            ctx.newObject<Partial<Counter>>(COUNTER_TYPE, { value: '0', creator: ctx.sender }),
        },
        increment: {
          params: [`&mut ${COUNTER_TYPE}`, 'u64'],
          execute: (ctx, [counter, by]: [ObjectHandle<Counter>, string]) =>
            increment(ctx, counter, by),
        },
        value: {
          params: [`&${COUNTER_TYPE}`],
          returns: ['u64'],
          execute: (_ctx, [counter]: [ObjectHandle<Counter>]) => counter.fields.value,
        },
        /** Reads the clock and stores the time as the counter value (tests the 0x6 input). */
        stamp: {
          params: [`&mut ${COUNTER_TYPE}`, '&0x2::clock::Clock'],
          execute: (ctx, [counter]: [ObjectHandle<Counter>]) => {
            counter.update((fields) => {
              fields.value = ctx.nowMs().toString();
            });
          },
        },
        /** Adds the clock's milliseconds to the counter (a system call from a timer uses it). */
        add_stamp: {
          params: [`&mut ${COUNTER_TYPE}`, '&0x2::clock::Clock'],
          execute: (ctx, [counter]: [ObjectHandle<Counter>]) =>
            increment(ctx, counter, ctx.nowMs().toString(), false),
        },
        set_note: {
          params: [`&mut ${COUNTER_TYPE}`, '0x1::string::String'],
          execute: (ctx, [counter, note]: [ObjectHandle<Counter>, string]) => {
            const fields = ctx.dynamicFields;
            if (fields.exists(counter, NOTE_KEY, NOTE_NAME)) {
              fields.set(counter, NOTE_KEY, NOTE_NAME, '0x1::string::String', note);
            } else {
              fields.add(counter, NOTE_KEY, NOTE_NAME, '0x1::string::String', note);
            }
          },
        },
        clear_note: {
          params: [`&mut ${COUNTER_TYPE}`],
          returns: ['0x1::string::String'],
          execute: (ctx, [counter]: [ObjectHandle<Counter>]) =>
            ctx.dynamicFields.remove<string>(counter, NOTE_KEY, NOTE_NAME, '0x1::string::String'),
        },
        /** Doubles a u64 in place: exercises `&mut` on a non-object value. */
        double: {
          params: ['&mut u64'],
          execute: (_ctx, [value]: [MutRef<string>]) =>
            value.set((BigInt(value.value) * 2n).toString()),
        },
        destroy: {
          params: [COUNTER_TYPE],
          execute: (ctx, [counter]: [ObjectHandle<Counter>]) => ctx.deleteObject(counter),
        },
        /** Charges a fee from a SUI coin the caller passes by `&mut` (as `reserve_space` will). */
        pay: {
          params: [`&mut ${COUNTER_TYPE}`, '&mut 0x2::coin::Coin<0x2::sui::SUI>', 'u64'],
          execute: (
            ctx,
            [counter, coin, amount]: [ObjectHandle<Counter>, ObjectHandle<unknown>, string],
          ) => {
            ctx.coins.take(coin, amount);
            increment(ctx, counter, '1');
          },
        },
      },
    },
  },
  genesis: (ctx) => {
    ctx.share(ctx.newObject<Partial<Counter>>(COUNTER_TYPE, { value: '0', creator: ctx.sender }));
  },
};

export default counterPackage;
