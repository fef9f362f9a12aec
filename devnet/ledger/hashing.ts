/**
 * Sui's hashing conventions: Blake2b-256 over a type-name prefix (`"Name::" ‖ bytes`) for
 * digests, and the intent-scoped hash that derives a created object's ID from its transaction.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { fromBase58, toHex } from '@mysten/sui/utils';

/** Blake2b-256 of `"<name>::" ‖ data`, Sui's `BcsSignable` digest. */
export function hashTyped(name: string, data: Uint8Array): Uint8Array {
  const hash = blake2b.create({ dkLen: 32 });
  hash.update(new TextEncoder().encode(`${name}::`));
  hash.update(data);
  return hash.digest();
}

/** `HashingIntentScope::RegularObjectId` in Sui's `shared_crypto::intent`. */
const REGULAR_OBJECT_ID_SCOPE = 0xf1;

/**
 * Sui's `ObjectID::derive_id(tx_digest, creation_num)`: Blake2b-256 over the scope byte, the 32
 * digest bytes and the little-endian u64 counter of IDs this transaction created so far.
 */
export function deriveObjectId(txDigest: string, creationNum: number): string {
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(creationNum), true);
  const hash = blake2b.create({ dkLen: 32 });
  hash.update(new Uint8Array([REGULAR_OBJECT_ID_SCOPE]));
  hash.update(fromBase58(txDigest));
  hash.update(counter);
  return `0x${toHex(hash.digest())}`;
}
