/**
 * The root hash over a blob's sliver hashes (docs/spec/encoding.md §6.2), apart from metadata.ts so
 * that the encoder, which runs in worker threads, does not load @mysten/bcs for it (~50·10^6
 * instructions of module loading per thread).
 */
import {
  DIGEST_BYTES,
  MERKLE_LEAF_PREFIX,
  hashSymbols,
  merkleRootOfLeaves,
} from '../hash/blake2b.js';

/** Merkle root over the pair leaves H(0x00 ‖ primary_hash ‖ secondary_hash). */
export function rootHashOfSliverHashes(sliverHashes: Uint8Array, nShards: number): Uint8Array {
  const pairLeaves = new Uint8Array(nShards * DIGEST_BYTES);
  const pairBytes = 2 * DIGEST_BYTES;
  hashSymbols(MERKLE_LEAF_PREFIX, sliverHashes, 0, pairBytes, nShards, pairLeaves, 0, DIGEST_BYTES);
  const root = new Uint8Array(DIGEST_BYTES);
  merkleRootOfLeaves(pairLeaves, 0, DIGEST_BYTES, nShards, root, 0);
  return root;
}
