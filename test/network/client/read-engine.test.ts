/**
 * The read engine (client/read/) against a network of real storage nodes on 127.0.0.1 (in-process,
 * MemoryChain), some behind misbehaving proxies: a node that accepts and never answers, a node
 * that corrupts every sliver, a node without walrus-edge's batch route, a node that is down. Reads
 * must return the exact bytes in every case, rebuild the missing rows from recovery symbols rather
 * than decode the whole blob, and never wait on a hung node: the hung-node tests give requests a
 * ten-minute hard timeout, so only hedging can finish them within the test's timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Committee } from '../../../core/chain/committee.js';
import type { CommitteeMember } from '../../../core/chain/types.js';
import { blobLayout } from '../../../core/encoding/blob-layout.js';
import { BlobNotFoundError } from '../../../client/read/errors.js';
import { openBlobStream, readBlob } from '../../../client/read/blob.js';
import { NodeHealth } from '../../../client/node-health.js';
import { RequestGate } from '../../../client/request-gate.js';
import {
  type TestBlob,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { expectBytes } from '../../helpers/bytes.js';
import { type RunningProxy, startProxy } from '../../helpers/proxy.js';

const N_SHARDS = 16; // f = 5: any one node below may fail
const ASSIGNMENT: Record<string, number[]> = {
  a: [0, 1, 2],
  b: [3, 4, 5],
  c: [6, 7, 8],
  d: [9, 10, 11, 12],
  e: [13, 14, 15],
};
/** Long enough that a read waiting for a hung node could never finish inside the test timeout. */
const NEVER_MS = 10 * 60_000;

let root: string;
let chain: MemoryChain;
const nodes: Record<string, Awaited<ReturnType<typeof startTestNode>>> = {};
const proxies: RunningProxy[] = [];
let blob: TestBlob;
let empty: TestBlob;

function member(name: string, url: string, index: number): CommitteeMember {
  const shards = ASSIGNMENT[name];
  return {
    index,
    nodeId: `0x${index.toString(16).padStart(64, '0')}`,
    name,
    networkAddress: url,
    blsPublicKey: new Uint8Array(48),
    networkPublicKey: new Uint8Array(32),
    weight: shards.length,
    shards,
  };
}

/** The committee, with some members' URLs replaced (by proxies or dead ports). */
function committee(urls: Record<string, string> = {}): Committee {
  return {
    epoch: chain.currentEpoch(),
    nShards: N_SHARDS,
    members: Object.keys(ASSIGNMENT).map((name, i) =>
      member(name, urls[name] ?? nodes[name].url, i),
    ),
  };
}

/** The name of the node holding systematic row `row` of the test blob. */
function ownerOfRow(row: number): string {
  const shard = (row + rotation()) % N_SHARDS;
  return Object.entries(ASSIGNMENT).find(([, shards]) => shards.includes(shard))![0];
}

function rotation(): number {
  let acc = 0;
  for (const byte of blob.blobId) acc = (acc * 256 + byte) % N_SHARDS;
  return acc;
}

/** A node name that holds at least one systematic row of the test blob. */
function nodeWithRows(): string {
  return ownerOfRow(0);
}

/** The node holding the most systematic rows (the batch route is used for two or more). */
function nodeWithMostRows(): string {
  const rows = blobLayout(blob.blob.length, N_SHARDS).params.nPrimary;
  const counts = new Map<string, number>();
  for (let row = 0; row < rows; row++) {
    counts.set(ownerOfRow(row), (counts.get(ownerOfRow(row)) ?? 0) + 1);
  }
  const [name, count] = [...counts].sort((a, b) => b[1] - a[1])[0];
  expect(count).toBeGreaterThanOrEqual(2);
  return name;
}

async function proxy(name: string, behaviour: Parameters<typeof startProxy>[1]) {
  const running = await startProxy(nodes[name].url, behaviour);
  proxies.push(running);
  return running;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-read-engine-'));
  chain = new MemoryChain({ nShards: N_SHARDS });
  for (const [name, shards] of Object.entries(ASSIGNMENT)) {
    chain.assignShards(name, shards);
    nodes[name] = await startTestNode({ chain, name, dataDir: join(root, name) });
  }
  // ~6 rows of ~60 KB: row boundaries fall inside every range the tests ask for.
  blob = testBlob(360_007, N_SHARDS, 7);
  empty = testBlob(0, N_SHARDS, 8);
  for (const test of [blob, empty]) {
    await chain.registerBlob({ blobId: test.blobId });
    for (const [name, shards] of Object.entries(ASSIGNMENT))
      await uploadBlob(nodes[name].url, test, shards);
  }
});

afterAll(async () => {
  for (const running of proxies) await running.close();
  for (const node of Object.values(nodes)) await node.close(0);
  rmSync(root, { recursive: true, force: true });
});

describe('healthy network', () => {
  it('reads the blob byte for byte, and the empty blob', async () => {
    expectBytes(await readBlob(blob.blobId, committee(), { health: new NodeHealth() }), blob.blob);
    expect(await readBlob(empty.blobId, committee(), { health: new NodeHealth() })).toHaveLength(0);
  });

  it('streams byte ranges across row boundaries, with a window of one row', async () => {
    const rowBytes = blobLayout(blob.blob.length, N_SHARDS).primarySliverBytes;
    const cases = [
      { start: 0, end: 0 },
      { start: rowBytes - 3, end: rowBytes + 2 },
      { start: 17, end: 3 * rowBytes + 5 },
      { start: blob.blob.length - 10, end: blob.blob.length - 1 },
    ];
    for (const range of cases) {
      const opened = await openBlobStream(blob.blobId, committee(), {
        health: new NodeHealth(),
        windowBytesMax: rowBytes,
        range: () => range,
      });
      const got = new Uint8Array(await new Response(opened.stream).arrayBuffer());
      expectBytes(got, blob.blob.subarray(range.start, range.end + 1), JSON.stringify(range));
    }
  });

  it('works through a gate of one request waiting for headers', async () => {
    const read = await readBlob(blob.blobId, committee(), {
      health: new NodeHealth(),
      gate: new RequestGate(1),
    });
    expectBytes(read, blob.blob);
  });

  it('answers BlobNotFoundError for a blob nobody stores, asking no more nodes than a quorum needs', async () => {
    const unknown = testBlob(1_000, N_SHARDS, 99);
    const counted = await Promise.all(Object.keys(ASSIGNMENT).map((name) => proxy(name, {})));
    const urls = Object.fromEntries(
      Object.keys(ASSIGNMENT).map((name, i) => [name, counted[i].url]),
    );
    await expect(
      readBlob(unknown.blobId, committee(urls), { health: new NodeHealth() }),
    ).rejects.toBeInstanceOf(BlobNotFoundError);
    const asked = counted.filter((p) => p.requests.some((path) => path.endsWith('/metadata')));
    // A quorum is more than 2f = 10 of 16 shards: at least three of these nodes, never all five.
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(asked.length).toBeLessThanOrEqual(4);
  });
});

describe('faulty nodes', () => {
  it('reads around a node that accepts connections and never answers', async () => {
    const hung = nodeWithRows();
    const blackHole = await proxy(hung, { hang: () => true });
    const health = new NodeHealth();
    const read = await readBlob(blob.blobId, committee({ [hung]: blackHole.url }), {
      health,
      hardTimeoutMs: NEVER_MS,
    });
    expectBytes(read, blob.blob);
    expect(blackHole.requests.length).toBeGreaterThan(0);
  }, 30_000);

  it('streams a range whose only row sits on a hung node', async () => {
    const rowBytes = blobLayout(blob.blob.length, N_SHARDS).primarySliverBytes;
    const hung = ownerOfRow(1);
    const blackHole = await proxy(hung, { hang: () => true });
    const range = { start: rowBytes + 10, end: 2 * rowBytes - 10 };
    const opened = await openBlobStream(blob.blobId, committee({ [hung]: blackHole.url }), {
      health: new NodeHealth(),
      hardTimeoutMs: NEVER_MS,
      range: () => range,
    });
    const got = new Uint8Array(await new Response(opened.stream).arrayBuffer());
    expectBytes(got, blob.blob.subarray(range.start, range.end + 1));
  }, 30_000);

  it('rejects corrupted slivers, rebuilds those rows, and skips the liar afterwards', async () => {
    const liar = nodeWithRows();
    const corrupting = await proxy(liar, {
      corrupt: (path, body) => {
        if (!path.includes('/slivers')) return body;
        const out = body.slice();
        if (out.length > 20) out[out.length - 20] ^= 0xff; // inside the last sliver's data
        return out;
      },
    });
    const health = new NodeHealth();
    const read = await readBlob(blob.blobId, committee({ [liar]: corrupting.url }), { health });
    expectBytes(read, blob.blob);
    expect(health.isSkipped(corrupting.url)).toBe(true);
  });

  it('reads with a node down by recovering its rows from symbols, not by decoding the blob', async () => {
    const down = nodeWithRows();
    const counted = Object.fromEntries(
      await Promise.all(
        Object.keys(ASSIGNMENT)
          .filter((name) => name !== down)
          .map(async (name) => [name, await proxy(name, {})] as const),
      ),
    );
    const urls: Record<string, string> = { [down]: 'http://127.0.0.1:9' }; // nothing listens
    for (const [name, running] of Object.entries(counted)) urls[name] = running.url;
    const read = await readBlob(blob.blobId, committee(urls), { health: new NodeHealth() });
    expectBytes(read, blob.blob);
    const requests = Object.values(counted).flatMap((p) => p.requests);
    expect(requests.some((path) => path.includes('/recoverySymbols'))).toBe(true);
    // No non-systematic primary sliver (pair ≥ n_p = 6) was fetched: nothing was decoded whole.
    const fetchedPairs = requests.flatMap((path) => {
      const single = /\/slivers\/(\d+)\/primary/.exec(path);
      return single === null ? [] : [Number(single[1])];
    });
    expect(fetchedPairs.every((pair) => pair < 6)).toBe(true);
    const sent = Object.values(counted).reduce((sum, p) => sum + p.bytesSent, 0);
    // Rows plus recovery symbols with their proofs, metadata and framing: far below a decode's
    // fetch of every row again, and within 1.5× the blob at this small size.
    expect(sent).toBeLessThan(1.5 * blob.blob.length);
  });

  it('uses the single-sliver route with a node that lacks the batch route (a Walrus node)', async () => {
    const walrusLike = nodeWithMostRows();
    const noBatch = await proxy(walrusLike, {
      refuse: (path) => (/\/slivers\?/.test(path) ? 404 : undefined),
    });
    const health = new NodeHealth();
    const read = await readBlob(blob.blobId, committee({ [walrusLike]: noBatch.url }), { health });
    expectBytes(read, blob.blob);
    expect(health.batchSupported(noBatch.url)).toBe(false);
    expect(noBatch.requests.some((path) => /\/slivers\/\d+\/primary$/.test(path))).toBe(true);
  });

  it('bounds a sliver reply by the size the metadata implies: a padded reply counts as a lie', async () => {
    const liar = nodeWithRows();
    const padding = await proxy(liar, {
      corrupt: (path, body) => {
        if (!/\/slivers\/\d+\/primary$/.test(path)) return body;
        const out = new Uint8Array(body.length + 1_000_000);
        out.set(body);
        return out;
      },
      // Single-sliver requests only, so every sliver of this node passes through `corrupt`.
      refuse: (path) => (/\/slivers\?/.test(path) ? 404 : undefined),
    });
    const health = new NodeHealth();
    const read = await readBlob(blob.blobId, committee({ [liar]: padding.url }), { health });
    expectBytes(read, blob.blob);
    expect(health.isSkipped(padding.url)).toBe(true);
  });

  it('errors the stream, never ends it short, when later rows cannot be had', async () => {
    const rowBytes = blobLayout(blob.blob.length, N_SHARDS).primarySliverBytes;
    // Every node refuses every sliver and symbol except row 0's own sliver.
    const firstRowOnly = (path: string) =>
      /\/slivers\/0\/primary$/.test(path) || path.endsWith('/metadata') ? undefined : 503;
    const refusing = await Promise.all(
      Object.keys(ASSIGNMENT).map((name) => proxy(name, { refuse: firstRowOnly })),
    );
    const urls = Object.fromEntries(Object.keys(ASSIGNMENT).map((n, i) => [n, refusing[i].url]));
    const opened = await openBlobStream(blob.blobId, committee(urls), {
      health: new NodeHealth(),
      windowBytesMax: 2 * rowBytes,
    });
    const reader = opened.stream.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expectBytes(first.value!, blob.blob.subarray(0, rowBytes));
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).rejects.toThrow();
  });

  it('cancels every request when the caller aborts', async () => {
    const hung = Object.keys(ASSIGNMENT);
    const blackHoles = await Promise.all(hung.map((name) => proxy(name, { hang: () => true })));
    const urls = Object.fromEntries(hung.map((n, i) => [n, blackHoles[i].url]));
    const controller = new AbortController();
    const reading = readBlob(blob.blobId, committee(urls), {
      health: new NodeHealth(),
      hardTimeoutMs: NEVER_MS,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('the client went away')), 50);
    await expect(reading).rejects.toThrow();
  }, 30_000);
});
