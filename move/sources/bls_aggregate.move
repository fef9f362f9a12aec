// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// The signing committee of one epoch and the certificate check (spec/contracts.md §4.3).
///
/// Scheme: BLS12-381 min_pk (48-byte compressed G1 keys, 96-byte compressed G2 signatures, DST
/// `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_`); an aggregate signature is the sum of the
/// signers' signatures over the same bytes.
///
/// A certificate names its signers with a bitmap: bit `i % 8` (least significant first) of byte
/// `i / 8` marks committee member `i` (members are in node-id order). The bitmap may be shorter
/// than `ceil(members / 8)` bytes (missing bytes are non-signers) but not longer, and no bit may
/// be set at an index >= the member count, so every signer set has exactly one bitmap.
///
/// Signers are expected to be the majority, so the check walks the *non-signers*: signer weight
/// = `n_shards - sum(non-signer weights)` and aggregate key = precomputed sum of all keys minus the
/// sum of the non-signer keys (cheap in uncompressed G1). Weight is checked before the pairing.
module walrus_edge::bls_aggregate;

use sui::{
    bls12381::{Self, bls12381_min_pk_verify, G1, UncompressedG1},
    group_ops::{Self, Element},
    vec_map::{Self, VecMap}
};
use walrus_edge::messages::{Self, CertifiedMessage};

// === Abort codes ===

/// The signers bitmap is longer than needed or marks a member that does not exist.
const EInvalidBitmap: u64 = 0;
/// The aggregate signature does not verify under the signers' aggregate key.
const ESigVerification: u64 = 1;
/// The signers hold too few shards for the required weight.
const ENotEnoughStake: u64 = 2;
/// A committee member has weight 0.
const EIncorrectCommittee: u64 = 3;

/// BCS field order: public_key, weight, node_id.
public struct BlsCommitteeMember has copy, drop, store {
    /// The member's BLS key in uncompressed G1 form (96 bytes inside `Element`).
    public_key: Element<UncompressedG1>,
    /// Number of shards the member holds in this epoch.
    weight: u16,
    node_id: ID,
}

/// BCS field order: members, n_shards, epoch, total_aggregated_key.
public struct BlsCommittee has copy, drop, store {
    /// Members in node-id order (the bitmap indexes into this vector).
    members: vector<BlsCommitteeMember>,
    /// Sum of the members' weights.
    n_shards: u16,
    /// The epoch this committee signs for (the system epoch is this value).
    epoch: u32,
    /// Sum of all members' keys, precomputed so a certificate only subtracts non-signers.
    total_aggregated_key: Element<G1>,
}

/// The weight a certificate must carry.
public enum RequiredWeight has copy, drop {
    /// `3 * weight >= 2 * n_shards + 1` (2f+1 of 3f+1).
    Quorum,
    /// `3 * weight >= n_shards + 1` (f+1 of 3f+1): at least one correct node signed.
    OneCorrectNode,
}

// === Constructors ===

/// Builds a committee; `members` must already be in node-id order.
/// Checks: every weight > 0 (EIncorrectCommittee), in member order; the weight sum must fit u16.
public(package) fun new_bls_committee(
    epoch: u32,
    members: vector<BlsCommitteeMember>,
): BlsCommittee {
    let mut n_shards: u16 = 0;
    members.do_ref!(|member| {
        assert!(member.weight > 0, EIncorrectCommittee);
        n_shards = n_shards + member.weight;
    });
    let total_aggregated_key = bls12381::uncompressed_g1_to_g1(
        &bls12381::uncompressed_g1_sum(&members.map_ref!(|member| member.public_key)),
    );
    BlsCommittee { members, n_shards, epoch, total_aggregated_key }
}

/// The committee of epoch 0, before any node has been selected: no members, no shards, so no
/// certificate can pass.
public(package) fun empty_committee(): BlsCommittee {
    new_bls_committee(0, vector[])
}

public(package) fun new_bls_committee_member(
    public_key: Element<UncompressedG1>,
    weight: u16,
    node_id: ID,
): BlsCommitteeMember {
    BlsCommitteeMember { public_key, weight, node_id }
}

// === Accessors ===

public fun node_id(self: &BlsCommitteeMember): ID {
    self.node_id
}

public fun weight(self: &BlsCommitteeMember): u16 {
    self.weight
}

public fun public_key(self: &BlsCommitteeMember): &Element<UncompressedG1> {
    &self.public_key
}

public fun epoch(self: &BlsCommittee): u32 {
    self.epoch
}

public fun n_shards(self: &BlsCommittee): u16 {
    self.n_shards
}

public fun n_members(self: &BlsCommittee): u64 {
    self.members.length()
}

public fun members(self: &BlsCommittee): &vector<BlsCommitteeMember> {
    &self.members
}

public fun member_at(self: &BlsCommittee, index: u64): &BlsCommitteeMember {
    &self.members[index]
}

public fun total_aggregated_key(self: &BlsCommittee): &Element<G1> {
    &self.total_aggregated_key
}

/// Index of `node_id` in `members`, if present.
public fun find_index(self: &BlsCommittee, node_id: &ID): Option<u64> {
    self.members.find_index!(|member| &member.node_id == node_id)
}

public fun contains(self: &BlsCommittee, node_id: &ID): bool {
    self.find_index(node_id).is_some()
}

/// The member's weight, or 0 when `node_id` is not in the committee.
public fun get_member_weight(self: &BlsCommittee, node_id: &ID): u16 {
    let index = self.find_index(node_id);
    if (index.is_some()) self.members[index.destroy_some()].weight else 0
}

/// node id -> weight, in member order.
public fun to_vec_map(self: &BlsCommittee): VecMap<ID, u16> {
    let mut result = vec_map::empty();
    self.members.do_ref!(|member| result.insert(member.node_id, member.weight));
    result
}

// === Weight rules (shard weight, never node count) ===

/// keep in sync with core/ (TypeScript) quorum rule: `3w >= 2n + 1`.
public fun is_quorum(self: &BlsCommittee, weight: u16): bool {
    3 * (weight as u64) >= 2 * (self.n_shards as u64) + 1
}

/// keep in sync with core/ (TypeScript) validity rule: `3w >= n + 1`.
public fun includes_one_correct_node(self: &BlsCommittee, weight: u16): bool {
    3 * (weight as u64) >= (self.n_shards as u64) + 1
}

// === Certificate checks ===

/// Verifies a quorum certificate over `message`, then parses the header for this epoch.
///
/// Checks, in order: the bitmap (EInvalidBitmap), `3w >= 2n+1` (ENotEnoughStake), the
/// signature (ESigVerification), then `messages::new_certified_message` (EMessageTooShort,
/// EIncorrectIntentVersion, EIncorrectAppId, EIncorrectEpoch).
public(package) fun verify_quorum_in_epoch(
    self: &BlsCommittee,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
): CertifiedMessage {
    let weight = self.verify_certificate_and_weight(
        &signature,
        &signers_bitmap,
        &message,
        RequiredWeight::Quorum,
    );
    messages::new_certified_message(message, self.epoch, weight)
}

/// Like `verify_quorum_in_epoch` with the weaker `3w >= n+1` rule.
public(package) fun verify_one_correct_node_in_epoch(
    self: &BlsCommittee,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
): CertifiedMessage {
    let weight = self.verify_certificate_and_weight(
        &signature,
        &signers_bitmap,
        &message,
        RequiredWeight::OneCorrectNode,
    );
    messages::new_certified_message(message, self.epoch, weight)
}

/// Returns the signers' weight if the certificate is valid; aborts otherwise.
///
/// Checks, in order:
/// 1. `signers_bitmap.length() <= ceil(n_members / 8)` (EInvalidBitmap);
/// 2. walking members 0.. in order: no set bit at an index >= n_members (EInvalidBitmap);
/// 3. the signer weight meets `required_weight` (ENotEnoughStake);
/// 4. `bls12381_min_pk_verify(signature, aggregate key, message)` (ESigVerification).
public(package) fun verify_certificate_and_weight(
    self: &BlsCommittee,
    signature: &vector<u8>,
    signers_bitmap: &vector<u8>,
    message: &vector<u8>,
    required_weight: RequiredWeight,
): u16 {
    let n_members = self.members.length();
    let bitmap_bytes_max = (n_members + 7) / 8;
    assert!(signers_bitmap.length() <= bitmap_bytes_max, EInvalidBitmap);

    let mut non_signer_weight: u16 = 0;
    let mut non_signer_keys: vector<Element<UncompressedG1>> = vector[];
    let mut byte_index = 0;
    while (byte_index < signers_bitmap.length()) {
        let byte = signers_bitmap[byte_index];
        let mut bit: u8 = 0;
        while (bit < 8) {
            let index = byte_index * 8 + (bit as u64);
            let is_signer = (byte >> bit) & 1 == 1;
            if (index >= n_members) {
                assert!(!is_signer, EInvalidBitmap);
            } else if (!is_signer) {
                let member = &self.members[index];
                non_signer_weight = non_signer_weight + member.weight;
                non_signer_keys.push_back(member.public_key);
            };
            bit = bit + 1;
        };
        byte_index = byte_index + 1;
    };
    // Members past the end of a short bitmap did not sign.
    let mut index = signers_bitmap.length() * 8;
    while (index < n_members) {
        let member = &self.members[index];
        non_signer_weight = non_signer_weight + member.weight;
        non_signer_keys.push_back(member.public_key);
        index = index + 1;
    };

    let weight = self.n_shards - non_signer_weight;
    let enough = match (required_weight) {
        RequiredWeight::Quorum => self.is_quorum(weight),
        RequiredWeight::OneCorrectNode => self.includes_one_correct_node(weight),
    };
    assert!(enough, ENotEnoughStake);

    let aggregate_key = bls12381::g1_sub(
        &self.total_aggregated_key,
        &bls12381::uncompressed_g1_to_g1(&bls12381::uncompressed_g1_sum(&non_signer_keys)),
    );
    assert!(
        bls12381_min_pk_verify(signature, group_ops::bytes(&aggregate_key), message),
        ESigVerification,
    );
    weight
}

// === Test helpers ===

#[test_only]
public fun quorum_for_testing(): RequiredWeight {
    RequiredWeight::Quorum
}

#[test_only]
public fun one_correct_node_for_testing(): RequiredWeight {
    RequiredWeight::OneCorrectNode
}
