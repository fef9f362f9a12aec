/**
 * Quilts through the SDK against a whole devnet (`npm start`'s launcher: 7 nodes, 100 shards, so
 * f = 33): a collection of files stored as one quilt with WalrusEdgeClient.storeQuilt (patch IDs
 * and quilt ID equal to the local encoder's, the quilt attribute on chain), every patch read back
 * byte for byte by patch ID and by identifier; a node that corrupts every answer is refused and
 * read around; then nodes holding up to f shards (those holding the most patch columns) are hung
 * (SIGSTOP) — requests get a ten-minute hard timeout, so only hedging can finish the reads — and
 * finally taken down (SIGTERM), and every patch still reads exactly.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { WalrusEdgeClient, type QuiltStoreResult } from '../../../client/index.js';
import { NodeHealth } from '../../../client/node-health.js';
import { readQuiltPatchById } from '../../../client/read/quilt.js';
import { blobIdFromString } from '../../../core/blob-id.js';
import type { Committee } from '../../../core/chain/committee.js';
import { SuiChain } from '../../../core/chain/sui-chain.js';
import { pairOfSliverIndex, shardForPair } from '../../../core/encoding/mapping.js';
import { encodeQuilt } from '../../../core/quilt/quilt-blob.js';
import { seededBytes } from '../../../node-reference/testing/harness.js';
import { expectBytes } from '../../helpers/bytes.js';
import { type DevnetNode, type TestDevnet, startTestDevnet } from '../../helpers/devnet.js';
import { type RunningProxy, startProxy } from '../../helpers/proxy.js';

const N_SHARDS = 100;
const F = Math.floor((N_SHARDS - 1) / 3);
/** Long enough that a read waiting for a hung node could never finish inside the test timeout. */
const NEVER_MS = 10 * 60_000;
/** A hung node costs hedge deadlines, not timeouts: far below the hard timeout of 10 s or more. */
const HUNG_READ_MS_MAX = 9_000;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff, 0xe0];

/** An NFT-like collection: JSON metadata, PNG/JPEG images of 10–60 KiB, an empty file, unicode. */
function collection() {
  const files: { identifier: string; data: Uint8Array; tags?: Record<string, string> }[] = [];
  for (let i = 0; i < 12; i++) {
    const json = JSON.stringify({
      name: `Walrus #${i}`,
      image: `images/${i}.png`,
      attributes: [{ trait_type: 'seed', value: Buffer.from(seededBytes(700, i)).toString('hex') }],
    });
    files.push({
      identifier: `metadata/${i}.json`,
      data: new TextEncoder().encode(json),
      tags: { 'content-type': 'application/json' },
    });
  }
  for (let i = 0; i < 16; i++) {
    const size = 10 * 1024 + ((i * 7919) % (50 * 1024));
    const data = seededBytes(size, 1000 + i);
    const magic = i % 3 === 0 ? JPEG : PNG;
    data.set(magic);
    files.push({
      identifier: `images/${i}.${i % 3 === 0 ? 'jpg' : 'png'}`,
      data,
      tags: {
        'content-type': i % 3 === 0 ? 'image/jpeg' : 'image/png',
        rarity: i < 4 ? 'rare' : 'common',
      },
    });
  }
  files.push({ identifier: 'empty', data: new Uint8Array(0) });
  files.push({ identifier: 'ünïcödé 日本語.txt', data: new TextEncoder().encode('héllo') });
  return files;
}

let devnet: TestDevnet;
let chain: SuiChain;
let client: WalrusEdgeClient;
const files = collection();
let stored: QuiltStoreResult;
const proxies: RunningProxy[] = [];

const fileOf = (identifier: string) => files.find((f) => f.identifier === identifier)!;

/** Reads every patch by ID and by identifier and checks the bytes; returns the slowest read. */
async function readEverything(options: { hardTimeoutMs?: number } = {}): Promise<number> {
  let slowest = 0;
  for (const entry of stored.storedQuiltBlobs) {
    const file = fileOf(entry.identifier);
    let started = performance.now();
    const byId = await client.readQuiltPatch(entry.quiltPatchId, options);
    slowest = Math.max(slowest, performance.now() - started);
    expect(byId.identifier).toBe(file.identifier);
    expectBytes(byId.data, file.data, `${file.identifier} by ID`);
    expect(byId.tags).toEqual(file.tags ?? {});
    started = performance.now();
    const byName = await client.readQuiltPatchByIdentifier(
      stored.blobId,
      entry.identifier,
      options,
    );
    slowest = Math.max(slowest, performance.now() - started);
    expectBytes(byName!.data, file.data, `${file.identifier} by identifier`);
  }
  return slowest;
}

/** Nodes holding up to f shards between them, those holding the most of the quilt's patch columns first. */
function victims(): DevnetNode[] {
  const quiltId = blobIdFromString(stored.blobId);
  const columnsHeld = new Map<string, number>();
  for (const entry of stored.storedQuiltBlobs) {
    for (let column = entry.range[0]; column < entry.range[1]; column++) {
      const shard = shardForPair(
        pairOfSliverIndex('secondary', column, N_SHARDS),
        quiltId,
        N_SHARDS,
      );
      const node = devnet.network.nodes.find((n) => n.shards.includes(shard))!;
      columnsHeld.set(node.name, (columnsHeld.get(node.name) ?? 0) + 1);
    }
  }
  const ranked = [...devnet.network.nodes].sort(
    (a, b) => (columnsHeld.get(b.name) ?? 0) - (columnsHeld.get(a.name) ?? 0),
  );
  const chosen: DevnetNode[] = [];
  let shards = 0;
  for (const node of ranked) {
    if (shards + node.shards.length > F) continue;
    chosen.push(node);
    shards += node.shards.length;
  }
  expect(chosen.length).toBeGreaterThanOrEqual(2);
  expect(columnsHeld.get(chosen[0].name) ?? 0).toBeGreaterThan(0);
  return chosen;
}

beforeAll(async () => {
  devnet = await startTestDevnet({ nodes: 7, shards: N_SHARDS });
  const net = devnet.network;
  chain = new SuiChain({
    url: net.ledgerUrl,
    packageId: net.packageId,
    systemObjectId: net.systemObjectId,
  });
  client = new WalrusEdgeClient({ chain });
}, 300_000);

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  if (devnet !== undefined) expect(await devnet.stop()).toEqual([]);
}, 60_000);

describe('a quilt on a devnet, through the SDK', () => {
  it('stores the collection as one quilt with the IDs the local encoder computes', async () => {
    const signer = Ed25519Keypair.fromSecretKey(
      decodeSuiPrivateKey(readFileSync(devnet.network.walletKeyFile, 'utf8').trim()).secretKey,
    );
    stored = await client.storeQuilt(files, { epochs: 2, deletable: true, signer });
    const local = encodeQuilt(
      files.map((f) => ({ identifier: f.identifier, bytes: f.data, tags: f.tags })),
      N_SHARDS,
    );
    expect(blobIdFromString(stored.blobId)).toEqual(local.quiltId);
    expect(stored.storedQuiltBlobs).toEqual(local.patchIds);
    expect(stored.size).toBe(local.quilt.length);
    expect(stored.blobObject.deletable).toBe(true);
    const attributes = await chain.readBlobAttributes(stored.blobObject.objectId);
    expect(attributes.get('_walrusBlobType')).toBe('quilt');
    // Index order: identifiers sorted by UTF-8 bytes.
    const identifiers = stored.storedQuiltBlobs.map((p) => p.identifier);
    expect(identifiers).toEqual(
      [...identifiers].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
  }, 120_000);

  it('reads every patch back by patch ID and by identifier, and lists the index', async () => {
    await readEverything();
    const listed = await client.listQuiltPatches(stored.blobId);
    expect(
      listed.map(({ identifier, quiltPatchId, range }) => ({ identifier, quiltPatchId, range })),
    ).toEqual(stored.storedQuiltBlobs);
    expect(listed.find((p) => p.identifier === 'images/0.jpg')!.tags).toEqual({
      'content-type': 'image/jpeg',
      rarity: 'rare',
    });
    const rare = await client.readQuiltPatches({
      quiltId: blobIdFromString(stored.blobId),
      tag: ['rarity', 'rare'],
    });
    expect(rare.map((p) => p.identifier).sort()).toEqual([
      'images/0.jpg',
      'images/1.png',
      'images/2.png',
      'images/3.jpg',
    ]);
    expect(await client.readQuiltPatchByIdentifier(stored.blobId, 'not there')).toBeUndefined();
  }, 120_000);

  it('refuses a node that corrupts every answer and reads around it', async () => {
    const READ_ROUNDS_MAX = 3;
    const [liar] = victims();
    const corrupting = await startProxy(liar.url, {
      corrupt: (path, body) => {
        const out = body.slice();
        if (out.length > 20) out[out.length - 20] ^= 0xff;
        return out;
      },
    });
    proxies.push(corrupting);
    const system = await chain.readSystem();
    const committee: Committee = {
      ...system,
      members: system.members.map((m) =>
        m.networkAddress.replace(/\/$/, '') === liar.url.replace(/\/$/, '')
          ? { ...m, networkAddress: corrupting.url }
          : m,
      ),
    };
    expect(committee.members.some((m) => m.networkAddress === corrupting.url)).toBe(true);
    const asked = () => corrupting.requests.some((path) => path.includes('/secondary'));
    let health = new NodeHealth();
    // On a loaded machine the liar's first answer can be late enough that recovery finishes the
    // read before its request goes out; another round (fresh health) asks it again.
    for (let round = 0; round < READ_ROUNDS_MAX && !asked(); round++) {
      health = new NodeHealth();
      for (const entry of stored.storedQuiltBlobs) {
        const read = await readQuiltPatchById(entry.quiltPatchId, committee, { health });
        expectBytes(read.patch.data, fileOf(entry.identifier).data, entry.identifier);
      }
    }
    expect(asked()).toBe(true);
    expect(health.isSkipped(corrupting.url)).toBe(true);
  }, 120_000);

  it('reads every patch with nodes holding up to f shards hung (SIGSTOP)', async () => {
    const hung = victims();
    for (const node of hung) await devnet.signalNode(node, 'SIGSTOP');
    try {
      const slowest = await readEverything({ hardTimeoutMs: NEVER_MS });
      expect(slowest).toBeLessThan(HUNG_READ_MS_MAX);
    } finally {
      for (const node of hung) await devnet.signalNode(node, 'SIGCONT');
    }
  }, 240_000);

  it('reads every patch with nodes holding up to f shards down (SIGTERM)', async () => {
    const down = victims();
    for (const node of down) await devnet.signalNode(node, 'SIGTERM');
    await readEverything();
  }, 240_000);
});
