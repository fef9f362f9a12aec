/** Protocol message bytes and BLS min_pk certificates, cross-checked with the official wasm. */
import {
  bls12381_min_pk_aggregate,
  bls12381_min_pk_verify,
  bls12381_min_pk_verify_aggregate,
} from '@mysten/walrus-wasm';
import { describe, expect, it } from 'vitest';
import {
  blsAcceptSameMessage,
  blsAggregateSignatures,
  blsHashMessage,
  blsPublicKey,
  blsSign,
  blsVerify,
  signersBitmap,
  signersFromBitmap,
  verifyCertificate,
} from '../../../core/bls.js';
import { bytesToHex } from '../../../core/hex.js';
import {
  invalidBlobIdMessage,
  parseStorageConfirmation,
  proofOfPossessionMessage,
  storageConfirmationMessage,
} from '../../../core/messages.js';
import { randomBytes } from '../../helpers/random.js';

const secretKey = (seed: number) => {
  const key = randomBytes(32, seed);
  key[0] &= 0x3f; // below the group order
  return key;
};

describe('protocol messages (docs/spec/api.md §2.1, docs/spec/contracts.md §6)', () => {
  it('lays out the permanent confirmation of the spec example', () => {
    const blobId = new Uint8Array(32);
    blobId.set([0xef, 0xbe, 0xad, 0xde]);
    const message = storageConfirmationMessage(7, blobId, { kind: 'permanent' });
    expect(bytesToHex(message)).toBe('01000307000000' + 'efbeadde' + '00'.repeat(28) + '00');
    expect(parseStorageConfirmation(message)).toEqual({
      epoch: 7,
      blobId,
      persistence: { kind: 'permanent' },
    });
  });

  it('lays out deletable confirmations, invalid-blob attestations and proofs of possession', () => {
    const blobId = randomBytes(32, 1);
    const objectId = randomBytes(32, 2);
    const deletable = storageConfirmationMessage(0x01020304, blobId, {
      kind: 'deletable',
      objectId,
    });
    expect(deletable.length).toBe(72);
    expect(bytesToHex(deletable.subarray(0, 7))).toBe('01000304030201');
    expect(parseStorageConfirmation(deletable).persistence).toEqual({
      kind: 'deletable',
      objectId,
    });
    expect(bytesToHex(invalidBlobIdMessage(5, blobId))).toBe('02000305000000' + bytesToHex(blobId));
    const pop = proofOfPossessionMessage(1, randomBytes(32, 3), blsPublicKey(secretKey(4)));
    expect(pop.length).toBe(87);
    expect(pop[0]).toBe(0);
    expect(() => parseStorageConfirmation(invalidBlobIdMessage(5, blobId))).toThrow(
      /not BLOB_CERT/,
    );
    expect(() => parseStorageConfirmation(deletable.subarray(0, 60))).toThrow(/object ID/);
  });
});

describe('BLS12-381 min_pk', () => {
  const keys = [10, 11, 12, 13].map(secretKey);
  const publicKeys = keys.map(blsPublicKey);
  const message = storageConfirmationMessage(3, randomBytes(32, 9), { kind: 'permanent' });

  it('signs and aggregates exactly like walrus-core', () => {
    const signatures = keys.map((key) => blsSign(key, message));
    signatures.forEach((signature, i) => {
      expect(blsVerify(signature, publicKeys[i], message)).toBe(true);
      expect(bls12381_min_pk_verify(signature, publicKeys[i], message)).toBe(true);
    });
    const aggregate = blsAggregateSignatures(signatures.slice(0, 3));
    expect(bytesToHex(aggregate)).toBe(
      bytesToHex(bls12381_min_pk_aggregate(signatures.slice(0, 3))),
    );
    expect(bls12381_min_pk_verify_aggregate(publicKeys.slice(0, 3), message, aggregate)).toBe(true);
    expect(blsVerify(signatures[0], publicKeys[1], message)).toBe(false);
    expect(blsVerify(new Uint8Array(96), publicKeys[0], message)).toBe(false);
  });

  it('accepts many signatures over one message with one aggregate check, naming bad ones', () => {
    const hashed = blsHashMessage(message);
    const signed = keys.map((key, i) => ({
      signature: blsSign(key, message),
      publicKey: publicKeys[i],
    }));
    expect(blsAcceptSameMessage(signed, hashed)).toEqual([true, true, true, true]);
    expect(blsAcceptSameMessage([], hashed)).toEqual([]);
    // Signed with another key, over another message, garbage, a point that is not one.
    const otherMessage = storageConfirmationMessage(4, randomBytes(32, 9), { kind: 'permanent' });
    const bad = [
      { ...signed[0], signature: blsSign(keys[1], message) },
      { ...signed[1], signature: blsSign(keys[1], otherMessage) },
      { ...signed[2], signature: randomBytes(96, 5) },
      { ...signed[3], signature: new Uint8Array(95) },
    ];
    for (let i = 0; i < bad.length; i++) {
      const mixed = signed.map((s, j) => (j === i ? bad[i] : s));
      expect(blsAcceptSameMessage(mixed, hashed)).toEqual(signed.map((_, j) => j !== i));
    }
    expect(blsAcceptSameMessage([bad[0]], hashed)).toEqual([false]);
    expect(blsAcceptSameMessage([signed[2]], hashed)).toEqual([true]);
    // What it vouches for is the chain's check: the aggregate of what it accepted verifies there.
    const aggregate = blsAggregateSignatures(signed.map((s) => s.signature));
    expect(bls12381_min_pk_verify_aggregate(publicKeys, message, aggregate)).toBe(true);
  });

  it('checks certificates by shard weight with an LSB-first signer bitmap', () => {
    // Weights 1, 3, 3, 3 of n = 10 shards: quorum is 3w ≥ 21, so w ≥ 7.
    const members = publicKeys.map((publicKey, i) => ({ publicKey, weight: i === 0 ? 1 : 3 }));
    const signatures = keys.map((key) => blsSign(key, message));
    const cert = (signers: number[]) => ({
      bitmap: signersBitmap(signers, 4),
      signature: blsAggregateSignatures(signers.map((i) => signatures[i])),
    });
    const ok = cert([0, 1, 2]);
    expect(bytesToHex(ok.bitmap)).toBe('07');
    expect(signersFromBitmap(ok.bitmap, 4)).toEqual([0, 1, 2]);
    expect(verifyCertificate(members, 10, ok.signature, ok.bitmap, message)).toBe(true);
    const light = cert([0, 1]);
    expect(verifyCertificate(members, 10, light.signature, light.bitmap, message)).toBe(false);
    expect(
      verifyCertificate(members, 10, light.signature, light.bitmap, message, 'one-correct-node'),
    ).toBe(true);
    expect(verifyCertificate(members, 10, ok.signature, signersBitmap([1, 2, 3], 4), message)).toBe(
      false,
    );
    expect(verifyCertificate(members, 10, ok.signature, Uint8Array.of(0x17), message)).toBe(false);
    expect(verifyCertificate(members, 10, ok.signature, Uint8Array.of(0x07, 0), message)).toBe(
      false,
    );
  });
});
