// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Signed protocol messages, byte-compatible with Walrus (spec/contracts.md §6, api.md §2.1).
///
/// Every message starts with a 7-byte header: intent type (u8), intent version (u8, must be 0),
/// app id (u8, must be 3), epoch (u32 little-endian); the body follows with no length prefix:
/// - BLOB_CERT (1): blob_id u256 LE, persistence tag u8 (0 permanent, 1 deletable), and for
///   deletable blobs the Blob object id (32 bytes): 40 or 72 bytes in all. Trailing bytes after
///   that are ignored on purpose (room for extensions).
/// - INVALID_BLOB_ID (2): blob_id u256 LE: 39 bytes. Trailing bytes are ignored.
/// - PROOF_OF_POSSESSION (0): Sui address (32) and the 48-byte compressed BLS key: 87 bytes.
///
/// Parsing checks lengths itself before reading, so a short message aborts here with
/// EMessageTooShort instead of deep inside `sui::bcs`.
module walrus_edge::messages;

use sui::{bcs, bls12381::bls12381_min_pk_verify};

// === Constants ===

const APP_ID: u8 = 3;
const INTENT_VERSION: u8 = 0;
const PROOF_OF_POSSESSION_MSG_TYPE: u8 = 0;
const BLOB_CERT_MSG_TYPE: u8 = 1;
const INVALID_BLOB_ID_MSG_TYPE: u8 = 2;
const PERSISTENCE_PERMANENT: u8 = 0;
const PERSISTENCE_DELETABLE: u8 = 1;
/// intent type + intent version + app id + epoch (u32).
const HEADER_BYTES: u64 = 7;
const BLOB_ID_BYTES: u64 = 32;
const OBJECT_ID_BYTES: u64 = 32;
/// A compressed BLS12-381 G1 public key (min_pk scheme).
const BLS_KEY_BYTES: u64 = 48;

// === Abort codes ===

/// The header's app id is not 3.
const EIncorrectAppId: u64 = 0;
/// The header's epoch differs from the epoch of the committee that checked the signature.
const EIncorrectEpoch: u64 = 1;
/// The intent type does not match the message kind expected by the caller.
const EInvalidMsgType: u64 = 2;
/// The header's intent version is not 0.
const EIncorrectIntentVersion: u64 = 3;
/// A BLS public key is not 48 bytes long.
const EInvalidKeyLength: u64 = 4;
/// The persistence tag of a BLOB_CERT body is neither 0 nor 1.
const EInvalidBlobPersistenceType: u64 = 5;
/// The message is shorter than its header or body requires.
const EMessageTooShort: u64 = 6;

// === Types ===

/// Message a node signs with a new BLS key to prove it holds the secret key.
/// Binding the sender and the epoch stops replay and rogue-key attacks on aggregates.
public struct ProofOfPossessionMessage has copy, drop {
    intent_type: u8,
    intent_version: u8,
    intent_app: u8,
    epoch: u32,
    sui_address: address,
    bls_key: vector<u8>,
}

/// A message whose header passed the checks, certified by nodes holding `stake_support` shards.
/// `message` is the body (everything after the 7-byte header).
public struct CertifiedMessage has drop {
    intent_type: u8,
    intent_version: u8,
    cert_epoch: u32,
    stake_support: u16,
    message: vector<u8>,
}

/// Whether a certificate covers every permanent Blob with the id, or one deletable Blob object.
/// BCS: variant index 0 = Permanent, 1 = Deletable { object_id }.
public enum BlobPersistenceType has copy, drop, store {
    Permanent,
    Deletable { object_id: ID },
}

/// A parsed BLOB_CERT body: `blob_id` was certified in `epoch` by a quorum.
public struct CertifiedBlobMessage has drop {
    epoch: u32,
    blob_id: u256,
    blob_persistence_type: BlobPersistenceType,
}

/// A parsed INVALID_BLOB_ID body: `blob_id` was declared invalid in `epoch`.
public struct CertifiedInvalidBlobId has drop {
    epoch: u32,
    blob_id: u256,
}

// === Proof of possession ===

/// Builds the PoP message for `epoch`, `sui_address` and `bls_key`.
/// Checks: `bls_key` is 48 bytes (EInvalidKeyLength).
public fun new_proof_of_possession_msg(
    epoch: u32,
    sui_address: address,
    bls_key: vector<u8>,
): ProofOfPossessionMessage {
    assert!(bls_key.length() == BLS_KEY_BYTES, EInvalidKeyLength);
    ProofOfPossessionMessage {
        intent_type: PROOF_OF_POSSESSION_MSG_TYPE,
        intent_version: INTENT_VERSION,
        intent_app: APP_ID,
        epoch,
        sui_address,
        bls_key,
    }
}

/// The 87 signed bytes: header, the 32 address bytes, the 48 raw key bytes (no length prefix).
public fun proof_of_possession_bytes(self: &ProofOfPossessionMessage): vector<u8> {
    let mut bytes = header_bytes(self.intent_type, self.epoch);
    bytes.append(bcs::to_bytes(&self.sui_address));
    bytes.append(self.bls_key);
    bytes
}

/// True iff `signature` (96-byte compressed G2) is a min_pk signature of the PoP bytes under the
/// key inside the message. Never aborts.
public fun verify_proof_of_possession(
    self: &ProofOfPossessionMessage,
    signature: vector<u8>,
): bool {
    let bytes = self.proof_of_possession_bytes();
    bls12381_min_pk_verify(&signature, &self.bls_key, &bytes)
}

// === Certified messages ===

/// Parses and checks the header of a message whose signature was already verified by a committee
/// of `committee_epoch`.
///
/// Checks, in order:
/// 1. length >= 7 (EMessageTooShort);
/// 2. intent version == 0 (EIncorrectIntentVersion);
/// 3. app id == 3 (EIncorrectAppId);
/// 4. epoch == `committee_epoch` (EIncorrectEpoch).
/// The intent type is not checked here; the body parsers below check it.
public(package) fun new_certified_message(
    message_bytes: vector<u8>,
    committee_epoch: u32,
    stake_support: u16,
): CertifiedMessage {
    assert!(message_bytes.length() >= HEADER_BYTES, EMessageTooShort);
    let mut reader = bcs::new(message_bytes);
    let intent_type = reader.peel_u8();
    let intent_version = reader.peel_u8();
    assert!(intent_version == INTENT_VERSION, EIncorrectIntentVersion);
    let intent_app = reader.peel_u8();
    assert!(intent_app == APP_ID, EIncorrectAppId);
    let cert_epoch = reader.peel_u32();
    assert!(cert_epoch == committee_epoch, EIncorrectEpoch);
    let message = reader.into_remainder_bytes();
    CertifiedMessage { intent_type, intent_version, cert_epoch, stake_support, message }
}

/// Parses a BLOB_CERT body.
///
/// Checks, in order:
/// 1. intent type == 1 (EInvalidMsgType);
/// 2. body >= 33 bytes (EMessageTooShort);
/// 3. persistence tag is 0 or 1 (EInvalidBlobPersistenceType);
/// 4. for tag 1, body >= 65 bytes (EMessageTooShort).
/// Bytes after the body are ignored.
public(package) fun certify_blob_message(message: CertifiedMessage): CertifiedBlobMessage {
    assert!(message.intent_type == BLOB_CERT_MSG_TYPE, EInvalidMsgType);
    let CertifiedMessage { cert_epoch, message: body, .. } = message;
    assert!(body.length() >= BLOB_ID_BYTES + 1, EMessageTooShort);
    let body_length = body.length();
    let mut reader = bcs::new(body);
    let blob_id = reader.peel_u256();
    let tag = reader.peel_u8();
    assert!(
        tag == PERSISTENCE_PERMANENT || tag == PERSISTENCE_DELETABLE,
        EInvalidBlobPersistenceType,
    );
    let blob_persistence_type = if (tag == PERSISTENCE_PERMANENT) {
        BlobPersistenceType::Permanent
    } else {
        assert!(body_length >= BLOB_ID_BYTES + 1 + OBJECT_ID_BYTES, EMessageTooShort);
        BlobPersistenceType::Deletable { object_id: object::id_from_address(reader.peel_address()) }
    };
    CertifiedBlobMessage { epoch: cert_epoch, blob_id, blob_persistence_type }
}

/// Parses an INVALID_BLOB_ID body.
///
/// Checks, in order:
/// 1. intent type == 2 (EInvalidMsgType);
/// 2. body >= 32 bytes (EMessageTooShort).
/// Bytes after the blob id are ignored.
public(package) fun invalid_blob_id_message(message: CertifiedMessage): CertifiedInvalidBlobId {
    assert!(message.intent_type == INVALID_BLOB_ID_MSG_TYPE, EInvalidMsgType);
    let CertifiedMessage { cert_epoch, message: body, .. } = message;
    assert!(body.length() >= BLOB_ID_BYTES, EMessageTooShort);
    let mut reader = bcs::new(body);
    CertifiedInvalidBlobId { epoch: cert_epoch, blob_id: reader.peel_u256() }
}

// === Message builders (what nodes sign; pure, handy for dev-inspect and tests) ===

/// `[intent_type, 0, 3] ++ u32le(epoch)`.
public fun header_bytes(intent_type: u8, epoch: u32): vector<u8> {
    let mut bytes = vector[intent_type, INTENT_VERSION, APP_ID];
    bytes.append(bcs::to_bytes(&epoch));
    bytes
}

/// The 40-byte (permanent) or 72-byte (deletable) BLOB_CERT message.
public fun blob_cert_message_bytes(
    epoch: u32,
    blob_id: u256,
    persistence: BlobPersistenceType,
): vector<u8> {
    let mut bytes = header_bytes(BLOB_CERT_MSG_TYPE, epoch);
    bytes.append(bcs::to_bytes(&blob_id));
    match (persistence) {
        BlobPersistenceType::Permanent => bytes.push_back(PERSISTENCE_PERMANENT),
        BlobPersistenceType::Deletable { object_id } => {
            bytes.push_back(PERSISTENCE_DELETABLE);
            bytes.append(object::id_to_bytes(&object_id));
        },
    };
    bytes
}

/// The 39-byte INVALID_BLOB_ID message.
public fun invalid_blob_id_message_bytes(epoch: u32, blob_id: u256): vector<u8> {
    let mut bytes = header_bytes(INVALID_BLOB_ID_MSG_TYPE, epoch);
    bytes.append(bcs::to_bytes(&blob_id));
    bytes
}

// === BlobPersistenceType ===

public fun permanent(): BlobPersistenceType {
    BlobPersistenceType::Permanent
}

public fun deletable(object_id: ID): BlobPersistenceType {
    BlobPersistenceType::Deletable { object_id }
}

public fun is_deletable(self: &BlobPersistenceType): bool {
    match (self) {
        BlobPersistenceType::Permanent => false,
        BlobPersistenceType::Deletable { .. } => true,
    }
}

/// The object id named by a deletable certificate; `none` for a permanent one.
public fun object_id(self: &BlobPersistenceType): Option<ID> {
    match (self) {
        BlobPersistenceType::Permanent => option::none(),
        BlobPersistenceType::Deletable { object_id } => option::some(*object_id),
    }
}

// === Accessors ===

public fun intent_type(self: &CertifiedMessage): u8 {
    self.intent_type
}

public fun intent_version(self: &CertifiedMessage): u8 {
    self.intent_version
}

public fun cert_epoch(self: &CertifiedMessage): u32 {
    self.cert_epoch
}

public fun stake_support(self: &CertifiedMessage): u16 {
    self.stake_support
}

public fun body(self: &CertifiedMessage): &vector<u8> {
    &self.message
}

public fun certified_epoch(self: &CertifiedBlobMessage): u32 {
    self.epoch
}

public fun certified_blob_id(self: &CertifiedBlobMessage): u256 {
    self.blob_id
}

public fun blob_persistence_type(self: &CertifiedBlobMessage): BlobPersistenceType {
    self.blob_persistence_type
}

public fun certified_invalid_epoch(self: &CertifiedInvalidBlobId): u32 {
    self.epoch
}

public fun invalid_blob_id(self: &CertifiedInvalidBlobId): u256 {
    self.blob_id
}

// === Test helpers ===

#[test_only]
public fun certified_blob_message_for_testing(
    epoch: u32,
    blob_id: u256,
    blob_persistence_type: BlobPersistenceType,
): CertifiedBlobMessage {
    CertifiedBlobMessage { epoch, blob_id, blob_persistence_type }
}
