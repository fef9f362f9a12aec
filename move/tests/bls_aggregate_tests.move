// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Certificate checks with real BLS12-381 signatures (move/tests/test_vectors.move). Committee of
/// epoch 5: members A, B, C, D (in that order) with weights 4, 3, 2, 1; n_shards = 10, so a quorum
/// needs weight 7 and one correct node needs weight 4.
#[test_only]
module walrus_edge::bls_aggregate_tests;

use std::unit_test::assert_eq;
use sui::bls12381;
use walrus_edge::{
    bls_aggregate::{Self, BlsCommittee, BlsCommitteeMember},
    messages,
    test_vectors as tv
};

fun member(public_key: vector<u8>, weight: u16, node: address): BlsCommitteeMember {
    bls_aggregate::new_bls_committee_member(
        bls12381::g1_to_uncompressed_g1(&bls12381::g1_from_bytes(&public_key)),
        weight,
        object::id_from_address(node),
    )
}

fun committee_in(epoch: u32): BlsCommittee {
    bls_aggregate::new_bls_committee(
        epoch,
        vector[
            member(tv::pk_a(), 4, @0x1),
            member(tv::pk_b(), 3, @0x2),
            member(tv::pk_c(), 2, @0x3),
            member(tv::pk_d(), 1, @0x4),
        ],
    )
}

fun quorum_weight(signature: vector<u8>, bitmap: vector<u8>): u16 {
    let committee = committee_in(5);
    committee.verify_certificate_and_weight(
        &signature,
        &bitmap,
        &tv::unit_cert_message(),
        bls_aggregate::quorum_for_testing(),
    )
}

#[test]
fun committee_accessors() {
    let committee = committee_in(5);
    assert_eq!(committee.epoch(), 5);
    assert_eq!(committee.n_shards(), 10);
    assert_eq!(committee.n_members(), 4);
    assert_eq!(committee.get_member_weight(&object::id_from_address(@0x2)), 3);
    assert_eq!(committee.get_member_weight(&object::id_from_address(@0x9)), 0);
    assert_eq!(committee.find_index(&object::id_from_address(@0x3)), option::some(2));
    assert!(!committee.contains(&object::id_from_address(@0x9)));
    assert_eq!(committee.member_at(3).weight(), 1);
    let weights = committee.to_vec_map();
    assert_eq!(*weights.get(&object::id_from_address(@0x1)), 4);
    // The precomputed key is the sum of the four keys.
    let mut sum = bls12381::g1_from_bytes(&tv::pk_a());
    sum = bls12381::g1_add(&sum, &bls12381::g1_from_bytes(&tv::pk_b()));
    sum = bls12381::g1_add(&sum, &bls12381::g1_from_bytes(&tv::pk_c()));
    sum = bls12381::g1_add(&sum, &bls12381::g1_from_bytes(&tv::pk_d()));
    assert_eq!(*committee.total_aggregated_key(), sum);
}

#[test]
fun weight_rules_use_shard_weight() {
    let committee = committee_in(5);
    assert!(committee.is_quorum(7));
    assert!(!committee.is_quorum(6));
    assert!(committee.includes_one_correct_node(4));
    assert!(!committee.includes_one_correct_node(3));
}

#[test]
fun two_heavy_signers_form_a_quorum() {
    // A and B are members 0 and 1: bitmap 0b0000_0011.
    assert_eq!(quorum_weight(tv::unit_cert_sig_ab(), x"03"), 7);
}

#[test]
fun all_signers() {
    assert_eq!(quorum_weight(tv::unit_cert_sig_abcd(), x"0f"), 10);
}

#[test]
fun non_adjacent_signers() {
    assert_eq!(quorum_weight(tv::unit_cert_sig_acd(), x"0d"), 7);
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun three_light_signers_are_not_a_quorum() {
    // Three of four nodes, but only 6 of 10 shards.
    quorum_weight(tv::unit_cert_sig_bcd(), x"0e");
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun empty_bitmap_means_no_signers() {
    quorum_weight(tv::unit_cert_sig_abcd(), vector[]);
}

#[test, expected_failure(abort_code = bls_aggregate::EInvalidBitmap)]
fun bit_beyond_members_aborts() {
    quorum_weight(tv::unit_cert_sig_abcd(), x"1f");
}

#[test, expected_failure(abort_code = bls_aggregate::EInvalidBitmap)]
fun bitmap_longer_than_needed_aborts() {
    quorum_weight(tv::unit_cert_sig_abcd(), x"0f00");
}

#[test, expected_failure(abort_code = bls_aggregate::ESigVerification)]
fun signature_of_other_signers_aborts() {
    quorum_weight(tv::unit_cert_sig_acd(), x"03");
}

#[test, expected_failure(abort_code = bls_aggregate::ESigVerification)]
fun signature_over_other_message_aborts() {
    let committee = committee_in(5);
    committee.verify_certificate_and_weight(
        &tv::unit_cert_sig_ab(),
        &x"03",
        &tv::unit_invalid_message(),
        bls_aggregate::quorum_for_testing(),
    );
}

#[test]
fun verify_quorum_in_epoch_parses_the_certificate() {
    let committee = committee_in(5);
    let certified = committee.verify_quorum_in_epoch(
        tv::unit_cert_sig_ab(),
        x"03",
        tv::unit_cert_message(),
    );
    assert_eq!(certified.stake_support(), 7);
    let parsed = messages::certify_blob_message(certified);
    assert_eq!(parsed.certified_blob_id(), tv::unit_blob_id());
    assert_eq!(parsed.certified_epoch(), 5);
}

#[test, expected_failure(abort_code = messages::EIncorrectEpoch)]
fun certificate_of_another_epoch_aborts_after_signature_check() {
    let committee = committee_in(6);
    committee.verify_quorum_in_epoch(tv::unit_cert_sig_ab(), x"03", tv::unit_cert_message());
}

#[test]
fun one_correct_node_suffices_for_invalid_blob_id() {
    let committee = committee_in(5);
    let certified = committee.verify_one_correct_node_in_epoch(
        tv::unit_invalid_sig_a(),
        x"01",
        tv::unit_invalid_message(),
    );
    assert_eq!(certified.stake_support(), 4);
    let parsed = messages::invalid_blob_id_message(certified);
    assert_eq!(parsed.invalid_blob_id(), tv::unit_blob_id());
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun lightest_node_alone_is_not_one_correct_node() {
    let committee = committee_in(5);
    committee.verify_one_correct_node_in_epoch(
        tv::unit_invalid_sig_d(),
        x"08",
        tv::unit_invalid_message(),
    );
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun single_signer_is_not_a_quorum() {
    let committee = committee_in(5);
    committee.verify_quorum_in_epoch(
        tv::unit_invalid_sig_a(),
        x"01",
        tv::unit_invalid_message(),
    );
}

#[test, expected_failure(abort_code = bls_aggregate::ENotEnoughStake)]
fun empty_committee_accepts_nothing() {
    let committee = bls_aggregate::empty_committee();
    committee.verify_quorum_in_epoch(
        tv::unit_cert_sig_ab(),
        vector[],
        tv::unit_cert_message(),
    );
}

#[test, expected_failure(abort_code = bls_aggregate::EIncorrectCommittee)]
fun zero_weight_member_aborts() {
    bls_aggregate::new_bls_committee(1, vector[member(tv::pk_a(), 0, @0x1)]);
}
