/**
 * Mirror of `walrus_edge::committee` (move/sources/committee.move): the shard assignment, node id
 * → shard indices sorted by node id, with `initialize` (sequential) and the minimal-move
 * `transition`.
 */
import { bcs } from '@mysten/sui/bcs';
import { vecMapLayout } from '../ledger/framework.js';
import type { CallContext, FunctionDef, ModuleDef } from '../ledger/registry.js';
import {
  arithmeticError,
  ensure,
  ID_TYPE,
  internal,
  recordFunctionOrder,
  returnsReference,
  typeName,
  u16,
} from './common.js';

const M = 'committee';

// Move: committee abort codes.
export const EInvalidShardAssignment = 0;

export const COMMITTEE_TYPE = typeName(M, 'Committee');

/** Positional struct `Committee(VecMap<ID, vector<u16>>)`: one field, named `pos0` as Sui does. */
export const COMMITTEE = bcs.struct('Committee', {
  pos0: vecMapLayout(bcs.Address, bcs.vector(bcs.u16())),
});

export interface CommitteeEntry {
  key: string;
  value: number[];
}

export interface CommitteeFields {
  pos0: { contents: CommitteeEntry[] };
}

// Move: walrus_edge::committee::empty
export function empty(): CommitteeFields {
  return { pos0: { contents: [] } };
}

// Move: walrus_edge::committee::id_less_than
export function idLessThan(a: string, b: string): boolean {
  return BigInt(a) < BigInt(b);
}

// Move: walrus_edge::committee::sorted_assignment (insertion sort, then the duplicate check)
function sortedAssignment(
  ctx: CallContext,
  nodeIds: readonly string[],
  shardCounts: readonly number[],
): { ids: string[]; counts: number[] } {
  const fn = 'sorted_assignment';
  ensure(ctx, nodeIds.length === shardCounts.length, M, fn, EInvalidShardAssignment);
  const ids = [...nodeIds];
  const counts = [...shardCounts];
  for (let i = 1; i < ids.length; i++) {
    for (let j = i; j > 0 && idLessThan(ids[j], ids[j - 1]); j--) {
      [ids[j], ids[j - 1]] = [ids[j - 1], ids[j]];
      [counts[j], counts[j - 1]] = [counts[j - 1], counts[j]];
    }
  }
  for (let k = 1; k < ids.length; k++) {
    ensure(ctx, BigInt(ids[k]) !== BigInt(ids[k - 1]), M, fn, EInvalidShardAssignment);
  }
  return { ids, counts };
}

// Move: walrus_edge::committee::sum_counts
function sumCounts(counts: readonly number[]): number {
  return counts.reduce((total, count) => total + count, 0);
}

// Move: walrus_edge::committee::count_of
function countOf(ids: readonly string[], counts: readonly number[], nodeId: string): number {
  const index = ids.findIndex((id) => BigInt(id) === BigInt(nodeId));
  return index < 0 ? 0 : counts[index];
}

// Move: walrus_edge::committee::initialize
export function initialize(
  ctx: CallContext,
  nodeIds: readonly string[],
  shardCounts: readonly number[],
  nShards: number,
): CommitteeFields {
  const { ids, counts } = sortedAssignment(ctx, nodeIds, shardCounts);
  ensure(ctx, sumCounts(counts) === nShards, M, 'initialize', EInvalidShardAssignment);
  const contents: CommitteeEntry[] = [];
  let nextShard = 0;
  ids.forEach((id, i) => {
    const count = counts[i];
    if (count === 0) return;
    const held: number[] = [];
    for (let c = 0; c < count; c++) {
      held.push(nextShard);
      nextShard = u16(nextShard + 1, M, 'initialize');
    }
    contents.push({ key: id, value: held });
  });
  return { pos0: { contents } };
}

// Move: walrus_edge::committee::transition
export function transition(
  ctx: CallContext,
  self: CommitteeFields,
  nodeIds: readonly string[],
  shardCounts: readonly number[],
): CommitteeFields {
  const { ids, counts } = sortedAssignment(ctx, nodeIds, shardCounts);
  ensure(ctx, sumCounts(counts) === nShardsOf(self), M, 'transition', EInvalidShardAssignment);

  // 1. Release shards from nodes that shrink or leave.
  const released: number[] = [];
  const kept = new Map<string, number[]>();
  for (const entry of self.pos0.contents) {
    const newCount = countOf(ids, counts, entry.key);
    const held = [...entry.value];
    while (held.length > newCount) released.push(held.pop()!);
    if (held.length > 0) kept.set(entry.key, held);
  }

  // 2. Hand released shards to nodes that grow or join, in node-id order.
  const contents: CommitteeEntry[] = [];
  ids.forEach((id, i) => {
    const count = counts[i];
    if (count === 0) return;
    const held = kept.get(id) ?? [];
    kept.delete(id);
    while (held.length < count) {
      const shard = released.pop();
      if (shard === undefined) arithmeticError(M, 'transition'); // vector::pop_back on empty
      held.push(shard);
    }
    contents.push({ key: id, value: held });
  });
  return { pos0: { contents } };
}

// Move: walrus_edge::committee::n_shards
export function nShardsOf(self: CommitteeFields): number {
  let total = 0;
  for (const entry of self.pos0.contents) total = u16(total + entry.value.length, M, 'n_shards');
  return total;
}

// Move: walrus_edge::committee::is_empty
export function isEmpty(self: CommitteeFields): boolean {
  return self.pos0.contents.length === 0;
}

// Move: walrus_edge::committee::contains
export function containsNode(self: CommitteeFields, nodeId: string): boolean {
  return self.pos0.contents.some((entry) => BigInt(entry.key) === BigInt(nodeId));
}

// Move: walrus_edge::committee::shards_of
export function shardsOf(self: CommitteeFields, nodeId: string): number[] {
  const entry = self.pos0.contents.find((e) => BigInt(e.key) === BigInt(nodeId));
  return entry === undefined ? [] : [...entry.value];
}

// Move: walrus_edge::committee::node_ids
export function nodeIds(self: CommitteeFields): string[] {
  return self.pos0.contents.map((entry) => entry.key);
}

const C = COMMITTEE_TYPE;

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::committee::empty
  empty: { params: [], returns: [C], execute: () => empty() },
  // Move: walrus_edge::committee::initialize
  initialize: {
    params: [`vector<${ID_TYPE}>`, 'vector<u16>', 'u16'],
    returns: [C],
    execute: (ctx, [ids, counts, n]: [string[], number[], number]) =>
      initialize(ctx, ids, counts, n),
  },
  // Move: walrus_edge::committee::transition
  transition: {
    params: [`&${C}`, `vector<${ID_TYPE}>`, 'vector<u16>'],
    returns: [C],
    execute: (ctx, [self, ids, counts]: [CommitteeFields, string[], number[]]) =>
      transition(ctx, self, ids, counts),
  },
  // Move: walrus_edge::committee::n_shards
  n_shards: {
    params: [`&${C}`],
    returns: ['u16'],
    execute: (_ctx, [self]: [CommitteeFields]) => nShardsOf(self),
  },
  // Move: walrus_edge::committee::size
  size: {
    params: [`&${C}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [CommitteeFields]) => String(self.pos0.contents.length),
  },
  // Move: walrus_edge::committee::is_empty
  is_empty: {
    params: [`&${C}`],
    returns: ['bool'],
    execute: (_ctx, [self]: [CommitteeFields]) => isEmpty(self),
  },
  // Move: walrus_edge::committee::contains
  contains: {
    params: [`&${C}`, `&${ID_TYPE}`],
    returns: ['bool'],
    execute: (_ctx, [self, id]: [CommitteeFields, string]) => containsNode(self, id),
  },
  // Move: walrus_edge::committee::shards_of
  shards_of: {
    params: [`&${C}`, `&${ID_TYPE}`],
    returns: ['vector<u16>'],
    execute: (_ctx, [self, id]: [CommitteeFields, string]) => shardsOf(self, id),
  },
  // Move: walrus_edge::committee::node_ids
  node_ids: {
    params: [`&${C}`],
    returns: [`vector<${ID_TYPE}>`],
    execute: (_ctx, [self]: [CommitteeFields]) => nodeIds(self),
  },
  // Move: walrus_edge::committee::inner (returns a reference)
  inner: returnsReference([`&${C}`], `0x2::vec_map::VecMap<${ID_TYPE}, vector<u16>>`),
  // Move: walrus_edge::committee::id_less_than
  id_less_than: {
    params: [`&${ID_TYPE}`, `&${ID_TYPE}`],
    returns: ['bool'],
    execute: (_ctx, [a, b]: [string, string]) => idLessThan(a, b),
  },
  // Move: walrus_edge::committee::sorted_assignment (private)
  sorted_assignment: internal(
    [`vector<${ID_TYPE}>`, 'vector<u16>'],
    [`vector<${ID_TYPE}>`, 'vector<u16>'],
  ),
  // Move: walrus_edge::committee::sum_counts (private)
  sum_counts: internal(['&vector<u16>'], ['u64']),
  // Move: walrus_edge::committee::count_of (private)
  count_of: internal([`&vector<${ID_TYPE}>`, '&vector<u16>', `&${ID_TYPE}`], ['u16']),
};
recordFunctionOrder(M, functions);

export const committeeModule: ModuleDef = {
  structs: { Committee: { abilities: ['copy', 'drop', 'store'], layout: COMMITTEE } },
  functions,
};
