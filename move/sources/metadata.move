// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0

/// Blob attributes ("metadata"): string key/value pairs kept in one dynamic field of a Blob
/// (see `blob`). `new` is public so a PTB can build an empty `Metadata` to attach.
module walrus_edge::metadata;

use std::string::String;
use sui::vec_map::{Self, VecMap};

// === Limits ===

/// Pairs per blob; VecMap lookups are linear, and readers copy all pairs into HTTP headers.
const PAIRS_MAX: u64 = 100;
/// Bytes per key and per value.
const ENTRY_BYTES_MAX: u64 = 1024;

// === Abort codes ===

/// `remove`: the key is not present.
const EKeyNotFound: u64 = 0;
/// `insert_or_update`: a new key would exceed `PAIRS_MAX`.
const ETooManyPairs: u64 = 1;
/// `insert_or_update`: the key or the value is longer than `ENTRY_BYTES_MAX` bytes.
const EEntryTooLong: u64 = 2;

/// BCS field order: metadata (`VecMap<String, String>`).
public struct Metadata has drop, store {
    metadata: VecMap<String, String>,
}

/// An empty attribute set.
public fun new(): Metadata {
    Metadata { metadata: vec_map::empty() }
}

/// Sets `key` to `value`, replacing an existing value (which keeps its position).
///
/// Checks, in order:
/// 1. key and value are each <= 1024 bytes (EEntryTooLong);
/// 2. a new key does not take the pair count above 100 (ETooManyPairs).
public fun insert_or_update(self: &mut Metadata, key: String, value: String) {
    assert!(key.length() <= ENTRY_BYTES_MAX && value.length() <= ENTRY_BYTES_MAX, EEntryTooLong);
    if (self.metadata.contains(&key)) {
        *self.metadata.get_mut(&key) = value;
    } else {
        assert!(self.metadata.size() < PAIRS_MAX, ETooManyPairs);
        self.metadata.insert(key, value);
    }
}

/// Removes `key`, returning the pair. Checks: the key exists (EKeyNotFound).
public fun remove(self: &mut Metadata, key: &String): (String, String) {
    assert!(self.metadata.contains(key), EKeyNotFound);
    self.metadata.remove(key)
}

/// Removes `key` if present, returning its value.
public fun remove_if_exists(self: &mut Metadata, key: &String): Option<String> {
    if (self.metadata.contains(key)) {
        let (_, value) = self.metadata.remove(key);
        option::some(value)
    } else {
        option::none()
    }
}

public fun get(self: &Metadata, key: &String): Option<String> {
    if (self.metadata.contains(key)) option::some(*self.metadata.get(key)) else option::none()
}

public fun size(self: &Metadata): u64 {
    self.metadata.size()
}

public fun pairs(self: &Metadata): &VecMap<String, String> {
    &self.metadata
}
