// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Storage node records. A node registers with a proof of possession of its BLS key, a network
/// address (where its REST API listens) and its TLS network key, and receives a `NodeCap`. The
/// `NodeInfo` records live in the System's `nodes` table keyed by node id; the node id is the
/// object id of the node's `NodeCap`.
module walrus_edge::nodes;

use std::string::String;
use sui::{
    balance::{Self, Balance},
    bls12381::{Self, UncompressedG1},
    group_ops::{Self, Element},
    sui::SUI
};
use walrus_edge::messages;

// === Limits ===

/// Bytes of a node name.
const NAME_BYTES_MAX: u64 = 100;
/// Bytes of a network address (`host:port` or a URL).
const NETWORK_ADDRESS_BYTES_MAX: u64 = 256;
/// A compressed secp256r1 / ed25519-with-flag network key as Walrus stores it.
const NETWORK_PUBLIC_KEY_BYTES: u64 = 33;

// === Abort codes ===

/// The name is longer than `NAME_BYTES_MAX` bytes.
const EInvalidNameLength: u64 = 0;
/// The network address is empty or longer than `NETWORK_ADDRESS_BYTES_MAX` bytes.
const EInvalidNetworkAddressLength: u64 = 1;
/// The network public key is not 33 bytes.
const EInvalidNetworkPublicKeyLength: u64 = 2;
/// The proof of possession does not verify under the offered BLS key.
const EInvalidProofOfPossession: u64 = 3;

/// BCS field order: node_id, name, network_address, bls_key, next_bls_key, network_public_key,
/// rewards.
public struct NodeInfo has store {
    node_id: ID,
    name: String,
    network_address: String,
    /// Current BLS key (uncompressed G1, 96 bytes inside `Element`).
    bls_key: Element<UncompressedG1>,
    /// Key that replaces `bls_key` when the next committee is built.
    next_bls_key: Option<Element<UncompressedG1>>,
    network_public_key: vector<u8>,
    /// Fees earned as a committee member, withdrawn with `system::collect_rewards`.
    rewards: Balance<SUI>,
}

/// Held by the node operator; authorises node actions. BCS field order: id, node_id,
/// last_epoch_sync_done.
public struct NodeCap has key, store {
    id: UID,
    /// Equal to this cap's own object id.
    node_id: ID,
    /// Last epoch for which the node called `system::epoch_sync_done` (0 = never).
    last_epoch_sync_done: u32,
}

/// Creates a node record and its cap for the sender.
///
/// Checks, in order:
/// 1. name <= 100 bytes (EInvalidNameLength);
/// 2. 0 < network address <= 256 bytes (EInvalidNetworkAddressLength);
/// 3. network public key == 33 bytes (EInvalidNetworkPublicKeyLength);
/// 4. BLS key == 48 bytes (messages::EInvalidKeyLength);
/// 5. `proof_of_possession` verifies over the PoP message for `epoch` and the sender
///    (EInvalidProofOfPossession).
public(package) fun new(
    name: String,
    network_address: String,
    bls_key: vector<u8>,
    network_public_key: vector<u8>,
    proof_of_possession: vector<u8>,
    epoch: u32,
    ctx: &mut TxContext,
): (NodeCap, NodeInfo) {
    assert!(name.length() <= NAME_BYTES_MAX, EInvalidNameLength);
    assert_network_address(&network_address);
    assert!(
        network_public_key.length() == NETWORK_PUBLIC_KEY_BYTES,
        EInvalidNetworkPublicKeyLength,
    );
    let key = verified_key(bls_key, proof_of_possession, epoch, ctx);
    let id = object::new(ctx);
    let node_id = id.to_inner();
    let cap = NodeCap { id, node_id, last_epoch_sync_done: 0 };
    let info = NodeInfo {
        node_id,
        name,
        network_address,
        bls_key: key,
        next_bls_key: option::none(),
        network_public_key,
        rewards: balance::zero(),
    };
    (cap, info)
}

/// Stages a new BLS key for the next committee (replacing a staged one).
/// Checks, in order: key == 48 bytes (messages::EInvalidKeyLength); PoP for `epoch` and the
/// sender (EInvalidProofOfPossession).
public(package) fun set_next_bls_key(
    self: &mut NodeInfo,
    bls_key: vector<u8>,
    proof_of_possession: vector<u8>,
    epoch: u32,
    ctx: &TxContext,
) {
    let key = verified_key(bls_key, proof_of_possession, epoch, ctx);
    self.next_bls_key = option::some(key);
}

/// Checks: 0 < length <= 256 bytes (EInvalidNetworkAddressLength).
public(package) fun set_network_address(self: &mut NodeInfo, network_address: String) {
    assert_network_address(&network_address);
    self.network_address = network_address;
}

/// Makes the staged key current, if there is one.
public(package) fun promote_next_bls_key(self: &mut NodeInfo) {
    if (self.next_bls_key.is_some()) {
        self.bls_key = self.next_bls_key.extract();
    };
}

public(package) fun add_rewards(self: &mut NodeInfo, amount: Balance<SUI>) {
    self.rewards.join(amount);
}

public(package) fun withdraw_rewards(self: &mut NodeInfo): Balance<SUI> {
    self.rewards.withdraw_all()
}

public(package) fun set_last_epoch_sync_done(self: &mut NodeCap, epoch: u32) {
    self.last_epoch_sync_done = epoch;
}

// === Accessors ===

public fun node_id(self: &NodeInfo): ID {
    self.node_id
}

public fun name(self: &NodeInfo): String {
    self.name
}

public fun network_address(self: &NodeInfo): String {
    self.network_address
}

public fun bls_key(self: &NodeInfo): &Element<UncompressedG1> {
    &self.bls_key
}

/// The current key in its 48-byte compressed form (what nodes sign with).
public fun bls_key_bytes(self: &NodeInfo): vector<u8> {
    *group_ops::bytes(&bls12381::uncompressed_g1_to_g1(&self.bls_key))
}

public fun next_bls_key(self: &NodeInfo): &Option<Element<UncompressedG1>> {
    &self.next_bls_key
}

public fun network_public_key(self: &NodeInfo): vector<u8> {
    self.network_public_key
}

public fun rewards(self: &NodeInfo): u64 {
    self.rewards.value()
}

public fun cap_node_id(self: &NodeCap): ID {
    self.node_id
}

public fun last_epoch_sync_done(self: &NodeCap): u32 {
    self.last_epoch_sync_done
}

// === Internal ===

fun assert_network_address(network_address: &String) {
    let length = network_address.length();
    assert!(length > 0 && length <= NETWORK_ADDRESS_BYTES_MAX, EInvalidNetworkAddressLength);
}

/// Verifies the PoP for `bls_key` and returns the key in uncompressed form.
fun verified_key(
    bls_key: vector<u8>,
    proof_of_possession: vector<u8>,
    epoch: u32,
    ctx: &TxContext,
): Element<UncompressedG1> {
    let message = messages::new_proof_of_possession_msg(epoch, ctx.sender(), bls_key);
    assert!(message.verify_proof_of_possession(proof_of_possession), EInvalidProofOfPossession);
    bls12381::g1_to_uncompressed_g1(&bls12381::g1_from_bytes(&bls_key))
}

// === Test helpers ===

#[test_only]
public fun destroy_cap_for_testing(cap: NodeCap) {
    let NodeCap { id, .. } = cap;
    id.delete();
}
