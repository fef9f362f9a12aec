/**
 * What a client needs to know of the committee to talk to storage nodes: who holds which shard.
 * Built from the chain's System object (core/chain) or from a devnet's network.json.
 */
import { pairForShard, shardForPair } from '../core/encoding/mapping.js';

export interface CommitteeMember {
  /** The node's REST API base URL. */
  readonly url: string;
  readonly shards: readonly number[];
}

export interface CommitteeView {
  readonly epoch: number;
  readonly nShards: number;
  /** In on-chain member order (the order certificate bitmaps use). */
  readonly members: readonly CommitteeMember[];
}

/** shard index → member index; throws if the committee does not cover every shard exactly once. */
export function shardOwners(committee: CommitteeView): Int32Array {
  const owners = new Int32Array(committee.nShards).fill(-1);
  committee.members.forEach((member, index) => {
    for (const shard of member.shards) {
      if (
        !Number.isInteger(shard) ||
        shard < 0 ||
        shard >= committee.nShards ||
        owners[shard] !== -1
      ) {
        throw new RangeError(`committee assigns shard ${shard} badly`);
      }
      owners[shard] = index;
    }
  });
  if (owners.includes(-1)) throw new RangeError('committee leaves a shard unassigned');
  return owners;
}

/** The member holding sliver pair `pairIndex` of a blob. */
export function memberForPair(owners: Int32Array, blobId: Uint8Array, pairIndex: number): number {
  return owners[shardForPair(pairIndex, blobId, owners.length)];
}

/** The sliver pairs a member stores for a blob, one per shard it holds. */
export function pairsOfMember(
  committee: CommitteeView,
  memberIndex: number,
  blobId: Uint8Array,
): number[] {
  return committee.members[memberIndex].shards.map((shard) =>
    pairForShard(shard, blobId, committee.nShards),
  );
}

/** The client's view of the committee a chain System state describes. */
export function committeeViewOf(system: {
  readonly epoch: number;
  readonly nShards: number;
  readonly members: readonly {
    readonly networkAddress: string;
    readonly shards: readonly number[];
  }[];
}): CommitteeView {
  return {
    epoch: system.epoch,
    nShards: system.nShards,
    members: system.members.map((member) => ({
      url: member.networkAddress,
      shards: member.shards,
    })),
  };
}
