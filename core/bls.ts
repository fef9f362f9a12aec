/**
 * BLS12-381 min_pk signatures as Walrus and Sui use them (docs/spec/api.md §2.2–2.4, docs/spec/contracts.md §4.3):
 * 48-byte compressed G1 public keys, 96-byte compressed G2 signatures, DST
 * BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_, signing the message bytes directly. Aggregates are
 * point sums; certificates name their signers with an LSB-first bitmap over committee members.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';

export const BLS_SIGNATURE_BYTES = 96;
export const BLS_PUBLIC_KEY_BYTES = 48;
export const BLS_SECRET_KEY_BYTES = 32;

const scheme = bls12_381.longSignatures;

export function blsPublicKey(secretKey: Uint8Array): Uint8Array {
  return scheme.getPublicKey(secretKey).toBytes(true);
}

export function blsRandomSecretKey(): Uint8Array {
  return bls12_381.utils.randomSecretKey();
}

export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return scheme.sign(scheme.hash(message), secretKey).toBytes(true);
}

/** False for a wrong signature; false (not a throw) for malformed points too, as input is hostile. */
export function blsVerify(
  signature: Uint8Array,
  publicKey: Uint8Array,
  message: Uint8Array,
): boolean {
  // Sizes first: a malformed input costs nothing, not a hash to the curve.
  if (signature.length !== BLS_SIGNATURE_BYTES || publicKey.length !== BLS_PUBLIC_KEY_BYTES)
    return false;
  return blsVerifyHashed(signature, publicKey, blsHashMessage(message));
}

/**
 * A message hashed to G2 once, for checking many signatures over it: hashing to the curve costs
 * about a third of a verification, and every confirmation of a blob signs the same message.
 */
export interface BlsHashedMessage {
  readonly point: ReturnType<typeof scheme.hash>;
}

export function blsHashMessage(message: Uint8Array): BlsHashedMessage {
  return { point: scheme.hash(message) };
}

/** blsVerify over a message hashed once (blsHashMessage). */
export function blsVerifyHashed(
  signature: Uint8Array,
  publicKey: Uint8Array,
  hashed: BlsHashedMessage,
): boolean {
  if (signature.length !== BLS_SIGNATURE_BYTES || publicKey.length !== BLS_PUBLIC_KEY_BYTES)
    return false;
  try {
    return scheme.verify(signature, hashed.point, publicKey);
  } catch {
    return false;
  }
}

export interface BlsSigned {
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Which of several signatures over one message to accept, at the cost of one pairing check when
 * all are good: the aggregate signature is checked under the aggregate key — exactly the check the
 * chain makes of a certificate built from them (keys are registered with a proof of possession,
 * so no rogue key can be slipped into the sum). Only when that fails is each checked on its own,
 * to name the bad ones. Malformed signatures or keys are rejected, never thrown.
 */
export function blsAcceptSameMessage(
  signed: readonly BlsSigned[],
  hashed: BlsHashedMessage,
): boolean[] {
  if (signed.length === 0) return [];
  if (signed.length > 1) {
    try {
      const signature = scheme
        .aggregateSignatures(signed.map((s) => scheme.Signature.fromBytes(s.signature)))
        .toBytes(true);
      const publicKey = blsAggregatePublicKeys(signed.map((s) => s.publicKey));
      if (blsVerifyHashed(signature, publicKey, hashed)) return signed.map(() => true);
    } catch {
      // A malformed point: the checks one by one below name it.
    }
  }
  return signed.map((s) => blsVerifyHashed(s.signature, s.publicKey, hashed));
}

export function blsAggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array {
  if (signatures.length === 0) throw new RangeError('cannot aggregate zero signatures');
  return scheme
    .aggregateSignatures(signatures.map((s) => scheme.Signature.fromBytes(s)))
    .toBytes(true);
}

export function blsAggregatePublicKeys(publicKeys: readonly Uint8Array[]): Uint8Array {
  if (publicKeys.length === 0) throw new RangeError('cannot aggregate zero public keys');
  return scheme
    .aggregatePublicKeys(publicKeys.map((k) => bls12_381.G1.Point.fromBytes(k)))
    .toBytes(true);
}

/** LSB-first bitmap: bit j of byte k marks member 8k + j. */
export function signersBitmap(signerIndices: readonly number[], memberCount: number): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(memberCount / 8));
  for (const index of signerIndices) {
    if (!Number.isInteger(index) || index < 0 || index >= memberCount)
      throw new RangeError(`signer ${index} is not a member`);
    bitmap[index >>> 3] |= 1 << (index & 7);
  }
  return bitmap;
}

/** Member indices set in a bitmap; throws on bits past the member count or an over-long bitmap. */
export function signersFromBitmap(bitmap: Uint8Array, memberCount: number): number[] {
  if (bitmap.length > Math.ceil(memberCount / 8))
    throw new RangeError('signer bitmap longer than the committee');
  const signers: number[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) {
    if ((bitmap[i >>> 3] >>> (i & 7)) & 1) {
      if (i >= memberCount) throw new RangeError('signer bitmap marks a member past the committee');
      signers.push(i);
    }
  }
  return signers;
}

/** On-chain quorum by shard weight: 3w ≥ 2n + 1. */
export function isQuorumWeight(weight: number, nShards: number): boolean {
  return 3 * weight >= 2 * nShards + 1;
}

/** On-chain "includes one correct node": 3w ≥ n + 1. */
export function includesOneCorrectNode(weight: number, nShards: number): boolean {
  return 3 * weight >= nShards + 1;
}

export interface CommitteeMemberKey {
  readonly publicKey: Uint8Array;
  /** Shards held: the member's weight. */
  readonly weight: number;
}

export interface Certificate {
  readonly signers: readonly number[];
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Checks a certificate as `bls_aggregate.move` does: bitmap well-formed, weight enough (before the
 * pairing), then the aggregate of the signers' keys verifies the aggregate signature.
 */
export function verifyCertificate(
  members: readonly CommitteeMemberKey[],
  nShards: number,
  signature: Uint8Array,
  bitmap: Uint8Array,
  message: Uint8Array,
  threshold: 'quorum' | 'one-correct-node' = 'quorum',
): boolean {
  let signers: number[];
  try {
    signers = signersFromBitmap(bitmap, members.length);
  } catch {
    return false;
  }
  if (signers.length === 0) return false;
  const weight = signers.reduce((sum, i) => sum + members[i].weight, 0);
  const enough =
    threshold === 'quorum'
      ? isQuorumWeight(weight, nShards)
      : includesOneCorrectNode(weight, nShards);
  if (!enough) return false;
  try {
    return blsVerify(
      signature,
      blsAggregatePublicKeys(signers.map((i) => members[i].publicKey)),
      message,
    );
  } catch {
    return false;
  }
}
