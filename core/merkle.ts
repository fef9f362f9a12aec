/**
 * Walrus Merkle trees (docs/spec/encoding.md §5, walrus-core `merkle.rs`).
 *
 * Leaves are hashed as H(0x00 ‖ leaf), inner nodes as H(0x01 ‖ left ‖ right) with BLAKE2b-256. At
 * every level with an odd number of nodes the literal 32-zero-byte node is appended — this is not
 * the same as padding the leaves to a power of two.
 */
import { bytesEqual } from './bytes.js';
import { bcs } from '@mysten/bcs';
import { checkInteger } from './assert.js';
import { DIGEST_BYTES, blake2b256, hashSymbols, merkleRootOfLeaves } from './hash/blake2b.js';

export const LEAF_PREFIX = 0x00;
export const INNER_PREFIX = 0x01;
/** The empty node: 32 zero bytes wherever node bytes are hashed. */
export const EMPTY_NODE = new Uint8Array(DIGEST_BYTES);
/** A u16 sliver index bounds every tree we build or check: at most 65 535 leaves, 16 levels. */
export const MERKLE_LEAVES_MAX = 65_535;
export const MERKLE_PROOF_NODES_MAX = 16;

/** BCS `Node`: `Empty` (0x00) or `Digest` (0x01 ‖ 32 bytes). */
export const MerkleNodeBcs = bcs.enum('Node', {
  Empty: null,
  Digest: bcs.bytes(DIGEST_BYTES),
});
/** BCS `MerkleProof`: the sibling path from the leaf level upward. */
export const MerkleProofBcs = bcs.struct('MerkleProof', { path: bcs.vector(MerkleNodeBcs) });

export type MerkleNode = typeof MerkleNodeBcs.$inferType;

export function nodeBytes(node: MerkleNode): Uint8Array {
  return node.$kind === 'Empty' ? EMPTY_NODE : node.Digest;
}

export function digestNode(digest: Uint8Array): MerkleNode {
  return { $kind: 'Digest', Digest: digest } as MerkleNode;
}

export function leafHash(leaf: Uint8Array): Uint8Array {
  return blake2b256(Uint8Array.of(LEAF_PREFIX), leaf);
}

export function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return blake2b256(Uint8Array.of(INNER_PREFIX), left, right);
}

/** Merkle root over already-hashed leaves stored contiguously, 32 bytes each. */
export function merkleRootOfLeafHashes(leafHashes: Uint8Array, count: number): Uint8Array {
  const root = new Uint8Array(DIGEST_BYTES);
  merkleRootOfLeaves(leafHashes, 0, DIGEST_BYTES, count, root, 0);
  return root;
}

/**
 * The root of the subtree of height `height` whose first `count` leaf hashes (1 ≤ count ≤ 2^height)
 * are at leaves[offset + i·stride], as a node of a larger tree in which this subtree is the LAST
 * one (the only one allowed to be partial). Lets a tree be built from aligned chunks of leaves:
 * a partial chunk's own root is hashed up with empty siblings, exactly as the whole tree would pad
 * its odd levels there.
 */
export function subtreeRoot(
  leaves: Uint8Array,
  offset: number,
  stride: number,
  count: number,
  height: number,
  out: Uint8Array,
  outOffset: number,
): void {
  checkInteger('height', height, 0, MERKLE_PROOF_NODES_MAX);
  checkInteger('count', count, 1, 2 ** height);
  merkleRootOfLeaves(leaves, offset, stride, count, out, outOffset);
  const ownHeight = Math.ceil(Math.log2(count));
  let node = out.subarray(outOffset, outOffset + DIGEST_BYTES);
  for (let level = ownHeight; level < height; level++) node = innerHash(node, EMPTY_NODE);
  out.set(node, outOffset);
}

/** Leaf hashes of `count` equal-size symbols stored contiguously. */
export function leafHashesOfSymbols(
  symbols: Uint8Array,
  symbolBytes: number,
  count: number,
): Uint8Array {
  const out = new Uint8Array(count * DIGEST_BYTES);
  hashSymbols(LEAF_PREFIX, symbols, 0, symbolBytes, count, out, 0, DIGEST_BYTES);
  return out;
}

/**
 * The tree over `count` leaf hashes (32 bytes each), every level kept, so that proofs cost a lookup
 * each: a node answering a recovery-symbol request gives one proof per target row from the same
 * sliver, and rebuilding the tree for each was a tenth of its time.
 */
export class MerkleTree {
  /** levels[0] are the leaves; each level is padded to even length with EMPTY_NODE. */
  private readonly levels: Uint8Array[][] = [];

  constructor(
    leafHashes: Uint8Array,
    readonly count: number,
  ) {
    checkInteger('count', count, 1, MERKLE_LEAVES_MAX);
    let level: Uint8Array[] = [];
    for (let i = 0; i < count; i++)
      level.push(leafHashes.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES));
    while (level.length > 1) {
      if (level.length % 2 === 1) level.push(EMPTY_NODE);
      this.levels.push(level);
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(innerHash(level[i], level[i + 1]));
      level = next;
    }
  }

  /** The sibling path of leaf `index`, from the leaf level upward. */
  proof(index: number): MerkleNode[] {
    checkInteger('index', index, 0, this.count - 1);
    const path: MerkleNode[] = [];
    let position = index;
    for (const level of this.levels) {
      const sibling = level[position ^ 1];
      path.push(
        sibling === EMPTY_NODE
          ? ({ $kind: 'Empty', Empty: true } as MerkleNode)
          : digestNode(sibling),
      );
      position >>>= 1;
    }
    return path;
  }
}

/** The sibling path of leaf `index` in the tree over `count` leaf hashes (32 bytes each). */
export function merkleProof(leafHashes: Uint8Array, count: number, index: number): MerkleNode[] {
  return new MerkleTree(leafHashes, count).proof(index);
}

/**
 * Checks that `leafDigest` (an already-hashed leaf) sits at `index` of a `count`-leaf tree with
 * `root`. Cheap checks first: the path may not be longer than the tree is deep, and the index must
 * be consumed by the path, before any hashing.
 */
export function verifyMerkleProof(
  path: readonly MerkleNode[],
  leafDigest: Uint8Array,
  index: number,
  count: number,
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(count) || count < 1 || count > MERKLE_LEAVES_MAX) return false;
  if (!Number.isInteger(index) || index < 0 || index >= count) return false;
  const depth = count <= 1 ? 0 : Math.ceil(Math.log2(count));
  if (path.length > depth || path.length > MERKLE_PROOF_NODES_MAX) return false;
  if (index >>> path.length !== 0) return false;
  let current = leafDigest;
  let position = index;
  for (const node of path) {
    const sibling = nodeBytes(node);
    current = position % 2 === 0 ? innerHash(current, sibling) : innerHash(sibling, current);
    position >>>= 1;
  }
  return bytesEqual(current, root);
}
