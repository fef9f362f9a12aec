/**
 * Mirror of `walrus_edge::events` (move/sources/events.move): the event structs (fields in BCS
 * order, Walrus's names) and the package-only emitters. Events are attributed by the ledger to the
 * module the transaction called, as on Sui; their type is `<package>::events::<Name>`.
 */
import { bcs } from '@mysten/sui/bcs';
import type { CallContext, FunctionDef, ModuleDef } from '../ledger/registry.js';
import { internal, recordFunctionOrder, typeName } from './common.js';

const M = 'events';

export const BLOB_REGISTERED_TYPE = typeName(M, 'BlobRegistered');
export const BLOB_CERTIFIED_TYPE = typeName(M, 'BlobCertified');
export const BLOB_DELETED_TYPE = typeName(M, 'BlobDeleted');
export const INVALID_BLOB_ID_TYPE = typeName(M, 'InvalidBlobID');
export const EPOCH_CHANGE_START_TYPE = typeName(M, 'EpochChangeStart');
export const EPOCH_CHANGE_DONE_TYPE = typeName(M, 'EpochChangeDone');
export const SHARDS_RECEIVED_TYPE = typeName(M, 'ShardsReceived');
export const EPOCH_PARAMETERS_SELECTED_TYPE = typeName(M, 'EpochParametersSelected');

export const BLOB_REGISTERED = bcs.struct('BlobRegistered', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  end_epoch: bcs.u32(),
  deletable: bcs.bool(),
  object_id: bcs.Address,
});
export const BLOB_CERTIFIED = bcs.struct('BlobCertified', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  end_epoch: bcs.u32(),
  deletable: bcs.bool(),
  object_id: bcs.Address,
  is_extension: bcs.bool(),
});
export const BLOB_DELETED = bcs.struct('BlobDeleted', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  end_epoch: bcs.u32(),
  object_id: bcs.Address,
  was_certified: bcs.bool(),
});
export const INVALID_BLOB_ID = bcs.struct('InvalidBlobID', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
});
export const EPOCH_CHANGE_START = bcs.struct('EpochChangeStart', { epoch: bcs.u32() });
export const EPOCH_CHANGE_DONE = bcs.struct('EpochChangeDone', { epoch: bcs.u32() });
export const SHARDS_RECEIVED = bcs.struct('ShardsReceived', {
  epoch: bcs.u32(),
  shards: bcs.vector(bcs.u16()),
});
export const EPOCH_PARAMETERS_SELECTED = bcs.struct('EpochParametersSelected', {
  next_epoch: bcs.u32(),
});

// Move: walrus_edge::events::emit_blob_registered
export function emitBlobRegistered(
  ctx: CallContext,
  epoch: number,
  blobId: bigint | string,
  size: bigint | string,
  encodingType: number,
  endEpoch: number,
  deletable: boolean,
  objectId: string,
): void {
  ctx.emit(BLOB_REGISTERED_TYPE, {
    epoch,
    blob_id: blobId.toString(),
    size: size.toString(),
    encoding_type: encodingType,
    end_epoch: endEpoch,
    deletable,
    object_id: objectId,
  });
}

// Move: walrus_edge::events::emit_blob_certified
export function emitBlobCertified(
  ctx: CallContext,
  epoch: number,
  blobId: bigint | string,
  endEpoch: number,
  deletable: boolean,
  objectId: string,
  isExtension: boolean,
): void {
  ctx.emit(BLOB_CERTIFIED_TYPE, {
    epoch,
    blob_id: blobId.toString(),
    end_epoch: endEpoch,
    deletable,
    object_id: objectId,
    is_extension: isExtension,
  });
}

// Move: walrus_edge::events::emit_blob_deleted
export function emitBlobDeleted(
  ctx: CallContext,
  epoch: number,
  blobId: bigint | string,
  endEpoch: number,
  objectId: string,
  wasCertified: boolean,
): void {
  ctx.emit(BLOB_DELETED_TYPE, {
    epoch,
    blob_id: blobId.toString(),
    end_epoch: endEpoch,
    object_id: objectId,
    was_certified: wasCertified,
  });
}

// Move: walrus_edge::events::emit_invalid_blob_id
export function emitInvalidBlobId(ctx: CallContext, epoch: number, blobId: bigint | string): void {
  ctx.emit(INVALID_BLOB_ID_TYPE, { epoch, blob_id: blobId.toString() });
}

// Move: walrus_edge::events::emit_epoch_change_start
export function emitEpochChangeStart(ctx: CallContext, epoch: number): void {
  ctx.emit(EPOCH_CHANGE_START_TYPE, { epoch });
}

// Move: walrus_edge::events::emit_epoch_change_done
export function emitEpochChangeDone(ctx: CallContext, epoch: number): void {
  ctx.emit(EPOCH_CHANGE_DONE_TYPE, { epoch });
}

// Move: walrus_edge::events::emit_shards_received
export function emitShardsReceived(ctx: CallContext, epoch: number, shards: number[]): void {
  ctx.emit(SHARDS_RECEIVED_TYPE, { epoch, shards });
}

// Move: walrus_edge::events::emit_epoch_parameters_selected
export function emitEpochParametersSelected(ctx: CallContext, nextEpoch: number): void {
  ctx.emit(EPOCH_PARAMETERS_SELECTED_TYPE, { next_epoch: nextEpoch });
}

const EVENT: ['copy', 'drop'] = ['copy', 'drop'];
const ID = '0x2::object::ID';

/** `events` has only package-only emitters (and `#[test_only]` builders). */
const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::events::emit_blob_registered (package-only)
  emit_blob_registered: internal(['u32', 'u256', 'u64', 'u8', 'u32', 'bool', ID]),
  // Move: walrus_edge::events::emit_blob_certified (package-only)
  emit_blob_certified: internal(['u32', 'u256', 'u32', 'bool', ID, 'bool']),
  // Move: walrus_edge::events::emit_blob_deleted (package-only)
  emit_blob_deleted: internal(['u32', 'u256', 'u32', ID, 'bool']),
  // Move: walrus_edge::events::emit_invalid_blob_id (package-only)
  emit_invalid_blob_id: internal(['u32', 'u256']),
  // Move: walrus_edge::events::emit_epoch_change_start (package-only)
  emit_epoch_change_start: internal(['u32']),
  // Move: walrus_edge::events::emit_epoch_change_done (package-only)
  emit_epoch_change_done: internal(['u32']),
  // Move: walrus_edge::events::emit_shards_received (package-only)
  emit_shards_received: internal(['u32', 'vector<u16>']),
  // Move: walrus_edge::events::emit_epoch_parameters_selected (package-only)
  emit_epoch_parameters_selected: internal(['u32']),
};
recordFunctionOrder(M, functions);

export const eventsModule: ModuleDef = {
  functions,
  structs: {
    BlobRegistered: { abilities: EVENT, layout: BLOB_REGISTERED },
    BlobCertified: { abilities: EVENT, layout: BLOB_CERTIFIED },
    BlobDeleted: { abilities: EVENT, layout: BLOB_DELETED },
    InvalidBlobID: { abilities: EVENT, layout: INVALID_BLOB_ID },
    EpochChangeStart: { abilities: EVENT, layout: EPOCH_CHANGE_START },
    EpochChangeDone: { abilities: EVENT, layout: EPOCH_CHANGE_DONE },
    ShardsReceived: { abilities: EVENT, layout: SHARDS_RECEIVED },
    EpochParametersSelected: { abilities: EVENT, layout: EPOCH_PARAMETERS_SELECTED },
  },
};
