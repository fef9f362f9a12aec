// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Events storage nodes and indexers follow. Names, field names and field order (= BCS order) are
/// Walrus's (spec/contracts.md §3), so a Walrus-style event indexer decodes them unchanged.
module walrus_edge::events;

use sui::event;

/// A blob was registered: nodes accept slivers for `blob_id` from now on.
public struct BlobRegistered has copy, drop {
    epoch: u32,
    blob_id: u256,
    size: u64,
    encoding_type: u8,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
}

/// A blob was certified (`is_extension == false`) or a certified blob's lifetime was extended
/// (`is_extension == true`; `epoch` is then still the first certified epoch).
public struct BlobCertified has copy, drop {
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
    is_extension: bool,
}

/// A deletable blob object was deleted; its claim on `blob_id` is gone.
public struct BlobDeleted has copy, drop {
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    object_id: ID,
    was_certified: bool,
}

/// `blob_id` was shown to be inconsistently encoded; nodes drop it everywhere.
public struct InvalidBlobID has copy, drop {
    epoch: u32,
    blob_id: u256,
}

/// Epoch `epoch` started; nodes begin moving shards to the new assignment.
public struct EpochChangeStart has copy, drop {
    epoch: u32,
}

/// Nodes holding a quorum of shards finished receiving their shards for `epoch`.
public struct EpochChangeDone has copy, drop {
    epoch: u32,
}

/// One node finished receiving its `shards` for `epoch`.
public struct ShardsReceived has copy, drop {
    epoch: u32,
    shards: vector<u16>,
}

/// The committee for `next_epoch` was selected.
public struct EpochParametersSelected has copy, drop {
    next_epoch: u32,
}

// === Package-only emitters ===

public(package) fun emit_blob_registered(
    epoch: u32,
    blob_id: u256,
    size: u64,
    encoding_type: u8,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
) {
    event::emit(BlobRegistered {
        epoch,
        blob_id,
        size,
        encoding_type,
        end_epoch,
        deletable,
        object_id,
    });
}

public(package) fun emit_blob_certified(
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
    is_extension: bool,
) {
    event::emit(BlobCertified { epoch, blob_id, end_epoch, deletable, object_id, is_extension });
}

public(package) fun emit_blob_deleted(
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    object_id: ID,
    was_certified: bool,
) {
    event::emit(BlobDeleted { epoch, blob_id, end_epoch, object_id, was_certified });
}

public(package) fun emit_invalid_blob_id(epoch: u32, blob_id: u256) {
    event::emit(InvalidBlobID { epoch, blob_id });
}

public(package) fun emit_epoch_change_start(epoch: u32) {
    event::emit(EpochChangeStart { epoch });
}

public(package) fun emit_epoch_change_done(epoch: u32) {
    event::emit(EpochChangeDone { epoch });
}

public(package) fun emit_shards_received(epoch: u32, shards: vector<u16>) {
    event::emit(ShardsReceived { epoch, shards });
}

public(package) fun emit_epoch_parameters_selected(next_epoch: u32) {
    event::emit(EpochParametersSelected { next_epoch });
}

// === Test helpers: build expected events for `sui::event::events_by_type` comparisons ===

#[test_only]
public fun blob_registered_for_testing(
    epoch: u32,
    blob_id: u256,
    size: u64,
    encoding_type: u8,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
): BlobRegistered {
    BlobRegistered { epoch, blob_id, size, encoding_type, end_epoch, deletable, object_id }
}

#[test_only]
public fun blob_certified_for_testing(
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
    is_extension: bool,
): BlobCertified {
    BlobCertified { epoch, blob_id, end_epoch, deletable, object_id, is_extension }
}

#[test_only]
public fun blob_deleted_for_testing(
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    object_id: ID,
    was_certified: bool,
): BlobDeleted {
    BlobDeleted { epoch, blob_id, end_epoch, object_id, was_certified }
}

#[test_only]
public fun invalid_blob_id_for_testing(epoch: u32, blob_id: u256): InvalidBlobID {
    InvalidBlobID { epoch, blob_id }
}

#[test_only]
public fun epoch_change_start_for_testing(epoch: u32): EpochChangeStart {
    EpochChangeStart { epoch }
}

#[test_only]
public fun epoch_change_done_for_testing(epoch: u32): EpochChangeDone {
    EpochChangeDone { epoch }
}

#[test_only]
public fun shards_received_for_testing(epoch: u32, shards: vector<u16>): ShardsReceived {
    ShardsReceived { epoch, shards }
}

#[test_only]
public fun epoch_parameters_selected_for_testing(next_epoch: u32): EpochParametersSelected {
    EpochParametersSelected { next_epoch }
}
