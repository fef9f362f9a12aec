// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// The Blob object: a registered (and later certified) blob id wrapping the `Storage` that pays
/// for it. Owned and transferable. Lifecycle entry points live in `system`; here are the checks
/// they run, the blob id derivation, `burn`, and the attribute ("metadata") functions.
module walrus_edge::blob;

use std::string::String;
use sui::{bcs, dynamic_field, hash};
use walrus_edge::{
    encoding,
    events::{emit_blob_registered, emit_blob_certified, emit_blob_deleted},
    messages::CertifiedBlobMessage,
    metadata::{Self, Metadata},
    storage_resource::Storage
};

/// Dynamic-field key (type `vector<u8>`) of the blob's optional `Metadata`.
const METADATA_DF: vector<u8> = b"metadata";

// === Abort codes (numbering follows Walrus's blob module) ===

/// The current epoch is outside the blob's storage period (or an extension does not reach past
/// the current end).
const EResourceBounds: u64 = 2;
/// The storage is smaller than the encoded blob.
const EResourceSize: u64 = 3;
/// The certificate names another blob id, or the id does not match `derive_blob_id`.
const EInvalidBlobId: u64 = 6;
/// The blob is already certified.
const EAlreadyCertified: u64 = 5;
/// The blob is not certified.
const ENotCertified: u64 = 7;
/// The blob was registered as permanent.
const EBlobNotDeletable: u64 = 8;
/// The certificate's persistence (permanent/deletable) differs from the blob's.
const EInvalidBlobPersistenceType: u64 = 9;
/// A deletable certificate names another Blob object.
const EInvalidBlobObject: u64 = 10;
/// `add_metadata`: the blob already has metadata.
const EDuplicateMetadata: u64 = 11;
/// The blob has no metadata.
const EMissingMetadata: u64 = 12;

/// BCS field order: id, registered_epoch, blob_id, size, encoding_type, certified_epoch,
/// storage, deletable.
public struct Blob has key, store {
    id: UID,
    registered_epoch: u32,
    blob_id: u256,
    /// Unencoded length in bytes.
    size: u64,
    encoding_type: u8,
    /// Epoch of the first certification; `none` until certified.
    certified_epoch: Option<u32>,
    /// The reservation; its `end_epoch` is the blob's expiry.
    storage: Storage,
    deletable: bool,
}

/// The BCS bytes hashed to get a blob id: 1 + 8 + 32 = 41 bytes.
public struct BlobIdDerivation has drop {
    encoding_type: u8,
    size: u64,
    root_hash: u256,
}

// === Accessors ===

public fun object_id(self: &Blob): ID {
    self.id.to_inner()
}

public fun registered_epoch(self: &Blob): u32 {
    self.registered_epoch
}

public fun blob_id(self: &Blob): u256 {
    self.blob_id
}

public fun size(self: &Blob): u64 {
    self.size
}

public fun encoding_type(self: &Blob): u8 {
    self.encoding_type
}

public fun certified_epoch(self: &Blob): &Option<u32> {
    &self.certified_epoch
}

public fun storage(self: &Blob): &Storage {
    &self.storage
}

public fun end_epoch(self: &Blob): u32 {
    self.storage.end_epoch()
}

public fun is_deletable(self: &Blob): bool {
    self.deletable
}

/// Encoded size for `n_shards` (aborts like `encoding::encoded_blob_length`).
public fun encoded_size(self: &Blob, n_shards: u16): u64 {
    encoding::encoded_blob_length(self.size, self.encoding_type, n_shards)
}

/// BLAKE2b-256 of the BCS bytes of `(encoding_type: u8, size: u64, root_hash: u256)`, read back
/// as a little-endian u256. `root_hash` is the 32-byte Merkle root read as little-endian u256.
/// keep in sync with core/ (TypeScript) blob id derivation (spec/encoding.md §6.2).
public fun derive_blob_id(root_hash: u256, encoding_type: u8, size: u64): u256 {
    let serialized = bcs::to_bytes(&BlobIdDerivation { encoding_type, size, root_hash });
    let mut reader = bcs::new(hash::blake2b256(&serialized));
    reader.peel_u256()
}

// === Package-only lifecycle (called by `system`) ===

/// Creates a Blob registered in `registered_epoch` and emits `BlobRegistered`.
///
/// Checks, in order:
/// 1. `storage.start_epoch <= registered_epoch < storage.end_epoch` (EResourceBounds);
/// 2. `encoding::encoded_blob_length(size, encoding_type, n_shards)` (EInvalidEncodingType,
///    EInvalidNShards, EDataTooLarge) `<= storage.size()` (EResourceSize);
/// 3. `derive_blob_id(root_hash, encoding_type, size) == blob_id` (EInvalidBlobId).
public(package) fun new(
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    encoding_type: u8,
    deletable: bool,
    registered_epoch: u32,
    n_shards: u16,
    ctx: &mut TxContext,
): Blob {
    assert!(
        registered_epoch >= storage.start_epoch() && registered_epoch < storage.end_epoch(),
        EResourceBounds,
    );
    let encoded_size = encoding::encoded_blob_length(size, encoding_type, n_shards);
    assert!(encoded_size <= storage.size(), EResourceSize);
    assert!(derive_blob_id(root_hash, encoding_type, size) == blob_id, EInvalidBlobId);

    let id = object::new(ctx);
    emit_blob_registered(
        registered_epoch,
        blob_id,
        size,
        encoding_type,
        storage.end_epoch(),
        deletable,
        id.to_inner(),
    );
    Blob {
        id,
        registered_epoch,
        blob_id,
        size,
        encoding_type,
        certified_epoch: option::none(),
        storage,
        deletable,
    }
}

/// Marks the blob certified in `current_epoch` and emits `BlobCertified{is_extension: false}`.
/// The caller has checked the certificate's epoch against `current_epoch`.
///
/// Checks, in order:
/// 1. same blob id (EInvalidBlobId);
/// 2. not yet certified (EAlreadyCertified);
/// 3. `current_epoch < end_epoch` (EResourceBounds);
/// 4. the certificate's persistence is deletable iff the blob is (EInvalidBlobPersistenceType);
/// 5. for deletable blobs, the certificate's object id is this Blob's (EInvalidBlobObject).
public(package) fun certify_with_certified_msg(
    self: &mut Blob,
    current_epoch: u32,
    message: CertifiedBlobMessage,
) {
    assert!(self.blob_id == message.certified_blob_id(), EInvalidBlobId);
    assert!(self.certified_epoch.is_none(), EAlreadyCertified);
    assert!(current_epoch < self.storage.end_epoch(), EResourceBounds);
    let persistence = message.blob_persistence_type();
    assert!(persistence.is_deletable() == self.deletable, EInvalidBlobPersistenceType);
    if (self.deletable) {
        assert!(persistence.object_id().destroy_some() == self.id.to_inner(), EInvalidBlobObject);
    };
    self.certified_epoch.fill(current_epoch);
    self.emit_certified(false);
}

/// Checks, in order: certified (ENotCertified); `current_epoch < end_epoch` (EResourceBounds).
public(package) fun assert_certified_not_expired(self: &Blob, current_epoch: u32) {
    assert!(self.certified_epoch.is_some(), ENotCertified);
    assert!(current_epoch < self.storage.end_epoch(), EResourceBounds);
}

/// Fuses `extension` onto the end of the blob's storage and emits
/// `BlobCertified{is_extension: true}`.
///
/// Checks, in order:
/// 1. `assert_certified_not_expired` (ENotCertified, EResourceBounds);
/// 2. `extension.end_epoch > blob end_epoch` (EResourceBounds);
/// 3. `storage_resource::fuse_periods`: equal sizes (EIncompatibleAmount), then
///    `extension.start_epoch == blob end_epoch` (EIncompatibleEpochs).
public(package) fun extend_with_resource(self: &mut Blob, extension: Storage, current_epoch: u32) {
    self.assert_certified_not_expired(current_epoch);
    assert!(extension.end_epoch() > self.storage.end_epoch(), EResourceBounds);
    self.storage.fuse_periods(extension);
    self.emit_certified(true);
}

/// Pushes the end epoch by `extended_epochs` (the caller has checked and charged) and emits
/// `BlobCertified{is_extension: true}`.
public(package) fun extend_end_epoch(self: &mut Blob, extended_epochs: u32) {
    self.storage.extend_end_epoch(extended_epochs);
    self.emit_certified(true);
}

/// Deletes a deletable blob in `current_epoch`, emits `BlobDeleted`, returns its storage.
/// Any metadata is dropped first.
///
/// Checks, in order:
/// 1. `deletable` (EBlobNotDeletable);
/// 2. `current_epoch < end_epoch` (EResourceBounds).
public(package) fun delete(mut self: Blob, current_epoch: u32): Storage {
    assert!(self.deletable, EBlobNotDeletable);
    assert!(current_epoch < self.storage.end_epoch(), EResourceBounds);
    self.drop_metadata();
    let Blob { id, blob_id, certified_epoch, storage, .. } = self;
    let object_id = id.to_inner();
    id.delete();
    emit_blob_deleted(
        current_epoch,
        blob_id,
        storage.end_epoch(),
        object_id,
        certified_epoch.is_some(),
    );
    storage
}

/// Emits `BlobCertified` with the first certified epoch (also for extensions).
public(package) fun emit_certified(self: &Blob, is_extension: bool) {
    emit_blob_certified(
        *self.certified_epoch.borrow(),
        self.blob_id,
        self.storage.end_epoch(),
        self.deletable,
        self.id.to_inner(),
        is_extension,
    );
}

public(package) fun storage_mut(self: &mut Blob): &mut Storage {
    &mut self.storage
}

// === Public owner operations ===

/// Destroys any Blob (typically an expired one) and its storage. Drops metadata. No event, no
/// checks: nodes keep a certified blob until its end epoch regardless.
public fun burn(mut self: Blob) {
    self.drop_metadata();
    let Blob { id, storage, .. } = self;
    id.delete();
    storage.destroy();
}

// === Attributes (dynamic field `b"metadata"` -> `Metadata`) ===

/// Attaches `metadata`. Checks: no metadata yet (EDuplicateMetadata).
public fun add_metadata(self: &mut Blob, metadata: Metadata) {
    assert!(!self.has_metadata(), EDuplicateMetadata);
    dynamic_field::add(&mut self.id, METADATA_DF, metadata);
}

/// Attaches `metadata`, returning the previous one if there was one. No checks.
public fun add_or_replace_metadata(self: &mut Blob, metadata: Metadata): Option<Metadata> {
    let old = if (self.has_metadata()) option::some(self.take_metadata()) else option::none();
    dynamic_field::add(&mut self.id, METADATA_DF, metadata);
    old
}

/// Detaches and returns the metadata. Checks: metadata exists (EMissingMetadata).
public fun take_metadata(self: &mut Blob): Metadata {
    assert!(self.has_metadata(), EMissingMetadata);
    dynamic_field::remove(&mut self.id, METADATA_DF)
}

/// Sets one pair, creating an empty `Metadata` first when there is none.
/// Checks: `metadata::insert_or_update` (EEntryTooLong, ETooManyPairs).
public fun insert_or_update_metadata_pair(self: &mut Blob, key: String, value: String) {
    if (!self.has_metadata()) {
        dynamic_field::add(&mut self.id, METADATA_DF, metadata::new());
    };
    self.metadata_mut().insert_or_update(key, value);
}

/// Removes one pair and returns it.
/// Checks, in order: metadata exists (EMissingMetadata); key exists (metadata::EKeyNotFound).
public fun remove_metadata_pair(self: &mut Blob, key: &String): (String, String) {
    assert!(self.has_metadata(), EMissingMetadata);
    self.metadata_mut().remove(key)
}

/// Removes one pair if both the metadata and the key exist; returns the removed value.
public fun remove_metadata_pair_if_exists(self: &mut Blob, key: &String): Option<String> {
    if (!self.has_metadata()) {
        option::none()
    } else {
        self.metadata_mut().remove_if_exists(key)
    }
}

public fun has_metadata(self: &Blob): bool {
    dynamic_field::exists_(&self.id, METADATA_DF)
}

/// Reads one attribute; `none` when the metadata or the key is missing.
public fun get_metadata_value(self: &Blob, key: &String): Option<String> {
    if (!self.has_metadata()) {
        option::none()
    } else {
        let metadata: &Metadata = dynamic_field::borrow(&self.id, METADATA_DF);
        metadata.get(key)
    }
}

fun metadata_mut(self: &mut Blob): &mut Metadata {
    dynamic_field::borrow_mut(&mut self.id, METADATA_DF)
}

fun drop_metadata(self: &mut Blob) {
    if (self.has_metadata()) {
        let _: Metadata = dynamic_field::remove(&mut self.id, METADATA_DF);
    };
}

// === Test helpers ===

#[test_only]
use walrus_edge::messages;

#[test_only]
/// Derives the blob id from `root_hash` so tests can make a matching pair easily.
public fun new_for_testing(
    storage: Storage,
    root_hash: u256,
    size: u64,
    deletable: bool,
    registered_epoch: u32,
    n_shards: u16,
    ctx: &mut TxContext,
): Blob {
    let encoding_type = encoding::rs2();
    let blob_id = derive_blob_id(root_hash, encoding_type, size);
    new(
        storage,
        blob_id,
        root_hash,
        size,
        encoding_type,
        deletable,
        registered_epoch,
        n_shards,
        ctx,
    )
}

#[test_only]
/// A certificate message as `system::certify_blob` would produce after the BLS check.
public fun certified_message_for_testing(self: &Blob, epoch: u32): CertifiedBlobMessage {
    let persistence = if (self.deletable) {
        messages::deletable(self.id.to_inner())
    } else {
        messages::permanent()
    };
    messages::certified_blob_message_for_testing(epoch, self.blob_id, persistence)
}
