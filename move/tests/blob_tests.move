// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Blob checks without the BLS layer: certificates are built with
/// `blob::certified_message_for_testing`. The blob is the redstuff.jsonl vector with n_shards = 10
/// and 1000 bytes (encoded length 10 680).
#[test_only]
module walrus_edge::blob_tests;

use std::{string::utf8, unit_test::assert_eq};
use sui::event;
use walrus_edge::{
    blob::{Self, Blob},
    events,
    messages,
    metadata,
    storage_resource::{Self, Storage},
    test_vectors as tv
};

const N_SHARDS: u16 = 10;
const SIZE: u64 = 1000;
const ENCODED: u64 = 10_680;

fun storage(start_epoch: u32, end_epoch: u32, size: u64, ctx: &mut TxContext): Storage {
    storage_resource::create_for_testing(start_epoch, end_epoch, size, ctx)
}

/// A blob registered in epoch 1 on storage `[1, 5)`.
fun registered(deletable: bool, ctx: &mut TxContext): Blob {
    blob::new(
        storage(1, 5, ENCODED, ctx),
        tv::blob_id(),
        tv::blob_root_hash(),
        SIZE,
        1,
        deletable,
        1,
        N_SHARDS,
        ctx,
    )
}

fun certified(deletable: bool, ctx: &mut TxContext): Blob {
    let mut blob = registered(deletable, ctx);
    let message = blob.certified_message_for_testing(1);
    blob.certify_with_certified_msg(1, message);
    blob
}

// === Blob id derivation (cross-checked with shared/vectors/redstuff.jsonl) ===

#[test]
fun derive_blob_id_matches_reference_vectors() {
    assert_eq!(blob::derive_blob_id(tv::blob_root_hash(), 1, 1000), tv::blob_id());
    assert_eq!(
        blob::derive_blob_id(
            0x1dbce3b1722e5f067dbd9e8ae7cb14cfe11e0318073492fb9634a0682f809f66,
            1,
            0,
        ),
        0x42651af90659a81d1f907e34835d41555e2a770fabcf2048fd24565788dc6c0a,
    );
    assert_eq!(
        blob::derive_blob_id(
            0x4b807545bb026804241eb4c1b3a8e2519d1145e43c2d97e700852e804df64b9d,
            1,
            65_536,
        ),
        0x7f119fdb8cbd6b6966d367a12a26aee75527d023f45c98d24814a74931f0c9c9,
    );
}

// === Registration ===

#[test]
fun register_sets_fields_and_emits_event() {
    let ctx = &mut tx_context::dummy();
    let blob = registered(true, ctx);
    assert_eq!(blob.registered_epoch(), 1);
    assert_eq!(blob.blob_id(), tv::blob_id());
    assert_eq!(blob.size(), SIZE);
    assert_eq!(blob.encoding_type(), 1);
    assert!(blob.certified_epoch().is_none());
    assert_eq!(blob.end_epoch(), 5);
    assert!(blob.is_deletable());
    assert_eq!(blob.encoded_size(N_SHARDS), ENCODED);
    assert_eq!(
        event::events_by_type<events::BlobRegistered>(),
        vector[
            events::blob_registered_for_testing(
                1,
                tv::blob_id(),
                SIZE,
                1,
                5,
                true,
                blob.object_id(),
            ),
        ],
    );
    blob.burn();
}

#[test]
fun register_accepts_larger_storage() {
    let ctx = &mut tx_context::dummy();
    let blob = blob::new_for_testing(
        storage(0, 2, ENCODED + 1, ctx),
        7,
        SIZE,
        false,
        1,
        N_SHARDS,
        ctx,
    );
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun register_before_storage_start_aborts() {
    let ctx = &mut tx_context::dummy();
    blob::new_for_testing(storage(2, 5, ENCODED, ctx), 7, SIZE, false, 1, N_SHARDS, ctx).burn();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun register_at_storage_end_aborts() {
    let ctx = &mut tx_context::dummy();
    blob::new_for_testing(storage(2, 5, ENCODED, ctx), 7, SIZE, false, 5, N_SHARDS, ctx).burn();
}

#[test, expected_failure(abort_code = blob::EResourceSize)]
fun register_with_too_little_storage_aborts() {
    let ctx = &mut tx_context::dummy();
    blob::new_for_testing(storage(1, 5, ENCODED - 1, ctx), 7, SIZE, false, 1, N_SHARDS, ctx).burn();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobId)]
fun register_with_wrong_blob_id_aborts() {
    let ctx = &mut tx_context::dummy();
    blob::new(
        storage(1, 5, ENCODED, ctx),
        tv::blob_id() + 1,
        tv::blob_root_hash(),
        SIZE,
        1,
        false,
        1,
        N_SHARDS,
        ctx,
    ).burn();
}

#[test, expected_failure(abort_code = walrus_edge::encoding::EInvalidEncodingType)]
fun register_with_unknown_encoding_aborts() {
    let ctx = &mut tx_context::dummy();
    blob::new(storage(1, 5, ENCODED, ctx), 1, 2, SIZE, 0, false, 1, N_SHARDS, ctx).burn();
}

// === Certification ===

#[test]
fun certify_permanent_blob() {
    let ctx = &mut tx_context::dummy();
    let blob = certified(false, ctx);
    assert_eq!(*blob.certified_epoch(), option::some(1));
    assert_eq!(
        event::events_by_type<events::BlobCertified>(),
        vector[
            events::blob_certified_for_testing(1, tv::blob_id(), 5, false, blob.object_id(), false),
        ],
    );
    blob.burn();
}

#[test]
fun certify_deletable_blob_names_its_object() {
    let ctx = &mut tx_context::dummy();
    let blob = certified(true, ctx);
    assert_eq!(*blob.certified_epoch(), option::some(1));
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EAlreadyCertified)]
fun certify_twice_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = certified(false, ctx);
    let message = blob.certified_message_for_testing(2);
    blob.certify_with_certified_msg(2, message);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobId)]
fun certify_with_other_blob_id_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    let message = messages::certified_blob_message_for_testing(1, 99, messages::permanent());
    blob.certify_with_certified_msg(1, message);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun certify_expired_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    let message = blob.certified_message_for_testing(5);
    blob.certify_with_certified_msg(5, message);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobPersistenceType)]
fun permanent_certificate_for_deletable_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(true, ctx);
    let message = messages::certified_blob_message_for_testing(
        1,
        tv::blob_id(),
        messages::permanent(),
    );
    blob.certify_with_certified_msg(1, message);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobPersistenceType)]
fun deletable_certificate_for_permanent_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    let message = messages::certified_blob_message_for_testing(
        1,
        tv::blob_id(),
        messages::deletable(blob.object_id()),
    );
    blob.certify_with_certified_msg(1, message);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EInvalidBlobObject)]
fun deletable_certificate_for_other_object_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(true, ctx);
    let message = messages::certified_blob_message_for_testing(
        1,
        tv::blob_id(),
        messages::deletable(object::id_from_address(@0xbad)),
    );
    blob.certify_with_certified_msg(1, message);
    blob.burn();
}

// === Deletion and burning ===

#[test]
fun delete_returns_storage_and_emits_event() {
    let ctx = &mut tx_context::dummy();
    let blob = certified(true, ctx);
    let object_id = blob.object_id();
    let storage = blob.delete(3);
    assert_eq!(storage.start_epoch(), 1);
    assert_eq!(storage.end_epoch(), 5);
    assert_eq!(storage.size(), ENCODED);
    assert_eq!(
        event::events_by_type<events::BlobDeleted>(),
        vector[events::blob_deleted_for_testing(3, tv::blob_id(), 5, object_id, true)],
    );
    storage.destroy();
}

#[test, expected_failure(abort_code = blob::EBlobNotDeletable)]
fun delete_permanent_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    registered(false, ctx).delete(1).destroy();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun delete_expired_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    registered(true, ctx).delete(5).destroy();
}

#[test]
fun burn_removes_metadata_too() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    blob.insert_or_update_metadata_pair(utf8(b"content-type"), utf8(b"text/plain"));
    blob.burn();
}

// === Extension with a Storage ===

#[test]
fun extend_with_following_storage() {
    let ctx = &mut tx_context::dummy();
    let mut blob = certified(false, ctx);
    blob.extend_with_resource(storage(5, 8, ENCODED, ctx), 2);
    assert_eq!(blob.end_epoch(), 8);
    assert_eq!(blob.storage().start_epoch(), 1);
    let certified_events = event::events_by_type<events::BlobCertified>();
    assert_eq!(certified_events.length(), 2);
    assert_eq!(
        certified_events[1],
        events::blob_certified_for_testing(1, tv::blob_id(), 8, false, blob.object_id(), true),
    );
    blob.burn();
}

#[test, expected_failure(abort_code = blob::ENotCertified)]
fun extend_uncertified_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    blob.extend_with_resource(storage(5, 8, ENCODED, ctx), 2);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun extend_expired_blob_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = certified(false, ctx);
    blob.extend_with_resource(storage(5, 8, ENCODED, ctx), 5);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EResourceBounds)]
fun extend_with_storage_ending_earlier_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = certified(false, ctx);
    blob.extend_with_resource(storage(1, 5, ENCODED, ctx), 2);
    blob.burn();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleEpochs)]
fun extend_with_gap_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = certified(false, ctx);
    blob.extend_with_resource(storage(6, 8, ENCODED, ctx), 2);
    blob.burn();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleAmount)]
fun extend_with_other_size_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = certified(false, ctx);
    blob.extend_with_resource(storage(5, 8, ENCODED * 2, ctx), 2);
    blob.burn();
}

// === Attributes ===

#[test]
fun metadata_pairs_round_trip() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    assert!(!blob.has_metadata());
    blob.insert_or_update_metadata_pair(utf8(b"content-type"), utf8(b"text/plain"));
    blob.insert_or_update_metadata_pair(utf8(b"content-type"), utf8(b"image/png"));
    blob.insert_or_update_metadata_pair(utf8(b"link"), utf8(b"<a>"));
    assert!(blob.has_metadata());
    assert_eq!(blob.get_metadata_value(&utf8(b"content-type")), option::some(utf8(b"image/png")));
    let (key, value) = blob.remove_metadata_pair(&utf8(b"link"));
    assert_eq!(key, utf8(b"link"));
    assert_eq!(value, utf8(b"<a>"));
    assert!(blob.remove_metadata_pair_if_exists(&utf8(b"link")).is_none());
    let taken = blob.take_metadata();
    assert_eq!(taken.size(), 1);
    assert!(!blob.has_metadata());
    blob.add_metadata(taken);
    let previous = blob.add_or_replace_metadata(metadata::new());
    assert_eq!(previous.destroy_some().size(), 1);
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EDuplicateMetadata)]
fun add_metadata_twice_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    blob.add_metadata(metadata::new());
    blob.add_metadata(metadata::new());
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EMissingMetadata)]
fun take_missing_metadata_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    blob.take_metadata();
    blob.burn();
}

#[test, expected_failure(abort_code = blob::EMissingMetadata)]
fun remove_pair_without_metadata_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    let (_, _) = blob.remove_metadata_pair(&utf8(b"link"));
    blob.burn();
}

#[test, expected_failure(abort_code = metadata::EKeyNotFound)]
fun remove_missing_key_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut blob = registered(false, ctx);
    blob.add_metadata(metadata::new());
    let (_, _) = blob.remove_metadata_pair(&utf8(b"link"));
    blob.burn();
}
