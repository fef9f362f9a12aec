// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Shard assignment: which node holds which shards (spec/contracts.md §4.1).
///
/// A `Committee` maps node ids to the shard indices they hold, always sorted by node id (ids
/// compared as u256 numbers of their 32 address bytes, big-endian). A node's weight is its shard
/// count. The first committee hands out shards `0..n` sequentially in node-id order; later
/// committees come from `transition`, which moves as few shards as possible:
///
/// 1. Release: walk the old committee in node-id order; while a node holds more shards than
///    its new count (0 if absent from the new assignment), pop its *last* shard and push it onto
///    the `released` stack.
/// 2. Acquire: walk the new assignment in node-id order, skipping counts of 0; each node starts
///    from the shards it kept and, while it has fewer than its new count, pops the *top* of the
///    `released` stack and appends it.
///
/// So a node whose count is unchanged keeps exactly its shards, in the same order.
/// Which sliver a shard stores is an off-chain rule: `(pair_index + blob_id mod n) mod n`.
module walrus_edge::committee;

use sui::vec_map::{Self, VecMap};

// === Abort codes ===

/// The counts do not add up to the shard total, or the assignment lists are malformed
/// (different lengths, a duplicate node id).
const EInvalidShardAssignment: u64 = 0;

/// node id -> shard indices, sorted by node id. BCS: one field, `VecMap { contents: vector<Entry
/// { key: ID, value: vector<u16> }> }`.
public struct Committee(VecMap<ID, vector<u16>>) has copy, drop, store;

/// An empty committee (no nodes, no shards).
public fun empty(): Committee {
    Committee(vec_map::empty())
}

/// Hands out shards `0..n_shards` sequentially in ascending node-id order; nodes with a count
/// of 0 are left out.
///
/// Checks, in order:
/// 1. `node_ids` and `shard_counts` have equal lengths (EInvalidShardAssignment);
/// 2. no node id appears twice (EInvalidShardAssignment);
/// 3. the counts add up to exactly `n_shards` (EInvalidShardAssignment).
public fun initialize(node_ids: vector<ID>, shard_counts: vector<u16>, n_shards: u16): Committee {
    let (sorted_ids, sorted_counts) = sorted_assignment(node_ids, shard_counts);
    assert!(sum_counts(&sorted_counts) == (n_shards as u64), EInvalidShardAssignment);
    let mut shards = vec_map::empty();
    let mut next_shard: u16 = 0;
    sorted_ids.length().do!(|i| {
        let count = sorted_counts[i];
        if (count > 0) {
            let mut held = vector[];
            count.do!(|_| {
                held.push_back(next_shard);
                next_shard = next_shard + 1;
            });
            shards.insert(sorted_ids[i], held);
        };
    });
    Committee(shards)
}

/// The next committee for the counts in `(node_ids, shard_counts)`, moving as few shards as
/// possible (see the module comment for the exact algorithm).
///
/// Checks, in order:
/// 1. equal lengths and no duplicate node ids (EInvalidShardAssignment);
/// 2. the counts add up to exactly `self.n_shards()` (EInvalidShardAssignment).
public fun transition(
    self: &Committee,
    node_ids: vector<ID>,
    shard_counts: vector<u16>,
): Committee {
    let (sorted_ids, sorted_counts) = sorted_assignment(node_ids, shard_counts);
    assert!(sum_counts(&sorted_counts) == (self.n_shards() as u64), EInvalidShardAssignment);

    // 1. Release shards from nodes that shrink or leave.
    let mut released: vector<u16> = vector[];
    let mut kept: VecMap<ID, vector<u16>> = vec_map::empty();
    self.0.size().do!(|i| {
        let (node_id_ref, held_ref) = self.0.get_entry_by_idx(i);
        let node_id = *node_id_ref;
        let new_count = count_of(&sorted_ids, &sorted_counts, &node_id);
        let mut held = *held_ref;
        while (held.length() > (new_count as u64)) {
            released.push_back(held.pop_back());
        };
        if (!held.is_empty()) kept.insert(node_id, held);
    });

    // 2. Hand released shards to nodes that grow or join, in node-id order.
    let mut result = vec_map::empty();
    sorted_ids.length().do!(|i| {
        let node_id = sorted_ids[i];
        let count = sorted_counts[i];
        if (count > 0) {
            let mut held = if (kept.contains(&node_id)) {
                let (_, shards) = kept.remove(&node_id);
                shards
            } else {
                vector[]
            };
            while (held.length() < (count as u64)) {
                held.push_back(released.pop_back());
            };
            result.insert(node_id, held);
        };
    });
    Committee(result)
}

// === Accessors ===

/// Total number of shards held.
public fun n_shards(self: &Committee): u16 {
    let mut total: u16 = 0;
    self.0.size().do!(|i| {
        let (_, held) = self.0.get_entry_by_idx(i);
        total = total + (held.length() as u16);
    });
    total
}

/// Number of nodes in the committee.
public fun size(self: &Committee): u64 {
    self.0.size()
}

public fun is_empty(self: &Committee): bool {
    self.0.is_empty()
}

public fun contains(self: &Committee, node_id: &ID): bool {
    self.0.contains(node_id)
}

/// The shards held by `node_id` (empty when it is not in the committee).
public fun shards_of(self: &Committee, node_id: &ID): vector<u16> {
    if (self.0.contains(node_id)) *self.0.get(node_id)
    else vector[]
}

/// The node ids in ascending order.
public fun node_ids(self: &Committee): vector<ID> {
    self.0.keys()
}

public fun inner(self: &Committee): &VecMap<ID, vector<u16>> {
    &self.0
}

// === Internal ===

/// Orders node ids as big-endian u256 numbers of their address bytes.
public fun id_less_than(a: &ID, b: &ID): bool {
    let a_value = sui::address::to_u256(object::id_to_address(a));
    let b_value = sui::address::to_u256(object::id_to_address(b));
    a_value < b_value
}

/// Sorts the assignment by node id (insertion sort; committees are small).
/// Aborts with EInvalidShardAssignment on unequal lengths or a duplicate id.
fun sorted_assignment(
    mut node_ids: vector<ID>,
    mut shard_counts: vector<u16>,
): (vector<ID>, vector<u16>) {
    assert!(node_ids.length() == shard_counts.length(), EInvalidShardAssignment);
    let length = node_ids.length();
    let mut i = 1;
    while (i < length) {
        let mut j = i;
        while (j > 0 && id_less_than(&node_ids[j], &node_ids[j - 1])) {
            node_ids.swap(j, j - 1);
            shard_counts.swap(j, j - 1);
            j = j - 1;
        };
        i = i + 1;
    };
    let mut k = 1;
    while (k < length) {
        assert!(node_ids[k] != node_ids[k - 1], EInvalidShardAssignment);
        k = k + 1;
    };
    (node_ids, shard_counts)
}

fun sum_counts(counts: &vector<u16>): u64 {
    let mut total = 0;
    counts.do_ref!(|count| total = total + (*count as u64));
    total
}

/// The count for `node_id` in a sorted assignment, 0 when absent.
fun count_of(ids: &vector<ID>, counts: &vector<u16>, node_id: &ID): u16 {
    let index = ids.find_index!(|id| id == node_id);
    if (index.is_some()) counts[index.destroy_some()] else 0
}
