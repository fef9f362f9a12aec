/**
 * Mirror of `walrus_edge::storage_resource` (move/sources/storage_resource.move): `Storage`
 * reservations of encoded bytes for epochs `[start_epoch, end_epoch)`.
 *
 * The checks run on plain field values so the same code serves an owned `Storage` object and the
 * `Storage` wrapped inside a `Blob`.
 */
import { bcs } from '@mysten/sui/bcs';
import { UID } from '../ledger/framework.js';
import type { CallContext, FunctionDef, ModuleDef, ObjectHandle } from '../ledger/registry.js';
import {
  ensure,
  internal,
  recordFunctionOrder,
  TX_CONTEXT_MUT,
  typeName,
  u32,
  u64,
  type Uid,
} from './common.js';

const M = 'storage_resource';

export const STORAGE_TYPE = typeName(M, 'Storage');

// Move: storage_resource abort codes.
export const EInvalidEpoch = 0;
export const EIncompatibleEpochs = 1;
export const EIncompatibleAmount = 2;
export const EInvalidEpochRange = 3;

/** BCS field order: id, start_epoch, end_epoch, storage_size. */
export const STORAGE = bcs.struct('Storage', {
  id: UID,
  start_epoch: bcs.u32(),
  end_epoch: bcs.u32(),
  storage_size: bcs.u64(),
});

export interface StorageFields {
  id: Uid;
  start_epoch: number;
  end_epoch: number;
  /** u64 as a decimal string. */
  storage_size: string;
}

// ---- Package-only (called by `system` and `blob`) ----

// Move: walrus_edge::storage_resource::create_storage
export function createStorage(
  ctx: CallContext,
  startEpoch: number,
  endEpoch: number,
  storageSize: bigint,
): ObjectHandle<StorageFields> {
  ensure(ctx, startEpoch < endEpoch, M, 'create_storage', EInvalidEpochRange);
  return ctx.newObject<StorageFields>(STORAGE_TYPE, {
    id: { id: ctx.freshId() },
    start_epoch: startEpoch,
    end_epoch: endEpoch,
    storage_size: storageSize.toString(),
  });
}

// Move: walrus_edge::storage_resource::extend_end_epoch
export function extendEndEpoch(self: StorageFields, extensionEpochs: number): void {
  self.end_epoch = u32(self.end_epoch + extensionEpochs, M, 'extend_end_epoch');
}

// ---- Operations on field values ----

// Move: walrus_edge::storage_resource::split_by_epoch (checks and the new piece's fields)
function splitByEpochValue(
  ctx: CallContext,
  self: StorageFields,
  splitEpoch: number,
): Omit<StorageFields, 'id'> {
  ensure(
    ctx,
    splitEpoch > self.start_epoch && splitEpoch < self.end_epoch,
    M,
    'split_by_epoch',
    EInvalidEpoch,
  );
  const endEpoch = self.end_epoch;
  self.end_epoch = splitEpoch;
  return { start_epoch: splitEpoch, end_epoch: endEpoch, storage_size: self.storage_size };
}

// Move: walrus_edge::storage_resource::split_by_size (checks and the new piece's fields)
function splitBySizeValue(
  ctx: CallContext,
  self: StorageFields,
  splitSize: bigint,
): Omit<StorageFields, 'id'> {
  const size = BigInt(self.storage_size);
  ensure(ctx, splitSize <= size, M, 'split_by_size', EIncompatibleAmount);
  const remainder = size - splitSize;
  self.storage_size = splitSize.toString();
  return {
    start_epoch: self.start_epoch,
    end_epoch: self.end_epoch,
    storage_size: remainder.toString(),
  };
}

/**
 * Move: walrus_edge::storage_resource::fuse_periods. `second` is already consumed by the caller
 * (Move deletes its UID before the checks; an abort reverts either way).
 */
export function fusePeriodsValue(
  ctx: CallContext,
  self: StorageFields,
  second: StorageFields,
): void {
  ensure(ctx, self.storage_size === second.storage_size, M, 'fuse_periods', EIncompatibleAmount);
  if (self.end_epoch === second.start_epoch) {
    self.end_epoch = second.end_epoch;
  } else {
    ensure(ctx, self.start_epoch === second.end_epoch, M, 'fuse_periods', EIncompatibleEpochs);
    self.start_epoch = second.start_epoch;
  }
}

// Move: walrus_edge::storage_resource::fuse_amount
function fuseAmountValue(ctx: CallContext, self: StorageFields, second: StorageFields): void {
  ensure(
    ctx,
    self.start_epoch === second.start_epoch && self.end_epoch === second.end_epoch,
    M,
    'fuse_amount',
    EIncompatibleEpochs,
  );
  self.storage_size = u64(
    BigInt(self.storage_size) + BigInt(second.storage_size),
    M,
    'fuse_amount',
  ).toString();
}

/** Deletes a by-value Storage object and returns its fields (Move's destructuring + `id.delete()`). */
function consume(ctx: CallContext, storage: ObjectHandle<StorageFields>): StorageFields {
  const fields = storage.fields;
  ctx.deleteObject(storage);
  return fields;
}

type Handle = ObjectHandle<StorageFields>;

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::storage_resource::start_epoch
  start_epoch: {
    params: [`&${STORAGE_TYPE}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [Handle]) => self.fields.start_epoch,
  },
  // Move: walrus_edge::storage_resource::end_epoch
  end_epoch: {
    params: [`&${STORAGE_TYPE}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [Handle]) => self.fields.end_epoch,
  },
  // Move: walrus_edge::storage_resource::size
  size: {
    params: [`&${STORAGE_TYPE}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [Handle]) => self.fields.storage_size,
  },
  // Move: walrus_edge::storage_resource::storage_size
  storage_size: {
    params: [`&${STORAGE_TYPE}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [Handle]) => self.fields.storage_size,
  },
  // Move: walrus_edge::storage_resource::create_storage (package-only)
  create_storage: internal(['u32', 'u32', 'u64', TX_CONTEXT_MUT], [STORAGE_TYPE]),
  // Move: walrus_edge::storage_resource::extend_end_epoch (package-only)
  extend_end_epoch: internal([`&mut ${STORAGE_TYPE}`, 'u32']),
  // Move: walrus_edge::storage_resource::split_by_epoch
  split_by_epoch: {
    params: [`&mut ${STORAGE_TYPE}`, 'u32', TX_CONTEXT_MUT],
    returns: [STORAGE_TYPE],
    execute: (ctx, [self, splitEpoch]: [Handle, number]) => {
      const fields = self.fields;
      const rest = splitByEpochValue(ctx, fields, splitEpoch);
      self.set(fields);
      return ctx.newObject<StorageFields>(STORAGE_TYPE, { id: { id: ctx.freshId() }, ...rest });
    },
  },
  // Move: walrus_edge::storage_resource::split_by_size
  split_by_size: {
    params: [`&mut ${STORAGE_TYPE}`, 'u64', TX_CONTEXT_MUT],
    returns: [STORAGE_TYPE],
    execute: (ctx, [self, splitSize]: [Handle, string]) => {
      const fields = self.fields;
      const rest = splitBySizeValue(ctx, fields, BigInt(splitSize));
      self.set(fields);
      return ctx.newObject<StorageFields>(STORAGE_TYPE, { id: { id: ctx.freshId() }, ...rest });
    },
  },
  // Move: walrus_edge::storage_resource::fuse_periods
  fuse_periods: {
    params: [`&mut ${STORAGE_TYPE}`, STORAGE_TYPE],
    execute: (ctx, [self, second]: [Handle, Handle]) => {
      const other = consume(ctx, second);
      const fields = self.fields;
      fusePeriodsValue(ctx, fields, other);
      self.set(fields);
    },
  },
  // Move: walrus_edge::storage_resource::fuse_amount
  fuse_amount: {
    params: [`&mut ${STORAGE_TYPE}`, STORAGE_TYPE],
    execute: (ctx, [self, second]: [Handle, Handle]) => {
      const other = consume(ctx, second);
      const fields = self.fields;
      fuseAmountValue(ctx, fields, other);
      self.set(fields);
    },
  },
  // Move: walrus_edge::storage_resource::fuse
  fuse: {
    params: [`&mut ${STORAGE_TYPE}`, STORAGE_TYPE],
    execute: (ctx, [self, second]: [Handle, Handle]) => {
      const fields = self.fields;
      const sameStart = fields.start_epoch === second.fields.start_epoch;
      const other = consume(ctx, second);
      if (sameStart) fuseAmountValue(ctx, fields, other);
      else fusePeriodsValue(ctx, fields, other);
      self.set(fields);
    },
  },
  // Move: walrus_edge::storage_resource::destroy
  destroy: {
    params: [STORAGE_TYPE],
    execute: (ctx, [self]: [Handle]) => {
      ctx.deleteObject(self);
    },
  },
};
recordFunctionOrder(M, functions);

export const storageResourceModule: ModuleDef = {
  structs: { Storage: { abilities: ['key', 'store'], layout: STORAGE } },
  functions,
};
