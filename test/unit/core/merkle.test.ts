/** Walrus Merkle trees: proofs, their BCS, and roots assembled from aligned subtrees. */
import { describe, expect, it } from 'vitest';
import { DIGEST_BYTES } from '../../../core/hash/blake2b.js';
import {
  EMPTY_NODE,
  MerkleProofBcs,
  innerHash,
  leafHash,
  merkleProof,
  merkleRootOfLeafHashes,
  subtreeRoot,
  verifyMerkleProof,
  verifyMerkleProofs,
  type MerkleProofCheck,
} from '../../../core/merkle.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes } from '../../helpers/random.js';

function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_NODE;
  let level = leaves;
  while (level.length > 1) {
    if (level.length % 2 === 1) level = [...level, EMPTY_NODE];
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(innerHash(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

function leafTable(count: number, seed: number): { table: Uint8Array; leaves: Uint8Array[] } {
  const leaves = Array.from({ length: count }, (_, i) => leafHash(randomBytes(7, seed + i)));
  const table = new Uint8Array(count * DIGEST_BYTES);
  leaves.forEach((leaf, i) => table.set(leaf, i * DIGEST_BYTES));
  return { table, leaves };
}

describe('Merkle trees', () => {
  it('roots pad odd levels with the empty node', () => {
    for (const count of [1, 2, 3, 5, 7, 8, 13, 100]) {
      const { table, leaves } = leafTable(count, count);
      expectBytes(merkleRootOfLeafHashes(table, count), referenceRoot(leaves), `root of ${count}`);
    }
  });

  it('proves and verifies every leaf, and rejects wrong leaves, indices and paths', () => {
    for (const count of [1, 2, 3, 10, 33]) {
      const { table, leaves } = leafTable(count, 100 + count);
      const root = referenceRoot(leaves);
      for (let i = 0; i < count; i++) {
        const path = merkleProof(table, count, i);
        expect(path.length).toBe(count === 1 ? 0 : Math.ceil(Math.log2(count)));
        const wire = MerkleProofBcs.parse(MerkleProofBcs.serialize({ path }).toBytes()).path;
        expect(verifyMerkleProof(wire, leaves[i], i, count, root)).toBe(true);
        if (count > 1) {
          expect(verifyMerkleProof(path, leaves[i], (i + 1) % count, count, root)).toBe(false);
          expect(verifyMerkleProof(path, leaves[(i + 1) % count], i, count, root)).toBe(false);
          expect(verifyMerkleProof(path.slice(1), leaves[i], i, count, root)).toBe(false);
        }
        expect(
          verifyMerkleProof(
            [...path, path[0] ?? { $kind: 'Empty', Empty: true }],
            leaves[i],
            i,
            count,
            root,
          ),
        ).toBe(false);
        expect(verifyMerkleProof(path, leaves[i], count, count, root)).toBe(false);
      }
    }
  });

  it('verifies proofs in a batch exactly as one by one, good and bad mixed', () => {
    for (const count of [1, 2, 3, 10, 33, 100]) {
      const trees = [leafTable(count, 500 + count), leafTable(count, 900 + count)];
      const checks: MerkleProofCheck[] = [];
      trees.forEach(({ table, leaves }) => {
        const root = referenceRoot(leaves);
        for (let i = 0; i < count; i++) {
          const path = merkleProof(table, count, i);
          const other = (i + 1) % count;
          checks.push(
            { path, leafDigest: leaves[i], index: i, root },
            { path, leafDigest: leaves[other], index: i, root },
            { path, leafDigest: leaves[i], index: other, root },
            { path: path.slice(1), leafDigest: leaves[i], index: i, root },
            {
              path: [...path, { $kind: 'Empty', Empty: true }],
              leafDigest: leaves[i],
              index: i,
              root,
            },
            { path, leafDigest: leaves[i], index: count, root },
            { path, leafDigest: leaves[i], index: i, root: trees[0].leaves[0] },
          );
        }
      });
      const batch = verifyMerkleProofs(checks, count);
      const single = checks.map((c) =>
        verifyMerkleProof(c.path, c.leafDigest, c.index, count, c.root),
      );
      expect(batch).toEqual(single);
      // Every genuine proof holds, in both trees; the wrong leaf never does (past one leaf).
      expect(batch.filter((ok, k) => ok && k % 7 === 0).length).toBe(2 * count);
      if (count > 1) expect(batch.some((ok, k) => ok && k % 7 === 1)).toBe(false);
      expect(verifyMerkleProofs(checks.slice(0, 3), 0)).toEqual([false, false, false]);
    }
  });

  it('assembles the same root from aligned subtrees of height h, the last one partial', () => {
    for (const [count, height] of [
      [1000, 4],
      [1000, 7],
      [100, 1],
      [97, 5],
      [65, 6],
      [7, 0],
      [4, 2],
    ]) {
      const { table, leaves } = leafTable(count, count * 3 + height);
      const width = 2 ** height;
      const chunks = Math.ceil(count / width);
      const roots = new Uint8Array(chunks * DIGEST_BYTES);
      for (let q = 0; q < chunks; q++) {
        const first = q * width;
        subtreeRoot(
          table,
          first * DIGEST_BYTES,
          DIGEST_BYTES,
          Math.min(width, count - first),
          height,
          roots,
          q * DIGEST_BYTES,
        );
      }
      expectBytes(
        merkleRootOfLeafHashes(roots, chunks),
        referenceRoot(leaves),
        `n=${count} h=${height}`,
      );
    }
  });
});
