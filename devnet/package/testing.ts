/**
 * Test support for the walrus_edge mirror (used by test/package-*.test.ts): a ledger served on
 * 127.0.0.1 with the package, a stock SDK client, storage-node identities with BLS keys, real
 * certificates, and BCS decoders written from move/README.md's object table — deliberately not
 * the mirror's own layouts, so a layout mistake shows up as a decoding mismatch.
 */
import { bcs } from '@mysten/sui/bcs';
import { SuiJsonRpcClient, type SuiTransactionBlockResponse } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { deriveDynamicFieldID, fromBase64, normalizeSuiAddress } from '@mysten/sui/utils';
import {
  blsAggregateSignatures,
  blsPublicKey,
  blsRandomSecretKey,
  blsSign,
  signersBitmap,
} from '../../core/bls.js';
import { proofOfPossessionMessage } from '../../core/messages.js';
import { Ledger } from '../ledger/ledger.js';
import { serveLedger, type LedgerServer } from '../ledger/server.js';
import { hexToBytes, WALRUS_EDGE_PACKAGE_ID } from './common.js';
import { findSystemId, walrusEdgePackage, type SystemParams } from './index.js';

export const PKG = WALRUS_EDGE_PACKAGE_ID;
/** Test gas budget: set explicitly so the SDK skips its dry run and aborts are executed. */
export const GAS_BUDGET = 200_000_000;

// ---- Decoders from move/README.md ----

const Uid = bcs.struct('UID', { id: bcs.Address });
const Element = bcs.struct('Element', { bytes: bcs.vector(bcs.u8()) });

export const D = {
  Storage: bcs.struct('Storage', {
    id: Uid,
    start_epoch: bcs.u32(),
    end_epoch: bcs.u32(),
    storage_size: bcs.u64(),
  }),
  Metadata: bcs.struct('Metadata', {
    metadata: bcs.struct('VecMap', {
      contents: bcs.vector(bcs.struct('Entry', { key: bcs.string(), value: bcs.string() })),
    }),
  }),
  NodeInfo: bcs.struct('NodeInfo', {
    node_id: bcs.Address,
    name: bcs.string(),
    network_address: bcs.string(),
    bls_key: Element,
    next_bls_key: bcs.option(Element),
    network_public_key: bcs.vector(bcs.u8()),
    rewards: bcs.u64(),
  }),
  NodeCap: bcs.struct('NodeCap', {
    id: Uid,
    node_id: bcs.Address,
    last_epoch_sync_done: bcs.u32(),
  }),
  AdminCap: bcs.struct('AdminCap', { id: Uid }),
  InitCap: bcs.struct('InitCap', { id: Uid }),
} as const;

const BlobLayout = bcs.struct('Blob', {
  id: Uid,
  registered_epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  certified_epoch: bcs.option(bcs.u32()),
  storage: D.Storage,
  deletable: bcs.bool(),
});
const CommitteeLayout = bcs.struct('Committee', {
  pos0: bcs.struct('VecMap', {
    contents: bcs.vector(bcs.struct('Entry', { key: bcs.Address, value: bcs.vector(bcs.u16()) })),
  }),
});
const SystemLayout = bcs.struct('System', {
  id: Uid,
  version: bcs.u64(),
  committee: bcs.struct('BlsCommittee', {
    members: bcs.vector(
      bcs.struct('BlsCommitteeMember', {
        public_key: Element,
        weight: bcs.u16(),
        node_id: bcs.Address,
      }),
    ),
    n_shards: bcs.u16(),
    epoch: bcs.u32(),
    total_aggregated_key: Element,
  }),
  shards: CommitteeLayout,
  next_shards: bcs.option(CommitteeLayout),
  epoch_state: bcs.enum('EpochState', {
    Sync: bcs.u16(),
    Done: bcs.u64(),
    NextSelected: bcs.u64(),
  }),
  n_shards: bcs.u16(),
  epoch_duration_ms: bcs.u64(),
  total_capacity: bcs.u64(),
  used_capacity: bcs.u64(),
  storage_price: bcs.u64(),
  write_price: bcs.u64(),
  max_epochs_ahead: bcs.u32(),
  accounting: bcs.vector(bcs.struct('EpochAccounting', { used: bcs.u64(), fees: bcs.u64() })),
  nodes: bcs.struct('Table', { id: Uid, size: bcs.u64() }),
});

export const Decode = {
  ...D,
  Blob: BlobLayout,
  Committee: CommitteeLayout,
  System: SystemLayout,
  NodeInfoField: bcs.struct('Field', { id: Uid, name: bcs.Address, value: D.NodeInfo }),
  MetadataField: bcs.struct('Field', { id: Uid, name: bcs.vector(bcs.u8()), value: D.Metadata }),
  Coin: bcs.struct('Coin', { id: Uid, balance: bcs.u64() }),
};

// ---- The ledger and the client ----

export interface Harness {
  readonly ledger: Ledger;
  readonly server: LedgerServer;
  readonly client: SuiJsonRpcClient;
  readonly admin: Ed25519Keypair;
  readonly systemId: string;
  /** The ledger's clock (ms); tests move it forward. */
  nowMs: number;
  close(): Promise<void>;
}

export async function startHarness(
  options: { system?: Partial<SystemParams> | null; admin?: Ed25519Keypair } = {},
): Promise<Harness> {
  const admin = options.admin ?? new Ed25519Keypair();
  const state = { nowMs: 1_700_000_000_000 };
  const ledger = Ledger.open({
    now: () => state.nowMs,
    fsync: false,
    log: (message) => console.error(message),
    packages: [walrusEdgePackage({ admin: admin.toSuiAddress(), system: options.system })],
  });
  const server = await serveLedger(ledger, {
    host: '127.0.0.1',
    port: 0,
    log: (message) => console.error(message),
  });
  const client = new SuiJsonRpcClient({ url: server.url, network: 'localnet' });
  await fund(server.url, admin);
  const harness: Harness = {
    ledger,
    server,
    client,
    admin,
    systemId: findSystemId(ledger) ?? '',
    get nowMs() {
      return state.nowMs;
    },
    set nowMs(value: number) {
      state.nowMs = value;
    },
    close: async () => {
      await server.close();
      ledger.close();
    },
  };
  return harness;
}

export async function fund(url: string, keypair: Ed25519Keypair, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await requestSuiFromFaucetV2({ host: url, recipient: keypair.toSuiAddress() });
  }
}

/** Signs and executes with an explicit budget, so failing transactions execute too. */
export async function run(
  client: SuiJsonRpcClient,
  signer: Ed25519Keypair,
  build: (tx: Transaction) => void,
): Promise<SuiTransactionBlockResponse> {
  const tx = new Transaction();
  build(tx);
  tx.setGasBudget(GAS_BUDGET);
  return client.signAndExecuteTransaction({
    transaction: tx,
    signer,
    options: { showEffects: true, showEvents: true, showObjectChanges: true },
  });
}

/** `'success'`, or the failure text Sui gives (`MoveAbort(…) in command N`). */
export function statusOf(result: SuiTransactionBlockResponse): string {
  const status = result.effects!.status;
  return status.status === 'success' ? 'success' : (status.error ?? 'failure');
}

/** The failure text Sui gives for `abort code` in `walrus_edge::module::fn`. */
export function abortPattern(module: string, code: number, fn?: string): RegExp {
  const address = normalizeSuiAddress(PKG).slice(2);
  const name = fn === undefined ? '[a-z_]+' : fn;
  return new RegExp(
    `^MoveAbort\\(MoveLocation \\{ module: ModuleId \\{ address: ${address}, name: ` +
      `Identifier\\("${module}"\\) \\}, function: \\d+, instruction: 0, function_name: ` +
      `Some\\("${name}"\\) \\}, ${code}\\) in command \\d+$`,
  );
}

/** IDs of objects the transaction created, by the struct name (`system::System`, …). */
export function createdIds(result: SuiTransactionBlockResponse, suffix: string): string[] {
  return (result.objectChanges ?? [])
    .filter((c) => c.type === 'created' && c.objectType.endsWith(`::${suffix}`))
    .map((c) => (c as { objectId: string }).objectId);
}

export async function objectBcs(client: SuiJsonRpcClient, id: string): Promise<Uint8Array> {
  const response = await client.getObject({ id, options: { showBcs: true } });
  const data = response.data?.bcs;
  if (data === undefined || data === null || data.dataType !== 'moveObject')
    throw new Error(`object ${id} not found: ${JSON.stringify(response.error)}`);
  return fromBase64(data.bcsBytes);
}

export async function readSystemBcs(client: SuiJsonRpcClient, systemId: string) {
  return Decode.System.parse(await objectBcs(client, systemId));
}

/** The NodeInfo stored under `nodeId` in the System's `nodes` table. */
export async function readNodeInfo(client: SuiJsonRpcClient, tableId: string, nodeId: string) {
  const fieldId = deriveDynamicFieldID(
    tableId,
    '0x2::object::ID',
    bcs.Address.serialize(nodeId).toBytes(),
  );
  return Decode.NodeInfoField.parse(await objectBcs(client, fieldId));
}

export const METADATA_FIELD_NAME = new TextEncoder().encode('metadata');

/** The ID of a Blob's metadata field (name type `vector<u8>`, name `b"metadata"`). */
export function metadataFieldId(blobId: string): string {
  return deriveDynamicFieldID(
    blobId,
    'vector<u8>',
    bcs.vector(bcs.u8()).serialize(METADATA_FIELD_NAME).toBytes(),
  );
}

export async function eventsOf(client: SuiJsonRpcClient, name: string) {
  const page = await client.queryEvents({
    query: { MoveEventType: `${PKG}::events::${name}` },
    limit: 50,
    order: 'ascending',
  });
  return page.data;
}

// ---- Storage nodes ----

export interface TestNode {
  readonly operator: Ed25519Keypair;
  readonly blsSecret: Uint8Array;
  readonly blsPublic: Uint8Array;
  readonly networkPublicKey: Uint8Array;
  readonly name: string;
  nodeId: string;
}

export function newTestNode(name: string): TestNode {
  const blsSecret = blsRandomSecretKey();
  const networkPublicKey = new Uint8Array(33);
  crypto.getRandomValues(networkPublicKey);
  return {
    operator: new Ed25519Keypair(),
    blsSecret,
    blsPublic: blsPublicKey(blsSecret),
    networkPublicKey,
    name,
    nodeId: '',
  };
}

/** The proof of possession `node` signs for `epoch` and `sender` (default: its operator). */
export function proofOfPossession(
  node: Pick<TestNode, 'blsSecret' | 'blsPublic' | 'operator'>,
  epoch: number,
  sender: string = node.operator.toSuiAddress(),
): Uint8Array {
  return blsSign(
    node.blsSecret,
    proofOfPossessionMessage(epoch, hexToBytes(normalizeSuiAddress(sender)), node.blsPublic),
  );
}

/**
 * An aggregate certificate over `message` by `signers`, indexed by the committee's member order
 * (`memberIds`, as stored on chain).
 */
export function certificate(
  memberIds: readonly string[],
  signers: readonly TestNode[],
  message: Uint8Array,
): { signature: Uint8Array; bitmap: Uint8Array } {
  const indices = signers.map((node) => {
    const index = memberIds.indexOf(node.nodeId);
    if (index < 0) throw new Error(`${node.name} is not a member`);
    return index;
  });
  return {
    signature: blsAggregateSignatures(signers.map((node) => blsSign(node.blsSecret, message))),
    bitmap: signersBitmap(indices, memberIds.length),
  };
}
