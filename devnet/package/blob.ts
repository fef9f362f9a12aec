/**
 * Mirror of `walrus_edge::blob` (move/sources/blob.move): the `Blob` object wrapping its
 * `Storage`, blob id derivation, the lifecycle checks `system` calls, `burn`, and the attributes
 * kept in the dynamic field `b"metadata"` (name type `vector<u8>`) of the Blob's UID.
 *
 * Over 400 lines: one module per Move module (blob.move), function for function.
 */
import { bcs } from '@mysten/sui/bcs';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  blobIdFromU256,
  blobIdToU256,
  deriveBlobId as coreDeriveBlobId,
} from '../../core/blob-id.js';
import { UID } from '../ledger/framework.js';
import type { CallContext, FunctionDef, ModuleDef, ObjectHandle } from '../ledger/registry.js';
import {
  ensure,
  ID_TYPE,
  internal,
  recordFunctionOrder,
  returnsReference,
  STRING_TYPE,
  TX_CONTEXT_MUT,
  typeName,
  type Uid,
} from './common.js';
import { encodedBlobLength, RS2 } from './encoding.js';
import { emitBlobCertified, emitBlobDeleted, emitBlobRegistered } from './events.js';
import {
  CERTIFIED_BLOB_MESSAGE_TYPE,
  isDeletable,
  persistenceObjectId,
  type CertifiedBlobMessageFields,
} from './messages.js';
import {
  insertOrUpdate,
  METADATA_TYPE,
  newMetadata,
  remove as removePair,
  removeIfExists,
  get as metadataGet,
  type MetadataFields,
} from './metadata.js';
import {
  extendEndEpoch as storageExtendEndEpoch,
  fusePeriodsValue,
  STORAGE,
  STORAGE_TYPE,
  type StorageFields,
} from './storage_resource.js';

const M = 'blob';

// Move: blob abort codes (numbering follows Walrus's blob module).
export const EResourceBounds = 2;
export const EResourceSize = 3;
export const EAlreadyCertified = 5;
export const EInvalidBlobId = 6;
export const ENotCertified = 7;
export const EBlobNotDeletable = 8;
export const EInvalidBlobPersistenceType = 9;
export const EInvalidBlobObject = 10;
export const EDuplicateMetadata = 11;
export const EMissingMetadata = 12;

export const BLOB_TYPE = typeName(M, 'Blob');

/** Dynamic-field key of the blob's Metadata: name type `vector<u8>`, value `b"metadata"`. */
export const METADATA_DF_NAME_TYPE = 'vector<u8>';
export const METADATA_DF_NAME = new TextEncoder().encode('metadata');

/**
 * BCS field order: id, registered_epoch, blob_id, size, encoding_type, certified_epoch, storage,
 * deletable.
 */
export const BLOB = bcs.struct('Blob', {
  id: UID,
  registered_epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  certified_epoch: bcs.option(bcs.u32()),
  storage: STORAGE,
  deletable: bcs.bool(),
});

export const BLOB_ID_DERIVATION = bcs.struct('BlobIdDerivation', {
  encoding_type: bcs.u8(),
  size: bcs.u64(),
  root_hash: bcs.u256(),
});

export interface BlobFields {
  id: Uid;
  registered_epoch: number;
  /** u256 as a decimal string. */
  blob_id: string;
  /** u64 as a decimal string. */
  size: string;
  encoding_type: number;
  certified_epoch: number | null;
  storage: StorageFields;
  deletable: boolean;
}

type BlobHandle = ObjectHandle<BlobFields>;

// Move: walrus_edge::blob::derive_blob_id
export function deriveBlobId(rootHash: bigint, encodingType: number, size: bigint): bigint {
  if (encodingType === RS2) return blobIdToU256(coreDeriveBlobId(blobIdFromU256(rootHash), size));
  // Any other type byte (only reachable by calling `derive_blob_id` directly): same BCS preimage.
  const preimage = BLOB_ID_DERIVATION.serialize({
    encoding_type: encodingType,
    size,
    root_hash: rootHash,
  }).toBytes();
  return blobIdToU256(blake2b(preimage, { dkLen: 32 }));
}

// ---- Package-only lifecycle (called by `system`) ----

/** Move: walrus_edge::blob::new. Consumes (wraps) `storage`. */
export function newBlob(
  ctx: CallContext,
  storage: ObjectHandle<StorageFields>,
  blobId: bigint,
  rootHash: bigint,
  size: bigint,
  encodingType: number,
  deletable: boolean,
  registeredEpoch: number,
  nShards: number,
): BlobHandle {
  const reservation = storage.fields;
  ensure(
    ctx,
    registeredEpoch >= reservation.start_epoch && registeredEpoch < reservation.end_epoch,
    M,
    'new',
    EResourceBounds,
  );
  const encodedSize = encodedBlobLength(ctx, size, encodingType, nShards);
  ensure(ctx, encodedSize <= BigInt(reservation.storage_size), M, 'new', EResourceSize);
  ensure(ctx, deriveBlobId(rootHash, encodingType, size) === blobId, M, 'new', EInvalidBlobId);

  const id = ctx.freshId();
  emitBlobRegistered(
    ctx,
    registeredEpoch,
    blobId,
    size,
    encodingType,
    reservation.end_epoch,
    deletable,
    id,
  );
  const wrapped = ctx.wrap(storage);
  return ctx.newObject<BlobFields>(BLOB_TYPE, {
    id: { id },
    registered_epoch: registeredEpoch,
    blob_id: blobId.toString(),
    size: size.toString(),
    encoding_type: encodingType,
    certified_epoch: null,
    storage: wrapped,
    deletable,
  });
}

// Move: walrus_edge::blob::certify_with_certified_msg
export function certifyWithCertifiedMsg(
  ctx: CallContext,
  blob: BlobHandle,
  currentEpoch: number,
  message: CertifiedBlobMessageFields,
): void {
  const fn = 'certify_with_certified_msg';
  const self = blob.fields;
  ensure(ctx, BigInt(self.blob_id) === BigInt(message.blob_id), M, fn, EInvalidBlobId);
  ensure(ctx, self.certified_epoch === null, M, fn, EAlreadyCertified);
  ensure(ctx, currentEpoch < self.storage.end_epoch, M, fn, EResourceBounds);
  const persistence = message.blob_persistence_type;
  ensure(ctx, isDeletable(persistence) === self.deletable, M, fn, EInvalidBlobPersistenceType);
  if (self.deletable) {
    ensure(ctx, persistenceObjectId(persistence) === self.id.id, M, fn, EInvalidBlobObject);
  }
  self.certified_epoch = currentEpoch;
  blob.set(self);
  emitCertified(ctx, self, false);
}

// Move: walrus_edge::blob::assert_certified_not_expired
export function assertCertifiedNotExpired(
  ctx: CallContext,
  self: BlobFields,
  currentEpoch: number,
): void {
  const fn = 'assert_certified_not_expired';
  ensure(ctx, self.certified_epoch !== null, M, fn, ENotCertified);
  ensure(ctx, currentEpoch < self.storage.end_epoch, M, fn, EResourceBounds);
}

/** Move: walrus_edge::blob::extend_with_resource. Consumes `extension`. */
export function extendWithResource(
  ctx: CallContext,
  blob: BlobHandle,
  extension: ObjectHandle<StorageFields>,
  currentEpoch: number,
): void {
  const self = blob.fields;
  assertCertifiedNotExpired(ctx, self, currentEpoch);
  const other = extension.fields;
  ensure(ctx, other.end_epoch > self.storage.end_epoch, M, 'extend_with_resource', EResourceBounds);
  ctx.deleteObject(extension);
  fusePeriodsValue(ctx, self.storage, other);
  blob.set(self);
  emitCertified(ctx, self, true);
}

// Move: walrus_edge::blob::extend_end_epoch
export function extendEndEpoch(ctx: CallContext, blob: BlobHandle, extendedEpochs: number): void {
  const self = blob.fields;
  storageExtendEndEpoch(self.storage, extendedEpochs);
  blob.set(self);
  emitCertified(ctx, self, true);
}

/** Move: walrus_edge::blob::delete. Returns the unwrapped Storage. */
export function deleteBlob(
  ctx: CallContext,
  blob: BlobHandle,
  currentEpoch: number,
): ObjectHandle<StorageFields> {
  const self = blob.fields;
  ensure(ctx, self.deletable, M, 'delete', EBlobNotDeletable);
  ensure(ctx, currentEpoch < self.storage.end_epoch, M, 'delete', EResourceBounds);
  dropMetadata(ctx, blob);
  ctx.deleteObject(blob);
  emitBlobDeleted(
    ctx,
    currentEpoch,
    self.blob_id,
    self.storage.end_epoch,
    self.id.id,
    self.certified_epoch !== null,
  );
  return ctx.unwrap<StorageFields>(STORAGE_TYPE, self.storage);
}

// Move: walrus_edge::blob::emit_certified
export function emitCertified(ctx: CallContext, self: BlobFields, isExtension: boolean): void {
  if (self.certified_epoch === null) throw new Error('option::borrow on none'); // Move aborts too
  emitBlobCertified(
    ctx,
    self.certified_epoch,
    self.blob_id,
    self.storage.end_epoch,
    self.deletable,
    self.id.id,
    isExtension,
  );
}

// ---- Attributes ----

// Move: walrus_edge::blob::has_metadata
function hasMetadata(ctx: CallContext, blob: BlobHandle): boolean {
  return ctx.dynamicFields.exists(blob, METADATA_DF_NAME_TYPE, METADATA_DF_NAME);
}

function addField(ctx: CallContext, blob: BlobHandle, metadata: MetadataFields): void {
  ctx.dynamicFields.add(blob, METADATA_DF_NAME_TYPE, METADATA_DF_NAME, METADATA_TYPE, metadata);
}

function removeField(ctx: CallContext, blob: BlobHandle): MetadataFields {
  return ctx.dynamicFields.remove<MetadataFields>(
    blob,
    METADATA_DF_NAME_TYPE,
    METADATA_DF_NAME,
    METADATA_TYPE,
  );
}

// Move: walrus_edge::blob::take_metadata
function takeMetadata(ctx: CallContext, blob: BlobHandle): MetadataFields {
  ensure(ctx, hasMetadata(ctx, blob), M, 'take_metadata', EMissingMetadata);
  return removeField(ctx, blob);
}

// Move: walrus_edge::blob::metadata_mut (borrow_mut, edit, write back)
function editMetadata<R>(
  ctx: CallContext,
  blob: BlobHandle,
  change: (metadata: MetadataFields) => R,
): R {
  const metadata = ctx.dynamicFields.borrow<MetadataFields>(
    blob,
    METADATA_DF_NAME_TYPE,
    METADATA_DF_NAME,
    METADATA_TYPE,
  );
  const result = change(metadata);
  ctx.dynamicFields.set(blob, METADATA_DF_NAME_TYPE, METADATA_DF_NAME, METADATA_TYPE, metadata);
  return result;
}

// Move: walrus_edge::blob::drop_metadata
function dropMetadata(ctx: CallContext, blob: BlobHandle): void {
  if (hasMetadata(ctx, blob)) removeField(ctx, blob);
}

const B = BLOB_TYPE;

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::blob::object_id
  object_id: {
    params: [`&${B}`],
    returns: [ID_TYPE],
    execute: (_ctx, [self]: [BlobHandle]) => self.id,
  },
  // Move: walrus_edge::blob::registered_epoch
  registered_epoch: {
    params: [`&${B}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [BlobHandle]) => self.fields.registered_epoch,
  },
  // Move: walrus_edge::blob::blob_id
  blob_id: {
    params: [`&${B}`],
    returns: ['u256'],
    execute: (_ctx, [self]: [BlobHandle]) => self.fields.blob_id,
  },
  // Move: walrus_edge::blob::size
  size: {
    params: [`&${B}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [BlobHandle]) => self.fields.size,
  },
  // Move: walrus_edge::blob::encoding_type
  encoding_type: {
    params: [`&${B}`],
    returns: ['u8'],
    execute: (_ctx, [self]: [BlobHandle]) => self.fields.encoding_type,
  },
  // Move: walrus_edge::blob::certified_epoch (returns a reference)
  certified_epoch: returnsReference([`&${B}`], '0x1::option::Option<u32>'),
  // Move: walrus_edge::blob::storage (returns a reference)
  storage: returnsReference([`&${B}`], STORAGE_TYPE),
  // Move: walrus_edge::blob::end_epoch
  end_epoch: {
    params: [`&${B}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [BlobHandle]) => self.fields.storage.end_epoch,
  },
  // Move: walrus_edge::blob::is_deletable
  is_deletable: {
    params: [`&${B}`],
    returns: ['bool'],
    execute: (_ctx, [self]: [BlobHandle]) => self.fields.deletable,
  },
  // Move: walrus_edge::blob::encoded_size
  encoded_size: {
    params: [`&${B}`, 'u16'],
    returns: ['u64'],
    execute: (ctx, [self, nShards]: [BlobHandle, number]) => {
      const fields = self.fields;
      return encodedBlobLength(ctx, BigInt(fields.size), fields.encoding_type, nShards).toString();
    },
  },
  // Move: walrus_edge::blob::derive_blob_id
  derive_blob_id: {
    params: ['u256', 'u8', 'u64'],
    returns: ['u256'],
    execute: (_ctx, [rootHash, encodingType, size]: [string, number, string]) =>
      deriveBlobId(BigInt(rootHash), encodingType, BigInt(size)).toString(),
  },
  // Move: walrus_edge::blob::new (package-only)
  new: internal(
    [STORAGE_TYPE, 'u256', 'u256', 'u64', 'u8', 'bool', 'u32', 'u16', TX_CONTEXT_MUT],
    [B],
  ),
  // Move: walrus_edge::blob::certify_with_certified_msg (package-only)
  certify_with_certified_msg: internal([`&mut ${B}`, 'u32', CERTIFIED_BLOB_MESSAGE_TYPE]),
  // Move: walrus_edge::blob::assert_certified_not_expired (package-only)
  assert_certified_not_expired: internal([`&${B}`, 'u32']),
  // Move: walrus_edge::blob::extend_with_resource (package-only)
  extend_with_resource: internal([`&mut ${B}`, STORAGE_TYPE, 'u32']),
  // Move: walrus_edge::blob::extend_end_epoch (package-only)
  extend_end_epoch: internal([`&mut ${B}`, 'u32']),
  // Move: walrus_edge::blob::delete (package-only)
  delete: internal([B, 'u32'], [STORAGE_TYPE]),
  // Move: walrus_edge::blob::emit_certified (package-only)
  emit_certified: internal([`&${B}`, 'bool']),
  // Move: walrus_edge::blob::storage_mut (package-only, returns a reference)
  storage_mut: internal([`&mut ${B}`]),
  // Move: walrus_edge::blob::burn
  burn: {
    params: [B],
    execute: (ctx, [self]: [BlobHandle]) => {
      dropMetadata(ctx, self);
      const fields = self.fields;
      ctx.deleteObject(self);
      ctx.deleteObject(ctx.unwrap<StorageFields>(STORAGE_TYPE, fields.storage));
    },
  },
  // Move: walrus_edge::blob::add_metadata
  add_metadata: {
    params: [`&mut ${B}`, METADATA_TYPE],
    execute: (ctx, [self, metadata]: [BlobHandle, MetadataFields]) => {
      ensure(ctx, !hasMetadata(ctx, self), M, 'add_metadata', EDuplicateMetadata);
      addField(ctx, self, metadata);
    },
  },
  // Move: walrus_edge::blob::add_or_replace_metadata
  add_or_replace_metadata: {
    params: [`&mut ${B}`, METADATA_TYPE],
    returns: [`0x1::option::Option<${METADATA_TYPE}>`],
    execute: (ctx, [self, metadata]: [BlobHandle, MetadataFields]) => {
      const old = hasMetadata(ctx, self) ? takeMetadata(ctx, self) : null;
      addField(ctx, self, metadata);
      return old;
    },
  },
  // Move: walrus_edge::blob::take_metadata
  take_metadata: {
    params: [`&mut ${B}`],
    returns: [METADATA_TYPE],
    execute: (ctx, [self]: [BlobHandle]) => takeMetadata(ctx, self),
  },
  // Move: walrus_edge::blob::insert_or_update_metadata_pair
  insert_or_update_metadata_pair: {
    params: [`&mut ${B}`, STRING_TYPE, STRING_TYPE],
    execute: (ctx, [self, key, value]: [BlobHandle, string, string]) => {
      if (!hasMetadata(ctx, self)) addField(ctx, self, newMetadata());
      editMetadata(ctx, self, (metadata) => insertOrUpdate(ctx, metadata, key, value));
    },
  },
  // Move: walrus_edge::blob::remove_metadata_pair
  remove_metadata_pair: {
    params: [`&mut ${B}`, `&${STRING_TYPE}`],
    returns: [STRING_TYPE, STRING_TYPE],
    execute: (ctx, [self, key]: [BlobHandle, string]) => {
      ensure(ctx, hasMetadata(ctx, self), M, 'remove_metadata_pair', EMissingMetadata);
      return editMetadata(ctx, self, (metadata) => removePair(ctx, metadata, key));
    },
  },
  // Move: walrus_edge::blob::remove_metadata_pair_if_exists
  remove_metadata_pair_if_exists: {
    params: [`&mut ${B}`, `&${STRING_TYPE}`],
    returns: [`0x1::option::Option<${STRING_TYPE}>`],
    execute: (ctx, [self, key]: [BlobHandle, string]) => {
      if (!hasMetadata(ctx, self)) return null;
      return editMetadata(ctx, self, (metadata) => removeIfExists(metadata, key));
    },
  },
  // Move: walrus_edge::blob::has_metadata
  has_metadata: {
    params: [`&${B}`],
    returns: ['bool'],
    execute: (ctx, [self]: [BlobHandle]) => hasMetadata(ctx, self),
  },
  // Move: walrus_edge::blob::get_metadata_value
  get_metadata_value: {
    params: [`&${B}`, `&${STRING_TYPE}`],
    returns: [`0x1::option::Option<${STRING_TYPE}>`],
    execute: (ctx, [self, key]: [BlobHandle, string]) => {
      if (!hasMetadata(ctx, self)) return null;
      const metadata = ctx.dynamicFields.borrow<MetadataFields>(
        self,
        METADATA_DF_NAME_TYPE,
        METADATA_DF_NAME,
        METADATA_TYPE,
      );
      return metadataGet(metadata, key);
    },
  },
  // Move: walrus_edge::blob::metadata_mut (private, returns a reference)
  metadata_mut: internal([`&mut ${B}`]),
  // Move: walrus_edge::blob::drop_metadata (private)
  drop_metadata: internal([`&mut ${B}`]),
};
recordFunctionOrder(M, functions);

export const blobModule: ModuleDef = {
  structs: {
    Blob: { abilities: ['key', 'store'], layout: BLOB },
    BlobIdDerivation: { abilities: ['drop'], layout: BLOB_ID_DERIVATION },
  },
  functions,
};
