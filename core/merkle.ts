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
 * sliver, and rebuilding the tree for each was a tenth of its time. Each level is one contiguous
 * buffer, padded to an even count with the empty node, and is hashed into the next in one batch
 * (hashSymbols over 64-byte left ‖ right pairs): one hash call per node from JS made tree building
 * most of a node's work for a fresh blob's recovery-symbol request.
 */
export class MerkleTree {
  /** levels[0] holds the leaves; every level below the root, padded to an even node count. */
  private readonly levels: Uint8Array[] = [];
  /** Real (unpadded) nodes per level: a sibling at or past this index is the empty node. */
  private readonly counts: number[] = [];

  constructor(
    leafHashes: Uint8Array,
    readonly count: number,
  ) {
    checkInteger('count', count, 1, MERKLE_LEAVES_MAX);
    let nodes = count;
    let level = leafHashes.subarray(0, count * DIGEST_BYTES);
    while (nodes > 1) {
      const padded = nodes + (nodes % 2);
      if (padded !== nodes) {
        // Zero-filled past the real nodes: the empty node pads the odd level.
        const even = new Uint8Array(padded * DIGEST_BYTES);
        even.set(level);
        level = even;
      }
      this.levels.push(level);
      this.counts.push(nodes);
      const parents = padded / 2;
      const next = new Uint8Array(parents * DIGEST_BYTES);
      hashSymbols(INNER_PREFIX, level, 0, 2 * DIGEST_BYTES, parents, next, 0, DIGEST_BYTES);
      level = next;
      nodes = parents;
    }
  }

  /** The sibling path of leaf `index`, from the leaf level upward. */
  proof(index: number): MerkleNode[] {
    checkInteger('index', index, 0, this.count - 1);
    const path: MerkleNode[] = [];
    let position = index;
    for (let l = 0; l < this.levels.length; l++) {
      const sibling = position ^ 1;
      path.push(
        sibling >= this.counts[l]
          ? ({ $kind: 'Empty', Empty: true } as MerkleNode)
          : digestNode(
              this.levels[l].subarray(sibling * DIGEST_BYTES, (sibling + 1) * DIGEST_BYTES),
            ),
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

/** One proof for verifyMerkleProofs. */
export interface MerkleProofCheck {
  readonly path: readonly MerkleNode[];
  readonly leafDigest: Uint8Array;
  readonly index: number;
  readonly root: Uint8Array;
}

/**
 * verifyMerkleProof for many proofs of `count`-leaf trees (roots may differ), with the same checks
 * and results, but each level of all the paths hashed in one batch: a degraded read verifies a
 * proof per recovery symbol, thousands of them, and one hash call per node from JS was most of
 * that work.
 */
export function verifyMerkleProofs(checks: readonly MerkleProofCheck[], count: number): boolean[] {
  if (!Number.isInteger(count) || count < 1 || count > MERKLE_LEAVES_MAX) {
    return checks.map(() => false);
  }
  const depth = count <= 1 ? 0 : Math.ceil(Math.log2(count));
  const live = checks.map(({ path, index }) => {
    if (!Number.isInteger(index) || index < 0 || index >= count) return false;
    if (path.length > depth || path.length > MERKLE_PROOF_NODES_MAX) return false;
    return index >>> path.length === 0;
  });
  // Each proof's running node, side by side; a level's (left ‖ right) pairs are hashed together.
  const current = new Uint8Array(checks.length * DIGEST_BYTES);
  checks.forEach((check, i) => {
    if (live[i] && check.leafDigest.length === DIGEST_BYTES) {
      current.set(check.leafDigest, i * DIGEST_BYTES);
    } else live[i] = false;
  });
  const pairs = new Uint8Array(checks.length * 2 * DIGEST_BYTES);
  const hashed = new Uint8Array(checks.length * DIGEST_BYTES);
  const climbing: number[] = [];
  for (let level = 0; level < depth; level++) {
    climbing.length = 0;
    for (let i = 0; i < checks.length; i++) {
      if (!live[i] || checks[i].path.length <= level) continue;
      const sibling = nodeBytes(checks[i].path[level]);
      if (sibling.length !== DIGEST_BYTES) {
        // Only a hand-built node can be another size; it proves nothing.
        live[i] = false;
        continue;
      }
      const node = current.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
      const at = climbing.length * 2 * DIGEST_BYTES;
      const leftIsOurs = ((checks[i].index >>> level) & 1) === 0;
      pairs.set(leftIsOurs ? node : sibling, at);
      pairs.set(leftIsOurs ? sibling : node, at + DIGEST_BYTES);
      climbing.push(i);
    }
    if (climbing.length === 0) break;
    hashSymbols(INNER_PREFIX, pairs, 0, 2 * DIGEST_BYTES, climbing.length, hashed, 0, DIGEST_BYTES);
    climbing.forEach((i, k) =>
      current.set(hashed.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES), i * DIGEST_BYTES),
    );
  }
  return checks.map(
    (check, i) =>
      live[i] && bytesEqual(current.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES), check.root),
  );
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
