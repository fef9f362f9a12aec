// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// The shared System object and every entry point of walrus-edge (spec/contracts.md §7).
///
/// Epochs: the system epoch is `committee.epoch`. Epoch 0 has an empty committee. An epoch change
/// runs in three steps: the admin selects the next shard assignment (`set_next_committee`,
/// state `Done -> NextSelected`), anyone starts the new epoch once `epoch_duration_ms` has passed
/// since the last change completed (`advance_epoch`, state `-> Sync(0)`; no wait in epoch 0), and
/// each committee node reports that it has received its shards (`epoch_sync_done`) until nodes
/// holding a quorum of shards have (`-> Done(now)`).
///
/// Accounting: `accounting[i]` is epoch `epoch + i`, for `i < max_epochs_ahead`; each slot keeps
/// the bytes sold for that epoch and the fees paid for it. `used_capacity` mirrors
/// `accounting[0].used`.
/// At an epoch change slot 0 is removed, a fresh slot is appended, and the removed slot's fees are
/// paid to the outgoing committee, `fees * weight / n_shards` per member (rounded down, in member
/// order); the rounding remainder goes to the new slot 0. Write fees go to slot 0.
///
/// Payments are in SUI from a `&mut Coin<SUI>`: exactly the price is split off, the rest stays.
/// Every public function first checks `version == VERSION` (EWrongVersion).
module walrus_edge::system;

use std::string::String;
use sui::{
    balance::{Self, Balance},
    clock::Clock,
    coin::{Self, Coin},
    sui::SUI,
    table::{Self, Table}
};
use walrus_edge::{
    blob::Blob,
    bls_aggregate::{Self, BlsCommittee, BlsCommitteeMember},
    committee::{Self, Committee},
    encoding,
    events,
    messages,
    nodes::{Self, NodeCap, NodeInfo},
    storage_resource::{Self, Storage}
};

// === Constants and limits ===

/// Layout version of `System`; bumped by a migration in a package upgrade.
const VERSION: u64 = 1;
/// Prices are per 1 MiB unit of encoded size: `units(bytes) = ceil(bytes / 1 MiB)`.
const BYTES_PER_UNIT_SIZE: u64 = 1_048_576;
/// RS2 cannot encode with fewer than 4 shards (no recovery symbols for n <= 3).
const N_SHARDS_MIN: u16 = 4;
/// Length of the accounting ring, as in Walrus.
const MAX_EPOCHS_AHEAD_MAX: u32 = 1000;

// === Abort codes ===

/// The System's `version` differs from this package's `VERSION`.
const EWrongVersion: u64 = 0;
/// `epochs_ahead` (or `extended_epochs`) is 0, or the end would lie more than `max_epochs_ahead`
/// epochs after the current epoch.
const EInvalidEpochsAhead: u64 = 1;
/// `reserve_space` for 0 bytes.
const EInvalidResourceSize: u64 = 2;
/// A covered epoch would sell more than `total_capacity` bytes.
const EStorageExceeded: u64 = 3;
/// The payment coin holds less than the price.
const EInsufficientPayment: u64 = 4;
/// The certificate's epoch is not the current epoch.
const EInvalidIdEpoch: u64 = 5;
/// The call does not fit the epoch-change state (see each function).
const EWrongEpochState: u64 = 6;
/// `advance_epoch` before `epoch_duration_ms` has passed since the last change completed.
const EEpochChangeTooEarly: u64 = 7;
/// The node id is not registered.
const ENotRegisteredNode: u64 = 8;
/// `epoch_sync_done` for an epoch other than the current one.
const EInvalidSyncEpoch: u64 = 9;
/// `epoch_sync_done` twice for the same epoch.
const EDuplicateSyncDone: u64 = 10;
/// The node is not in the current committee.
const ENotCommitteeMember: u64 = 11;
/// `create_system`: `n_shards < 4`.
const EInvalidNShards: u64 = 12;
/// `create_system`: `max_epochs_ahead` is 0 or above 1000.
const EInvalidMaxEpochsAhead: u64 = 13;
/// `create_system`: `epoch_duration_ms` is 0.
const EInvalidEpochDuration: u64 = 14;

// === Objects ===

/// Sent to the publisher by `init`; consumed by `create_system`, so there is one System.
public struct InitCap has key {
    id: UID,
}

/// Authorises committee selection, prices and capacity. Transferable.
public struct AdminCap has key, store {
    id: UID,
}

/// Epoch-change state. BCS: variant index (0 Sync, 1 Done, 2 NextSelected) then the field.
public enum EpochState has copy, drop, store {
    /// Epoch change in progress; the payload is the shard weight that reported `epoch_sync_done`.
    Sync(u16),
    /// Epoch change completed at this timestamp (ms); the admin may select the next committee.
    Done(u64),
    /// Next committee selected; the payload is still the completion timestamp of the last change.
    NextSelected(u64),
}

/// One epoch of the accounting ring. BCS field order: used, fees.
public struct EpochAccounting has store {
    /// Encoded bytes sold for this epoch.
    used: u64,
    /// Fees paid for this epoch, paid out to the committee when the epoch ends.
    fees: Balance<SUI>,
}

/// The shared system object. BCS field order: id, version, committee, shards, next_shards,
/// epoch_state, n_shards, epoch_duration_ms, total_capacity, used_capacity, storage_price,
/// write_price, max_epochs_ahead, accounting, nodes.
public struct System has key {
    id: UID,
    version: u64,
    /// Current signing committee; its `epoch` is the system epoch.
    committee: BlsCommittee,
    /// Current shard assignment (same nodes and weights as `committee`).
    shards: Committee,
    /// Assignment selected for the next epoch (`some` only in state NextSelected).
    next_shards: Option<Committee>,
    epoch_state: EpochState,
    n_shards: u16,
    epoch_duration_ms: u64,
    /// Encoded bytes sellable per epoch.
    total_capacity: u64,
    /// Encoded bytes sold for the current epoch (= `accounting[0].used`).
    used_capacity: u64,
    /// Price per 1 MiB unit of encoded size per epoch, in MIST.
    storage_price: u64,
    /// One-off price per 1 MiB unit of encoded size at registration, in MIST.
    write_price: u64,
    max_epochs_ahead: u32,
    accounting: vector<EpochAccounting>,
    nodes: Table<ID, NodeInfo>,
}

// === Publication ===

fun init(ctx: &mut TxContext) {
    transfer::transfer(InitCap { id: object::new(ctx) }, ctx.sender());
}

/// Creates and shares the System in epoch 0 (empty committee, state `Done(0)`) and sends an
/// `AdminCap` to the sender.
///
/// Checks, in order:
/// 1. `n_shards >= 4` (EInvalidNShards);
/// 2. `1 <= max_epochs_ahead <= 1000` (EInvalidMaxEpochsAhead);
/// 3. `epoch_duration_ms > 0` (EInvalidEpochDuration).
public fun create_system(
    init_cap: InitCap,
    n_shards: u16,
    epoch_duration_ms: u64,
    max_epochs_ahead: u32,
    total_capacity: u64,
    storage_price: u64,
    write_price: u64,
    ctx: &mut TxContext,
) {
    assert!(n_shards >= N_SHARDS_MIN, EInvalidNShards);
    assert!(
        max_epochs_ahead > 0 && max_epochs_ahead <= MAX_EPOCHS_AHEAD_MAX,
        EInvalidMaxEpochsAhead,
    );
    assert!(epoch_duration_ms > 0, EInvalidEpochDuration);
    let InitCap { id } = init_cap;
    id.delete();

    let mut accounting = vector[];
    (max_epochs_ahead as u64).do!(|_| accounting.push_back(new_epoch_accounting()));
    transfer::share_object(System {
        id: object::new(ctx),
        version: VERSION,
        committee: bls_aggregate::empty_committee(),
        shards: committee::empty(),
        next_shards: option::none(),
        epoch_state: EpochState::Done(0),
        n_shards,
        epoch_duration_ms,
        total_capacity,
        used_capacity: 0,
        storage_price,
        write_price,
        max_epochs_ahead,
        accounting,
        nodes: table::new(ctx),
    });
    transfer::public_transfer(AdminCap { id: object::new(ctx) }, ctx.sender());
}

// === Nodes ===

/// Registers a storage node and returns its cap. The PoP signs the header for the *current*
/// epoch and the sender's address (spec/contracts.md §4.4).
///
/// Checks, in order: version (EWrongVersion), then `nodes::new` (EInvalidNameLength,
/// EInvalidNetworkAddressLength, EInvalidNetworkPublicKeyLength, messages::EInvalidKeyLength,
/// EInvalidProofOfPossession).
public fun register_node(
    self: &mut System,
    name: String,
    network_address: String,
    bls_key: vector<u8>,
    network_public_key: vector<u8>,
    proof_of_possession: vector<u8>,
    ctx: &mut TxContext,
): NodeCap {
    self.assert_version();
    let (cap, info) = nodes::new(
        name,
        network_address,
        bls_key,
        network_public_key,
        proof_of_possession,
        self.epoch(),
        ctx,
    );
    self.nodes.add(cap.cap_node_id(), info);
    cap
}

/// Stages a new BLS key; it becomes current when the next committee is built.
///
/// Checks, in order: version (EWrongVersion); node registered (ENotRegisteredNode);
/// `nodes::set_next_bls_key` (messages::EInvalidKeyLength, EInvalidProofOfPossession), with the
/// PoP for the current epoch and the sender.
public fun set_next_bls_key(
    self: &mut System,
    cap: &NodeCap,
    bls_key: vector<u8>,
    proof_of_possession: vector<u8>,
    ctx: &TxContext,
) {
    self.assert_version();
    let epoch = self.epoch();
    self.node_mut(cap).set_next_bls_key(bls_key, proof_of_possession, epoch, ctx);
}

/// Checks, in order: version (EWrongVersion); node registered (ENotRegisteredNode);
/// address length (EInvalidNetworkAddressLength).
public fun set_network_address(self: &mut System, cap: &NodeCap, network_address: String) {
    self.assert_version();
    self.node_mut(cap).set_network_address(network_address);
}

/// Withdraws all fees earned by the node. Checks, in order: version (EWrongVersion); node
/// registered (ENotRegisteredNode).
public fun collect_rewards(self: &mut System, cap: &NodeCap, ctx: &mut TxContext): Coin<SUI> {
    self.assert_version();
    coin::from_balance(self.node_mut(cap).withdraw_rewards(), ctx)
}

// === Admin ===

/// Selects the shard assignment for the next epoch: `shard_counts[i]` shards for `node_ids[i]`
/// (0 = not in the committee). The first committee gets shards sequentially
/// (`committee::initialize`), later ones move as few shards as possible (`committee::transition`).
/// Emits `EpochParametersSelected(epoch + 1)`.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. state is Done (EWrongEpochState);
/// 3. every listed node is registered, in list order (ENotRegisteredNode);
/// 4. `committee::initialize` / `transition`: equal lengths, no duplicates, counts sum to
///    `n_shards` (committee::EInvalidShardAssignment).
public fun set_next_committee(
    self: &mut System,
    _: &AdminCap,
    node_ids: vector<ID>,
    shard_counts: vector<u16>,
) {
    self.assert_version();
    let state = self.epoch_state;
    let completed_ms = match (state) {
        EpochState::Done(timestamp_ms) => timestamp_ms,
        _ => abort EWrongEpochState,
    };
    node_ids.do_ref!(|node_id| assert!(self.nodes.contains(*node_id), ENotRegisteredNode));
    let next = if (self.shards.is_empty()) {
        committee::initialize(node_ids, shard_counts, self.n_shards)
    } else {
        self.shards.transition(node_ids, shard_counts)
    };
    self.next_shards = option::some(next);
    self.epoch_state = EpochState::NextSelected(completed_ms);
    events::emit_epoch_parameters_selected(self.epoch() + 1);
}

/// Sets both prices (MIST per 1 MiB unit). Checks: version (EWrongVersion).
public fun set_prices(self: &mut System, _: &AdminCap, storage_price: u64, write_price: u64) {
    self.assert_version();
    self.storage_price = storage_price;
    self.write_price = write_price;
}

/// Sets the sellable bytes per epoch. Lowering it below what is sold only blocks new sales.
/// Checks: version (EWrongVersion).
public fun set_capacity(self: &mut System, _: &AdminCap, total_capacity: u64) {
    self.assert_version();
    self.total_capacity = total_capacity;
}

// === Epoch change ===

/// Starts epoch `epoch + 1` with the selected assignment: promotes staged BLS keys of the new
/// members, builds the new `BlsCommittee` (members in node-id order, weight = shard count),
/// rotates the accounting ring and pays the old committee, sets state `Sync(0)`, emits
/// `EpochChangeStart(epoch + 1)`. Anyone may call it.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. state is NextSelected (EWrongEpochState);
/// 3. unless the current epoch is 0: `clock >= completed_ms + epoch_duration_ms`
///    (EEpochChangeTooEarly).
public fun advance_epoch(self: &mut System, clock: &Clock) {
    self.assert_version();
    let state = self.epoch_state;
    let completed_ms = match (state) {
        EpochState::NextSelected(timestamp_ms) => timestamp_ms,
        _ => abort EWrongEpochState,
    };
    let epoch = self.epoch();
    assert!(
        epoch == 0 || clock.timestamp_ms() >= completed_ms + self.epoch_duration_ms,
        EEpochChangeTooEarly,
    );

    let outgoing = self.committee;
    let next = self.next_shards.extract();
    let mut members: vector<BlsCommitteeMember> = vector[];
    next.node_ids().do!(|node_id| {
        let info = self.nodes.borrow_mut(node_id);
        info.promote_next_bls_key();
        let weight = next.shards_of(&node_id).length() as u16;
        members.push_back(
            bls_aggregate::new_bls_committee_member(*info.bls_key(), weight, node_id),
        );
    });
    self.committee = bls_aggregate::new_bls_committee(epoch + 1, members);
    self.shards = next;
    self.rotate_accounting(&outgoing);
    self.epoch_state = EpochState::Sync(0);
    events::emit_epoch_change_start(epoch + 1);
}

/// A committee node reports it holds all its shards for `epoch`. Emits `ShardsReceived(epoch,
/// shards)`; while the state is Sync, adds the node's weight, and at `3w >= 2n+1` sets
/// `Done(clock)` and emits `EpochChangeDone(epoch)`. Late reports (state already Done or
/// NextSelected) only emit `ShardsReceived`.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. `epoch` is the current epoch (EInvalidSyncEpoch);
/// 3. `cap.last_epoch_sync_done < epoch` (EDuplicateSyncDone);
/// 4. the node is in the current committee (ENotCommitteeMember).
public fun epoch_sync_done(self: &mut System, cap: &mut NodeCap, epoch: u32, clock: &Clock) {
    self.assert_version();
    assert!(epoch == self.epoch(), EInvalidSyncEpoch);
    assert!(cap.last_epoch_sync_done() < epoch, EDuplicateSyncDone);
    let node_id = cap.cap_node_id();
    assert!(self.committee.contains(&node_id), ENotCommitteeMember);

    cap.set_last_epoch_sync_done(epoch);
    events::emit_shards_received(epoch, self.shards.shards_of(&node_id));
    let state = self.epoch_state;
    match (state) {
        EpochState::Sync(synced_weight) => {
            let weight = synced_weight + self.committee.get_member_weight(&node_id);
            if (self.committee.is_quorum(weight)) {
                self.epoch_state = EpochState::Done(clock.timestamp_ms());
                events::emit_epoch_change_done(epoch);
            } else {
                self.epoch_state = EpochState::Sync(weight);
            }
        },
        _ => {},
    }
}

// === Storage and blobs ===

/// Buys `storage_amount` encoded bytes for epochs `[epoch, epoch + epochs_ahead)`.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. `0 < epochs_ahead <= max_epochs_ahead` (EInvalidEpochsAhead);
/// 3. `storage_amount > 0` (EInvalidResourceSize);
/// 4. for each covered slot in order: `used + storage_amount <= total_capacity` (EStorageExceeded);
/// 5. `payment >= units(storage_amount) * storage_price * epochs_ahead` (EInsufficientPayment).
/// Then each covered slot gets `used += storage_amount` and `units * storage_price` of fees.
public fun reserve_space(
    self: &mut System,
    storage_amount: u64,
    epochs_ahead: u32,
    payment: &mut Coin<SUI>,
    ctx: &mut TxContext,
): Storage {
    self.assert_version();
    assert!(epochs_ahead > 0 && epochs_ahead <= self.max_epochs_ahead, EInvalidEpochsAhead);
    assert!(storage_amount > 0, EInvalidResourceSize);
    self.sell_capacity(0, epochs_ahead as u64, storage_amount, payment);
    let epoch = self.epoch();
    storage_resource::create_storage(epoch, epoch + epochs_ahead, storage_amount, ctx)
}

/// Registers a blob in the current epoch, wrapping `storage`, and emits `BlobRegistered`.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. `blob::new`: storage covers the current epoch (EResourceBounds); encoded length
///    (encoding::EInvalidEncodingType, EInvalidNShards, EDataTooLarge) `<= storage size`
///    (EResourceSize); `blob_id` matches `derive_blob_id` (EInvalidBlobId);
/// 3. `write_payment >= units(encoded length) * write_price` (EInsufficientPayment).
/// The write fee goes to the current epoch's slot.
public fun register_blob(
    self: &mut System,
    storage: Storage,
    blob_id: u256,
    root_hash: u256,
    size: u64,
    encoding_type: u8,
    deletable: bool,
    write_payment: &mut Coin<SUI>,
    ctx: &mut TxContext,
): Blob {
    self.assert_version();
    let blob = walrus_edge::blob::new(
        storage,
        blob_id,
        root_hash,
        size,
        encoding_type,
        deletable,
        self.epoch(),
        self.n_shards,
        ctx,
    );
    let price = self.write_cost(size, encoding_type);
    assert!(write_payment.value() >= price, EInsufficientPayment);
    let fee = write_payment.balance_mut().split(price);
    let slot = &mut self.accounting[0];
    slot.fees.join(fee);
    blob
}

/// Certifies `blob` with a quorum certificate of the current committee; emits `BlobCertified`.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. `bls_aggregate::verify_quorum_in_epoch`: EInvalidBitmap, ENotEnoughStake,
///    ESigVerification, then the header (messages::EMessageTooShort, EIncorrectIntentVersion,
///    EIncorrectAppId, EIncorrectEpoch);
/// 3. certificate epoch == current epoch (EInvalidIdEpoch);
/// 4. `messages::certify_blob_message`: EInvalidMsgType, EMessageTooShort,
///    EInvalidBlobPersistenceType;
/// 5. `blob::certify_with_certified_msg`: EInvalidBlobId, EAlreadyCertified, EResourceBounds,
///    EInvalidBlobPersistenceType, EInvalidBlobObject.
public fun certify_blob(
    self: &System,
    blob: &mut Blob,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
) {
    self.assert_version();
    let certified = self.committee.verify_quorum_in_epoch(signature, signers_bitmap, message);
    let epoch = self.epoch();
    assert!(certified.cert_epoch() == epoch, EInvalidIdEpoch);
    let blob_message = messages::certify_blob_message(certified);
    blob.certify_with_certified_msg(epoch, blob_message);
}

/// Marks a blob id invalid with a certificate from at least one correct node (`3w >= n+1`);
/// emits `InvalidBlobID` and returns the blob id. Anyone may submit it.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. `bls_aggregate::verify_one_correct_node_in_epoch` (as in `certify_blob`, with the weaker
///    weight rule);
/// 3. certificate epoch == current epoch (EInvalidIdEpoch);
/// 4. `messages::invalid_blob_id_message`: EInvalidMsgType, EMessageTooShort.
public fun invalidate_blob_id(
    self: &System,
    signature: vector<u8>,
    members_bitmap: vector<u8>,
    message: vector<u8>,
): u256 {
    self.assert_version();
    let certified = self
        .committee
        .verify_one_correct_node_in_epoch(signature, members_bitmap, message);
    let epoch = self.epoch();
    assert!(certified.cert_epoch() == epoch, EInvalidIdEpoch);
    let invalid = messages::invalid_blob_id_message(certified);
    let blob_id = invalid.invalid_blob_id();
    events::emit_invalid_blob_id(epoch, blob_id);
    blob_id
}

/// Buys `extended_epochs` more epochs for a certified blob and emits
/// `BlobCertified{is_extension: true}`.
///
/// Checks, in order:
/// 1. version (EWrongVersion);
/// 2. certified (blob::ENotCertified) and `epoch < end_epoch` (blob::EResourceBounds);
/// 3. `extended_epochs > 0` (EInvalidEpochsAhead);
/// 4. `end_epoch + extended_epochs - epoch <= max_epochs_ahead` (EInvalidEpochsAhead);
/// 5. for each added epoch in order: `used + size <= total_capacity` (EStorageExceeded);
/// 6. `payment >= units(size) * storage_price * extended_epochs` (EInsufficientPayment).
public fun extend_blob(
    self: &mut System,
    blob: &mut Blob,
    extended_epochs: u32,
    payment: &mut Coin<SUI>,
) {
    self.assert_version();
    let epoch = self.epoch();
    blob.assert_certified_not_expired(epoch);
    assert!(extended_epochs > 0, EInvalidEpochsAhead);
    let first_slot = (blob.end_epoch() - epoch) as u64;
    assert!(
        first_slot + (extended_epochs as u64) <= (self.max_epochs_ahead as u64),
        EInvalidEpochsAhead,
    );
    let size = blob.storage().size();
    self.sell_capacity(first_slot, extended_epochs as u64, size, payment);
    blob.extend_end_epoch(extended_epochs);
}

/// Extends a certified blob with a `Storage` that starts where the blob ends and has its size.
///
/// Checks, in order: version (EWrongVersion); then `blob::extend_with_resource`
/// (ENotCertified, EResourceBounds, EResourceBounds when the extension does not end later,
/// storage_resource::EIncompatibleAmount, EIncompatibleEpochs).
public fun extend_blob_with_resource(self: &System, blob: &mut Blob, extension: Storage) {
    self.assert_version();
    blob.extend_with_resource(extension, self.epoch());
}

/// Deletes a deletable blob, emits `BlobDeleted` and returns its storage for reuse.
///
/// Checks, in order: version (EWrongVersion); `blob::delete` (EBlobNotDeletable,
/// EResourceBounds).
public fun delete_blob(self: &System, blob: Blob): Storage {
    self.assert_version();
    blob.delete(self.epoch())
}

// === Prices (pure helpers clients can dev-inspect) ===

/// `ceil(bytes / 1 MiB)`. keep in sync with the TypeScript cost estimate (client/ storage units).
public fun storage_units(bytes: u64): u64 {
    if (bytes == 0) 0 else (bytes - 1) / BYTES_PER_UNIT_SIZE + 1
}

/// `units(storage_amount) * storage_price * epochs`, what `reserve_space` charges.
public fun storage_cost(self: &System, storage_amount: u64, epochs: u32): u64 {
    storage_units(storage_amount) * self.storage_price * (epochs as u64)
}

/// `units(encoded length) * write_price`, what `register_blob` charges.
public fun write_cost(self: &System, size: u64, encoding_type: u8): u64 {
    let encoded = encoding::encoded_blob_length(size, encoding_type, self.n_shards);
    storage_units(encoded) * self.write_price
}

// === Getters ===

public fun version(self: &System): u64 {
    self.version
}

public fun epoch(self: &System): u32 {
    self.committee.epoch()
}

public fun n_shards(self: &System): u16 {
    self.n_shards
}

public fun epoch_duration_ms(self: &System): u64 {
    self.epoch_duration_ms
}

public fun total_capacity(self: &System): u64 {
    self.total_capacity
}

public fun used_capacity(self: &System): u64 {
    self.used_capacity
}

/// Bytes sold for `epoch + slot` (slot < max_epochs_ahead).
public fun used_capacity_at(self: &System, slot: u64): u64 {
    self.accounting[slot].used
}

/// Fees collected so far for `epoch + slot`.
public fun fees_at(self: &System, slot: u64): u64 {
    let entry = &self.accounting[slot];
    entry.fees.value()
}

/// `(storage_price, write_price)` in MIST per 1 MiB unit.
public fun prices(self: &System): (u64, u64) {
    (self.storage_price, self.write_price)
}

public fun storage_price(self: &System): u64 {
    self.storage_price
}

public fun write_price(self: &System): u64 {
    self.write_price
}

public fun max_epochs_ahead(self: &System): u32 {
    self.max_epochs_ahead
}

public fun committee(self: &System): &BlsCommittee {
    &self.committee
}

/// The current committee as node id -> weight.
public fun committee_members(self: &System): sui::vec_map::VecMap<ID, u16> {
    self.committee.to_vec_map()
}

public fun shards(self: &System): &Committee {
    &self.shards
}

public fun shards_of(self: &System, node_id: ID): vector<u16> {
    self.shards.shards_of(&node_id)
}

public fun next_shards(self: &System): &Option<Committee> {
    &self.next_shards
}

public fun epoch_state(self: &System): EpochState {
    self.epoch_state
}

public fun is_epoch_sync(self: &System): bool {
    match (&self.epoch_state) {
        EpochState::Sync(_) => true,
        _ => false,
    }
}

public fun is_epoch_done(self: &System): bool {
    match (&self.epoch_state) {
        EpochState::Done(_) => true,
        _ => false,
    }
}

public fun is_next_selected(self: &System): bool {
    match (&self.epoch_state) {
        EpochState::NextSelected(_) => true,
        _ => false,
    }
}

public fun is_registered(self: &System, node_id: ID): bool {
    self.nodes.contains(node_id)
}

/// Aborts with table's own code if the node is unknown; check `is_registered` first.
public fun node_info(self: &System, node_id: ID): &NodeInfo {
    self.nodes.borrow(node_id)
}

// === Internal ===

fun assert_version(self: &System) {
    assert!(self.version == VERSION, EWrongVersion);
}

fun new_epoch_accounting(): EpochAccounting {
    EpochAccounting { used: 0, fees: balance::zero() }
}

/// The node record for `cap`. Checks: registered (ENotRegisteredNode).
fun node_mut(self: &mut System, cap: &NodeCap): &mut NodeInfo {
    let node_id = cap.cap_node_id();
    assert!(self.nodes.contains(node_id), ENotRegisteredNode);
    self.nodes.borrow_mut(node_id)
}

/// Sells `amount` bytes in slots `[first_slot, first_slot + slot_count)`: checks every slot's
/// capacity in order (EStorageExceeded), then the payment for all of them
/// (EInsufficientPayment), then records use and fees. The caller has bounded the slots by
/// `max_epochs_ahead`.
fun sell_capacity(
    self: &mut System,
    first_slot: u64,
    slot_count: u64,
    amount: u64,
    payment: &mut Coin<SUI>,
) {
    let total_capacity = self.total_capacity as u128;
    slot_count.do!(|i| {
        let used = self.accounting[first_slot + i].used;
        assert!((used as u128) + (amount as u128) <= total_capacity, EStorageExceeded);
    });
    let price_per_epoch = (storage_units(amount) as u128) * (self.storage_price as u128);
    assert!(
        (payment.value() as u128) >= price_per_epoch * (slot_count as u128),
        EInsufficientPayment,
    );
    slot_count.do!(|i| {
        let slot = &mut self.accounting[first_slot + i];
        slot.used = slot.used + amount;
        slot.fees.join(payment.balance_mut().split(price_per_epoch as u64));
    });
    self.used_capacity = self.accounting[0].used;
}

/// Drops the finished epoch's slot, appends a fresh one and pays the finished slot's fees to
/// `outgoing` (`fees * weight / n_shards` each, in member order; remainder to the new slot 0).
fun rotate_accounting(self: &mut System, outgoing: &BlsCommittee) {
    let EpochAccounting { used: _, fees } = self.accounting.remove(0);
    let mut pot = fees;
    self.accounting.push_back(new_epoch_accounting());
    let pot_value = pot.value() as u128;
    let n_shards = outgoing.n_shards() as u128;
    if (n_shards > 0) {
        outgoing.members().do_ref!(|member| {
            let share = (pot_value * (member.weight() as u128) / n_shards) as u64;
            self.nodes.borrow_mut(member.node_id()).add_rewards(pot.split(share));
        });
    };
    let slot = &mut self.accounting[0];
    slot.fees.join(pot);
    self.used_capacity = self.accounting[0].used;
}

// === Test helpers ===

#[test_only]
public fun init_for_testing(ctx: &mut TxContext) {
    init(ctx);
}
