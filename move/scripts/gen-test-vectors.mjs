#!/usr/bin/env node
// Generates move/tests/test_vectors.move: fixed BLS12-381 (min_pk) keys, proofs of possession and
// aggregate certificates for the Move unit tests, plus blob ids from shared/vectors/redstuff.jsonl
// values. Deterministic: re-running it produces the same file.
//
// Signing follows docs/spec/api.md §2.2: noble's `longSignatures` (48-byte G1 keys, 96-byte G2
// signatures, DST BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_), the same scheme Sui's
// `bls12381_min_pk_verify` checks. Every signature is verified here before it is written.
//
// Usage: node move/scripts/gen-test-vectors.mjs

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';

const bls = bls12_381.longSignatures;
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'test_vectors.move');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const u32le = (n) => Uint8Array.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
const u64le = (n) => {
    const out = new Uint8Array(8);
    let v = BigInt(n);
    for (let i = 0; i < 8; i++, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
};
const u256le = (v) => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
};
const leToBigint = (bytes) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const concat = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
const address = (n) => u256le(BigInt(n)).reverse(); // Sui addresses are big-endian 32 bytes

const header = (type, epoch) => concat([type, 0, 3], u32le(epoch));
const certPermanent = (epoch, blobId) => concat(header(1, epoch), u256le(blobId), [0]);
const invalidBlobId = (epoch, blobId) => concat(header(2, epoch), u256le(blobId));
const popMessage = (epoch, sender, publicKey) => concat(header(0, epoch), address(sender), publicKey);

function node(label) {
    const text = new TextEncoder().encode(`walrus-edge move test node ${label}`);
    const seed = concat(sha256(text), sha256(concat(text, [1])).subarray(0, 16)); // 48 bytes
    const { secretKey } = bls.keygen(seed);
    return { label, secretKey, publicKey: bls.getPublicKey(secretKey).toBytes(true) };
}

function sign(message, signers) {
    const point = bls.hash(message);
    const signatures = signers.map((s) => bls.sign(point, s.secretKey));
    const aggregate = bls.aggregateSignatures(signatures);
    const key = bls.aggregatePublicKeys(signers.map((s) => s.publicKey));
    if (!bls.verify(aggregate, point, key)) throw new Error('aggregate signature does not verify');
    return aggregate.toBytes(true);
}

// Nodes A-D hold 4, 3, 2, 1 of 10 shards; E is A's replacement key.
const [A, B, C, D, E] = ['A', 'B', 'C', 'D', 'E'].map(node);
const SENDERS = { A: 0xa1, B: 0xa2, C: 0xa3, D: 0xa4 };

// Vector from shared/vectors/redstuff.jsonl: n_shards 10, size 1000 (encoded 10 680 bytes).
const ROOT_HASH_HEX = '9aaf6fd9ed1d5ea12c3856a4b56b1420f8c95f8666ba01668d01e6e4f75bab83';
const BLOB_ID_DEC = 84145415377523705988179846236693275917212444350645016382059164083152288659519n;
const rootHash = leToBigint(Buffer.from(ROOT_HASH_HEX, 'hex'));
const derived = leToBigint(blake2b(concat([1], u64le(1000), u256le(rootHash)), { dkLen: 32 }));
if (derived !== BLOB_ID_DEC) throw new Error('blob id derivation disagrees with redstuff.jsonl');

const UNIT_BLOB_ID = 0xdeadbeefn; // bls_aggregate unit tests, committee epoch 5

const fns = [];
const bytesFn = (name, bytes, doc) =>
    fns.push(`/// ${doc}\npublic fun ${name}(): vector<u8> {\n    x"${hex(bytes)}"\n}`);
const u256Fn = (name, value, doc) =>
    fns.push(`/// ${doc}\npublic fun ${name}(): u256 {\n    0x${value.toString(16)}\n}`);

for (const n of [A, B, C, D, E]) bytesFn(`pk_${n.label.toLowerCase()}`, n.publicKey, `Compressed G1 key of node ${n.label}.`);
for (const n of [A, B, C, D]) {
    const sender = SENDERS[n.label];
    bytesFn(`pop_${n.label.toLowerCase()}`, sign(popMessage(0, sender, n.publicKey), [n]),
        `PoP of node ${n.label} for epoch 0, sender @0x${sender.toString(16)}.`);
}
bytesFn('pop_e_by_a_epoch_1', sign(popMessage(1, SENDERS.A, E.publicKey), [E]),
    'PoP of key E for epoch 1, sender @0xa1 (key rotation of node A).');

u256Fn('unit_blob_id', UNIT_BLOB_ID, 'Blob id of the bls_aggregate unit-test certificates.');
bytesFn('unit_cert_message', certPermanent(5, UNIT_BLOB_ID), 'Permanent BLOB_CERT, epoch 5.');
bytesFn('unit_cert_sig_ab', sign(certPermanent(5, UNIT_BLOB_ID), [A, B]), 'Signed by A+B (7 of 10).');
bytesFn('unit_cert_sig_abcd', sign(certPermanent(5, UNIT_BLOB_ID), [A, B, C, D]), 'Signed by all.');
bytesFn('unit_cert_sig_acd', sign(certPermanent(5, UNIT_BLOB_ID), [A, C, D]), 'Signed by A+C+D (7).');
bytesFn('unit_cert_sig_bcd', sign(certPermanent(5, UNIT_BLOB_ID), [B, C, D]), 'Signed by B+C+D (6).');
bytesFn('unit_invalid_message', invalidBlobId(5, UNIT_BLOB_ID), 'INVALID_BLOB_ID, epoch 5.');
bytesFn('unit_invalid_sig_a', sign(invalidBlobId(5, UNIT_BLOB_ID), [A]), 'Signed by A (4 of 10).');
bytesFn('unit_invalid_sig_d', sign(invalidBlobId(5, UNIT_BLOB_ID), [D]), 'Signed by D (1 of 10).');

u256Fn('blob_root_hash', rootHash, 'redstuff.jsonl n=10 size=1000: root hash as LE u256.');
u256Fn('blob_id', BLOB_ID_DEC, 'redstuff.jsonl n=10 size=1000: blob id as LE u256.');
bytesFn('epoch1_cert_message', certPermanent(1, BLOB_ID_DEC), 'Permanent BLOB_CERT for blob_id, epoch 1.');
bytesFn('epoch1_cert_sig_ab', sign(certPermanent(1, BLOB_ID_DEC), [A, B]), 'Signed by A+B.');
bytesFn('epoch1_cert_sig_bcd', sign(certPermanent(1, BLOB_ID_DEC), [B, C, D]), 'Signed by B+C+D.');
bytesFn('epoch1_invalid_message', invalidBlobId(1, BLOB_ID_DEC), 'INVALID_BLOB_ID for blob_id, epoch 1.');
bytesFn('epoch1_invalid_sig_a', sign(invalidBlobId(1, BLOB_ID_DEC), [A]), 'Signed by A.');

const source = `// Copyright (c) walrus-edge contributors
// SPDX-License-Identifier: Apache-2.0
// GENERATED by move/scripts/gen-test-vectors.mjs; do not edit by hand.

#[test_only]
/// Fixed BLS keys, proofs of possession and certificates for the unit tests. Nodes A, B, C, D
/// hold 4, 3, 2, 1 of 10 shards in the tests; quorum (3w >= 21) needs weight 7, one correct
/// node (3w >= 11) needs weight 4. Senders: A @0xa1, B @0xa2, C @0xa3, D @0xa4.
module walrus_edge::test_vectors;

${fns.join('\n\n')}
`;
writeFileSync(OUT, source);
console.log(`wrote ${OUT} (${fns.length} functions)`);
