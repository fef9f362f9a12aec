// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module walrus_edge::committee_tests;

use std::unit_test::assert_eq;
use walrus_edge::committee::{Self, Committee};

fun id(node: address): ID {
    object::id_from_address(node)
}

/// @0x1: [0, 1, 2], @0x2: [3, 4, 5, 6, 7], @0x3: [8, 9] (listed out of order on purpose).
fun initial(): Committee {
    committee::initialize(vector[id(@0x3), id(@0x1), id(@0x2)], vector[2, 3, 5], 10)
}

/// Number of shards whose holder differs between `before` and `after`.
fun moved_shards(before: &Committee, after: &Committee): u64 {
    let mut moved = 0;
    before.node_ids().do!(|node_id| {
        let kept = after.shards_of(&node_id);
        before.shards_of(&node_id).do!(|shard| if (!kept.contains(&shard)) moved = moved + 1);
    });
    moved
}

#[test]
fun initialize_assigns_sequentially_in_node_id_order() {
    let committee = initial();
    assert_eq!(committee.node_ids(), vector[id(@0x1), id(@0x2), id(@0x3)]);
    assert_eq!(committee.shards_of(&id(@0x1)), vector[0, 1, 2]);
    assert_eq!(committee.shards_of(&id(@0x2)), vector[3, 4, 5, 6, 7]);
    assert_eq!(committee.shards_of(&id(@0x3)), vector[8, 9]);
    assert_eq!(committee.n_shards(), 10);
    assert_eq!(committee.size(), 3);
    assert!(committee.shards_of(&id(@0x4)).is_empty());
}

#[test]
fun initialize_leaves_out_zero_counts() {
    let committee = committee::initialize(vector[id(@0x2), id(@0x1)], vector[0, 4], 4);
    assert_eq!(committee.size(), 1);
    assert!(!committee.contains(&id(@0x2)));
    assert_eq!(committee.shards_of(&id(@0x1)), vector[0, 1, 2, 3]);
}

#[test]
fun node_ids_compare_as_numbers() {
    assert!(committee::id_less_than(&id(@0x2), &id(@0x10)));
    assert!(!committee::id_less_than(&id(@0x100), &id(@0xff)));
    assert!(!committee::id_less_than(&id(@0x5), &id(@0x5)));
    let committee = committee::initialize(vector[id(@0x100), id(@0xff)], vector[1, 1], 2);
    assert_eq!(committee.node_ids(), vector[id(@0xff), id(@0x100)]);
}

#[test, expected_failure(abort_code = committee::EInvalidShardAssignment)]
fun initialize_wrong_total_aborts() {
    committee::initialize(vector[id(@0x1), id(@0x2)], vector[3, 3], 7);
}

#[test, expected_failure(abort_code = committee::EInvalidShardAssignment)]
fun initialize_length_mismatch_aborts() {
    committee::initialize(vector[id(@0x1), id(@0x2)], vector[7], 7);
}

#[test, expected_failure(abort_code = committee::EInvalidShardAssignment)]
fun initialize_duplicate_node_aborts() {
    committee::initialize(vector[id(@0x1), id(@0x2), id(@0x1)], vector[3, 3, 1], 7);
}

#[test]
fun transition_with_same_counts_moves_nothing() {
    let before = initial();
    let after = before.transition(vector[id(@0x2), id(@0x3), id(@0x1)], vector[5, 2, 3]);
    assert_eq!(after, before);
}

#[test]
fun transition_moves_only_the_difference() {
    let before = initial();
    // @0x1 grows 3 -> 4, @0x2 shrinks 5 -> 3, @0x3 grows 2 -> 3.
    let after = before.transition(vector[id(@0x1), id(@0x2), id(@0x3)], vector[4, 3, 3]);
    // @0x2 releases its last two shards (7, then 6); growers take from the top of that stack
    // in node-id order.
    assert_eq!(after.shards_of(&id(@0x1)), vector[0, 1, 2, 6]);
    assert_eq!(after.shards_of(&id(@0x2)), vector[3, 4, 5]);
    assert_eq!(after.shards_of(&id(@0x3)), vector[8, 9, 7]);
    assert_eq!(after.n_shards(), 10);
    assert_eq!(moved_shards(&before, &after), 2);
}

#[test]
fun transition_hands_departing_shards_to_new_node() {
    let before = initial();
    let after = before.transition(
        vector[id(@0x1), id(@0x2), id(@0x3), id(@0x4)],
        vector[0, 5, 2, 3],
    );
    assert!(!after.contains(&id(@0x1)));
    assert_eq!(after.node_ids(), vector[id(@0x2), id(@0x3), id(@0x4)]);
    assert_eq!(after.shards_of(&id(@0x2)), vector[3, 4, 5, 6, 7]);
    assert_eq!(after.shards_of(&id(@0x3)), vector[8, 9]);
    // @0x1 released 2, 1, 0 (last first); @0x4 pops the stack: 0, 1, 2.
    assert_eq!(after.shards_of(&id(@0x4)), vector[0, 1, 2]);
    assert_eq!(moved_shards(&before, &after), 3);
}

#[test]
fun transition_omitted_node_leaves() {
    let before = initial();
    let after = before.transition(vector[id(@0x2), id(@0x3)], vector[6, 4]);
    assert!(!after.contains(&id(@0x1)));
    assert_eq!(after.shards_of(&id(@0x2)), vector[3, 4, 5, 6, 7, 0]);
    assert_eq!(after.shards_of(&id(@0x3)), vector[8, 9, 1, 2]);
    assert_eq!(moved_shards(&before, &after), 3);
}

#[test, expected_failure(abort_code = committee::EInvalidShardAssignment)]
fun transition_changing_total_aborts() {
    let before = initial();
    before.transition(vector[id(@0x1), id(@0x2), id(@0x3)], vector[3, 5, 3]);
}

#[test, expected_failure(abort_code = committee::EInvalidShardAssignment)]
fun transition_duplicate_node_aborts() {
    let before = initial();
    before.transition(vector[id(@0x1), id(@0x1)], vector[5, 5]);
}

#[test]
fun empty_committee() {
    let committee = committee::empty();
    assert!(committee.is_empty());
    assert_eq!(committee.n_shards(), 0);
    assert!(committee.node_ids().is_empty());
}
