/**
 * Mirror of `walrus_edge::bls_aggregate` (move/sources/bls_aggregate.move): the signing committee
 * of one epoch and the bitmap certificate check. Group operations are @noble/curves' BLS12-381
 * (the curve `sui::bls12381` uses); the final pairing check is `core/bls.ts blsVerify` (min_pk).
 */
import { bcs } from '@mysten/sui/bcs';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { blsVerify } from '../../core/bls.js';
import type { CallContext, FunctionDef, ModuleDef } from '../ledger/registry.js';
import {
  ensure,
  ID_TYPE,
  internal,
  recordFunctionOrder,
  returnsReference,
  typeName,
  u16,
} from './common.js';
import {
  CERTIFIED_MESSAGE_TYPE,
  newCertifiedMessage,
  type CertifiedMessageFields,
} from './messages.js';

const M = 'bls_aggregate';

// Move: bls_aggregate abort codes.
export const EInvalidBitmap = 0;
export const ESigVerification = 1;
export const ENotEnoughStake = 2;
export const EIncorrectCommittee = 3;

export const BLS_COMMITTEE_TYPE = typeName(M, 'BlsCommittee');
export const BLS_COMMITTEE_MEMBER_TYPE = typeName(M, 'BlsCommitteeMember');
export const REQUIRED_WEIGHT_TYPE = typeName(M, 'RequiredWeight');
const ELEMENT_G1 = '0x2::group_ops::Element<0x2::bls12381::G1>';
const ELEMENT_UNCOMPRESSED_G1 = '0x2::group_ops::Element<0x2::bls12381::UncompressedG1>';

/** `sui::group_ops::Element<T>`: `{ bytes: vector<u8> }`. */
export const ELEMENT = bcs.struct('Element', { bytes: bcs.byteVector() });
/** BCS field order: public_key, weight, node_id. */
export const BLS_COMMITTEE_MEMBER = bcs.struct('BlsCommitteeMember', {
  public_key: ELEMENT,
  weight: bcs.u16(),
  node_id: bcs.Address,
});
/** BCS field order: members, n_shards, epoch, total_aggregated_key. */
export const BLS_COMMITTEE = bcs.struct('BlsCommittee', {
  members: bcs.vector(BLS_COMMITTEE_MEMBER),
  n_shards: bcs.u16(),
  epoch: bcs.u32(),
  total_aggregated_key: ELEMENT,
});

export interface ElementFields {
  bytes: Uint8Array;
}

export interface BlsCommitteeMemberFields {
  /** 96-byte uncompressed G1 point. */
  public_key: ElementFields;
  weight: number;
  node_id: string;
}

export interface BlsCommitteeFields {
  members: BlsCommitteeMemberFields[];
  n_shards: number;
  epoch: number;
  /** 48-byte compressed G1 point. */
  total_aggregated_key: ElementFields;
}

export type RequiredWeight = 'Quorum' | 'OneCorrectNode';

const G1 = bls12_381.G1.Point;
type G1Point = InstanceType<typeof G1>;

/** `bls12381::uncompressed_g1_sum`: the sum of 96-byte points (the identity when empty). */
function uncompressedSum(keys: readonly ElementFields[]): G1Point {
  return keys.reduce((sum: G1Point, key) => sum.add(G1.fromBytes(key.bytes)), G1.ZERO);
}

/** `bls12381::g1_to_uncompressed_g1(&bls12381::g1_from_bytes(key))` for a 48-byte key. */
export function uncompressG1(compressed: Uint8Array): Uint8Array {
  return G1.fromBytes(compressed).toBytes(false);
}

/** `bls12381::uncompressed_g1_to_g1`, as 48 compressed bytes. */
export function compressG1(uncompressed: Uint8Array): Uint8Array {
  return G1.fromBytes(uncompressed).toBytes(true);
}

// ---- Package-only constructors ----

// Move: walrus_edge::bls_aggregate::new_bls_committee
export function newBlsCommittee(
  ctx: CallContext,
  epoch: number,
  members: BlsCommitteeMemberFields[],
): BlsCommitteeFields {
  let nShards = 0;
  for (const member of members) {
    ensure(ctx, member.weight > 0, M, 'new_bls_committee', EIncorrectCommittee);
    nShards = u16(nShards + member.weight, M, 'new_bls_committee');
  }
  const total = uncompressedSum(members.map((member) => member.public_key));
  return {
    members,
    n_shards: nShards,
    epoch,
    total_aggregated_key: { bytes: total.toBytes(true) },
  };
}

// Move: walrus_edge::bls_aggregate::empty_committee
export function emptyCommittee(ctx: CallContext): BlsCommitteeFields {
  return newBlsCommittee(ctx, 0, []);
}

// Move: walrus_edge::bls_aggregate::new_bls_committee_member
export function newBlsCommitteeMember(
  publicKey: ElementFields,
  weight: number,
  nodeId: string,
): BlsCommitteeMemberFields {
  return { public_key: publicKey, weight, node_id: nodeId };
}

// ---- Accessors and weight rules ----

// Move: walrus_edge::bls_aggregate::find_index
export function findIndex(self: BlsCommitteeFields, nodeId: string): number | null {
  const index = self.members.findIndex((member) => member.node_id === nodeId);
  return index < 0 ? null : index;
}

// Move: walrus_edge::bls_aggregate::contains
export function contains(self: BlsCommitteeFields, nodeId: string): boolean {
  return findIndex(self, nodeId) !== null;
}

// Move: walrus_edge::bls_aggregate::get_member_weight
export function getMemberWeight(self: BlsCommitteeFields, nodeId: string): number {
  const index = findIndex(self, nodeId);
  return index === null ? 0 : self.members[index].weight;
}

// Move: walrus_edge::bls_aggregate::is_quorum
export function isQuorum(self: BlsCommitteeFields, weight: number): boolean {
  return 3 * weight >= 2 * self.n_shards + 1;
}

// Move: walrus_edge::bls_aggregate::includes_one_correct_node
export function includesOneCorrectNode(self: BlsCommitteeFields, weight: number): boolean {
  return 3 * weight >= self.n_shards + 1;
}

// Move: walrus_edge::bls_aggregate::to_vec_map
function toVecMap(self: BlsCommitteeFields): { contents: { key: string; value: number }[] } {
  return { contents: self.members.map((m) => ({ key: m.node_id, value: m.weight })) };
}

// ---- Certificate checks ----

// Move: walrus_edge::bls_aggregate::verify_certificate_and_weight
export function verifyCertificateAndWeight(
  ctx: CallContext,
  self: BlsCommitteeFields,
  signature: Uint8Array,
  signersBitmap: Uint8Array,
  message: Uint8Array,
  requiredWeight: RequiredWeight,
): number {
  const fn = 'verify_certificate_and_weight';
  const nMembers = self.members.length;
  const bitmapBytesMax = Math.ceil(nMembers / 8);
  ensure(ctx, signersBitmap.length <= bitmapBytesMax, M, fn, EInvalidBitmap);

  let nonSignerWeight = 0;
  const nonSignerKeys: ElementFields[] = [];
  for (let byteIndex = 0; byteIndex < signersBitmap.length; byteIndex++) {
    const byte = signersBitmap[byteIndex];
    for (let bit = 0; bit < 8; bit++) {
      const index = byteIndex * 8 + bit;
      const isSigner = ((byte >> bit) & 1) === 1;
      if (index >= nMembers) {
        ensure(ctx, !isSigner, M, fn, EInvalidBitmap);
      } else if (!isSigner) {
        const member = self.members[index];
        nonSignerWeight = u16(nonSignerWeight + member.weight, M, fn);
        nonSignerKeys.push(member.public_key);
      }
    }
  }
  // Members past the end of a short bitmap did not sign.
  for (let index = signersBitmap.length * 8; index < nMembers; index++) {
    const member = self.members[index];
    nonSignerWeight = u16(nonSignerWeight + member.weight, M, fn);
    nonSignerKeys.push(member.public_key);
  }

  const weight = u16(self.n_shards - nonSignerWeight, M, fn);
  const enough =
    requiredWeight === 'Quorum' ? isQuorum(self, weight) : includesOneCorrectNode(self, weight);
  ensure(ctx, enough, M, fn, ENotEnoughStake);

  const aggregateKey = G1.fromBytes(self.total_aggregated_key.bytes)
    .subtract(uncompressedSum(nonSignerKeys))
    .toBytes(true);
  ensure(ctx, blsVerify(signature, aggregateKey, message), M, fn, ESigVerification);
  return weight;
}

// Move: walrus_edge::bls_aggregate::verify_quorum_in_epoch
export function verifyQuorumInEpoch(
  ctx: CallContext,
  self: BlsCommitteeFields,
  signature: Uint8Array,
  signersBitmap: Uint8Array,
  message: Uint8Array,
): CertifiedMessageFields {
  const weight = verifyCertificateAndWeight(ctx, self, signature, signersBitmap, message, 'Quorum');
  return newCertifiedMessage(ctx, message, self.epoch, weight);
}

// Move: walrus_edge::bls_aggregate::verify_one_correct_node_in_epoch
export function verifyOneCorrectNodeInEpoch(
  ctx: CallContext,
  self: BlsCommitteeFields,
  signature: Uint8Array,
  signersBitmap: Uint8Array,
  message: Uint8Array,
): CertifiedMessageFields {
  const weight = verifyCertificateAndWeight(
    ctx,
    self,
    signature,
    signersBitmap,
    message,
    'OneCorrectNode',
  );
  return newCertifiedMessage(ctx, message, self.epoch, weight);
}

const MEMBER = BLS_COMMITTEE_MEMBER_TYPE;
const COMMITTEE = BLS_COMMITTEE_TYPE;

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::bls_aggregate::new_bls_committee (package-only)
  new_bls_committee: internal(['u32', `vector<${MEMBER}>`], [COMMITTEE]),
  // Move: walrus_edge::bls_aggregate::empty_committee (package-only)
  empty_committee: internal([], [COMMITTEE]),
  // Move: walrus_edge::bls_aggregate::new_bls_committee_member (package-only)
  new_bls_committee_member: internal([ELEMENT_UNCOMPRESSED_G1, 'u16', ID_TYPE], [MEMBER]),
  // Move: walrus_edge::bls_aggregate::node_id
  node_id: {
    params: [`&${MEMBER}`],
    returns: [ID_TYPE],
    execute: (_ctx, [self]: [BlsCommitteeMemberFields]) => self.node_id,
  },
  // Move: walrus_edge::bls_aggregate::weight
  weight: {
    params: [`&${MEMBER}`],
    returns: ['u16'],
    execute: (_ctx, [self]: [BlsCommitteeMemberFields]) => self.weight,
  },
  // Move: walrus_edge::bls_aggregate::public_key (returns a reference)
  public_key: returnsReference([`&${MEMBER}`], ELEMENT_UNCOMPRESSED_G1),
  // Move: walrus_edge::bls_aggregate::epoch
  epoch: {
    params: [`&${COMMITTEE}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [BlsCommitteeFields]) => self.epoch,
  },
  // Move: walrus_edge::bls_aggregate::n_shards
  n_shards: {
    params: [`&${COMMITTEE}`],
    returns: ['u16'],
    execute: (_ctx, [self]: [BlsCommitteeFields]) => self.n_shards,
  },
  // Move: walrus_edge::bls_aggregate::n_members
  n_members: {
    params: [`&${COMMITTEE}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [BlsCommitteeFields]) => String(self.members.length),
  },
  // Move: walrus_edge::bls_aggregate::members (returns a reference)
  members: returnsReference([`&${COMMITTEE}`], `vector<${MEMBER}>`),
  // Move: walrus_edge::bls_aggregate::member_at (returns a reference)
  member_at: returnsReference([`&${COMMITTEE}`, 'u64'], MEMBER),
  // Move: walrus_edge::bls_aggregate::total_aggregated_key (returns a reference)
  total_aggregated_key: returnsReference([`&${COMMITTEE}`], ELEMENT_G1),
  // Move: walrus_edge::bls_aggregate::find_index
  find_index: {
    params: [`&${COMMITTEE}`, `&${ID_TYPE}`],
    returns: ['0x1::option::Option<u64>'],
    execute: (_ctx, [self, nodeId]: [BlsCommitteeFields, string]) => {
      const index = findIndex(self, nodeId);
      return index === null ? null : String(index);
    },
  },
  // Move: walrus_edge::bls_aggregate::contains
  contains: {
    params: [`&${COMMITTEE}`, `&${ID_TYPE}`],
    returns: ['bool'],
    execute: (_ctx, [self, nodeId]: [BlsCommitteeFields, string]) => contains(self, nodeId),
  },
  // Move: walrus_edge::bls_aggregate::get_member_weight
  get_member_weight: {
    params: [`&${COMMITTEE}`, `&${ID_TYPE}`],
    returns: ['u16'],
    execute: (_ctx, [self, nodeId]: [BlsCommitteeFields, string]) => getMemberWeight(self, nodeId),
  },
  // Move: walrus_edge::bls_aggregate::to_vec_map
  to_vec_map: {
    params: [`&${COMMITTEE}`],
    returns: [`0x2::vec_map::VecMap<${ID_TYPE}, u16>`],
    execute: (_ctx, [self]: [BlsCommitteeFields]) => toVecMap(self),
  },
  // Move: walrus_edge::bls_aggregate::is_quorum
  is_quorum: {
    params: [`&${COMMITTEE}`, 'u16'],
    returns: ['bool'],
    execute: (_ctx, [self, weight]: [BlsCommitteeFields, number]) => isQuorum(self, weight),
  },
  // Move: walrus_edge::bls_aggregate::includes_one_correct_node
  includes_one_correct_node: {
    params: [`&${COMMITTEE}`, 'u16'],
    returns: ['bool'],
    execute: (_ctx, [self, weight]: [BlsCommitteeFields, number]) =>
      includesOneCorrectNode(self, weight),
  },
  // Move: walrus_edge::bls_aggregate::verify_quorum_in_epoch (package-only)
  verify_quorum_in_epoch: internal(
    [`&${COMMITTEE}`, 'vector<u8>', 'vector<u8>', 'vector<u8>'],
    [CERTIFIED_MESSAGE_TYPE],
  ),
  // Move: walrus_edge::bls_aggregate::verify_one_correct_node_in_epoch (package-only)
  verify_one_correct_node_in_epoch: internal(
    [`&${COMMITTEE}`, 'vector<u8>', 'vector<u8>', 'vector<u8>'],
    [CERTIFIED_MESSAGE_TYPE],
  ),
  // Move: walrus_edge::bls_aggregate::verify_certificate_and_weight (package-only)
  verify_certificate_and_weight: internal(
    [`&${COMMITTEE}`, '&vector<u8>', '&vector<u8>', '&vector<u8>', REQUIRED_WEIGHT_TYPE],
    ['u16'],
  ),
};
recordFunctionOrder(M, functions);

export const blsAggregateModule: ModuleDef = {
  structs: {
    BlsCommitteeMember: { abilities: ['copy', 'drop', 'store'], layout: BLS_COMMITTEE_MEMBER },
    BlsCommittee: { abilities: ['copy', 'drop', 'store'], layout: BLS_COMMITTEE },
    RequiredWeight: {
      abilities: ['copy', 'drop'],
      layout: bcs.enum('RequiredWeight', { Quorum: null, OneCorrectNode: null }),
    },
  },
  functions,
};
