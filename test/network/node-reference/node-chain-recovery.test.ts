/**
 * Sliver recovery (node-reference/recovery.ts) with in-process nodes on a MemoryChain, where faults
 * are easy to place: a node that missed an upload recovers once (and only once) the blob is
 * certified, and again for a shard it gains at an epoch change before it reports the epoch ready;
 * a peer serving corrupted symbols is ignored; peers that are down are retried with backoff; an
 * inconsistently encoded blob yields an inconsistency proof that another node attests to.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobIdToString, deriveBlobId } from '../../../core/blob-id.js';
import { blsVerify } from '../../../core/bls.js';
import { decodeInconsistencyProof } from '../../../core/encoding/inconsistency.js';
import {
  type SliverAxis,
  pairOfSliverIndex,
  shardForPair,
} from '../../../core/encoding/mapping.js';
import {
  type BlobMetadata,
  encodeBlobMetadata,
  rootHashOfMetadata,
} from '../../../core/encoding/metadata.js';
import {
  decodeRecoverySymbols,
  encodeRecoverySymbols,
} from '../../../core/encoding/recovery-symbol-list.js';
import { encodeSliverData } from '../../../core/encoding/sliver-data.js';
import { computeSliverHash } from '../../../core/encoding/sliver-verification.js';
import { invalidBlobIdMessage } from '../../../core/messages.js';
import type { Logger } from '../../../node-reference/log.js';
import type { RunningNode } from '../../../node-reference/node.js';
import type { RecoveryLimits } from '../../../node-reference/recovery.js';
import {
  type TestBlob,
  pairsOnShards,
  sliverUrl,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { expectBytes } from '../../helpers/bytes.js';

const N_SHARDS = 10;
const WAIT_MS = 30_000;
const FAST_RETRIES: Partial<RecoveryLimits> = { backoffMs: 20, backoffMsMax: 200, attemptsMax: 40 };

interface Record_ {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** A logger that keeps its records and can wait for one. */
function recordingLogger(): Logger & {
  records: Record_[];
  waitFor(predicate: (r: Record_) => boolean): Promise<Record_>;
} {
  const records: Record_[] = [];
  const waiters = new Set<{ predicate: (r: Record_) => boolean; resolve: (r: Record_) => void }>();
  return {
    records,
    log(_level, event, fields = {}) {
      const record = { event, ...fields };
      records.push(record);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(record)) {
          waiters.delete(waiter);
          waiter.resolve(record);
        }
      }
    },
    waitFor(predicate) {
      const found = records.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (!waiters.delete(waiter)) return;
          reject(new Error(`no matching record; last: ${JSON.stringify(records.slice(-5))}`));
        }, WAIT_MS);
      });
    },
  };
}

type Node = RunningNode & { secretKey: Uint8Array };

/** A MemoryChain with one node per entry of `assignment`; `recovering` nodes recover. */
class Cluster {
  readonly chain = new MemoryChain({ nShards: N_SHARDS });
  readonly nodes = new Map<string, Node>();
  readonly logs = new Map<string, ReturnType<typeof recordingLogger>>();
  readonly epochsReady = new Map<string, number[]>();
  private readonly root = mkdtempSync(join(tmpdir(), 'walrus-node-chain-recovery-'));

  constructor(readonly assignment: Record<string, number[]>) {
    for (const [name, shards] of Object.entries(assignment)) this.chain.assignShards(name, shards);
  }

  peersOf(name: string) {
    return () =>
      [...this.nodes]
        .filter(([other]) => other !== name)
        .map(([other, node]) => ({ url: node.url, shards: this.chain.shardsOf(other) }));
  }

  async start(
    name: string,
    recovery?: { limits?: Partial<RecoveryLimits>; fetch?: typeof fetch },
    secretKey?: Uint8Array,
  ): Promise<Node> {
    const logger = recordingLogger();
    this.logs.set(name, logger);
    const ready: number[] = this.epochsReady.get(name) ?? [];
    this.epochsReady.set(name, ready);
    const node = await startTestNode({
      chain: this.chain,
      name,
      dataDir: join(this.root, name),
      secretKey,
      logger,
      recovery:
        recovery === undefined
          ? undefined
          : { peers: this.peersOf(name), limits: recovery.limits, fetch: recovery.fetch },
      onEpochReady: async (epoch) => void ready.push(epoch),
    });
    this.nodes.set(name, node);
    return node;
  }

  async stop(name: string): Promise<Node> {
    const node = this.nodes.get(name)!;
    this.nodes.delete(name);
    await node.close(0);
    return node;
  }

  /** Registers, uploads to `uploaders` and (unless told otherwise) certifies. */
  async store(blob: TestBlob, uploaders: readonly string[], certify = true): Promise<Uint8Array> {
    const objectId = await this.chain.registerBlob({ blobId: blob.blobId });
    for (const name of uploaders)
      await uploadBlob(this.nodes.get(name)!.url, blob, this.chain.shardsOf(name));
    if (certify) await this.chain.certifyBlob(blob.blobId, objectId);
    return objectId;
  }

  async close(): Promise<void> {
    for (const node of this.nodes.values()) await node.close(0);
    this.nodes.clear();
    rmSync(this.root, { recursive: true, force: true });
  }
}

async function health(node: Node): Promise<Record<string, any>> {
  const response = await fetch(`${node.url}/v1/health?detailed=true`);
  return ((await response.json()) as { success: { data: Record<string, any> } }).success.data;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every sliver of `blob` on `shards` of `node`, byte for byte. */
async function expectSlivers(node: Node, blob: TestBlob, shards: readonly number[]) {
  for (const pairIndex of pairsOnShards(blob, shards)) {
    for (const axis of ['primary', 'secondary'] as SliverAxis[]) {
      const response = await fetch(sliverUrl(node.url, blob, pairIndex, axis));
      expect(response.status, `${axis} ${pairIndex}`).toBe(200);
      expectBytes(new Uint8Array(await response.arrayBuffer()), blob.sliverBcs(pairIndex, axis));
    }
  }
}

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('sliver recovery', () => {
  it('recovers a missed blob once certified, a gained shard before epoch readiness', async () => {
    cluster = new Cluster({ a: [0, 1, 2], b: [3, 4, 5], c: [6, 7], d: [8, 9] });
    for (const name of ['a', 'b', 'c']) await cluster.start(name);
    const d = await cluster.start('d', { limits: FAST_RETRIES });
    const log = cluster.logs.get('d')!;
    await log.waitFor((r) => r.event === 'epoch.ready' && r.epoch === 1);

    // Registered and uploaded elsewhere, but not certified: nothing to recover yet.
    const pending = testBlob(5_000, N_SHARDS, 3);
    const pendingObject = await cluster.store(pending, ['a', 'b', 'c'], false);
    const blobs = [testBlob(20_000, N_SHARDS, 1), testBlob(3_000, N_SHARDS, 2)];
    for (const blob of blobs) await cluster.store(blob, ['a', 'b', 'c']);
    await until('two blobs recovered', async () => {
      const h = await health(d);
      return h.recovery.blobsRecovered === 2 && h.nodeStatus === 'Active' ? h : undefined;
    });
    for (const blob of blobs) await expectSlivers(d, blob, [8, 9]);
    const metadata = await fetch(`${d.url}/v1/blobs/${pending.blobIdText}/metadata`);
    expect(metadata.status).toBe(404);
    expect(log.records.some((r) => r.blobId === pending.blobIdText)).toBe(false);
    await cluster.chain.certifyBlob(pending.blobId, pendingObject);
    await log.waitFor((r) => r.event === 'recovery.blob_done' && r.blobId === pending.blobIdText);
    blobs.push(pending);

    // Shard 7 moves from c to d: d recovers its pairs, then reports epoch 2 ready.
    await cluster.chain.advanceEpoch(
      new Map([
        ['c', [6]],
        ['d', [7, 8, 9]],
      ]),
    );
    await log.waitFor((r) => r.event === 'epoch.ready' && r.epoch === 2);
    const ready = log.records.findIndex((r) => r.event === 'epoch.ready' && r.epoch === 2);
    const epochChange = log.records.findIndex((r) => r.event === 'chain.epoch' && r.epoch === 2);
    const recoveredBetween = log.records
      .slice(epochChange, ready)
      .filter((r) => r.event === 'recovery.blob_done');
    expect(recoveredBetween).toHaveLength(blobs.length);
    expect(cluster.epochsReady.get('d')).toContain(2);
    for (const blob of blobs) await expectSlivers(d, blob, [7, 8, 9]);
    const h = await health(d);
    expect(h.recovery).toMatchObject({ blobsFailed: 0, blobsInconsistent: 0, symbolsRejected: 0 });
    expect(h.shardSummary.ownedShardStatus).toMatchObject({ ready: 3, inRecovery: 0 });
  });

  it('drops every symbol of a peer that sent a bad one; the honest peers suffice', async () => {
    // r lacks 1 shard and z (2 shards) lies: together f = 3, so 7 honest pairs remain.
    cluster = new Cluster({ r: [0], z: [1, 2], p: [3, 4, 5], q: [6, 7, 8, 9] });
    for (const name of ['z', 'p', 'q']) await cluster.start(name);
    const liar = cluster.nodes.get('z')!.url;
    const corrupting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = String(input);
      if (!url.startsWith(liar) || !url.includes('/recoverySymbols')) return response;
      const symbols = decodeRecoverySymbols(new Uint8Array(await response.arrayBuffer()));
      const bad = symbols.map((s) => ({ ...s, data: s.data.map((b, i) => (i === 0 ? b ^ 1 : b)) }));
      return new Response(encodeRecoverySymbols(bad) as Uint8Array<ArrayBuffer>, { status: 200 });
    };
    const r = await cluster.start('r', { limits: FAST_RETRIES, fetch: corrupting });
    const blob = testBlob(12_000, N_SHARDS, 4);
    await cluster.store(blob, ['z', 'p', 'q']);
    await cluster.logs.get('r')!.waitFor((x) => x.event === 'recovery.blob_done');
    await expectSlivers(r, blob, [0]);
    const rejected = cluster.logs
      .get('r')!
      .records.filter((x) => x.event === 'recovery.symbol_rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((x) => x.peer === liar)).toBe(true);
    expect((await health(r)).recovery.symbolsRejected).toBe(rejected.length);
  });

  it('retries with backoff while too few peers answer, finishing once they are back', async () => {
    cluster = new Cluster({ r: [0], a: [1, 2, 3], b: [4, 5, 6], c: [7, 8, 9] });
    for (const name of ['a', 'b', 'c']) await cluster.start(name);
    const r = await cluster.start('r', { limits: FAST_RETRIES });
    const blob = testBlob(9_000, N_SHARDS, 5);
    const objectId = await cluster.chain.registerBlob({ blobId: blob.blobId });
    for (const name of ['a', 'b', 'c'])
      await uploadBlob(cluster.nodes.get(name)!.url, blob, cluster.chain.shardsOf(name));
    // With b down only 6 pairs answer: enough for the secondary sliver (4), not the primary (7).
    const b = await cluster.stop('b');
    await cluster.chain.certifyBlob(blob.blobId, objectId);
    const log = cluster.logs.get('r')!;
    await log.waitFor((x) => x.event === 'recovery.retry' && (x.attempt as number) >= 2);
    const during = await health(r);
    expect(during.nodeStatus).toBe('RecoveryInProgress');
    expect(during.shardSummary.ownedShardStatus.inRecovery).toBe(1);
    const partial = await fetch(sliverUrl(r.url, blob, pairsOnShards(blob, [0])[0], 'secondary'));
    expect(partial.status).toBe(200);
    await partial.arrayBuffer();
    await cluster.start('b', undefined, b.secretKey);
    await log.waitFor((x) => x.event === 'recovery.blob_done');
    await expectSlivers(r, blob, [0]);
    expect((await health(r)).nodeStatus).toBe('Active');
  });

  it('turns an inconsistent blob into an inconsistency proof another node attests', async () => {
    // A writer commits to a tampered secondary sliver q; the node holding q's pair recovers q
    // from honest primary symbols and finds that it contradicts the metadata.
    const honest = testBlob(3_000, N_SHARDS, 77);
    const q = 3;
    const badPair = pairOfSliverIndex('secondary', q, N_SHARDS);
    const bad = honest.encoded.secondarySliver(q).slice();
    bad[1] ^= 0xff;
    const hashes = honest.encoded.metadata.hashes.map((pair) => ({ ...pair }));
    hashes[badPair] = {
      ...hashes[badPair],
      secondary: computeSliverHash(honest.encoded.layout, 'secondary', bad),
    };
    const forged: BlobMetadata = { ...honest.encoded.metadata, hashes };
    const forgedId = deriveBlobId(rootHashOfMetadata(forged), forged.unencodedLength);
    const symbolBytes = honest.encoded.layout.symbolBytes;
    const forgedBlob: TestBlob = {
      ...honest,
      blobId: forgedId,
      blobIdText: blobIdToString(forgedId),
      metadataBcs: encodeBlobMetadata(forged),
      sliverBcs: (pairIndex, axis) =>
        axis === 'secondary' && pairIndex === badPair
          ? encodeSliverData({ data: bad, symbolBytes, index: q })
          : honest.sliverBcs(pairIndex, axis),
    };
    const rShard = shardForPair(badPair, forgedId, N_SHARDS);
    const others = Array.from({ length: N_SHARDS }, (_, s) => s).filter((s) => s !== rShard);
    cluster = new Cluster({
      r: [rShard],
      a: others.slice(0, 3),
      b: others.slice(3, 6),
      c: others.slice(6),
    });
    for (const name of ['a', 'b', 'c']) await cluster.start(name);
    const r = await cluster.start('r', { limits: FAST_RETRIES });
    await cluster.store(forgedBlob, ['a', 'b', 'c']);

    const found = await cluster.logs
      .get('r')!
      .waitFor((x) => x.event === 'recovery.inconsistent_blob');
    expect(found).toMatchObject({
      blobId: forgedBlob.blobIdText,
      axis: 'secondary',
      targetSliverIndex: q,
      proofValid: true,
    });
    await until('the outcome in health', async () => {
      const h = await health(r);
      return h.recovery.blobsInconsistent === 1 ? h : undefined;
    });
    const proof = Buffer.from(found.proof as string, 'base64');
    expect(decodeInconsistencyProof('secondary', proof).symbols).toHaveLength(4); // n_p
    const a = cluster.nodes.get('a')!;
    const reply = await fetch(
      `${a.url}/v1/blobs/${forgedBlob.blobIdText}/inconsistencyProof/secondary`,
      { method: 'POST', body: proof, headers: { 'content-type': 'application/octet-stream' } },
    );
    expect(reply.status).toBe(200);
    const signed = ((await reply.json()) as any).success.data;
    const message = new Uint8Array(Buffer.from(signed.serializedMessage, 'base64'));
    expectBytes(message, invalidBlobIdMessage(cluster.chain.currentEpoch(), forgedId));
    const signature = new Uint8Array(Buffer.from(signed.signature, 'base64'));
    expect(blsVerify(signature, a.service.publicKey, message)).toBe(true);
  });
});
