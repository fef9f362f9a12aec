/**
 * Pure helpers over a read `SystemState`: who holds which shard, member weights, and what the
 * Move code charges. No I/O.
 */
import { encodedBlobLength, STORAGE_UNIT_BYTES } from '../encoding/config.js';
import { pairForShard, shardForPair } from '../encoding/mapping.js';
import type { CommitteeMember, RegisterCost, SystemState } from './types.js';

/** What talking to storage nodes needs of the System: its epoch, shard count and committee. */
export type Committee = Pick<SystemState, 'epoch' | 'nShards' | 'members'>;

const ownersCache = new WeakMap<Committee, readonly CommitteeMember[]>();

/**
 * `owners[shard]` is the member holding `shard`. Empty when the committee is (epoch 0). Throws
 * RangeError if the committee does not assign every shard exactly once (a state Move forbids).
 */
export function shardOwners(system: Committee): readonly CommitteeMember[] {
  const cached = ownersCache.get(system);
  if (cached !== undefined) return cached;
  const owners: CommitteeMember[] = [];
  if (system.members.length > 0) {
    owners.length = system.nShards;
    for (const member of system.members) {
      for (const shard of member.shards) {
        if (
          !Number.isInteger(shard) ||
          shard < 0 ||
          shard >= system.nShards ||
          owners[shard] !== undefined
        ) {
          throw new RangeError(`committee assigns shard ${shard} twice or out of range`);
        }
        owners[shard] = member;
      }
    }
    for (let shard = 0; shard < system.nShards; shard++) {
      if (owners[shard] === undefined)
        throw new RangeError(`committee leaves shard ${shard} unassigned`);
    }
  }
  const frozen = Object.freeze(owners);
  ownersCache.set(system, frozen);
  return frozen;
}

export function shardOwner(system: Committee, shard: number): CommitteeMember {
  const owner = shardOwners(system)[shard];
  if (owner === undefined) throw new RangeError(`no committee member holds shard ${shard}`);
  return owner;
}

/** The member storing sliver pair `pairIndex` of a blob (its shard depends on the blob ID). */
export function pairOwner(
  system: Committee,
  blobId: Uint8Array,
  pairIndex: number,
): CommitteeMember {
  return shardOwner(system, shardForPair(pairIndex, blobId, system.nShards));
}

/** The sliver pairs `member` stores for a blob, one per shard it holds. */
export function pairsOfMember(
  system: Committee,
  member: CommitteeMember,
  blobId: Uint8Array,
): number[] {
  return member.shards.map((shard) => pairForShard(shard, blobId, system.nShards));
}

export function memberByNodeId(system: SystemState, nodeId: string): CommitteeMember | undefined {
  return system.members.find((member) => member.nodeId === nodeId);
}

/** Shards held by `nodeId` in the current committee; 0 for a non-member. */
export function memberWeight(system: SystemState, nodeId: string): number {
  return memberByNodeId(system, nodeId)?.weight ?? 0;
}

/** Total weight of the members at `indices` (positions in `system.members`). */
export function signersWeight(system: SystemState, indices: readonly number[]): number {
  let weight = 0;
  for (const index of indices) {
    const member = system.members[index];
    if (member === undefined) throw new RangeError(`signer ${index} is not a member`);
    weight += member.weight;
  }
  return weight;
}

// ---- Prices: keep in sync with move/sources/system.move (storage_units, storage_cost, write_cost)

/** `ceil(bytes / 1 MiB)`, 0 for 0: Move's `system::storage_units`. */
export function storageUnitsOfBytes(bytes: bigint): bigint {
  if (bytes < 0n) throw new RangeError('bytes must not be negative');
  const unit = BigInt(STORAGE_UNIT_BYTES);
  return bytes === 0n ? 0n : (bytes - 1n) / unit + 1n;
}

/** What `reserve_space(storage_amount, epochs)` (and `extend_blob`) charge. */
export function storageCostMist(system: SystemState, storageBytes: bigint, epochs: number): bigint {
  return storageUnitsOfBytes(storageBytes) * system.storagePricePerUnitMist * BigInt(epochs);
}

/** What `register_blob` charges for a blob of `size` unencoded bytes. */
export function writeCostMist(system: SystemState, size: number): bigint {
  return (
    storageUnitsOfBytes(BigInt(encodedBlobLength(size, system.nShards))) *
    system.writePricePerUnitMist
  );
}

/** Reserve plus register, as one PTB pays it. `encodedLength` defaults to the least that fits. */
export function registerCost(
  system: SystemState,
  params: { readonly size: number; readonly epochs: number; readonly encodedLength?: bigint },
): RegisterCost {
  const encodedLength =
    params.encodedLength ?? BigInt(encodedBlobLength(params.size, system.nShards));
  const storageMist = storageCostMist(system, encodedLength, params.epochs);
  const writeMist = writeCostMist(system, params.size);
  return { encodedLength, storageMist, writeMist, totalMist: storageMist + writeMist };
}
