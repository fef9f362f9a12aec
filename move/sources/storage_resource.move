// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Storage reservations: `size` bytes of *encoded* capacity for the epochs `[start, end)`.
///
/// Only this package mints a `Storage` (`system::reserve_space`) or pushes its end
/// (`system::extend_blob`). Whoever owns one may split it by epoch or by size, fuse pieces back
/// together, transfer it (it has `store`, so `transfer::public_transfer` works), wrap it in a
/// `Blob` through `system::register_blob`, or destroy it. Destroying does not give capacity back to
/// the system: sold capacity stays sold until its epochs pass.
module walrus_edge::storage_resource;

// === Abort codes (stable; the TypeScript emulator mirrors them) ===

/// `split_by_epoch`: the split epoch is not strictly inside `(start_epoch, end_epoch)`.
const EInvalidEpoch: u64 = 0;
/// `fuse_periods` / `fuse_amount`: the two periods are neither adjacent nor identical as required.
const EIncompatibleEpochs: u64 = 1;
/// `split_by_size`: more bytes than held; `fuse_periods`: sizes differ.
const EIncompatibleAmount: u64 = 2;
/// `create_storage`: `start_epoch >= end_epoch`.
const EInvalidEpochRange: u64 = 3;

/// A reservation of `storage_size` encoded bytes for every epoch in `[start_epoch, end_epoch)`.
/// BCS field order: id, start_epoch, end_epoch, storage_size.
public struct Storage has key, store {
    id: UID,
    /// First covered epoch (inclusive).
    start_epoch: u32,
    /// First epoch no longer covered (exclusive).
    end_epoch: u32,
    /// Reserved bytes of encoded size (`encoding::encoded_blob_length`), per epoch.
    storage_size: u64,
}

// === Accessors ===

public fun start_epoch(self: &Storage): u32 {
    self.start_epoch
}

public fun end_epoch(self: &Storage): u32 {
    self.end_epoch
}

/// The reserved encoded size in bytes.
public fun size(self: &Storage): u64 {
    self.storage_size
}

/// Same as `size`; kept under Walrus's name.
public fun storage_size(self: &Storage): u64 {
    self.storage_size
}

// === Package-only constructors and mutators ===

/// Mints a reservation. Checks: `start_epoch < end_epoch` (EInvalidEpochRange).
public(package) fun create_storage(
    start_epoch: u32,
    end_epoch: u32,
    storage_size: u64,
    ctx: &mut TxContext,
): Storage {
    assert!(start_epoch < end_epoch, EInvalidEpochRange);
    Storage { id: object::new(ctx), start_epoch, end_epoch, storage_size }
}

/// Pushes `end_epoch` by `extension_epochs` (u32 overflow aborts arithmetically).
public(package) fun extend_end_epoch(self: &mut Storage, extension_epochs: u32) {
    self.end_epoch = self.end_epoch + extension_epochs;
}

// === Public operations for the owner ===

/// Splits off the epochs `[split_epoch, end_epoch)` into a new object of the same size; `self`
/// keeps `[start_epoch, split_epoch)`.
///
/// Checks, in order:
/// 1. `start_epoch < split_epoch < end_epoch` (EInvalidEpoch).
public fun split_by_epoch(self: &mut Storage, split_epoch: u32, ctx: &mut TxContext): Storage {
    assert!(split_epoch > self.start_epoch && split_epoch < self.end_epoch, EInvalidEpoch);
    let end_epoch = self.end_epoch;
    self.end_epoch = split_epoch;
    Storage {
        id: object::new(ctx),
        start_epoch: split_epoch,
        end_epoch,
        storage_size: self.storage_size,
    }
}

/// Keeps `split_size` bytes in `self` and returns a new object with the remaining
/// `storage_size - split_size` bytes over the same epochs. Either side may end up with 0 bytes.
///
/// Checks, in order:
/// 1. `split_size <= storage_size` (EIncompatibleAmount).
public fun split_by_size(self: &mut Storage, split_size: u64, ctx: &mut TxContext): Storage {
    assert!(split_size <= self.storage_size, EIncompatibleAmount);
    let remainder = self.storage_size - split_size;
    self.storage_size = split_size;
    Storage {
        id: object::new(ctx),
        start_epoch: self.start_epoch,
        end_epoch: self.end_epoch,
        storage_size: remainder,
    }
}

/// Joins two reservations of equal size over adjacent periods; `second` is consumed. `second`
/// may follow `self` (`self.end == second.start`) or precede it (`second.end == self.start`).
///
/// Checks, in order:
/// 1. equal sizes (EIncompatibleAmount);
/// 2. `self.end_epoch == second.start_epoch`, else `self.start_epoch == second.end_epoch`
///    (EIncompatibleEpochs).
public fun fuse_periods(self: &mut Storage, second: Storage) {
    let Storage {
        id,
        start_epoch: second_start,
        end_epoch: second_end,
        storage_size: second_size,
    } = second;
    id.delete();
    assert!(self.storage_size == second_size, EIncompatibleAmount);
    if (self.end_epoch == second_start) {
        self.end_epoch = second_end;
    } else {
        assert!(self.start_epoch == second_end, EIncompatibleEpochs);
        self.start_epoch = second_start;
    }
}

/// Adds the bytes of `second`, which must cover exactly the same epochs; `second` is consumed.
///
/// Checks, in order:
/// 1. same `start_epoch` and same `end_epoch` (EIncompatibleEpochs);
/// 2. the summed size fits in u64 (arithmetic abort).
public fun fuse_amount(self: &mut Storage, second: Storage) {
    let Storage {
        id,
        start_epoch: second_start,
        end_epoch: second_end,
        storage_size: second_size,
    } = second;
    id.delete();
    assert!(self.start_epoch == second_start && self.end_epoch == second_end, EIncompatibleEpochs);
    self.storage_size = self.storage_size + second_size;
}

/// `fuse_amount` when both start in the same epoch, `fuse_periods` otherwise (with their checks).
public fun fuse(self: &mut Storage, second: Storage) {
    if (self.start_epoch == second.start_epoch) {
        self.fuse_amount(second)
    } else {
        self.fuse_periods(second)
    }
}

/// Deletes the reservation. The capacity is not returned to the system. No checks.
public fun destroy(self: Storage) {
    let Storage { id, .. } = self;
    id.delete();
}

// === Test helpers ===

#[test_only]
/// Mints a reservation without any check, for unit tests.
public fun create_for_testing(
    start_epoch: u32,
    end_epoch: u32,
    storage_size: u64,
    ctx: &mut TxContext,
): Storage {
    Storage { id: object::new(ctx), start_epoch, end_epoch, storage_size }
}
