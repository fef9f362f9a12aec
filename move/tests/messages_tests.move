// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module walrus_edge::messages_tests;

use std::unit_test::assert_eq;
use walrus_edge::{messages, test_vectors as tv};

const OBJECT: address = @0x1122334455667788990011223344556677889900112233445566778899001122;

#[test]
fun permanent_certificate_bytes_match_spec_example() {
    // spec/contracts.md §6: `01 00 03 07000000 efbeadde00…00 (32 bytes) 00`.
    let bytes = messages::blob_cert_message_bytes(7, 0xdeadbeef, messages::permanent());
    assert_eq!(bytes.length(), 40);
    assert_eq!(
        bytes,
        x"01000307000000efbeadde0000000000000000000000000000000000000000000000000000000000",
    );
}

#[test]
fun deletable_certificate_bytes_end_with_object_id() {
    let object_id = object::id_from_address(OBJECT);
    let bytes = messages::blob_cert_message_bytes(0x01020304, 1, messages::deletable(object_id));
    assert_eq!(bytes.length(), 72);
    let mut expected = x"01000304030201";
    expected.append(x"0100000000000000000000000000000000000000000000000000000000000000");
    expected.push_back(1);
    expected.append(object::id_to_bytes(&object_id));
    assert_eq!(bytes, expected);
}

#[test]
fun invalid_blob_id_bytes() {
    let bytes = messages::invalid_blob_id_message_bytes(2, 0xff);
    assert_eq!(
        bytes,
        x"02000302000000ff00000000000000000000000000000000000000000000000000000000000000",
    );
}

#[test]
fun proof_of_possession_bytes_layout() {
    let message = messages::new_proof_of_possession_msg(9, @0xa1, tv::pk_a());
    let bytes = message.proof_of_possession_bytes();
    assert_eq!(bytes.length(), 87);
    let mut expected = x"00000309000000";
    expected.append(x"00000000000000000000000000000000000000000000000000000000000000a1");
    expected.append(tv::pk_a());
    assert_eq!(bytes, expected);
}

#[test]
fun proof_of_possession_verifies_only_for_its_epoch_and_sender() {
    let valid = messages::new_proof_of_possession_msg(0, @0xa1, tv::pk_a());
    assert!(valid.verify_proof_of_possession(tv::pop_a()));
    let other_sender = messages::new_proof_of_possession_msg(0, @0xa2, tv::pk_a());
    assert!(!other_sender.verify_proof_of_possession(tv::pop_a()));
    let other_epoch = messages::new_proof_of_possession_msg(1, @0xa1, tv::pk_a());
    assert!(!other_epoch.verify_proof_of_possession(tv::pop_a()));
    let other_key = messages::new_proof_of_possession_msg(0, @0xa1, tv::pk_b());
    assert!(!other_key.verify_proof_of_possession(tv::pop_a()));
}

#[test, expected_failure(abort_code = messages::EInvalidKeyLength)]
fun proof_of_possession_short_key_aborts() {
    let mut key = tv::pk_a();
    key.pop_back();
    messages::new_proof_of_possession_msg(0, @0xa1, key);
}

#[test]
fun parse_permanent_certificate() {
    let bytes = messages::blob_cert_message_bytes(7, 0xdeadbeef, messages::permanent());
    let certified = messages::new_certified_message(bytes, 7, 10);
    assert_eq!(certified.intent_type(), 1);
    assert_eq!(certified.intent_version(), 0);
    assert_eq!(certified.cert_epoch(), 7);
    assert_eq!(certified.stake_support(), 10);
    assert_eq!(certified.body().length(), 33);
    let parsed = messages::certify_blob_message(certified);
    assert_eq!(parsed.certified_epoch(), 7);
    assert_eq!(parsed.certified_blob_id(), 0xdeadbeef);
    assert_eq!(parsed.blob_persistence_type(), messages::permanent());
    assert!(!parsed.blob_persistence_type().is_deletable());
}

#[test]
fun parse_deletable_certificate() {
    let object_id = object::id_from_address(OBJECT);
    let bytes = messages::blob_cert_message_bytes(3, 42, messages::deletable(object_id));
    let parsed = messages::certify_blob_message(messages::new_certified_message(bytes, 3, 7));
    assert_eq!(parsed.certified_blob_id(), 42);
    assert!(parsed.blob_persistence_type().is_deletable());
    assert_eq!(parsed.blob_persistence_type().object_id(), option::some(object_id));
}

#[test]
fun parse_tolerates_trailing_bytes() {
    let mut bytes = messages::blob_cert_message_bytes(3, 42, messages::permanent());
    bytes.append(x"deadbeef");
    let parsed = messages::certify_blob_message(messages::new_certified_message(bytes, 3, 7));
    assert_eq!(parsed.certified_blob_id(), 42);
    let mut invalid = messages::invalid_blob_id_message_bytes(3, 43);
    invalid.push_back(0);
    let parsed = messages::invalid_blob_id_message(messages::new_certified_message(invalid, 3, 4));
    assert_eq!(parsed.invalid_blob_id(), 43);
    assert_eq!(parsed.certified_invalid_epoch(), 3);
}

#[test, expected_failure(abort_code = messages::EMessageTooShort)]
fun header_too_short_aborts() {
    messages::new_certified_message(x"010003070000", 7, 10);
}

#[test, expected_failure(abort_code = messages::EIncorrectIntentVersion)]
fun wrong_intent_version_aborts() {
    let mut bytes = messages::blob_cert_message_bytes(7, 1, messages::permanent());
    *&mut bytes[1] = 1;
    messages::new_certified_message(bytes, 7, 10);
}

#[test, expected_failure(abort_code = messages::EIncorrectAppId)]
fun wrong_app_id_aborts() {
    let mut bytes = messages::blob_cert_message_bytes(7, 1, messages::permanent());
    *&mut bytes[2] = 2;
    messages::new_certified_message(bytes, 7, 10);
}

#[test, expected_failure(abort_code = messages::EIncorrectEpoch)]
fun wrong_epoch_aborts() {
    let bytes = messages::blob_cert_message_bytes(6, 1, messages::permanent());
    messages::new_certified_message(bytes, 7, 10);
}

#[test, expected_failure(abort_code = messages::EInvalidMsgType)]
fun invalid_blob_message_as_certificate_aborts() {
    let bytes = messages::invalid_blob_id_message_bytes(7, 1);
    messages::certify_blob_message(messages::new_certified_message(bytes, 7, 10));
}

#[test, expected_failure(abort_code = messages::EInvalidMsgType)]
fun certificate_as_invalid_blob_message_aborts() {
    let bytes = messages::blob_cert_message_bytes(7, 1, messages::permanent());
    messages::invalid_blob_id_message(messages::new_certified_message(bytes, 7, 10));
}

#[test, expected_failure(abort_code = messages::EInvalidBlobPersistenceType)]
fun unknown_persistence_tag_aborts() {
    let mut bytes = messages::blob_cert_message_bytes(7, 1, messages::permanent());
    *&mut bytes[39] = 2;
    messages::certify_blob_message(messages::new_certified_message(bytes, 7, 10));
}

#[test, expected_failure(abort_code = messages::EMessageTooShort)]
fun certificate_without_persistence_tag_aborts() {
    let mut bytes = messages::blob_cert_message_bytes(7, 1, messages::permanent());
    bytes.pop_back();
    messages::certify_blob_message(messages::new_certified_message(bytes, 7, 10));
}

#[test, expected_failure(abort_code = messages::EMessageTooShort)]
fun deletable_certificate_without_object_id_aborts() {
    let mut bytes = messages::blob_cert_message_bytes(7, 1, messages::permanent());
    *&mut bytes[39] = 1;
    messages::certify_blob_message(messages::new_certified_message(bytes, 7, 10));
}

#[test, expected_failure(abort_code = messages::EMessageTooShort)]
fun invalid_blob_message_without_blob_id_aborts() {
    let mut bytes = messages::invalid_blob_id_message_bytes(7, 1);
    bytes.pop_back();
    messages::invalid_blob_id_message(messages::new_certified_message(bytes, 7, 4));
}
