/**
 * Mirror of `walrus_edge::nodes` (move/sources/nodes.move): `NodeInfo` records (kept in the
 * System's `nodes` table) and the `NodeCap` whose object id is the node id. BLS keys are checked
 * with a proof of possession for the current epoch and the sender.
 */
import { bcs } from '@mysten/sui/bcs';
import { BALANCE, UID } from '../ledger/framework.js';
import type { CallContext, FunctionDef, ModuleDef, ObjectHandle } from '../ledger/registry.js';
import {
  ensure,
  ID_TYPE,
  internal,
  recordFunctionOrder,
  returnsReference,
  STRING_TYPE,
  TX_CONTEXT_MUT,
  TX_CONTEXT_REF,
  typeName,
  u64,
  utf8Length,
  type Uid,
} from './common.js';
import { compressG1, ELEMENT, uncompressG1, type ElementFields } from './bls_aggregate.js';
import { newProofOfPossessionMsg, verifyProofOfPossession } from './messages.js';

const M = 'nodes';

// Move: nodes abort codes.
export const EInvalidNameLength = 0;
export const EInvalidNetworkAddressLength = 1;
export const EInvalidNetworkPublicKeyLength = 2;
export const EInvalidProofOfPossession = 3;

const NAME_BYTES_MAX = 100;
const NETWORK_ADDRESS_BYTES_MAX = 256;
const NETWORK_PUBLIC_KEY_BYTES = 33;

export const NODE_INFO_TYPE = typeName(M, 'NodeInfo');
export const NODE_CAP_TYPE = typeName(M, 'NodeCap');

/**
 * BCS field order: node_id, name, network_address, bls_key, next_bls_key, network_public_key,
 * rewards.
 */
export const NODE_INFO = bcs.struct('NodeInfo', {
  node_id: bcs.Address,
  name: bcs.string(),
  network_address: bcs.string(),
  bls_key: ELEMENT,
  next_bls_key: bcs.option(ELEMENT),
  network_public_key: bcs.byteVector(),
  rewards: BALANCE,
});
/** BCS field order: id, node_id, last_epoch_sync_done. */
export const NODE_CAP = bcs.struct('NodeCap', {
  id: UID,
  node_id: bcs.Address,
  last_epoch_sync_done: bcs.u32(),
});

export interface NodeInfoFields {
  node_id: string;
  name: string;
  network_address: string;
  /** 96-byte uncompressed G1. */
  bls_key: ElementFields;
  next_bls_key: ElementFields | null;
  network_public_key: Uint8Array;
  /** Balance<SUI> value, u64 as a decimal string. */
  rewards: string;
}

export interface NodeCapFields {
  id: Uid;
  node_id: string;
  last_epoch_sync_done: number;
}

// Move: walrus_edge::nodes::assert_network_address
function assertNetworkAddress(ctx: CallContext, networkAddress: string): void {
  const length = utf8Length(networkAddress);
  ensure(
    ctx,
    length > 0 && length <= NETWORK_ADDRESS_BYTES_MAX,
    M,
    'assert_network_address',
    EInvalidNetworkAddressLength,
  );
}

// Move: walrus_edge::nodes::verified_key
function verifiedKey(
  ctx: CallContext,
  blsKey: Uint8Array,
  proofOfPossession: Uint8Array,
  epoch: number,
): ElementFields {
  const message = newProofOfPossessionMsg(ctx, epoch, ctx.sender, blsKey);
  ensure(
    ctx,
    verifyProofOfPossession(message, proofOfPossession),
    M,
    'verified_key',
    EInvalidProofOfPossession,
  );
  return { bytes: uncompressG1(blsKey) };
}

// ---- Package-only ----

// Move: walrus_edge::nodes::new
export function newNode(
  ctx: CallContext,
  name: string,
  networkAddress: string,
  blsKey: Uint8Array,
  networkPublicKey: Uint8Array,
  proofOfPossession: Uint8Array,
  epoch: number,
): { cap: ObjectHandle<NodeCapFields>; info: NodeInfoFields } {
  ensure(ctx, utf8Length(name) <= NAME_BYTES_MAX, M, 'new', EInvalidNameLength);
  assertNetworkAddress(ctx, networkAddress);
  ensure(
    ctx,
    networkPublicKey.length === NETWORK_PUBLIC_KEY_BYTES,
    M,
    'new',
    EInvalidNetworkPublicKeyLength,
  );
  const key = verifiedKey(ctx, blsKey, proofOfPossession, epoch);
  const nodeId = ctx.freshId();
  const cap = ctx.newObject<NodeCapFields>(NODE_CAP_TYPE, {
    id: { id: nodeId },
    node_id: nodeId,
    last_epoch_sync_done: 0,
  });
  const info: NodeInfoFields = {
    node_id: nodeId,
    name,
    network_address: networkAddress,
    bls_key: key,
    next_bls_key: null,
    network_public_key: networkPublicKey,
    rewards: '0',
  };
  return { cap, info };
}

// Move: walrus_edge::nodes::set_next_bls_key
export function setNextBlsKey(
  ctx: CallContext,
  self: NodeInfoFields,
  blsKey: Uint8Array,
  proofOfPossession: Uint8Array,
  epoch: number,
): void {
  self.next_bls_key = verifiedKey(ctx, blsKey, proofOfPossession, epoch);
}

// Move: walrus_edge::nodes::set_network_address
export function setNetworkAddress(
  ctx: CallContext,
  self: NodeInfoFields,
  networkAddress: string,
): void {
  assertNetworkAddress(ctx, networkAddress);
  self.network_address = networkAddress;
}

// Move: walrus_edge::nodes::promote_next_bls_key
export function promoteNextBlsKey(self: NodeInfoFields): void {
  if (self.next_bls_key !== null) {
    self.bls_key = self.next_bls_key;
    self.next_bls_key = null;
  }
}

// Move: walrus_edge::nodes::add_rewards
export function addRewards(self: NodeInfoFields, amount: bigint): void {
  // `balance::join` overflows only past the total SUI supply; checked anyway.
  self.rewards = u64(BigInt(self.rewards) + amount, M, 'add_rewards').toString();
}

// Move: walrus_edge::nodes::withdraw_rewards
export function withdrawRewards(self: NodeInfoFields): bigint {
  const amount = BigInt(self.rewards);
  self.rewards = '0';
  return amount;
}

type Cap = ObjectHandle<NodeCapFields>;
const INFO = NODE_INFO_TYPE;
const CAP = NODE_CAP_TYPE;
const UNCOMPRESSED = '0x2::group_ops::Element<0x2::bls12381::UncompressedG1>';

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::nodes::new (package-only)
  new: internal(
    [STRING_TYPE, STRING_TYPE, 'vector<u8>', 'vector<u8>', 'vector<u8>', 'u32', TX_CONTEXT_MUT],
    [CAP, INFO],
  ),
  // Move: walrus_edge::nodes::set_next_bls_key (package-only)
  set_next_bls_key: internal([`&mut ${INFO}`, 'vector<u8>', 'vector<u8>', 'u32', TX_CONTEXT_REF]),
  // Move: walrus_edge::nodes::set_network_address (package-only)
  set_network_address: internal([`&mut ${INFO}`, STRING_TYPE]),
  // Move: walrus_edge::nodes::promote_next_bls_key (package-only)
  promote_next_bls_key: internal([`&mut ${INFO}`]),
  // Move: walrus_edge::nodes::add_rewards (package-only)
  add_rewards: internal([`&mut ${INFO}`, '0x2::balance::Balance<0x2::sui::SUI>']),
  // Move: walrus_edge::nodes::withdraw_rewards (package-only)
  withdraw_rewards: internal([`&mut ${INFO}`], ['0x2::balance::Balance<0x2::sui::SUI>']),
  // Move: walrus_edge::nodes::set_last_epoch_sync_done (package-only)
  set_last_epoch_sync_done: internal([`&mut ${CAP}`, 'u32']),
  // Move: walrus_edge::nodes::node_id
  node_id: {
    params: [`&${INFO}`],
    returns: [ID_TYPE],
    execute: (_ctx, [self]: [NodeInfoFields]) => self.node_id,
  },
  // Move: walrus_edge::nodes::name
  name: {
    params: [`&${INFO}`],
    returns: [STRING_TYPE],
    execute: (_ctx, [self]: [NodeInfoFields]) => self.name,
  },
  // Move: walrus_edge::nodes::network_address
  network_address: {
    params: [`&${INFO}`],
    returns: [STRING_TYPE],
    execute: (_ctx, [self]: [NodeInfoFields]) => self.network_address,
  },
  // Move: walrus_edge::nodes::bls_key (returns a reference)
  bls_key: returnsReference([`&${INFO}`], UNCOMPRESSED),
  // Move: walrus_edge::nodes::bls_key_bytes
  bls_key_bytes: {
    params: [`&${INFO}`],
    returns: ['vector<u8>'],
    execute: (_ctx, [self]: [NodeInfoFields]) => compressG1(self.bls_key.bytes),
  },
  // Move: walrus_edge::nodes::next_bls_key (returns a reference)
  next_bls_key: returnsReference([`&${INFO}`], `0x1::option::Option<${UNCOMPRESSED}>`),
  // Move: walrus_edge::nodes::network_public_key
  network_public_key: {
    params: [`&${INFO}`],
    returns: ['vector<u8>'],
    execute: (_ctx, [self]: [NodeInfoFields]) => self.network_public_key,
  },
  // Move: walrus_edge::nodes::rewards
  rewards: {
    params: [`&${INFO}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [NodeInfoFields]) => self.rewards,
  },
  // Move: walrus_edge::nodes::cap_node_id
  cap_node_id: {
    params: [`&${CAP}`],
    returns: [ID_TYPE],
    execute: (_ctx, [self]: [Cap]) => self.fields.node_id,
  },
  // Move: walrus_edge::nodes::last_epoch_sync_done
  last_epoch_sync_done: {
    params: [`&${CAP}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [Cap]) => self.fields.last_epoch_sync_done,
  },
  // Move: walrus_edge::nodes::assert_network_address (private)
  assert_network_address: internal([`&${STRING_TYPE}`]),
  // Move: walrus_edge::nodes::verified_key (private)
  verified_key: internal(['vector<u8>', 'vector<u8>', 'u32', TX_CONTEXT_REF], [UNCOMPRESSED]),
};
recordFunctionOrder(M, functions);

export const nodesModule: ModuleDef = {
  structs: {
    NodeInfo: { abilities: ['store'], layout: NODE_INFO },
    NodeCap: { abilities: ['key', 'store'], layout: NODE_CAP },
  },
  functions,
};
