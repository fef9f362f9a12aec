/**
 * Sliver-pair ↔ shard mapping and the two sliver index conventions (docs/spec/encoding.md §3.4, §7).
 *
 * Sliver pair p holds primary sliver p and secondary sliver n − 1 − p; it is stored on shard
 * (p + offset) mod n, where offset is the blob ID read as a BIG-endian integer mod n.
 */
import { checkInteger } from '../assert.js';

export type SliverAxis = 'primary' | 'secondary';

/** The blob ID as a big-endian integer, mod n. */
export function rotationOffset(blobId: Uint8Array, nShards: number): number {
  let acc = 0;
  for (const byte of blobId) acc = (acc * 256 + byte) % nShards;
  return acc;
}

export function shardForPair(pairIndex: number, blobId: Uint8Array, nShards: number): number {
  checkInteger('pairIndex', pairIndex, 0, nShards - 1);
  return (pairIndex + rotationOffset(blobId, nShards)) % nShards;
}

export function pairForShard(shardIndex: number, blobId: Uint8Array, nShards: number): number {
  checkInteger('shardIndex', shardIndex, 0, nShards - 1);
  return (nShards + shardIndex - rotationOffset(blobId, nShards)) % nShards;
}

/** Sliver index on `axis` of sliver pair `pairIndex` (the reversal lives only here). */
export function sliverIndexOfPair(axis: SliverAxis, pairIndex: number, nShards: number): number {
  checkInteger('pairIndex', pairIndex, 0, nShards - 1);
  return axis === 'primary' ? pairIndex : nShards - 1 - pairIndex;
}

/** Sliver pair holding sliver `sliverIndex` of `axis`. */
export function pairOfSliverIndex(axis: SliverAxis, sliverIndex: number, nShards: number): number {
  checkInteger('sliverIndex', sliverIndex, 0, nShards - 1);
  return axis === 'primary' ? sliverIndex : nShards - 1 - sliverIndex;
}

export function otherAxis(axis: SliverAxis): SliverAxis {
  return axis === 'primary' ? 'secondary' : 'primary';
}
