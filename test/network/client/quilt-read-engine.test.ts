/**
 * Quilt reads (client/read/quilt.ts) against real storage nodes on 127.0.0.1 (in-process,
 * MemoryChain), some behind misbehaving proxies. Every patch must come back byte for byte, by
 * patch ID and by identifier, fetching only its own columns (plus the index columns by
 * identifier): a hung node costs a hedge deadline (requests get a ten-minute hard timeout, so
 * only hedging can finish), a lying node's columns are refused and rebuilt, a down node's columns
 * are rebuilt from recovery symbols, and only when no symbols can be had is the whole quilt read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import type { Committee } from '../../../core/chain/committee.js';
import type { CommitteeMember } from '../../../core/chain/types.js';
import {
  pairOfSliverIndex,
  shardForPair,
  sliverIndexOfPair,
} from '../../../core/encoding/mapping.js';
import { encodeBlobMetadata, verifyMetadata } from '../../../core/encoding/metadata.js';
import { type EncodedBlob } from '../../../core/encoding/blob-encoder.js';
import { QuiltDecodeError, QuiltLimitError } from '../../../core/quilt/errors.js';
import { quiltPatchIdFromString, quiltPatchIdToString } from '../../../core/quilt/patch-id.js';
import { type EncodedQuilt, encodeQuilt } from '../../../core/quilt/quilt-blob.js';
import type { QuiltFile } from '../../../core/quilt/quilt-builder.js';
import { NodeHealth } from '../../../client/node-health.js';
import { BlobNotFoundError } from '../../../client/read/errors.js';
import {
  readQuiltColumns,
  readQuiltIndex,
  readQuiltPatchById,
  readQuiltPatchByIdentifier,
} from '../../../client/read/quilt.js';
import {
  type TestBlob,
  seededBytes,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { expectBytes } from '../../helpers/bytes.js';
import { type RunningProxy, startProxy } from '../../helpers/proxy.js';

const N_SHARDS = 16; // n_p = 6, n_s = 11, f = 5: any one node below may fail; ≤ 10 patches
const ASSIGNMENT: Record<string, number[]> = {
  a: [0, 1, 2],
  b: [3, 4, 5],
  c: [6, 7, 8],
  d: [9, 10, 11, 12],
  e: [13, 14, 15],
};
const NEVER_MS = 10 * 60_000;

/** Sizes chosen so that patches span one to several columns and start mid-way through none. */
const FILES: QuiltFile[] = [
  {
    identifier: 'metadata/1.json',
    bytes: seededBytes(900, 1),
    tags: { 'content-type': 'application/json' },
  },
  {
    identifier: 'images/1.png',
    bytes: seededBytes(40_000, 2),
    tags: { 'content-type': 'image/png', rarity: 'rare' },
  },
  { identifier: 'images/2.png', bytes: seededBytes(12_345, 3) },
  { identifier: 'empty', bytes: new Uint8Array(0) },
  { identifier: 'héllo 日本', bytes: new TextEncoder().encode('unicode identifiers are bytes') },
  {
    identifier: 'images/3.jpg',
    bytes: seededBytes(25_000, 4),
    tags: { 'content-type': 'image/jpeg' },
  },
];

let root: string;
let chain: MemoryChain;
const nodes: Record<string, Awaited<ReturnType<typeof startTestNode>>> = {};
const proxies: RunningProxy[] = [];
let quilt: EncodedQuilt;
let quiltBlob: TestBlob;

function asTestBlob(encoded: EncodedBlob, bytes: Uint8Array): TestBlob {
  return {
    blob: bytes,
    encoded,
    blobId: encoded.blobId,
    blobIdText: blobIdToString(encoded.blobId),
    metadataBcs: encodeBlobMetadata(encoded.metadata),
    sliverBcs: (pairIndex, axis) => {
      const index = sliverIndexOfPair(axis, pairIndex, N_SHARDS);
      return (
        axis === 'primary' ? encoded.primarySliverBcs(index) : encoded.secondarySliverBcs(index)
      ).slice();
    },
  };
}

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

function committee(urls: Record<string, string> = {}): Committee {
  return {
    epoch: chain.currentEpoch(),
    nShards: N_SHARDS,
    members: Object.keys(ASSIGNMENT).map((name, i) =>
      member(name, urls[name] ?? nodes[name].url, i),
    ),
  };
}

/** The node holding column (secondary sliver) `column` of the quilt. */
function ownerOfColumn(column: number): string {
  const shard = shardForPair(
    pairOfSliverIndex('secondary', column, N_SHARDS),
    quilt.quiltId,
    N_SHARDS,
  );
  return Object.entries(ASSIGNMENT).find(([, shards]) => shards.includes(shard))![0];
}

async function proxy(name: string, behaviour: Parameters<typeof startProxy>[1]) {
  const running = await startProxy(nodes[name].url, behaviour);
  proxies.push(running);
  return running;
}

/** Every node behind a counting proxy (with `behaviour` for the ones named in `special`). */
async function proxyAll(special: Record<string, Parameters<typeof startProxy>[1]> = {}) {
  const running: Record<string, RunningProxy> = {};
  for (const name of Object.keys(ASSIGNMENT))
    running[name] = await proxy(name, special[name] ?? {});
  const urls = Object.fromEntries(Object.entries(running).map(([name, p]) => [name, p.url]));
  return { running, urls };
}

/** Secondary sliver indices requested through `proxies`, single or batch route. */
function secondaryColumnsRequested(running: Iterable<RunningProxy>): Set<number> {
  const out = new Set<number>();
  for (const p of running) {
    for (const path of p.requests) {
      const single = /\/slivers\/(\d+)\/secondary$/.exec(path);
      if (single !== null) out.add(sliverIndexOfPair('secondary', Number(single[1]), N_SHARDS));
      const batch = /\/slivers\?axis=secondary&pairs=([\d,-]+)/.exec(path);
      if (batch !== null) {
        for (const part of batch[1].split(',')) {
          const [from, to] = part.split('-').map(Number);
          for (let pair = from; pair <= (to ?? from); pair++)
            out.add(sliverIndexOfPair('secondary', pair, N_SHARDS));
        }
      }
    }
  }
  return out;
}

const expectedFile = (identifier: string) => FILES.find((f) => f.identifier === identifier)!;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-quilt-read-'));
  chain = new MemoryChain({ nShards: N_SHARDS });
  for (const [name, shards] of Object.entries(ASSIGNMENT)) {
    chain.assignShards(name, shards);
    nodes[name] = await startTestNode({ chain, name, dataDir: join(root, name) });
  }
  quilt = encodeQuilt(FILES, N_SHARDS);
  quiltBlob = asTestBlob(quilt.blob, quilt.quilt);
  await chain.registerBlob({ blobId: quiltBlob.blobId });
  for (const [name, shards] of Object.entries(ASSIGNMENT))
    await uploadBlob(nodes[name].url, quiltBlob, shards);
});

afterAll(async () => {
  for (const running of proxies) await running.close();
  for (const node of Object.values(nodes)) await node.close(0);
  rmSync(root, { recursive: true, force: true });
});

describe('healthy network', () => {
  it('reads every patch by patch ID from its own columns only', async () => {
    for (const entry of quilt.patchIds) {
      const { running, urls } = await proxyAll();
      const read = await readQuiltPatchById(entry.quiltPatchId, committee(urls), {
        health: new NodeHealth(),
      });
      const file = expectedFile(entry.identifier);
      expect(read.patch.identifier).toBe(file.identifier);
      expectBytes(read.patch.data, file.bytes, file.identifier);
      expect(Object.fromEntries(read.patch.tags)).toEqual(file.tags ?? {});
      expect(read.range).toEqual({ start: entry.range[0], end: entry.range[1] });
      const columns = [...secondaryColumnsRequested(Object.values(running))].sort((a, b) => a - b);
      const expected = Array.from(
        { length: entry.range[1] - entry.range[0] },
        (_, i) => entry.range[0] + i,
      );
      expect(columns, entry.identifier).toEqual(expected);
      const requests = Object.values(running).flatMap((p) => p.requests);
      expect(requests.some((path) => /primary|recoverySymbols/.test(path))).toBe(false);
    }
  });

  it('reads every patch by identifier (index columns, then the patch columns)', async () => {
    for (const file of FILES) {
      const read = await readQuiltPatchByIdentifier(quilt.quiltId, file.identifier, committee(), {
        health: new NodeHealth(),
      });
      expect(read).toBeDefined();
      expectBytes(read!.patch.data, file.bytes, file.identifier);
      expect(read!.patch.identifier).toBe(file.identifier);
      expect(read!.index.patches.map((p) => p.identifier)).toEqual(
        quilt.index.patches.map((p) => p.identifier),
      );
    }
    expect(
      await readQuiltPatchByIdentifier(quilt.quiltId, 'nope', committee(), {
        health: new NodeHealth(),
      }),
    ).toBeUndefined();
  });

  it('reads the index, equal to the one written, and columns equal to the encoder’s slivers', async () => {
    const { index, metadata } = await readQuiltIndex(quilt.quiltId, committee(), {
      health: new NodeHealth(),
    });
    expect(index).toEqual(quilt.index);
    expect(metadata.unencodedLength).toBe(quilt.quilt.length);
    const { columns } = await readQuiltColumns(quilt.quiltId, { start: 0, end: 11 }, committee(), {
      health: new NodeHealth(),
      metadata,
    });
    columns.forEach((column, j) =>
      expectBytes(column, quilt.blob.secondarySliver(j), `column ${j}`),
    );
  });

  it('asks no node for metadata when the caller passes it', async () => {
    const metadata = verifyMetadata(quilt.quiltId, quilt.blob.metadata, N_SHARDS);
    const { running, urls } = await proxyAll();
    const entry = quilt.patchIds[1];
    const read = await readQuiltPatchById(entry.quiltPatchId, committee(urls), {
      health: new NodeHealth(),
      metadata,
    });
    expectBytes(read.patch.data, expectedFile(entry.identifier).bytes);
    const requests = Object.values(running).flatMap((p) => p.requests);
    expect(requests.some((path) => path.endsWith('/metadata'))).toBe(false);
  });

  it('uses the single-sliver route with a node that lacks the batch route (a Walrus node)', async () => {
    const widest = [...quilt.index.patches].sort(
      (a, b) => b.endIndex - b.startIndex - (a.endIndex - a.startIndex),
    )[0];
    const walrusLike = ownerOfColumn(widest.startIndex);
    const noBatch = await proxy(walrusLike, {
      refuse: (path) => (/\/slivers\?/.test(path) ? 404 : undefined),
    });
    const health = new NodeHealth();
    const read = await readQuiltPatchByIdentifier(
      quilt.quiltId,
      widest.identifier,
      committee({ [walrusLike]: noBatch.url }),
      { health },
    );
    expectBytes(read!.patch.data, expectedFile(widest.identifier).bytes);
    expect(noBatch.requests.some((path) => /\/slivers\/\d+\/secondary$/.test(path))).toBe(true);
  });
});

describe('faulty nodes', () => {
  it('reads every patch around a node that accepts connections and never answers', async () => {
    for (const entry of quilt.patchIds) {
      const hung = ownerOfColumn(entry.range[0]);
      const blackHole = await proxy(hung, { hang: () => true });
      const started = performance.now();
      const read = await readQuiltPatchById(
        entry.quiltPatchId,
        committee({ [hung]: blackHole.url }),
        {
          health: new NodeHealth(),
          hardTimeoutMs: NEVER_MS,
        },
      );
      expectBytes(read.patch.data, expectedFile(entry.identifier).bytes, entry.identifier);
      expect(blackHole.requests.length).toBeGreaterThan(0);
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  }, 60_000);

  it('refuses corrupted columns, rebuilds them, and skips the liar afterwards', async () => {
    const entry = quilt.patchIds.find((p) => p.identifier === 'images/1.png')!;
    const liar = ownerOfColumn(entry.range[0]);
    const corrupting = await proxy(liar, {
      corrupt: (path, body) => {
        if (!path.includes('/slivers')) return body;
        const out = body.slice();
        if (out.length > 20) out[out.length - 20] ^= 0xff; // inside the last sliver's data
        return out;
      },
    });
    const health = new NodeHealth();
    const read = await readQuiltPatchById(
      entry.quiltPatchId,
      committee({ [liar]: corrupting.url }),
      {
        health,
      },
    );
    expectBytes(read.patch.data, expectedFile(entry.identifier).bytes);
    expect(health.isSkipped(corrupting.url)).toBe(true);
    expect(corrupting.requests.some((path) => path.includes('secondary'))).toBe(true);
  });

  it('rebuilds a down node’s columns from recovery symbols, reading no rows', async () => {
    for (const entry of quilt.patchIds) {
      const down = ownerOfColumn(entry.range[0]);
      const { running, urls } = await proxyAll();
      urls[down] = 'http://127.0.0.1:9'; // nothing listens
      const read = await readQuiltPatchById(entry.quiltPatchId, committee(urls), {
        health: new NodeHealth(),
      });
      expectBytes(read.patch.data, expectedFile(entry.identifier).bytes, entry.identifier);
      const requests = Object.entries(running)
        .filter(([name]) => name !== down)
        .flatMap(([, p]) => p.requests);
      expect(requests.some((path) => path.includes('/recoverySymbols'))).toBe(true);
      expect(requests.some((path) => /primary/.test(path.replace(/proofAxis=primary/, '')))).toBe(
        false,
      );
    }
  });

  it('reads the whole quilt, re-encoded, only when no recovery symbol can be had', async () => {
    const entry = quilt.patchIds.find((p) => p.identifier === 'images/3.jpg')!;
    const down = ownerOfColumn(entry.range[0]);
    const noSymbols = (path: string) => (path.includes('/recoverySymbols') ? 503 : undefined);
    const { running, urls } = await proxyAll(
      Object.fromEntries(Object.keys(ASSIGNMENT).map((name) => [name, { refuse: noSymbols }])),
    );
    urls[down] = 'http://127.0.0.1:9';
    const read = await readQuiltPatchById(entry.quiltPatchId, committee(urls), {
      health: new NodeHealth(),
    });
    expectBytes(read.patch.data, expectedFile(entry.identifier).bytes);
    const requests = Object.values(running).flatMap((p) => p.requests);
    expect(requests.some((path) => /primary/.test(path))).toBe(true);
    // With the fallback forbidden, the read fails instead.
    await expect(
      readQuiltPatchById(entry.quiltPatchId, committee(urls), {
        health: new NodeHealth(),
        fullReadBytesMax: 0,
      }),
    ).rejects.toThrow(/recovery|slivers/);
  });
});

describe('bad input', () => {
  it('refuses a patch ID whose range does not start a patch, and a blob that is not a quilt', async () => {
    const entry = quilt.index.patches.find((p) => p.endIndex - p.startIndex >= 2)!;
    const shifted = quiltPatchIdToString({
      quiltId: quilt.quiltId,
      startIndex: entry.startIndex + 1,
      endIndex: entry.endIndex,
    });
    await expect(
      readQuiltPatchById(shifted, committee(), { health: new NodeHealth() }),
    ).rejects.toBeInstanceOf(QuiltDecodeError);
    const outside = quiltPatchIdToString({ quiltId: quilt.quiltId, startIndex: 5, endIndex: 12 });
    await expect(
      readQuiltPatchById(outside, committee(), { health: new NodeHealth() }),
    ).rejects.toThrow(/PATCH_RANGE/);

    const plain = testBlob(10_000, N_SHARDS, 5);
    await chain.registerBlob({ blobId: plain.blobId });
    for (const [name, shards] of Object.entries(ASSIGNMENT))
      await uploadBlob(nodes[name].url, plain, shards);
    await expect(
      readQuiltIndex(plain.blobId, committee(), { health: new NodeHealth() }),
    ).rejects.toThrow(/NOT_A_QUILT_LENGTH/);
  });

  it('refuses to fetch more column bytes than readBytesMax, before asking for any', async () => {
    const entry = quilt.patchIds.find((p) => p.identifier === 'images/1.png')!;
    const columnBytes = quilt.geometry.columnBytes;
    const columns = entry.range[1] - entry.range[0];
    expect(columns).toBeGreaterThanOrEqual(2);
    const { running, urls } = await proxyAll();
    await expect(
      readQuiltPatchById(entry.quiltPatchId, committee(urls), {
        health: new NodeHealth(),
        readBytesMax: columns * columnBytes - 1,
      }),
    ).rejects.toBeInstanceOf(QuiltLimitError);
    const requests = Object.values(running).flatMap((p) => p.requests);
    expect(requests.some((path) => path.includes('/slivers'))).toBe(false);
    const read = await readQuiltPatchById(entry.quiltPatchId, committee(urls), {
      health: new NodeHealth(),
      readBytesMax: columns * columnBytes,
    });
    expectBytes(read.patch.data, expectedFile(entry.identifier).bytes);
  });

  it('answers BlobNotFoundError for a quilt nobody stores', async () => {
    const other = encodeQuilt([{ identifier: 'x', bytes: seededBytes(10, 9) }], N_SHARDS);
    const id = quiltPatchIdFromString(other.patchIds[0].quiltPatchId);
    await expect(
      readQuiltPatchById(id, committee(), { health: new NodeHealth() }),
    ).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});
