/**
 * BCS layouts of the walrus_edge objects and events, field for field in the order of
 * move/README.md "Objects (BCS field order)" and "Events". Keep in sync with move/sources.
 */
import { bcs } from '@mysten/sui/bcs';

const UID = bcs.Address;
const ID = bcs.Address;
/** `sui::group_ops::Element<G>`: one byte vector (48-byte G1 or 96-byte uncompressed G1). */
const ELEMENT = bcs.struct('Element', { bytes: bcs.vector(bcs.u8()) });
const BALANCE = bcs.struct('Balance', { value: bcs.u64() });

export const STORAGE = bcs.struct('Storage', {
  id: UID,
  start_epoch: bcs.u32(),
  end_epoch: bcs.u32(),
  storage_size: bcs.u64(),
});

export const BLOB = bcs.struct('Blob', {
  id: UID,
  registered_epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  certified_epoch: bcs.option(bcs.u32()),
  storage: STORAGE,
  deletable: bcs.bool(),
});

const BLS_COMMITTEE_MEMBER = bcs.struct('BlsCommitteeMember', {
  public_key: ELEMENT,
  weight: bcs.u16(),
  node_id: ID,
});

const BLS_COMMITTEE = bcs.struct('BlsCommittee', {
  members: bcs.vector(BLS_COMMITTEE_MEMBER),
  n_shards: bcs.u16(),
  epoch: bcs.u32(),
  total_aggregated_key: ELEMENT,
});

/** `committee::Committee(VecMap<ID, vector<u16>>)`: a VecMap is a vector of entries. */
const COMMITTEE = bcs.struct('Committee', {
  contents: bcs.vector(bcs.struct('Entry', { key: ID, value: bcs.vector(bcs.u16()) })),
});

const EPOCH_STATE = bcs.enum('EpochState', {
  Sync: bcs.u16(),
  Done: bcs.u64(),
  NextSelected: bcs.u64(),
});

const EPOCH_ACCOUNTING = bcs.struct('EpochAccounting', { used: bcs.u64(), fees: BALANCE });

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
  nodes: bcs.struct('Table', { id: UID, size: bcs.u64() }),
});

const NODE_INFO = bcs.struct('NodeInfo', {
  node_id: ID,
  name: bcs.string(),
  network_address: bcs.string(),
  bls_key: ELEMENT,
  next_bls_key: bcs.option(ELEMENT),
  network_public_key: bcs.vector(bcs.u8()),
  rewards: BALANCE,
});

/**
 * `0x2::dynamic_field::Field<vector<u8>, metadata::Metadata>`: a Blob's attributes, under the name
 * b"metadata" (move/sources/blob.move). Metadata wraps a VecMap<String, String>, whose BCS is the
 * vector of its entries.
 */
export const BLOB_ATTRIBUTES_FIELD = bcs.struct('Field', {
  id: UID,
  name: bcs.vector(bcs.u8()),
  value: bcs.struct('Metadata', {
    metadata: bcs.struct('VecMap', {
      contents: bcs.vector(bcs.struct('Entry', { key: bcs.string(), value: bcs.string() })),
    }),
  }),
});
/** The Move type of the attributes field's name, as `deriveDynamicFieldID` wants it. */
export const BLOB_ATTRIBUTES_KEY_TYPE = 'vector<u8>';
/** The attributes field's name: b"metadata". */
export const BLOB_ATTRIBUTES_KEY = new TextEncoder().encode('metadata');

/** `0x2::dynamic_field::Field<ID, NodeInfo>`: one entry of `System.nodes`. */
export const NODE_INFO_FIELD = bcs.struct('Field', { id: UID, name: ID, value: NODE_INFO });
/** The Move type of the `nodes` table's key, as `deriveDynamicFieldID` wants it. */
export const NODE_TABLE_KEY_TYPE = '0x2::object::ID';

export const EVENT_LAYOUTS = {
  BlobRegistered: bcs.struct('BlobRegistered', {
    epoch: bcs.u32(),
    blob_id: bcs.u256(),
    size: bcs.u64(),
    encoding_type: bcs.u8(),
    end_epoch: bcs.u32(),
    deletable: bcs.bool(),
    object_id: ID,
  }),
  BlobCertified: bcs.struct('BlobCertified', {
    epoch: bcs.u32(),
    blob_id: bcs.u256(),
    end_epoch: bcs.u32(),
    deletable: bcs.bool(),
    object_id: ID,
    is_extension: bcs.bool(),
  }),
  BlobDeleted: bcs.struct('BlobDeleted', {
    epoch: bcs.u32(),
    blob_id: bcs.u256(),
    end_epoch: bcs.u32(),
    object_id: ID,
    was_certified: bcs.bool(),
  }),
  InvalidBlobID: bcs.struct('InvalidBlobID', { epoch: bcs.u32(), blob_id: bcs.u256() }),
  EpochChangeStart: bcs.struct('EpochChangeStart', { epoch: bcs.u32() }),
  EpochChangeDone: bcs.struct('EpochChangeDone', { epoch: bcs.u32() }),
  ShardsReceived: bcs.struct('ShardsReceived', { epoch: bcs.u32(), shards: bcs.vector(bcs.u16()) }),
  EpochParametersSelected: bcs.struct('EpochParametersSelected', { next_epoch: bcs.u32() }),
} as const;
