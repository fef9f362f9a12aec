// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// End-to-end flows through `system` with test_scenario and real BLS signatures
/// (move/tests/test_vectors.move). Nodes A, B, C, D (senders @0xa1..@0xa4) hold 4, 3, 2, 1 of
/// 10 shards; the blob is the redstuff.jsonl vector with 1000 bytes (encoded 10 680 bytes =
/// 1 unit), so storage costs 101 per epoch and the write fee is 1000.
#[test_only]
module walrus_edge::system_tests;

use std::{string::utf8, unit_test::assert_eq};
use sui::{
    clock::{Self, Clock},
    coin::{Self, Coin},
    event,
    sui::SUI,
    test_scenario::{Self as ts, Scenario}
};
use walrus_edge::{
    blob::{Self, Blob},
    bls_aggregate,
    committee,
    events,
    messages,
    nodes::{Self, NodeCap},
    system::{Self, AdminCap, InitCap, System},
    test_vectors as tv
};

const ADMIN: address = @0xad;
const USER: address = @0xb0b;
const NODE_A: address = @0xa1;
const NODE_B: address = @0xa2;
const NODE_C: address = @0xa3;
const NODE_D: address = @0xa4;

const N_SHARDS: u16 = 10;
const EPOCH_MS: u64 = 60_000;
const MAX_EPOCHS_AHEAD: u32 = 5;
const CAPACITY: u64 = 50_000;
const STORAGE_PRICE: u64 = 101;
const WRITE_PRICE: u64 = 1_000;
const BLOB_SIZE: u64 = 1_000;
const ENCODED: u64 = 10_680;
const FUNDS: u64 = 10_000;
const NETWORK_KEY: vector<u8> =
    x"020102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

// === Helpers ===

/// Publishes the package and creates the System in epoch 0.
fun begin(): Scenario {
    let mut sc = ts::begin(ADMIN);
    system::init_for_testing(sc.ctx());
    sc.next_tx(ADMIN);
    let init_cap = sc.take_from_sender<InitCap>();
    system::create_system(
        init_cap,
        N_SHARDS,
        EPOCH_MS,
        MAX_EPOCHS_AHEAD,
        CAPACITY,
        STORAGE_PRICE,
        WRITE_PRICE,
        sc.ctx(),
    );
    sc
}

/// Registers a node for `sender` (the cap goes to `sender`); returns its node id.
fun register(sc: &mut Scenario, sender: address, bls_key: vector<u8>, pop: vector<u8>): ID {
    sc.next_tx(sender);
    let mut system = sc.take_shared<System>();
    let cap = system.register_node(
        utf8(b"node"),
        utf8(b"node.example:9185"),
        bls_key,
        NETWORK_KEY,
        pop,
        sc.ctx(),
    );
    let node_id = cap.cap_node_id();
    transfer::public_transfer(cap, sender);
    ts::return_shared(system);
    node_id
}

fun register_all(sc: &mut Scenario): vector<ID> {
    vector[
        register(sc, NODE_A, tv::pk_a(), tv::pop_a()),
        register(sc, NODE_B, tv::pk_b(), tv::pop_b()),
        register(sc, NODE_C, tv::pk_c(), tv::pop_c()),
        register(sc, NODE_D, tv::pk_d(), tv::pop_d()),
    ]
}

fun select(sc: &mut Scenario, node_ids: vector<ID>, shard_counts: vector<u16>) {
    sc.next_tx(ADMIN);
    let mut system = sc.take_shared<System>();
    let admin = sc.take_from_sender<AdminCap>();
    system.set_next_committee(&admin, node_ids, shard_counts);
    sc.return_to_sender(admin);
    ts::return_shared(system);
}

fun clock_at(sc: &mut Scenario, now_ms: u64): Clock {
    let mut clock = clock::create_for_testing(sc.ctx());
    clock.set_for_testing(now_ms);
    clock
}

fun advance(sc: &mut Scenario, now_ms: u64) {
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let clock = clock_at(sc, now_ms);
    system.advance_epoch(&clock);
    clock.destroy_for_testing();
    ts::return_shared(system);
}

fun sync(sc: &mut Scenario, sender: address, epoch: u32, now_ms: u64) {
    sc.next_tx(sender);
    let mut system = sc.take_shared<System>();
    let mut cap = sc.take_from_sender<NodeCap>();
    let clock = clock_at(sc, now_ms);
    system.epoch_sync_done(&mut cap, epoch, &clock);
    clock.destroy_for_testing();
    sc.return_to_sender(cap);
    ts::return_shared(system);
}

/// Epoch 1 with committee A4 B3 C2 D1, change completed at time 0 (A and B synced).
fun epoch_one(): (Scenario, vector<ID>) {
    let mut sc = begin();
    let node_ids = register_all(&mut sc);
    select(&mut sc, node_ids, vector[4, 3, 2, 1]);
    advance(&mut sc, 0);
    sync(&mut sc, NODE_A, 1, 0);
    sync(&mut sc, NODE_B, 1, 0);
    (sc, node_ids)
}

/// The signers bitmap for `signers` in the current committee (member order = node-id order).
fun bitmap(system: &System, signers: vector<ID>): vector<u8> {
    let committee = system.committee();
    let mut bytes = vector::tabulate!((committee.n_members() + 7) / 8, |_| 0u8);
    signers.do!(|node_id| {
        let index = committee.find_index(&node_id).destroy_some();
        let byte = &mut bytes[index / 8];
        *byte = *byte | (1u8 << ((index % 8) as u8));
    });
    bytes
}

fun mint(sc: &mut Scenario, amount: u64): Coin<SUI> {
    coin::mint_for_testing<SUI>(amount, sc.ctx())
}

/// Buys `epochs` epochs for the vector blob and registers it.
fun store_blob(sc: &mut Scenario, system: &mut System, deletable: bool, epochs: u32): Blob {
    let mut payment = mint(sc, FUNDS);
    let storage = system.reserve_space(ENCODED, epochs, &mut payment, sc.ctx());
    let blob = system.register_blob(
        storage,
        tv::blob_id(),
        tv::blob_root_hash(),
        BLOB_SIZE,
        1,
        deletable,
        &mut payment,
        sc.ctx(),
    );
    payment.burn_for_testing();
    blob
}

fun certify_ab(system: &System, node_ids: &vector<ID>, blob: &mut Blob) {
    let signers = bitmap(system, vector[node_ids[0], node_ids[1]]);
    system.certify_blob(blob, tv::epoch1_cert_sig_ab(), signers, tv::epoch1_cert_message());
}

// === Epochs and committee ===

#[test]
fun epoch_change_builds_committee_and_completes_at_quorum() {
    let mut sc = begin();
    let node_ids = register_all(&mut sc);
    sc.next_tx(ADMIN);
    let system = sc.take_shared<System>();
    assert_eq!(system.epoch(), 0);
    assert!(system.is_epoch_done());
    assert_eq!(system.committee().n_members(), 0);
    assert!(system.is_registered(node_ids[2]));
    assert_eq!(system.node_info(node_ids[0]).bls_key_bytes(), tv::pk_a());
    ts::return_shared(system);

    select(&mut sc, node_ids, vector[4, 3, 2, 1]);
    let effects = sc.next_tx(ADMIN);
    assert_eq!(effects.num_user_events(), 1); // EpochParametersSelected
    let system = sc.take_shared<System>();
    assert!(system.is_next_selected());
    assert_eq!(system.next_shards().borrow().n_shards(), N_SHARDS);
    ts::return_shared(system);

    advance(&mut sc, 0);
    sc.next_tx(ADMIN);
    let system = sc.take_shared<System>();
    assert_eq!(system.epoch(), 1);
    assert!(system.is_epoch_sync());
    assert_eq!(system.committee().n_members(), 4);
    assert_eq!(system.committee().n_shards(), N_SHARDS);
    let weights = system.committee_members();
    assert_eq!(*weights.get(&node_ids[0]), 4);
    assert_eq!(*weights.get(&node_ids[3]), 1);
    assert_eq!(system.shards_of(node_ids[1]).length(), 3);
    assert!(system.next_shards().is_none());
    ts::return_shared(system);

    // A alone (4 of 10) is not a quorum; A + B (7) is.
    sync(&mut sc, NODE_A, 1, 5);
    let effects = sc.next_tx(ADMIN);
    assert_eq!(effects.num_user_events(), 1); // ShardsReceived
    let system = sc.take_shared<System>();
    assert!(system.is_epoch_sync());
    ts::return_shared(system);
    sync(&mut sc, NODE_B, 1, 7);
    let effects = sc.next_tx(ADMIN);
    assert_eq!(effects.num_user_events(), 2); // ShardsReceived, EpochChangeDone
    let system = sc.take_shared<System>();
    assert!(system.is_epoch_done());
    ts::return_shared(system);
    // Late reports only emit ShardsReceived.
    sync(&mut sc, NODE_C, 1, 9);
    let effects = sc.next_tx(ADMIN);
    assert_eq!(effects.num_user_events(), 1);
    sc.end();
}

#[test]
fun second_epoch_moves_one_shard_rotates_key_and_pays_fees() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let blob = store_blob(&mut sc, &mut system, false, 3);
    // Epoch 1 slot: 101 storage + 1000 write; epoch 2 slot: 101.
    assert_eq!(system.fees_at(0), 1_101);
    assert_eq!(system.fees_at(1), 101);
    let shards_a = system.shards_of(node_ids[0]);
    let shards_b = system.shards_of(node_ids[1]);
    transfer::public_transfer(blob, USER);
    ts::return_shared(system);

    // A stages key E for the next committee.
    sc.next_tx(NODE_A);
    let mut system = sc.take_shared<System>();
    let cap = sc.take_from_sender<NodeCap>();
    system.set_next_bls_key(&cap, tv::pk_e(), tv::pop_e_by_a_epoch_1(), sc.ctx());
    assert!(system.node_info(node_ids[0]).next_bls_key().is_some());
    sc.return_to_sender(cap);
    ts::return_shared(system);

    // A gives one shard to B.
    select(&mut sc, node_ids, vector[3, 4, 2, 1]);
    advance(&mut sc, EPOCH_MS);
    sc.next_tx(NODE_A);
    let mut system = sc.take_shared<System>();
    assert_eq!(system.epoch(), 2);
    let mut expected_a = shards_a;
    let moved = expected_a.pop_back();
    let mut expected_b = shards_b;
    expected_b.push_back(moved);
    assert_eq!(system.shards_of(node_ids[0]), expected_a);
    assert_eq!(system.shards_of(node_ids[1]), expected_b);
    assert_eq!(system.committee().get_member_weight(&node_ids[0]), 3);
    assert_eq!(system.node_info(node_ids[0]).bls_key_bytes(), tv::pk_e());
    assert!(system.node_info(node_ids[0]).next_bls_key().is_none());
    // 1101 split 4/3/2/1 tenths, rounded down; the remainder (1) joins the new epoch's slot.
    assert_eq!(system.node_info(node_ids[0]).rewards(), 440);
    assert_eq!(system.node_info(node_ids[1]).rewards(), 330);
    assert_eq!(system.node_info(node_ids[2]).rewards(), 220);
    assert_eq!(system.node_info(node_ids[3]).rewards(), 110);
    assert_eq!(system.fees_at(0), 102);
    assert_eq!(system.used_capacity(), ENCODED);
    assert_eq!(system.used_capacity_at(2), 0);
    let cap = sc.take_from_sender<NodeCap>();
    let rewards = system.collect_rewards(&cap, sc.ctx());
    assert_eq!(rewards.value(), 440);
    assert_eq!(system.node_info(node_ids[0]).rewards(), 0);
    rewards.burn_for_testing();
    sc.return_to_sender(cap);
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EWrongEpochState)]
fun advance_without_selection_aborts() {
    let (mut sc, _) = epoch_one();
    advance(&mut sc, EPOCH_MS);
    sc.end();
}

#[test, expected_failure(abort_code = system::EEpochChangeTooEarly)]
fun advance_before_epoch_duration_aborts() {
    let (mut sc, node_ids) = epoch_one();
    select(&mut sc, node_ids, vector[4, 3, 2, 1]);
    advance(&mut sc, EPOCH_MS - 1);
    sc.end();
}

#[test, expected_failure(abort_code = system::EWrongEpochState)]
fun select_during_sync_aborts() {
    let mut sc = begin();
    let node_ids = register_all(&mut sc);
    select(&mut sc, node_ids, vector[4, 3, 2, 1]);
    advance(&mut sc, 0);
    select(&mut sc, node_ids, vector[4, 3, 2, 1]);
    sc.end();
}

#[test, expected_failure(abort_code = system::ENotRegisteredNode)]
fun select_unregistered_node_aborts() {
    let mut sc = begin();
    let mut node_ids = register_all(&mut sc);
    node_ids.push_back(object::id_from_address(@0x1234));
    select(&mut sc, node_ids, vector[4, 3, 2, 0, 1]);
    sc.end();
}

#[test, expected_failure(abort_code = committee::EInvalidShardAssignment)]
fun select_wrong_shard_total_aborts() {
    let mut sc = begin();
    let node_ids = register_all(&mut sc);
    select(&mut sc, node_ids, vector[4, 3, 2, 2]);
    sc.end();
}

#[test, expected_failure(abort_code = system::EDuplicateSyncDone)]
fun sync_twice_aborts() {
    let (mut sc, _) = epoch_one();
    sync(&mut sc, NODE_A, 1, 10);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInvalidSyncEpoch)]
fun sync_for_other_epoch_aborts() {
    let (mut sc, _) = epoch_one();
    sync(&mut sc, NODE_C, 2, 10);
    sc.end();
}

#[test, expected_failure(abort_code = system::ENotCommitteeMember)]
fun sync_by_non_member_aborts() {
    let (mut sc, _) = epoch_one();
    // A registers a second node (key E, PoP for epoch 1) that is not in the committee.
    let extra = register(&mut sc, NODE_A, tv::pk_e(), tv::pop_e_by_a_epoch_1());
    sc.next_tx(NODE_A);
    let mut system = sc.take_shared<System>();
    let mut cap = sc.take_from_sender_by_id<NodeCap>(extra);
    let clock = clock_at(&mut sc, 10);
    system.epoch_sync_done(&mut cap, 1, &clock);
    clock.destroy_for_testing();
    sc.return_to_sender(cap);
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = nodes::EInvalidProofOfPossession)]
fun register_with_foreign_pop_aborts() {
    let mut sc = begin();
    register(&mut sc, NODE_A, tv::pk_a(), tv::pop_b());
    sc.end();
}

#[test, expected_failure(abort_code = nodes::EInvalidProofOfPossession)]
fun register_with_pop_of_other_sender_aborts() {
    let mut sc = begin();
    register(&mut sc, NODE_B, tv::pk_a(), tv::pop_a());
    sc.end();
}

#[test, expected_failure(abort_code = messages::EInvalidKeyLength)]
fun register_with_short_key_aborts() {
    let mut sc = begin();
    let mut key = tv::pk_a();
    key.pop_back();
    register(&mut sc, NODE_A, key, tv::pop_a());
    sc.end();
}

// === Storage, registration, certification ===

#[test]
fun reserve_register_certify_extend() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, FUNDS);
    assert_eq!(system.storage_cost(ENCODED, 3), 303);
    assert_eq!(system.write_cost(BLOB_SIZE, 1), 1_000);
    let storage = system.reserve_space(ENCODED, 3, &mut payment, sc.ctx());
    assert_eq!(storage.start_epoch(), 1);
    assert_eq!(storage.end_epoch(), 4);
    assert_eq!(storage.size(), ENCODED);
    assert_eq!(payment.value(), FUNDS - 303);
    assert_eq!(system.used_capacity(), ENCODED);
    assert_eq!(system.used_capacity_at(2), ENCODED);
    assert_eq!(system.used_capacity_at(3), 0);

    let mut blob = system.register_blob(
        storage,
        tv::blob_id(),
        tv::blob_root_hash(),
        BLOB_SIZE,
        1,
        false,
        &mut payment,
        sc.ctx(),
    );
    assert_eq!(payment.value(), FUNDS - 1_303);
    assert_eq!(system.fees_at(0), 1_101);

    certify_ab(&system, &node_ids, &mut blob);
    assert_eq!(*blob.certified_epoch(), option::some(1));

    system.extend_blob(&mut blob, 2, &mut payment);
    assert_eq!(blob.end_epoch(), 6);
    assert_eq!(payment.value(), FUNDS - 1_505);
    assert_eq!(system.used_capacity_at(4), ENCODED);
    assert_eq!(system.fees_at(4), 101);
    let object_id = blob.object_id();
    assert_eq!(
        event::events_by_type<events::BlobCertified>(),
        vector[
            events::blob_certified_for_testing(1, tv::blob_id(), 4, false, object_id, false),
            events::blob_certified_for_testing(1, tv::blob_id(), 6, false, object_id, true),
        ],
    );
    payment.burn_for_testing();
    transfer::public_transfer(blob, USER);
    ts::return_shared(system);
    sc.end();
}

#[test]
fun extend_with_split_off_storage() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut blob = store_blob(&mut sc, &mut system, false, 3);
    certify_ab(&system, &node_ids, &mut blob);
    let mut payment = mint(&mut sc, FUNDS);
    let mut spare = system.reserve_space(ENCODED, 5, &mut payment, sc.ctx());
    let tail = spare.split_by_epoch(4, sc.ctx());
    system.extend_blob_with_resource(&mut blob, tail);
    assert_eq!(blob.end_epoch(), 6);
    spare.destroy();
    payment.burn_for_testing();
    blob.burn();
    ts::return_shared(system);
    sc.end();
}

#[test]
fun delete_returns_reusable_storage() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let blob = store_blob(&mut sc, &mut system, true, 3);
    let object_id = blob.object_id();
    let storage = system.delete_blob(blob);
    assert_eq!(
        event::events_by_type<events::BlobDeleted>(),
        vector[events::blob_deleted_for_testing(1, tv::blob_id(), 4, object_id, false)],
    );
    // The same reservation registers another blob; capacity is not sold twice.
    let mut payment = mint(&mut sc, FUNDS);
    let again = system.register_blob(
        storage,
        tv::blob_id(),
        tv::blob_root_hash(),
        BLOB_SIZE,
        1,
        false,
        &mut payment,
        sc.ctx(),
    );
    assert_eq!(system.used_capacity(), ENCODED);
    assert_eq!(again.end_epoch(), 4);
    payment.burn_for_testing();
    again.burn();
    ts::return_shared(system);
    sc.end();
}

#[test]
fun invalidate_blob_id_needs_one_correct_node() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let system = sc.take_shared<System>();
    let signers = bitmap(&system, vector[node_ids[0]]);
    let blob_id = system.invalidate_blob_id(
        tv::epoch1_invalid_sig_a(),
        signers,
        tv::epoch1_invalid_message(),
    );
    assert_eq!(blob_id, tv::blob_id());
    assert_eq!(
        event::events_by_type<events::InvalidBlobID>(),
        vector[events::invalid_blob_id_for_testing(1, tv::blob_id())],
    );
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun certify_with_three_light_nodes_aborts() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut blob = store_blob(&mut sc, &mut system, false, 3);
    let signers = bitmap(&system, vector[node_ids[1], node_ids[2], node_ids[3]]);
    system.certify_blob(&mut blob, tv::epoch1_cert_sig_bcd(), signers, tv::epoch1_cert_message());
    blob.burn();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = bls_aggregate::ESigVerification)]
fun certify_with_wrong_bitmap_aborts() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut blob = store_blob(&mut sc, &mut system, false, 3);
    let signers = bitmap(&system, vector[node_ids[0], node_ids[2], node_ids[3]]);
    system.certify_blob(&mut blob, tv::epoch1_cert_sig_ab(), signers, tv::epoch1_cert_message());
    blob.burn();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = messages::EIncorrectEpoch)]
fun certificate_from_previous_epoch_aborts() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let blob = store_blob(&mut sc, &mut system, false, 3);
    transfer::public_transfer(blob, USER);
    ts::return_shared(system);
    select(&mut sc, node_ids, vector[4, 3, 2, 1]);
    advance(&mut sc, EPOCH_MS);
    sc.next_tx(USER);
    let system = sc.take_shared<System>();
    let mut blob = sc.take_from_sender<Blob>();
    // Same keys and signers, valid signature, but the message names epoch 1.
    certify_ab(&system, &node_ids, &mut blob);
    sc.return_to_sender(blob);
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = blob::EAlreadyCertified)]
fun certify_twice_aborts() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut blob = store_blob(&mut sc, &mut system, false, 3);
    certify_ab(&system, &node_ids, &mut blob);
    certify_ab(&system, &node_ids, &mut blob);
    blob.burn();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInvalidEpochsAhead)]
fun reserve_zero_epochs_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, FUNDS);
    system.reserve_space(ENCODED, 0, &mut payment, sc.ctx()).destroy();
    payment.burn_for_testing();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInvalidEpochsAhead)]
fun reserve_beyond_max_epochs_ahead_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, FUNDS);
    system.reserve_space(ENCODED, MAX_EPOCHS_AHEAD + 1, &mut payment, sc.ctx()).destroy();
    payment.burn_for_testing();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInvalidResourceSize)]
fun reserve_zero_bytes_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, FUNDS);
    system.reserve_space(0, 1, &mut payment, sc.ctx()).destroy();
    payment.burn_for_testing();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EStorageExceeded)]
fun reserve_past_capacity_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, FUNDS);
    // Together the two reservations would sell 50 001 bytes of epoch 1.
    system.reserve_space(CAPACITY / 2, 2, &mut payment, sc.ctx()).destroy();
    let late = system.reserve_space(CAPACITY / 2 + 1, 3, &mut payment, sc.ctx());
    late.destroy();
    payment.burn_for_testing();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInsufficientPayment)]
fun reserve_with_too_little_money_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, 302);
    system.reserve_space(ENCODED, 3, &mut payment, sc.ctx()).destroy();
    payment.burn_for_testing();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInsufficientPayment)]
fun register_with_too_little_money_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut payment = mint(&mut sc, 303 + 999);
    let storage = system.reserve_space(ENCODED, 3, &mut payment, sc.ctx());
    let blob = system.register_blob(
        storage,
        tv::blob_id(),
        tv::blob_root_hash(),
        BLOB_SIZE,
        1,
        false,
        &mut payment,
        sc.ctx(),
    );
    blob.burn();
    payment.burn_for_testing();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInvalidEpochsAhead)]
fun extend_beyond_max_epochs_ahead_aborts() {
    let (mut sc, node_ids) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut blob = store_blob(&mut sc, &mut system, false, 3);
    certify_ab(&system, &node_ids, &mut blob);
    let mut payment = mint(&mut sc, FUNDS);
    // End epoch 4 + 3 = 7 would be 6 epochs after epoch 1; the maximum is 5.
    system.extend_blob(&mut blob, 3, &mut payment);
    payment.burn_for_testing();
    blob.burn();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = blob::ENotCertified)]
fun extend_uncertified_blob_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let mut blob = store_blob(&mut sc, &mut system, false, 3);
    let mut payment = mint(&mut sc, FUNDS);
    system.extend_blob(&mut blob, 1, &mut payment);
    payment.burn_for_testing();
    blob.burn();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = blob::EBlobNotDeletable)]
fun delete_permanent_blob_aborts() {
    let (mut sc, _) = epoch_one();
    sc.next_tx(USER);
    let mut system = sc.take_shared<System>();
    let blob = store_blob(&mut sc, &mut system, false, 3);
    system.delete_blob(blob).destroy();
    ts::return_shared(system);
    sc.end();
}

#[test, expected_failure(abort_code = system::EInvalidNShards)]
fun create_system_with_three_shards_aborts() {
    let mut sc = ts::begin(ADMIN);
    system::init_for_testing(sc.ctx());
    sc.next_tx(ADMIN);
    let init_cap = sc.take_from_sender<InitCap>();
    system::create_system(init_cap, 3, EPOCH_MS, MAX_EPOCHS_AHEAD, 1, 1, 1, sc.ctx());
    sc.end();
}
