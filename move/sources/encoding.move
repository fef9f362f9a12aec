// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Encoded blob length for RedStuff over Reed-Solomon (RS2), the one encoding accepted on chain.
///
/// This is how the chain checks that a `Storage` is large enough for a blob: every shard stores its
/// primary and secondary sliver plus the full metadata (two 32-byte hashes per shard and the
/// 32-byte blob id). See spec/encoding.md §1-2.
module walrus_edge::encoding;

// === Constants ===

/// RedStuff with Reed-Solomon; encoding type byte 1 (0 was the retired RaptorQ variant).
const RS2: u8 = 1;
/// Length of a sliver hash in the metadata.
const DIGEST_BYTES: u64 = 32;
/// Length of the blob id stored with the metadata.
const BLOB_ID_BYTES: u64 = 32;
/// RS2 symbols are whole GF(2^16) elements, so even; 65 534 is the largest even u16.
const SYMBOL_BYTES_MAX: u64 = 65534;

// === Abort codes ===

/// The encoding type is not RS2.
const EInvalidEncodingType: u64 = 0;
/// `n_shards` is 0.
const EInvalidNShards: u64 = 1;
/// The blob is too large for `n_shards`: its symbol size would exceed `SYMBOL_BYTES_MAX`.
const EDataTooLarge: u64 = 2;

/// The RS2 encoding type byte.
public fun rs2(): u8 {
    RS2
}

/// Maximum number of Byzantine shards: `floor((n_shards - 1) / 3)`.
public fun max_byzantine(n_shards: u16): u16 {
    (n_shards - 1) / 3
}

/// Primary source symbols (rows of the message matrix): `n - 2f`.
public fun source_symbols_primary(n_shards: u16): u16 {
    n_shards - 2 * max_byzantine(n_shards)
}

/// Secondary source symbols (columns of the message matrix): `n - f`.
public fun source_symbols_secondary(n_shards: u16): u16 {
    n_shards - max_byzantine(n_shards)
}

/// Symbol size in bytes: `ceil(max(size, 1) / (n_p * n_s))`, rounded up to even.
/// Aborts with EDataTooLarge above `SYMBOL_BYTES_MAX`.
public fun symbol_size(unencoded_length: u64, n_shards: u16): u64 {
    let length = if (unencoded_length == 0) 1 else unencoded_length;
    let n_symbols =
        (source_symbols_primary(n_shards) as u64) * (source_symbols_secondary(n_shards) as u64);
    let mut symbol = (length - 1) / n_symbols + 1;
    if (symbol % 2 == 1) {
        symbol = symbol + 1;
    };
    assert!(symbol <= SYMBOL_BYTES_MAX, EDataTooLarge);
    symbol
}

/// Metadata stored by each shard: `n_shards * 2 * 32 + 32` bytes.
public fun metadata_length(n_shards: u16): u64 {
    (n_shards as u64) * DIGEST_BYTES * 2 + BLOB_ID_BYTES
}

/// Encoded length of a blob of `unencoded_length` bytes over `n_shards` shards:
/// `n * ((n_p + n_s) * symbol_size + n * 64 + 32)`.
///
/// keep in sync with core/encoding/config.ts encodedBlobLength
/// (and spec/encoding.md §2.3; both are tested against vectors/redstuff.jsonl).
///
/// Checks, in order:
/// 1. `encoding_type == 1` (EInvalidEncodingType);
/// 2. `n_shards > 0` (EInvalidNShards);
/// 3. symbol size `<= 65534` (EDataTooLarge).
public fun encoded_blob_length(unencoded_length: u64, encoding_type: u8, n_shards: u16): u64 {
    assert!(encoding_type == RS2, EInvalidEncodingType);
    assert!(n_shards > 0, EInvalidNShards);
    let symbol = symbol_size(unencoded_length, n_shards);
    let sliver_pair_length =
        ((source_symbols_primary(n_shards) as u64) + (source_symbols_secondary(n_shards) as u64))
            * symbol;
    (n_shards as u64) * (sliver_pair_length + metadata_length(n_shards))
}
