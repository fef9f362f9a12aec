/**
 * Storage nodes on the real local ledger with our package, as child processes from dist
 * (`npx tsc -p tsconfig.build.json` first): four nodes create their keys and register themselves;
 * the admin selects the committee and advances the epoch; the nodes report epoch_sync_done; blobs
 * are stored through the real client flow (`storeBlob`: register, upload, confirmations, a
 * certificate the ledger accepts) and read back (`readBlob`). Then: a node that was down during an
 * upload and a node whose data dir was wiped recover every sliver of their shards from the
 * others' recovery symbols (checked byte for byte); deleting a blob on chain makes every node
 * drop it; an epoch change that moves shards has the gaining nodes recover before they report
 * epoch_sync_done.
 * Every process started here is killed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { blobIdToString } from '../../../core/blob-id.js';
import {
  ChainAbortError,
  SuiChain,
  type ObjectRef,
  type SystemState,
} from '../../../core/chain/index.js';
import { type EncodedBlob, encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { pairForShard } from '../../../core/encoding/mapping.js';
import { encodeBlobMetadataWithId } from '../../../core/encoding/metadata.js';
import { decodeSliverData } from '../../../core/encoding/sliver-data.js';
import { readBlob } from '../../../client/read/blob.js';
import { storeBlob } from '../../../client/store.js';
import {
  type LedgerProcess,
  type NodeProcess,
  freePorts,
  killAllProcesses,
  startLedgerProcess,
  startNodeProcess,
  writeLedgerInstaller,
} from '../../../node-reference/testing/processes.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes } from '../../helpers/random.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const NODE_MAIN = join(ROOT, 'dist/node-reference/main.js');
const LEDGER_MAIN = join(ROOT, 'dist/devnet/ledger/main.js');
const PACKAGE_INDEX = join(ROOT, 'dist/devnet/package/index.js');
const PACKAGE_ID = '0x26039ddf44c182957c6b1955d8df6156565385d183ed69a89243dd2a63f51e9f';
const N_SHARDS = 10;
/** Node i asks for SHARD_COUNTS[i] shards in epoch 1: quorum (7) needs any three nodes but... */
const SHARD_COUNTS = [3, 3, 2, 2];
/** ...in epoch 2 one shard moves from each of nodes 0 and 1 to nodes 2 and 3. */
const SHARD_COUNTS_NEXT = [2, 2, 3, 3];
const EPOCH_DURATION_MS = 1_000;
const SEED = 20_260_501;
const WAIT_MS = 60_000;

const admin = Ed25519Keypair.fromSecretKey(randomBytes(32, SEED));
const client = Ed25519Keypair.fromSecretKey(randomBytes(32, SEED + 1));

interface TestNode {
  readonly index: number;
  readonly dir: string;
  readonly configPath: string;
  readonly port: number;
  process: NodeProcess;
  nodeId: string;
}

interface StoredBlob {
  readonly bytes: Uint8Array;
  readonly encoded: EncodedBlob;
  readonly objectId: string;
  deleted: boolean;
}

let root: string;
let ledger: LedgerProcess;
let chain: SuiChain;
let adminCap: ObjectRef;
const nodes: TestNode[] = [];
const blobs: StoredBlob[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function writeNodeConfig(index: number, port: number): TestNode {
  const dir = join(root, `node-${index}`);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'node.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      listen: `127.0.0.1:${port}`,
      publicUrl: `http://127.0.0.1:${port}`,
      dataDir: './data',
      keyDir: './keys',
      name: `node-${index}`,
      chain: {
        url: ledger.url,
        packageId: PACKAGE_ID,
        systemObjectId: ledger.systemObjectId,
        faucetUrl: ledger.url,
        pollMs: 100,
      },
      recovery: { backoffMs: 200, backoffMsMax: 2_000 },
    }),
  );
  return { index, dir, configPath, port, process: undefined!, nodeId: '' };
}

async function health(node: TestNode): Promise<Record<string, any>> {
  const response = await fetch(`${node.process.url}/v1/health?detailed=true`);
  return ((await response.json()) as { success: { data: Record<string, any> } }).success.data;
}

async function system(): Promise<SystemState> {
  return chain.readSystem({ fresh: true });
}

function shardsOf(state: SystemState, node: TestNode): readonly number[] {
  return state.members.find((member) => member.nodeId === node.nodeId)?.shards ?? [];
}

async function getBytes(url: string): Promise<{ status: number; bytes: Uint8Array }> {
  const response = await fetch(url);
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Waits until the node serves metadata and both slivers of every pair on its shards, then
 * compares every one of them byte for byte with the encoder's output. */
async function expectAllSlivers(node: TestNode, state: SystemState): Promise<number> {
  let checked = 0;
  for (const blob of blobs.filter((b) => !b.deleted)) {
    const { blobId } = blob.encoded;
    const base = `${node.process.url}/v1/blobs/${blobIdToString(blobId)}`;
    const metadata = await until(`metadata on node ${node.index}`, async () => {
      const reply = await getBytes(`${base}/metadata`);
      return reply.status === 200 ? reply.bytes : undefined;
    });
    expectBytes(metadata, encodeBlobMetadataWithId(blobId, blob.encoded.metadata), 'metadata');
    for (const shard of shardsOf(state, node)) {
      const pair = pairForShard(shard, blobId, N_SHARDS);
      for (const axis of ['primary', 'secondary'] as const) {
        const bytes = await until(`${axis} sliver ${pair} on node ${node.index}`, async () => {
          const reply = await getBytes(`${base}/slivers/${pair}/${axis}`);
          return reply.status === 200 ? reply.bytes : undefined;
        });
        const expected =
          axis === 'primary'
            ? blob.encoded.primarySliverBcs(pair)
            : blob.encoded.secondarySliverBcs(N_SHARDS - 1 - pair);
        expectBytes(bytes, expected, `${axis} sliver ${pair} of ${blobIdToString(blobId)}`);
        checked++;
      }
    }
  }
  return checked;
}

async function store(size: number, seed: number, deletable: boolean): Promise<StoredBlob> {
  const bytes = randomBytes(size, seed);
  const result = await storeBlob(bytes, { chain, signer: client, epochs: 5, deletable });
  expect(result.blobObject.certifiedEpoch).not.toBeNull();
  const stored = {
    bytes,
    encoded: encodeBlob(bytes, N_SHARDS),
    objectId: result.blobObject.objectId,
    deleted: false,
  };
  expect(blobIdToString(stored.encoded.blobId)).toBe(result.blobId);
  blobs.push(stored);
  return stored;
}

async function advanceEpoch(): Promise<void> {
  await until('advance_epoch to be accepted', async () => {
    try {
      await chain.advanceEpoch(admin);
      return true;
    } catch (error) {
      if (error instanceof ChainAbortError && error.abortName === 'EEpochChangeTooEarly')
        return undefined;
      throw error;
    }
  });
}

beforeAll(async () => {
  for (const path of [NODE_MAIN, LEDGER_MAIN, PACKAGE_INDEX]) {
    if (!existsSync(path))
      throw new Error(`${path} is missing: run npx tsc -p tsconfig.build.json`);
  }
  root = mkdtempSync(join(tmpdir(), 'walrus-node-chain-'));
  const installer = writeLedgerInstaller(root, PACKAGE_INDEX, admin.toSuiAddress(), {
    nShards: N_SHARDS,
    epochDurationMs: EPOCH_DURATION_MS,
    maxEpochsAhead: 20,
  });
  ledger = await startLedgerProcess(LEDGER_MAIN, join(root, 'ledger'), installer);
  chain = new SuiChain({
    url: ledger.url,
    packageId: PACKAGE_ID,
    systemObjectId: ledger.systemObjectId,
    timeoutMs: 20_000,
  });
  for (const keypair of [admin, client]) {
    await requestSuiFromFaucetV2({ host: ledger.url, recipient: keypair.toSuiAddress() });
  }
  const caps = await chain.client.getOwnedObjects({
    owner: admin.toSuiAddress(),
    filter: { StructType: `${PACKAGE_ID}::system::AdminCap` },
  });
  const cap = caps.data[0].data!;
  adminCap = { objectId: cap.objectId, version: cap.version, digest: cap.digest };
  const ports = await freePorts(SHARD_COUNTS.length);
  for (const [i, port] of ports.entries()) nodes.push(writeNodeConfig(i, port));
  // One at a time: they all ask the ledger's faucet and register.
  for (const node of nodes) node.process = await startNodeProcess(NODE_MAIN, node.configPath);
});

afterAll(async () => {
  // WALRUS_TEST_LOG_DIR=<dir> keeps each node's JSON log lines for a look afterwards.
  const logDir = process.env.WALRUS_TEST_LOG_DIR;
  if (logDir !== undefined) {
    mkdirSync(logDir, { recursive: true });
    for (const node of nodes.filter((n) => n.process !== undefined)) {
      const lines = node.process.records().map((r) => JSON.stringify(r));
      writeFileSync(join(logDir, `node-${node.index}.jsonl`), `${lines.join('\n')}\n`);
    }
  }
  killAllProcesses();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('storage nodes on the ledger', () => {
  it('register themselves on first start, with their keys in the key dir', async () => {
    for (const node of nodes) {
      const registered = await node.process.waitFor((r) => r.event === 'chain.node_registered');
      node.nodeId = registered.nodeId as string;
      const keys = join(node.dir, 'keys');
      for (const file of ['protocol.key', 'sui.key', 'node-cap.json']) {
        expect(statSync(join(keys, file)).mode & 0o777, file).toBe(0o600);
      }
      const record = JSON.parse(readFileSync(join(keys, 'node-cap.json'), 'utf8'));
      expect(record).toEqual({ nodeId: node.nodeId, systemObjectId: ledger.systemObjectId });
      const info = await chain.readNode(node.nodeId);
      expect(info.networkAddress).toBe(`http://127.0.0.1:${node.port}`);
      expect(info.name).toBe(`node-${node.index}`);
      const publicKey = (await health(node)).publicKey as string;
      expect(Buffer.from(info.blsPublicKey).toString('base64')).toBe(publicKey);
    }
  });

  it('take their shards once the admin selects the committee; report epoch_sync_done', async () => {
    adminCap = (
      await chain.setNextCommittee(
        adminCap,
        nodes.map((node) => ({ nodeId: node.nodeId, shardCount: SHARD_COUNTS[node.index] })),
        admin,
      )
    ).ref;
    await advanceEpoch();
    const state = await until('epoch 1 to complete', async () => {
      const s = await system();
      return s.epoch === 1 && s.epochState.kind === 'done' ? s : undefined;
    });
    for (const node of nodes) {
      await node.process.waitFor((r) => r.event === 'chain.epoch_sync_done' && r.epoch === 1);
      const info = await health(node);
      expect(info.epoch).toBe(1);
      expect(info.shardDetail.owned.map((s: { shard: number }) => s.shard)).toEqual(
        [...shardsOf(state, node)].sort((a, b) => a - b),
      );
      expect(shardsOf(state, node).length).toBe(SHARD_COUNTS[node.index]);
    }
  });

  it('store blobs through the client flow, certified on chain, and serve them back', async () => {
    await store(40_000, SEED + 10, false);
    await store(25_000, SEED + 11, true);
    await store(300, SEED + 12, false);
    const committee = await system();
    for (const blob of blobs) {
      expectBytes(await readBlob(blob.encoded.blobId, committee), blob.bytes, 'blob read back');
    }
  });

  it('serve metadata, status, slivers to the official @mysten/walrus client', async (context) => {
    const candidates = ['dist/storage-node/client.mjs', 'dist/esm/storage-node/client.js'].map(
      (p) => join(ROOT, 'node_modules/@mysten/walrus', p),
    );
    const path = candidates.find((p) => existsSync(p));
    // @mysten/walrus must be a devDependency (1.2.13) for this check; it is skipped without it.
    if (path === undefined) return context.skip();
    const { StorageNodeClient } = (await import(pathToFileURL(path).href)) as {
      StorageNodeClient: new () => any;
    };
    const official = new StorageNodeClient();
    const state = await system();
    const blob = blobs[0];
    const blobId = blobIdToString(blob.encoded.blobId);
    for (const node of nodes) {
      const nodeUrl = node.process.url;
      const metadata = await official.getBlobMetadata({ blobId }, { nodeUrl });
      expect(String(metadata.metadata.V1.unencoded_length)).toBe(String(blob.bytes.length));
      expect(metadata.metadata.V1.hashes).toHaveLength(N_SHARDS);
      expect(await official.getMetadataStatus({ blobId }, { nodeUrl })).toBe('stored');
      const status = await official.getBlobStatus({ blobId }, { nodeUrl });
      expect(status.type).toBe('permanent');
      for (const shard of shardsOf(state, node)) {
        const pair = pairForShard(shard, blob.encoded.blobId, N_SHARDS);
        const sliver = await official.getSliver(
          { blobId, sliverPairIndex: pair, sliverType: 'primary' },
          { nodeUrl },
        );
        const expected = blob.encoded.primarySliverBcs(pair);
        // Newer SDKs return the BCS bytes, older ones the parsed SliverData.
        if (sliver instanceof Uint8Array) expectBytes(sliver, expected, 'sliver via the SDK');
        else expectBytes(Uint8Array.from(sliver.symbols.data), decodeSliverData(expected).data);
        expect(
          await official.getSliverStatus(
            { blobId, sliverPairIndex: pair, sliverType: 'secondary' },
            { nodeUrl },
          ),
        ).toBe('stored');
      }
    }
  });

  it('a node down during an upload recovers the blob once it is certified', async () => {
    const node = nodes[3]; // 2 shards: the other 8 still make a quorum
    await node.process.stop();
    const blob = await store(60_000, SEED + 20, false);
    node.process = await startNodeProcess(NODE_MAIN, node.configPath);
    // It resumes from its stored cursor (no replay from the start) and knows its identity.
    const following = await node.process.waitFor((r) => r.event === 'chain.following');
    expect(following.cursor).not.toBeNull();
    await node.process.waitFor((r) => r.event === 'chain.node_known');
    expect(node.process.records().some((r) => r.event === 'chain.node_registered')).toBe(false);
    await node.process.waitFor(
      (r) => r.event === 'recovery.blob_done' && r.blobId === blobIdToString(blob.encoded.blobId),
    );
    expect(await expectAllSlivers(node, await system())).toBeGreaterThan(0);
  });

  it('a node with a wiped data dir keeps its identity and recovers every sliver', async () => {
    const node = nodes[0];
    await node.process.stop();
    rmSync(join(node.dir, 'data'), { recursive: true, force: true });
    node.process = await startNodeProcess(NODE_MAIN, node.configPath);
    const following = await node.process.waitFor((r) => r.event === 'chain.following');
    expect(following.cursor).toBeNull(); // a replay from the first event
    await node.process.waitFor((r) => r.event === 'chain.node_known');
    const state = await system();
    const checked = await expectAllSlivers(node, state);
    expect(checked).toBe(blobs.length * SHARD_COUNTS[0] * 2);
    const info = await until('recovery to settle', async () => {
      const h = await health(node);
      return h.nodeStatus === 'Active' ? h : undefined;
    });
    expect(info.recovery.blobsRecovered).toBe(blobs.length);
    expect(info.recovery.sliversRecovered).toBe(checked);
    expect(info.recovery.blobsFailed).toBe(0);
    expect(info.shardSummary.ownedShardStatus).toMatchObject({
      ready: SHARD_COUNTS[0],
      inRecovery: 0,
    });
    // Reads still work with the recovered node in the committee.
    const committee = state;
    expectBytes(await readBlob(blobs[0].encoded.blobId, committee), blobs[0].bytes);
  });

  it('deleting a blob on chain makes every node drop it', async () => {
    const blob = blobs[1]; // the deletable one
    expect((await chain.readBlob(blob.objectId)).deletable).toBe(true);
    await chain.deleteBlob(blob.objectId, client);
    blob.deleted = true;
    const id = blobIdToString(blob.encoded.blobId);
    const state = await system();
    for (const node of nodes) {
      await until(`node ${node.index} to drop the blob`, async () => {
        const reply = await getBytes(`${node.process.url}/v1/blobs/${id}/metadata`);
        return reply.status === 404 ? true : undefined;
      });
      for (const shard of shardsOf(state, node)) {
        const pair = pairForShard(shard, blob.encoded.blobId, N_SHARDS);
        const reply = await getBytes(`${node.process.url}/v1/blobs/${id}/slivers/${pair}/primary`);
        expect(reply.status).toBe(404);
      }
      const status = await fetch(`${node.process.url}/v1/blobs/${id}/status`);
      expect(((await status.json()) as any).success.data).toBe('nonexistent');
    }
  });

  it('move shards at an epoch change: gaining nodes recover, then report sync done', async () => {
    adminCap = (
      await chain.setNextCommittee(
        adminCap,
        nodes.map((node) => ({ nodeId: node.nodeId, shardCount: SHARD_COUNTS_NEXT[node.index] })),
        admin,
      )
    ).ref;
    await advanceEpoch();
    const state = await until('epoch 2 to complete', async () => {
      const s = await system();
      return s.epoch === 2 && s.epochState.kind === 'done' ? s : undefined;
    });
    for (const node of nodes) {
      await node.process.waitFor((r) => r.event === 'chain.epoch_sync_done' && r.epoch === 2);
      expect(shardsOf(state, node).length).toBe(SHARD_COUNTS_NEXT[node.index]);
    }
    for (const node of nodes.filter((n) => SHARD_COUNTS_NEXT[n.index] > SHARD_COUNTS[n.index])) {
      // Recovery finished before the report: the ready line comes after the recovered blobs.
      const records = node.process.records();
      const ready = records.findIndex((r) => r.event === 'epoch.ready' && r.epoch === 2);
      const recovered = records.filter((r, i) => r.event === 'recovery.blob_done' && i < ready);
      expect(recovered.length).toBeGreaterThan(0);
      await expectAllSlivers(node, state);
    }
    const committee = state;
    for (const blob of blobs.filter((b) => !b.deleted)) {
      expectBytes(
        await readBlob(blob.encoded.blobId, committee),
        blob.bytes,
        'blob after the move',
      );
    }
  });
});
