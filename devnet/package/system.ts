/**
 * Mirror of `walrus_edge::system` (move/sources/system.move): the shared `System`, its admin and
 * init caps, and every entry point (nodes, committee selection, epochs, storage, blobs). Each
 * function runs Move's checks in Move's order and aborts at Move's location; see move/README.md
 * "Function → aborts".
 *
 * Over 400 lines: one module per Move module, and system.move is the largest; splitting it would
 * break the one-to-one map between a Move file and its mirror.
 */
import { bcs } from '@mysten/sui/bcs';
import { BALANCE, UID } from '../ledger/framework.js';
import type { CallContext, FunctionDef, ModuleDef, ObjectHandle } from '../ledger/registry.js';
import {
  abortAt,
  arithmeticError,
  CLOCK_REF,
  ensure,
  ID_TYPE,
  internal,
  recordFunctionOrder,
  returnsReference,
  STRING_TYPE,
  SUI_COIN_TYPE,
  TX_CONTEXT_MUT,
  TX_CONTEXT_REF,
  typeName,
  u16,
  u32,
  u64,
  U64_MAX,
  type Uid,
} from './common.js';
import {
  BLS_COMMITTEE,
  BLS_COMMITTEE_TYPE,
  contains as committeeContains,
  emptyCommittee,
  getMemberWeight,
  isQuorum,
  newBlsCommittee,
  newBlsCommitteeMember,
  verifyOneCorrectNodeInEpoch,
  verifyQuorumInEpoch,
  type BlsCommitteeFields,
  type BlsCommitteeMemberFields,
} from './bls_aggregate.js';
import {
  BLOB_TYPE,
  certifyWithCertifiedMsg,
  assertCertifiedNotExpired,
  deleteBlob,
  extendEndEpoch,
  extendWithResource,
  newBlob,
  type BlobFields,
} from './blob.js';
import {
  COMMITTEE,
  COMMITTEE_TYPE,
  empty as emptyShards,
  initialize,
  isEmpty as shardsEmpty,
  nodeIds,
  shardsOf,
  transition,
  type CommitteeFields,
} from './committee.js';
import { encodedBlobLength } from './encoding.js';
import {
  emitEpochChangeDone,
  emitEpochChangeStart,
  emitEpochParametersSelected,
  emitInvalidBlobId,
  emitShardsReceived,
} from './events.js';
import { certifyBlobMessage, invalidBlobIdMessageOf } from './messages.js';
import {
  addRewards,
  newNode,
  NODE_CAP_TYPE,
  NODE_INFO_TYPE,
  promoteNextBlsKey,
  setNetworkAddress,
  setNextBlsKey,
  withdrawRewards,
  type NodeCapFields,
  type NodeInfoFields,
} from './nodes.js';
import { createStorage, STORAGE_TYPE, type StorageFields } from './storage_resource.js';

const M = 'system';

// Move: system abort codes.
export const EWrongVersion = 0;
export const EInvalidEpochsAhead = 1;
export const EInvalidResourceSize = 2;
export const EStorageExceeded = 3;
export const EInsufficientPayment = 4;
export const EInvalidIdEpoch = 5;
export const EWrongEpochState = 6;
export const EEpochChangeTooEarly = 7;
export const ENotRegisteredNode = 8;
export const EInvalidSyncEpoch = 9;
export const EDuplicateSyncDone = 10;
export const ENotCommitteeMember = 11;
export const EInvalidNShards = 12;
export const EInvalidMaxEpochsAhead = 13;
export const EInvalidEpochDuration = 14;

/** Layout version of `System`. */
export const VERSION = 1n;
/** Prices are per 1 MiB unit of encoded size. */
export const BYTES_PER_UNIT_SIZE = 1_048_576n;
export const N_SHARDS_MIN = 4;
export const MAX_EPOCHS_AHEAD_MAX = 1000;

export const SYSTEM_TYPE = typeName(M, 'System');
export const INIT_CAP_TYPE = typeName(M, 'InitCap');
export const ADMIN_CAP_TYPE = typeName(M, 'AdminCap');
export const EPOCH_STATE_TYPE = typeName(M, 'EpochState');
export const EPOCH_ACCOUNTING_TYPE = typeName(M, 'EpochAccounting');

/** Enum: 0 Sync(u16 synced weight), 1 Done(u64 completed_ms), 2 NextSelected(u64 completed_ms). */
export const EPOCH_STATE = bcs.enum('EpochState', {
  Sync: bcs.u16(),
  Done: bcs.u64(),
  NextSelected: bcs.u64(),
});
/** BCS field order: used, fees. */
export const EPOCH_ACCOUNTING = bcs.struct('EpochAccounting', { used: bcs.u64(), fees: BALANCE });
/** `sui::table::Table<ID, NodeInfo>`: `{ id, size }`; entries are dynamic fields of `id`. */
const TABLE = bcs.struct('Table', { id: UID, size: bcs.u64() });
/**
 * BCS field order: id, version, committee, shards, next_shards, epoch_state, n_shards,
 * epoch_duration_ms, total_capacity, used_capacity, storage_price, write_price, max_epochs_ahead,
 * accounting, nodes.
 */
export const SYSTEM = bcs.struct('System', {
  id: UID,
  version: bcs.u64(),
  committee: BLS_COMMITTEE,
  shards: COMMITTEE,
  next_shards: bcs.option(COMMITTEE),
  epoch_state: EPOCH_STATE,
  n_shards: bcs.u16(),
  epoch_duration_ms: bcs.u64(),
  total_capacity: bcs.u64(),
  used_capacity: bcs.u64(),
  storage_price: bcs.u64(),
  write_price: bcs.u64(),
  max_epochs_ahead: bcs.u32(),
  accounting: bcs.vector(EPOCH_ACCOUNTING),
  nodes: TABLE,
});
export const INIT_CAP = bcs.struct('InitCap', { id: UID });
export const ADMIN_CAP = bcs.struct('AdminCap', { id: UID });

export type EpochStateFields =
  | { Sync: number; $kind?: 'Sync' }
  | { Done: string; $kind?: 'Done' }
  | { NextSelected: string; $kind?: 'NextSelected' };

export interface EpochAccountingFields {
  /** u64 strings. */
  used: string;
  fees: string;
}

export interface SystemFields {
  id: Uid;
  version: string;
  committee: BlsCommitteeFields;
  shards: CommitteeFields;
  next_shards: CommitteeFields | null;
  epoch_state: EpochStateFields;
  n_shards: number;
  epoch_duration_ms: string;
  total_capacity: string;
  used_capacity: string;
  storage_price: string;
  write_price: string;
  max_epochs_ahead: number;
  accounting: EpochAccountingFields[];
  nodes: { id: Uid; size: string };
}

/** `create_system`'s arguments after the InitCap. */
export interface SystemParams {
  readonly nShards: number;
  readonly epochDurationMs: bigint | number;
  readonly maxEpochsAhead: number;
  readonly totalCapacity: bigint | number;
  readonly storagePrice: bigint | number;
  readonly writePrice: bigint | number;
}

type SystemHandle = ObjectHandle<SystemFields>;
type CapHandle = ObjectHandle<NodeCapFields>;
type Coin = ObjectHandle<unknown>;

/** The epoch state as a tagged value. */
export function epochStateOf(
  state: EpochStateFields,
):
  | { kind: 'Sync'; weight: number }
  | { kind: 'Done'; timestampMs: bigint }
  | { kind: 'NextSelected'; timestampMs: bigint } {
  if ('Sync' in state && state.Sync !== undefined) return { kind: 'Sync', weight: state.Sync };
  if ('Done' in state && state.Done !== undefined)
    return { kind: 'Done', timestampMs: BigInt(state.Done) };
  const selected = state as { NextSelected: string };
  return { kind: 'NextSelected', timestampMs: BigInt(selected.NextSelected) };
}

// ---- Internal helpers (Move's private functions) ----

// Move: walrus_edge::system::assert_version
function assertVersion(ctx: CallContext, self: SystemFields): void {
  ensure(ctx, BigInt(self.version) === VERSION, M, 'assert_version', EWrongVersion);
}

// Move: walrus_edge::system::new_epoch_accounting
function newEpochAccounting(): EpochAccountingFields {
  return { used: '0', fees: '0' };
}

// Move: walrus_edge::system::epoch
function epochOf(self: SystemFields): number {
  return self.committee.epoch;
}

/** `table::contains<ID, NodeInfo>` on `System.nodes`. */
function isRegistered(ctx: CallContext, self: SystemFields, nodeId: string): boolean {
  return ctx.dynamicFields.existsWithType(self.nodes.id.id, ID_TYPE, nodeId, NODE_INFO_TYPE);
}

/** `table::borrow` / `borrow_mut` on `System.nodes` (aborts in `dynamic_field` when absent). */
function borrowNode(ctx: CallContext, self: SystemFields, nodeId: string): NodeInfoFields {
  return ctx.dynamicFields.borrow<NodeInfoFields>(
    self.nodes.id.id,
    ID_TYPE,
    nodeId,
    NODE_INFO_TYPE,
  );
}

/** Writes back a NodeInfo taken with {@link borrowNode} (the end of a `borrow_mut`). */
function storeNode(ctx: CallContext, self: SystemFields, info: NodeInfoFields): void {
  ctx.dynamicFields.set(self.nodes.id.id, ID_TYPE, info.node_id, NODE_INFO_TYPE, info);
}

// Move: walrus_edge::system::node_mut
function nodeMut(ctx: CallContext, self: SystemFields, cap: CapHandle): NodeInfoFields {
  const nodeId = cap.fields.node_id;
  ensure(ctx, isRegistered(ctx, self, nodeId), M, 'node_mut', ENotRegisteredNode);
  return borrowNode(ctx, self, nodeId);
}

// Move: walrus_edge::system::storage_units
export function storageUnits(bytes: bigint): bigint {
  return bytes === 0n ? 0n : (bytes - 1n) / BYTES_PER_UNIT_SIZE + 1n;
}

// Move: walrus_edge::system::storage_cost
export function storageCost(self: SystemFields, storageAmount: bigint, epochs: number): bigint {
  const perEpoch = u64(storageUnits(storageAmount) * BigInt(self.storage_price), M, 'storage_cost');
  return u64(perEpoch * BigInt(epochs), M, 'storage_cost');
}

// Move: walrus_edge::system::write_cost
export function writeCost(
  ctx: CallContext,
  self: SystemFields,
  size: bigint,
  encodingType: number,
): bigint {
  const encoded = encodedBlobLength(ctx, size, encodingType, self.n_shards);
  return u64(storageUnits(encoded) * BigInt(self.write_price), M, 'write_cost');
}

// Move: walrus_edge::system::sell_capacity
function sellCapacity(
  ctx: CallContext,
  self: SystemFields,
  firstSlot: number,
  slotCount: number,
  amount: bigint,
  payment: Coin,
): void {
  const fn = 'sell_capacity';
  const totalCapacity = BigInt(self.total_capacity);
  for (let i = 0; i < slotCount; i++) {
    const slot = self.accounting[firstSlot + i];
    if (slot === undefined) arithmeticError(M, fn); // vector index out of bounds
    ensure(ctx, BigInt(slot.used) + amount <= totalCapacity, M, fn, EStorageExceeded);
  }
  const pricePerEpoch = storageUnits(amount) * BigInt(self.storage_price);
  ensure(
    ctx,
    ctx.coins.value(payment) >= pricePerEpoch * BigInt(slotCount),
    M,
    fn,
    EInsufficientPayment,
  );
  for (let i = 0; i < slotCount; i++) {
    const slot = self.accounting[firstSlot + i];
    slot.used = u64(BigInt(slot.used) + amount, M, fn).toString();
    const fee = ctx.coins.take(payment, u64(pricePerEpoch, M, fn));
    slot.fees = u64(BigInt(slot.fees) + fee, M, fn).toString();
  }
  self.used_capacity = self.accounting[0].used;
}

// Move: walrus_edge::system::rotate_accounting
function rotateAccounting(
  ctx: CallContext,
  self: SystemFields,
  outgoing: BlsCommitteeFields,
): void {
  const removed = self.accounting.shift();
  if (removed === undefined) arithmeticError(M, 'rotate_accounting'); // vector::remove(0) on empty
  let pot = BigInt(removed.fees);
  self.accounting.push(newEpochAccounting());
  const potValue = pot;
  const nShards = BigInt(outgoing.n_shards);
  if (nShards > 0n) {
    for (const member of outgoing.members) {
      const share = (potValue * BigInt(member.weight)) / nShards;
      const info = borrowNode(ctx, self, member.node_id);
      addRewards(info, share);
      storeNode(ctx, self, info);
      pot -= share;
    }
  }
  const slot = self.accounting[0];
  slot.fees = u64(BigInt(slot.fees) + pot, M, 'rotate_accounting').toString();
  self.used_capacity = self.accounting[0].used;
}

// ---- Publication ----

/**
 * Move: walrus_edge::system::create_system, after the InitCap is consumed: shares the System and
 * sends a new AdminCap to `adminRecipient` (the sender in Move; the configured admin at genesis).
 */
export function createSystem(
  ctx: CallContext,
  params: SystemParams,
  adminRecipient: string,
): { systemId: string; adminCapId: string } {
  const fn = 'create_system';
  ensure(ctx, params.nShards >= N_SHARDS_MIN, M, fn, EInvalidNShards);
  ensure(
    ctx,
    params.maxEpochsAhead > 0 && params.maxEpochsAhead <= MAX_EPOCHS_AHEAD_MAX,
    M,
    fn,
    EInvalidMaxEpochsAhead,
  );
  ensure(ctx, BigInt(params.epochDurationMs) > 0n, M, fn, EInvalidEpochDuration);

  const accounting = Array.from({ length: params.maxEpochsAhead }, newEpochAccounting);
  // Struct fields are evaluated in order: the System's UID, then the table's, then the AdminCap's.
  const systemId = ctx.freshId();
  const tableId = ctx.freshId();
  const system = ctx.newObject<SystemFields>(SYSTEM_TYPE, {
    id: { id: systemId },
    version: VERSION.toString(),
    committee: emptyCommittee(ctx),
    shards: emptyShards(),
    next_shards: null,
    epoch_state: { Done: '0' },
    n_shards: params.nShards,
    epoch_duration_ms: BigInt(params.epochDurationMs).toString(),
    total_capacity: BigInt(params.totalCapacity).toString(),
    used_capacity: '0',
    storage_price: BigInt(params.storagePrice).toString(),
    write_price: BigInt(params.writePrice).toString(),
    max_epochs_ahead: params.maxEpochsAhead,
    accounting,
    nodes: { id: { id: tableId }, size: '0' },
  });
  ctx.share(system);
  const adminCap = ctx.newObject<{ id: Uid }>(ADMIN_CAP_TYPE, { id: { id: ctx.freshId() } });
  ctx.transfer(adminCap, adminRecipient);
  return { systemId, adminCapId: adminCap.id };
}

/** Move: walrus_edge::system::init — the InitCap for the publisher. */
export function init(ctx: CallContext, publisher: string): string {
  const cap = ctx.newObject<{ id: Uid }>(INIT_CAP_TYPE, { id: { id: ctx.freshId() } });
  ctx.transfer(cap, publisher);
  return cap.id;
}

const S = SYSTEM_TYPE;
const ADMIN = ADMIN_CAP_TYPE;
const CAP = NODE_CAP_TYPE;
const BLOB = BLOB_TYPE;
const STORAGE = STORAGE_TYPE;
const COIN = SUI_COIN_TYPE;
type BlobHandle = ObjectHandle<BlobFields>;
type StorageHandle = ObjectHandle<StorageFields>;

/** Reads the System, runs `body` on its fields, writes them back (nothing is written on abort). */
function withSystem<R>(ctx: CallContext, handle: SystemHandle, body: (self: SystemFields) => R): R {
  const self = handle.fields;
  assertVersion(ctx, self);
  const result = body(self);
  if (handle.access !== 'imm') handle.set(self);
  return result;
}

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::system::init (private; the devnet genesis runs it, see index.ts)
  init: internal([TX_CONTEXT_MUT]),

  // Move: walrus_edge::system::create_system
  create_system: {
    params: [INIT_CAP_TYPE, 'u16', 'u64', 'u32', 'u64', 'u64', 'u64', TX_CONTEXT_MUT],
    execute: (
      ctx,
      [
        initCap,
        nShards,
        epochDurationMs,
        maxEpochsAhead,
        totalCapacity,
        storagePrice,
        writePrice,
      ]: [ObjectHandle<unknown>, number, string, number, string, string, string],
    ) => {
      const params: SystemParams = {
        nShards,
        epochDurationMs: BigInt(epochDurationMs),
        maxEpochsAhead,
        totalCapacity: BigInt(totalCapacity),
        storagePrice: BigInt(storagePrice),
        writePrice: BigInt(writePrice),
      };
      // The checks come first in Move; deleting the cap before them is equivalent on abort.
      ctx.deleteObject(initCap);
      createSystem(ctx, params, ctx.sender);
    },
  },

  // Move: walrus_edge::system::register_node
  register_node: {
    params: [
      `&mut ${S}`,
      STRING_TYPE,
      STRING_TYPE,
      'vector<u8>',
      'vector<u8>',
      'vector<u8>',
      TX_CONTEXT_MUT,
    ],
    returns: [CAP],
    execute: (
      ctx,
      [system, name, networkAddress, blsKey, networkPublicKey, pop]: [
        SystemHandle,
        string,
        string,
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ],
    ) =>
      withSystem(ctx, system, (self) => {
        const { cap, info } = newNode(
          ctx,
          name,
          networkAddress,
          blsKey,
          networkPublicKey,
          pop,
          epochOf(self),
        );
        ctx.dynamicFields.add(self.nodes.id.id, ID_TYPE, cap.id, NODE_INFO_TYPE, info);
        self.nodes.size = (BigInt(self.nodes.size) + 1n).toString();
        return cap;
      }),
  },

  // Move: walrus_edge::system::set_next_bls_key
  set_next_bls_key: {
    params: [`&mut ${S}`, `&${CAP}`, 'vector<u8>', 'vector<u8>', TX_CONTEXT_REF],
    execute: (ctx, [system, cap, blsKey, pop]: [SystemHandle, CapHandle, Uint8Array, Uint8Array]) =>
      withSystem(ctx, system, (self) => {
        const epoch = epochOf(self);
        const info = nodeMut(ctx, self, cap);
        setNextBlsKey(ctx, info, blsKey, pop, epoch);
        storeNode(ctx, self, info);
      }),
  },

  // Move: walrus_edge::system::set_network_address
  set_network_address: {
    params: [`&mut ${S}`, `&${CAP}`, STRING_TYPE],
    execute: (ctx, [system, cap, networkAddress]: [SystemHandle, CapHandle, string]) =>
      withSystem(ctx, system, (self) => {
        const info = nodeMut(ctx, self, cap);
        setNetworkAddress(ctx, info, networkAddress);
        storeNode(ctx, self, info);
      }),
  },

  // Move: walrus_edge::system::collect_rewards
  collect_rewards: {
    params: [`&mut ${S}`, `&${CAP}`, TX_CONTEXT_MUT],
    returns: [COIN],
    execute: (ctx, [system, cap]: [SystemHandle, CapHandle]) =>
      withSystem(ctx, system, (self) => {
        const info = nodeMut(ctx, self, cap);
        const amount = withdrawRewards(info);
        storeNode(ctx, self, info);
        return ctx.newObject(COIN, { id: { id: ctx.freshId() }, balance: amount.toString() });
      }),
  },

  // Move: walrus_edge::system::set_next_committee
  set_next_committee: {
    params: [`&mut ${S}`, `&${ADMIN}`, `vector<${ID_TYPE}>`, 'vector<u16>'],
    execute: (
      ctx,
      [system, , ids, counts]: [SystemHandle, ObjectHandle<unknown>, string[], number[]],
    ) =>
      withSystem(ctx, system, (self) => {
        const state = epochStateOf(self.epoch_state);
        if (state.kind !== 'Done') abortAt(ctx, M, 'set_next_committee', EWrongEpochState);
        for (const nodeId of ids) {
          ensure(ctx, isRegistered(ctx, self, nodeId), M, 'set_next_committee', ENotRegisteredNode);
        }
        const next = shardsEmpty(self.shards)
          ? initialize(ctx, ids, counts, self.n_shards)
          : transition(ctx, self.shards, ids, counts);
        self.next_shards = next;
        self.epoch_state = { NextSelected: state.timestampMs.toString() };
        emitEpochParametersSelected(ctx, u32(epochOf(self) + 1, M, 'set_next_committee'));
      }),
  },

  // Move: walrus_edge::system::set_prices
  set_prices: {
    params: [`&mut ${S}`, `&${ADMIN}`, 'u64', 'u64'],
    execute: (
      ctx,
      [system, , storagePrice, writePrice]: [SystemHandle, ObjectHandle<unknown>, string, string],
    ) =>
      withSystem(ctx, system, (self) => {
        self.storage_price = storagePrice;
        self.write_price = writePrice;
      }),
  },

  // Move: walrus_edge::system::set_capacity
  set_capacity: {
    params: [`&mut ${S}`, `&${ADMIN}`, 'u64'],
    execute: (ctx, [system, , total]: [SystemHandle, ObjectHandle<unknown>, string]) =>
      withSystem(ctx, system, (self) => {
        self.total_capacity = total;
      }),
  },

  // Move: walrus_edge::system::advance_epoch
  advance_epoch: {
    params: [`&mut ${S}`, CLOCK_REF],
    execute: (ctx, [system]: [SystemHandle]) =>
      withSystem(ctx, system, (self) => advanceEpoch(ctx, self)),
  },

  // Move: walrus_edge::system::epoch_sync_done
  epoch_sync_done: {
    params: [`&mut ${S}`, `&mut ${CAP}`, 'u32', CLOCK_REF],
    execute: (ctx, [system, cap, epoch]: [SystemHandle, CapHandle, number]) =>
      withSystem(ctx, system, (self) => {
        const fn = 'epoch_sync_done';
        ensure(ctx, epoch === epochOf(self), M, fn, EInvalidSyncEpoch);
        const capFields = cap.fields;
        ensure(ctx, capFields.last_epoch_sync_done < epoch, M, fn, EDuplicateSyncDone);
        const nodeId = capFields.node_id;
        ensure(ctx, committeeContains(self.committee, nodeId), M, fn, ENotCommitteeMember);

        capFields.last_epoch_sync_done = epoch;
        cap.set(capFields);
        emitShardsReceived(ctx, epoch, shardsOf(self.shards, nodeId));
        const state = epochStateOf(self.epoch_state);
        if (state.kind === 'Sync') {
          const weight = u16(state.weight + getMemberWeight(self.committee, nodeId), M, fn);
          if (isQuorum(self.committee, weight)) {
            self.epoch_state = { Done: ctx.nowMs().toString() };
            emitEpochChangeDone(ctx, epoch);
          } else {
            self.epoch_state = { Sync: weight };
          }
        }
      }),
  },

  // Move: walrus_edge::system::reserve_space
  reserve_space: {
    params: [`&mut ${S}`, 'u64', 'u32', `&mut ${COIN}`, TX_CONTEXT_MUT],
    returns: [STORAGE],
    execute: (ctx, [system, amount, epochsAhead, payment]: [SystemHandle, string, number, Coin]) =>
      withSystem(ctx, system, (self) => {
        const fn = 'reserve_space';
        ensure(
          ctx,
          epochsAhead > 0 && epochsAhead <= self.max_epochs_ahead,
          M,
          fn,
          EInvalidEpochsAhead,
        );
        const storageAmount = BigInt(amount);
        ensure(ctx, storageAmount > 0n, M, fn, EInvalidResourceSize);
        sellCapacity(ctx, self, 0, epochsAhead, storageAmount, payment);
        const epoch = epochOf(self);
        return createStorage(ctx, epoch, u32(epoch + epochsAhead, M, fn), storageAmount);
      }),
  },

  // Move: walrus_edge::system::register_blob
  register_blob: {
    params: [
      `&mut ${S}`,
      STORAGE,
      'u256',
      'u256',
      'u64',
      'u8',
      'bool',
      `&mut ${COIN}`,
      TX_CONTEXT_MUT,
    ],
    returns: [BLOB],
    execute: (
      ctx,
      [system, storage, blobId, rootHash, size, encodingType, deletable, payment]: [
        SystemHandle,
        StorageHandle,
        string,
        string,
        string,
        number,
        boolean,
        Coin,
      ],
    ) =>
      withSystem(ctx, system, (self) => {
        const blob = newBlob(
          ctx,
          storage,
          BigInt(blobId),
          BigInt(rootHash),
          BigInt(size),
          encodingType,
          deletable,
          epochOf(self),
          self.n_shards,
        );
        const price = writeCost(ctx, self, BigInt(size), encodingType);
        ensure(ctx, ctx.coins.value(payment) >= price, M, 'register_blob', EInsufficientPayment);
        const fee = ctx.coins.take(payment, price);
        const slot = self.accounting[0];
        slot.fees = u64(BigInt(slot.fees) + fee, M, 'register_blob').toString();
        return blob;
      }),
  },

  // Move: walrus_edge::system::certify_blob
  certify_blob: {
    params: [`&${S}`, `&mut ${BLOB}`, 'vector<u8>', 'vector<u8>', 'vector<u8>'],
    execute: (
      ctx,
      [system, blob, signature, bitmap, message]: [
        SystemHandle,
        BlobHandle,
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ],
    ) =>
      withSystem(ctx, system, (self) => {
        const certified = verifyQuorumInEpoch(ctx, self.committee, signature, bitmap, message);
        const epoch = epochOf(self);
        ensure(ctx, certified.cert_epoch === epoch, M, 'certify_blob', EInvalidIdEpoch);
        const blobMessage = certifyBlobMessage(ctx, certified);
        certifyWithCertifiedMsg(ctx, blob, epoch, blobMessage);
      }),
  },

  // Move: walrus_edge::system::invalidate_blob_id
  invalidate_blob_id: {
    params: [`&${S}`, 'vector<u8>', 'vector<u8>', 'vector<u8>'],
    returns: ['u256'],
    execute: (
      ctx,
      [system, signature, bitmap, message]: [SystemHandle, Uint8Array, Uint8Array, Uint8Array],
    ) =>
      withSystem(ctx, system, (self) => {
        const certified = verifyOneCorrectNodeInEpoch(
          ctx,
          self.committee,
          signature,
          bitmap,
          message,
        );
        const epoch = epochOf(self);
        ensure(ctx, certified.cert_epoch === epoch, M, 'invalidate_blob_id', EInvalidIdEpoch);
        const invalid = invalidBlobIdMessageOf(ctx, certified);
        emitInvalidBlobId(ctx, epoch, invalid.blob_id);
        return invalid.blob_id;
      }),
  },

  // Move: walrus_edge::system::extend_blob
  extend_blob: {
    params: [`&mut ${S}`, `&mut ${BLOB}`, 'u32', `&mut ${COIN}`],
    execute: (
      ctx,
      [system, blob, extendedEpochs, payment]: [SystemHandle, BlobHandle, number, Coin],
    ) =>
      withSystem(ctx, system, (self) => {
        const fn = 'extend_blob';
        const epoch = epochOf(self);
        const fields = blob.fields;
        assertCertifiedNotExpired(ctx, fields, epoch);
        ensure(ctx, extendedEpochs > 0, M, fn, EInvalidEpochsAhead);
        const firstSlot = fields.storage.end_epoch - epoch;
        ensure(
          ctx,
          firstSlot + extendedEpochs <= self.max_epochs_ahead,
          M,
          fn,
          EInvalidEpochsAhead,
        );
        const size = BigInt(fields.storage.storage_size);
        sellCapacity(ctx, self, firstSlot, extendedEpochs, size, payment);
        extendEndEpoch(ctx, blob, extendedEpochs);
      }),
  },

  // Move: walrus_edge::system::extend_blob_with_resource
  extend_blob_with_resource: {
    params: [`&${S}`, `&mut ${BLOB}`, STORAGE],
    execute: (ctx, [system, blob, extension]: [SystemHandle, BlobHandle, StorageHandle]) =>
      withSystem(ctx, system, (self) => extendWithResource(ctx, blob, extension, epochOf(self))),
  },

  // Move: walrus_edge::system::delete_blob
  delete_blob: {
    params: [`&${S}`, BLOB],
    returns: [STORAGE],
    execute: (ctx, [system, blob]: [SystemHandle, BlobHandle]) =>
      withSystem(ctx, system, (self) => deleteBlob(ctx, blob, epochOf(self))),
  },

  // Move: walrus_edge::system::storage_units
  storage_units: {
    params: ['u64'],
    returns: ['u64'],
    execute: (_ctx, [bytes]: [string]) => storageUnits(BigInt(bytes)).toString(),
  },
  // Move: walrus_edge::system::storage_cost
  storage_cost: {
    params: [`&${S}`, 'u64', 'u32'],
    returns: ['u64'],
    execute: (_ctx, [system, amount, epochs]: [SystemHandle, string, number]) =>
      storageCost(system.fields, BigInt(amount), epochs).toString(),
  },
  // Move: walrus_edge::system::write_cost
  write_cost: {
    params: [`&${S}`, 'u64', 'u8'],
    returns: ['u64'],
    execute: (ctx, [system, size, encodingType]: [SystemHandle, string, number]) =>
      writeCost(ctx, system.fields, BigInt(size), encodingType).toString(),
  },

  // ---- Getters ----
  // Move: walrus_edge::system::version
  version: getter('u64', (s) => s.version),
  // Move: walrus_edge::system::epoch
  epoch: getter('u32', (s) => epochOf(s)),
  // Move: walrus_edge::system::n_shards
  n_shards: getter('u16', (s) => s.n_shards),
  // Move: walrus_edge::system::epoch_duration_ms
  epoch_duration_ms: getter('u64', (s) => s.epoch_duration_ms),
  // Move: walrus_edge::system::total_capacity
  total_capacity: getter('u64', (s) => s.total_capacity),
  // Move: walrus_edge::system::used_capacity
  used_capacity: getter('u64', (s) => s.used_capacity),
  // Move: walrus_edge::system::used_capacity_at
  used_capacity_at: {
    params: [`&${S}`, 'u64'],
    returns: ['u64'],
    execute: (_ctx, [system, slot]: [SystemHandle, string]) =>
      accountingAt(system.fields, slot, 'used_capacity_at').used,
  },
  // Move: walrus_edge::system::fees_at
  fees_at: {
    params: [`&${S}`, 'u64'],
    returns: ['u64'],
    execute: (_ctx, [system, slot]: [SystemHandle, string]) =>
      accountingAt(system.fields, slot, 'fees_at').fees,
  },
  // Move: walrus_edge::system::prices
  prices: {
    params: [`&${S}`],
    returns: ['u64', 'u64'],
    execute: (_ctx, [system]: [SystemHandle]) => {
      const self = system.fields;
      return [self.storage_price, self.write_price];
    },
  },
  // Move: walrus_edge::system::storage_price
  storage_price: getter('u64', (s) => s.storage_price),
  // Move: walrus_edge::system::write_price
  write_price: getter('u64', (s) => s.write_price),
  // Move: walrus_edge::system::max_epochs_ahead
  max_epochs_ahead: getter('u32', (s) => s.max_epochs_ahead),
  // Move: walrus_edge::system::committee (returns a reference)
  committee: returnsReference([`&${S}`], BLS_COMMITTEE_TYPE),
  // Move: walrus_edge::system::committee_members
  committee_members: getter(`0x2::vec_map::VecMap<${ID_TYPE}, u16>`, (s) => ({
    contents: s.committee.members.map((m) => ({ key: m.node_id, value: m.weight })),
  })),
  // Move: walrus_edge::system::shards (returns a reference)
  shards: returnsReference([`&${S}`], COMMITTEE_TYPE),
  // Move: walrus_edge::system::shards_of
  shards_of: {
    params: [`&${S}`, ID_TYPE],
    returns: ['vector<u16>'],
    execute: (_ctx, [system, nodeId]: [SystemHandle, string]) =>
      shardsOf(system.fields.shards, nodeId),
  },
  // Move: walrus_edge::system::next_shards (returns a reference)
  next_shards: returnsReference([`&${S}`], `0x1::option::Option<${COMMITTEE_TYPE}>`),
  // Move: walrus_edge::system::epoch_state
  epoch_state: getter(EPOCH_STATE_TYPE, (s) => {
    const state = epochStateOf(s.epoch_state);
    return state.kind === 'Sync'
      ? { Sync: state.weight }
      : { [state.kind]: state.timestampMs.toString() };
  }),
  // Move: walrus_edge::system::is_epoch_sync
  is_epoch_sync: getter('bool', (s) => epochStateOf(s.epoch_state).kind === 'Sync'),
  // Move: walrus_edge::system::is_epoch_done
  is_epoch_done: getter('bool', (s) => epochStateOf(s.epoch_state).kind === 'Done'),
  // Move: walrus_edge::system::is_next_selected
  is_next_selected: getter('bool', (s) => epochStateOf(s.epoch_state).kind === 'NextSelected'),
  // Move: walrus_edge::system::is_registered
  is_registered: {
    params: [`&${S}`, ID_TYPE],
    returns: ['bool'],
    execute: (ctx, [system, nodeId]: [SystemHandle, string]) =>
      isRegistered(ctx, system.fields, nodeId),
  },
  // Move: walrus_edge::system::node_info (returns a reference)
  node_info: returnsReference([`&${S}`, ID_TYPE], NODE_INFO_TYPE),

  // ---- Private functions (not callable; registered for their declaration index) ----
  // Move: walrus_edge::system::assert_version
  assert_version: internal([`&${S}`]),
  // Move: walrus_edge::system::new_epoch_accounting
  new_epoch_accounting: internal([], [EPOCH_ACCOUNTING_TYPE]),
  // Move: walrus_edge::system::node_mut (returns a reference)
  node_mut: internal([`&mut ${S}`, `&${CAP}`]),
  // Move: walrus_edge::system::sell_capacity
  sell_capacity: internal([`&mut ${S}`, 'u64', 'u64', 'u64', `&mut ${COIN}`]),
  // Move: walrus_edge::system::rotate_accounting
  rotate_accounting: internal([`&mut ${S}`, `&${BLS_COMMITTEE_TYPE}`]),
};
recordFunctionOrder(M, functions);

function getter(returns: string, read: (self: SystemFields) => unknown): FunctionDef {
  return {
    params: [`&${S}`],
    returns: [returns],
    execute: (_ctx, [system]: [SystemHandle]) => read(system.fields),
  };
}

/** `&self.accounting[slot]`: an index past the end is Move's vector index error. */
function accountingAt(self: SystemFields, slot: string, fn: string): EpochAccountingFields {
  const index = BigInt(slot);
  const entry = index < BigInt(self.accounting.length) ? self.accounting[Number(index)] : undefined;
  if (entry === undefined) arithmeticError(M, fn);
  return entry;
}

// Move: walrus_edge::system::advance_epoch
function advanceEpoch(ctx: CallContext, self: SystemFields): void {
  const fn = 'advance_epoch';
  const state = epochStateOf(self.epoch_state);
  if (state.kind !== 'NextSelected') abortAt(ctx, M, fn, EWrongEpochState);
  const epoch = epochOf(self);
  if (epoch !== 0) {
    const due = state.timestampMs + BigInt(self.epoch_duration_ms);
    if (due > U64_MAX) arithmeticError(M, fn);
    ensure(ctx, ctx.nowMs() >= due, M, fn, EEpochChangeTooEarly);
  }

  const outgoing = self.committee;
  const next = self.next_shards;
  if (next === null) arithmeticError(M, fn); // option::extract on none: unreachable
  self.next_shards = null;
  const members: BlsCommitteeMemberFields[] = [];
  for (const nodeId of nodeIds(next)) {
    const info = borrowNode(ctx, self, nodeId);
    promoteNextBlsKey(info);
    storeNode(ctx, self, info);
    const weight = shardsOf(next, nodeId).length;
    members.push(newBlsCommitteeMember(info.bls_key, weight, nodeId));
  }
  const nextEpoch = u32(epoch + 1, M, fn);
  self.committee = newBlsCommittee(ctx, nextEpoch, members);
  self.shards = next;
  rotateAccounting(ctx, self, outgoing);
  self.epoch_state = { Sync: 0 };
  emitEpochChangeStart(ctx, nextEpoch);
}

export const systemModule: ModuleDef = {
  structs: {
    InitCap: { abilities: ['key'], layout: INIT_CAP },
    AdminCap: { abilities: ['key', 'store'], layout: ADMIN_CAP },
    EpochState: { abilities: ['copy', 'drop', 'store'], layout: EPOCH_STATE },
    EpochAccounting: { abilities: ['store'], layout: EPOCH_ACCOUNTING },
    System: { abilities: ['key'], layout: SYSTEM },
  },
  functions,
};
