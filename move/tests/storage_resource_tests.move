// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module walrus_edge::storage_resource_tests;

use std::unit_test::assert_eq;
use walrus_edge::storage_resource::{Self, Storage};

fun storage(start_epoch: u32, end_epoch: u32, size: u64, ctx: &mut TxContext): Storage {
    storage_resource::create_for_testing(start_epoch, end_epoch, size, ctx)
}

fun assert_storage(self: &Storage, start_epoch: u32, end_epoch: u32, size: u64) {
    assert_eq!(self.start_epoch(), start_epoch);
    assert_eq!(self.end_epoch(), end_epoch);
    assert_eq!(self.size(), size);
    assert_eq!(self.storage_size(), size);
}

#[test]
fun create_storage_checks_range() {
    let ctx = &mut tx_context::dummy();
    let reserved = storage_resource::create_storage(3, 4, 7, ctx);
    assert_storage(&reserved, 3, 4, 7);
    reserved.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EInvalidEpochRange)]
fun create_storage_empty_range_aborts() {
    let ctx = &mut tx_context::dummy();
    storage_resource::create_storage(4, 4, 7, ctx).destroy();
}

#[test]
fun split_by_epoch_keeps_head_and_returns_tail() {
    let ctx = &mut tx_context::dummy();
    let mut head = storage(2, 10, 1000, ctx);
    let tail = head.split_by_epoch(5, ctx);
    assert_storage(&head, 2, 5, 1000);
    assert_storage(&tail, 5, 10, 1000);
    head.destroy();
    tail.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EInvalidEpoch)]
fun split_by_epoch_at_start_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut head = storage(2, 10, 1000, ctx);
    let tail = head.split_by_epoch(2, ctx);
    head.destroy();
    tail.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EInvalidEpoch)]
fun split_by_epoch_at_end_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut head = storage(2, 10, 1000, ctx);
    let tail = head.split_by_epoch(10, ctx);
    head.destroy();
    tail.destroy();
}

#[test]
fun split_by_size_keeps_requested_bytes() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(1, 3, 1000, ctx);
    let second = first.split_by_size(300, ctx);
    assert_storage(&first, 1, 3, 300);
    assert_storage(&second, 1, 3, 700);
    first.destroy();
    second.destroy();
}

#[test]
fun split_by_size_allows_empty_sides() {
    let ctx = &mut tx_context::dummy();
    let mut all = storage(1, 3, 1000, ctx);
    let nothing = all.split_by_size(1000, ctx);
    assert_storage(&all, 1, 3, 1000);
    assert_storage(&nothing, 1, 3, 0);
    let everything = all.split_by_size(0, ctx);
    assert_storage(&all, 1, 3, 0);
    assert_storage(&everything, 1, 3, 1000);
    all.destroy();
    nothing.destroy();
    everything.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleAmount)]
fun split_by_size_too_large_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(1, 3, 1000, ctx);
    let second = first.split_by_size(1001, ctx);
    first.destroy();
    second.destroy();
}

#[test]
fun fuse_periods_appends_following_period() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(1, 4, 500, ctx);
    first.fuse_periods(storage(4, 9, 500, ctx));
    assert_storage(&first, 1, 9, 500);
    first.destroy();
}

#[test]
fun fuse_periods_prepends_preceding_period() {
    let ctx = &mut tx_context::dummy();
    let mut later = storage(4, 9, 500, ctx);
    later.fuse_periods(storage(1, 4, 500, ctx));
    assert_storage(&later, 1, 9, 500);
    later.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleAmount)]
fun fuse_periods_different_sizes_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(1, 4, 500, ctx);
    first.fuse_periods(storage(4, 9, 501, ctx));
    first.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleEpochs)]
fun fuse_periods_with_gap_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(1, 4, 500, ctx);
    first.fuse_periods(storage(5, 9, 500, ctx));
    first.destroy();
}

#[test]
fun fuse_amount_adds_sizes() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(2, 6, 500, ctx);
    first.fuse_amount(storage(2, 6, 250, ctx));
    assert_storage(&first, 2, 6, 750);
    first.destroy();
}

#[test, expected_failure(abort_code = storage_resource::EIncompatibleEpochs)]
fun fuse_amount_different_periods_aborts() {
    let ctx = &mut tx_context::dummy();
    let mut first = storage(2, 6, 500, ctx);
    first.fuse_amount(storage(2, 7, 500, ctx));
    first.destroy();
}

#[test]
fun fuse_dispatches_on_start_epoch() {
    let ctx = &mut tx_context::dummy();
    let mut reserved = storage(2, 6, 500, ctx);
    reserved.fuse(storage(2, 6, 100, ctx));
    assert_storage(&reserved, 2, 6, 600);
    reserved.fuse(storage(6, 8, 600, ctx));
    assert_storage(&reserved, 2, 8, 600);
    reserved.destroy();
}

#[test]
fun split_then_fuse_round_trips() {
    let ctx = &mut tx_context::dummy();
    let mut reserved = storage(0, 12, 4096, ctx);
    let mut tail = reserved.split_by_epoch(7, ctx);
    let tail_half = tail.split_by_size(2048, ctx);
    tail.fuse_amount(tail_half);
    reserved.fuse(tail);
    assert_storage(&reserved, 0, 12, 4096);
    reserved.destroy();
}

#[test]
fun extend_end_epoch_pushes_end() {
    let ctx = &mut tx_context::dummy();
    let mut reserved = storage(3, 5, 10, ctx);
    reserved.extend_end_epoch(4);
    assert_storage(&reserved, 3, 9, 10);
    reserved.destroy();
}
