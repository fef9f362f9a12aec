// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Encoded lengths checked against shared/vectors/redstuff.jsonl (the official encoder's values),
/// the same table core/encoding/config.ts encodedBlobLength is tested with.
#[test_only]
module walrus_edge::encoding_tests;

use std::unit_test::assert_eq;
use walrus_edge::encoding;

const RS2: u8 = 1;

/// (n_shards, unencoded length, symbol size, encoded length) from redstuff.jsonl.
fun check(n_shards: u16, size: u64, symbol_size: u64, encoded_length: u64) {
    assert_eq!(encoding::symbol_size(size, n_shards), symbol_size);
    assert_eq!(encoding::encoded_blob_length(size, RS2, n_shards), encoded_length);
}

#[test]
fun source_symbols_follow_bft_parameters() {
    assert_eq!(encoding::max_byzantine(4), 1);
    assert_eq!(encoding::source_symbols_primary(4), 2);
    assert_eq!(encoding::source_symbols_secondary(4), 3);
    assert_eq!(encoding::source_symbols_primary(7), 3);
    assert_eq!(encoding::source_symbols_secondary(7), 5);
    assert_eq!(encoding::source_symbols_primary(10), 4);
    assert_eq!(encoding::source_symbols_secondary(10), 7);
    assert_eq!(encoding::source_symbols_primary(100), 34);
    assert_eq!(encoding::source_symbols_secondary(100), 67);
    assert_eq!(encoding::source_symbols_primary(1000), 334);
    assert_eq!(encoding::source_symbols_secondary(1000), 667);
    assert_eq!(encoding::metadata_length(1000), 64_032);
}

#[test]
fun encoded_length_n4() {
    check(4, 0, 2, 1_192);
    check(4, 1, 2, 1_192);
    check(4, 100, 18, 1_512);
    check(4, 1000, 168, 4_512);
    check(4, 65_536, 10_924, 219_632);
}

#[test]
fun encoded_length_n7() {
    check(7, 0, 2, 3_472);
    check(7, 1, 2, 3_472);
    check(7, 100, 8, 3_808);
    check(7, 1000, 68, 7_168);
    check(7, 65_536, 4_370, 248_080);
}

#[test]
fun encoded_length_n10() {
    check(10, 0, 2, 6_940);
    check(10, 1, 2, 6_940);
    check(10, 100, 4, 7_160);
    check(10, 1000, 36, 10_680);
    check(10, 65_536, 2_342, 264_340);
    check(10, 1_048_583, 37_450, 4_126_220);
    check(10, 1_792, 64, 13_760);
    check(10, 1_793, 66, 13_980);
    check(10, 3_637, 130, 21_020);
    // The largest blob n = 10 can encode: n_p * n_s * 65 534 bytes.
    check(10, 1_834_952, 65_534, 7_215_460);
}

#[test]
fun encoded_length_n100() {
    check(100, 0, 2, 663_400);
    check(100, 1000, 2, 663_400);
    check(100, 65_536, 30, 946_200);
    check(100, 1_048_583, 462, 5_309_400);
}

#[test]
fun encoded_length_n1000() {
    check(1000, 0, 2, 66_034_000);
    check(1000, 65_536, 2, 66_034_000);
    check(1000, 1_048_583, 6, 70_038_000);
}

#[test, expected_failure(abort_code = encoding::EDataTooLarge)]
fun one_byte_past_max_blob_n10_aborts() {
    encoding::encoded_blob_length(1_834_953, RS2, 10);
}

#[test, expected_failure(abort_code = encoding::EDataTooLarge)]
fun one_byte_past_max_blob_n4_aborts() {
    encoding::encoded_blob_length(393_205, RS2, 4);
}

#[test, expected_failure(abort_code = encoding::EInvalidEncodingType)]
fun retired_raptorq_type_aborts() {
    encoding::encoded_blob_length(1000, 0, 10);
}

#[test, expected_failure(abort_code = encoding::EInvalidEncodingType)]
fun unknown_encoding_type_aborts() {
    encoding::encoded_blob_length(1000, 2, 10);
}

#[test, expected_failure(abort_code = encoding::EInvalidNShards)]
fun zero_shards_aborts() {
    encoding::encoded_blob_length(1000, RS2, 0);
}
