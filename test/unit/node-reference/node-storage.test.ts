/**
 * The node's lmdb storage: data survives a restart (and the node resumes the chain stream from its
 * stored cursor), a sliver that no longer verifies on disk is treated as missing and never served,
 * deleting a blob removes it from every shard, and a data dir refuses a different committee size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { blsVerify } from '../../../core/bls.js';
import {
  pairOfSliverIndex,
  shardForPair,
  sliverIndexOfPair,
} from '../../../core/encoding/mapping.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import { decodeSliverBatch } from '../../../core/node-api/sliver-batch.js';
import { silentLogger } from '../../../node-reference/log.js';
import { storageRoot } from '../../../node-reference/node.js';
import {
  sliverDigestKey,
  sliverKey,
  sliverLeafHashesKey,
} from '../../../node-reference/storage/records.js';
import {
  type RecoverySymbol,
  RecoverySymbolSource,
} from '../../../core/encoding/recovery-symbols.js';
import {
  decodeRecoverySymbols,
  encodeRecoverySymbols,
} from '../../../core/encoding/recovery-symbol-list.js';
import { verifyMetadata } from '../../../core/encoding/metadata.js';
import { decodeSliverData } from '../../../core/encoding/sliver-data.js';
import { NodeStorage } from '../../../node-reference/storage/storage.js';
import {
  type TestBlob,
  errorOf,
  metadataUrl,
  pairsOnShards,
  putBytes,
  sliverUrl,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { expectBytes } from '../../helpers/bytes.js';

const N_SHARDS = 7;
const SHARDS = [0, 2, 5, 6];

let dataDir: string;
let chain: MemoryChain;
const blobs: TestBlob[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'walrus-node-storage-'));
  chain = new MemoryChain({ nShards: N_SHARDS });
  chain.assignShards('s', SHARDS);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** The lmdb environment of the shard holding `pair` of `blob`, opened behind the node's back. */
function shardEnv(blob: TestBlob, pair: number) {
  return open<Buffer, Buffer>({
    path: join(
      storageRoot(dataDir),
      'shards',
      String(shardForPair(pair, blob.blobId, N_SHARDS)).padStart(5, '0'),
    ),
    encoding: 'binary',
    keyEncoding: 'binary',
  });
}

async function expectServed(url: string, blob: TestBlob): Promise<void> {
  expect((await fetch(metadataUrl(url, blob))).status).toBe(200);
  for (const pairIndex of pairsOnShards(blob, SHARDS)) {
    for (const axis of ['primary', 'secondary'] as const) {
      const response = await fetch(sliverUrl(url, blob, pairIndex, axis));
      expect(response.status, `${axis} ${pairIndex}`).toBe(200);
      expectBytes(new Uint8Array(await response.arrayBuffer()), blob.sliverBcs(pairIndex, axis));
    }
  }
}

describe('node storage', () => {
  it('keeps every blob across a restart and keeps following the chain', async () => {
    const first = await startTestNode({ chain, name: 's', dataDir });
    const secretKey = first.secretKey;
    for (let i = 0; i < 3; i++) {
      const blob = testBlob(2_000 + 1_500 * i, N_SHARDS, 300 + i);
      blobs.push(blob);
      await chain.registerBlob({ blobId: blob.blobId, deletable: i === 2 });
      await uploadBlob(first.url, blob, SHARDS);
    }
    await first.close(0);
    // Changes while the node is down are replayed from its stored cursor when it comes back.
    const later = testBlob(1_234, N_SHARDS, 399);
    await chain.registerBlob({ blobId: later.blobId });

    const second = await startTestNode({ chain, name: 's', dataDir, secretKey });
    try {
      for (const blob of blobs) await expectServed(second.url, blob);
      const confirmation = await fetch(
        `${second.url}/v1/blobs/${blobs[0].blobIdText}/confirmation/permanent`,
      );
      expect(confirmation.status).toBe(200);
      const body = (await confirmation.json()) as {
        success: { data: { signed: { serializedMessage: string; signature: string } } };
      };
      const message = storageConfirmationMessage(chain.currentEpoch(), blobs[0].blobId, {
        kind: 'permanent',
      });
      expect(
        blsVerify(
          new Uint8Array(Buffer.from(body.success.data.signed.signature, 'base64')),
          second.service.publicKey,
          message,
        ),
      ).toBe(true);
      await uploadBlob(second.url, later, SHARDS);
      await expectServed(second.url, later);
    } finally {
      await second.close(0);
    }
  });

  it('treats a sliver that no longer verifies on disk as missing', async () => {
    const blob = blobs[0];
    const held = pairsOnShards(blob, SHARDS);
    const [pairIndex] = held;
    const shard = shardForPair(pairIndex, blob.blobId, N_SHARDS);
    // Rot one byte of the stored primary sliver, behind the node's back.
    const shardEnv = open<Buffer, Buffer>({
      path: join(storageRoot(dataDir), 'shards', String(shard).padStart(5, '0')),
      encoding: 'binary',
      keyEncoding: 'binary',
    });
    const key = sliverKey(blob.blobId, 'primary');
    const stored = Buffer.from(shardEnv.get(key)!);
    stored[stored.length - 20] ^= 0x01;
    await shardEnv.put(key, stored);
    await shardEnv.close();

    const node = await startTestNode({ chain, name: 's', dataDir });
    try {
      const reply = await errorOf(await fetch(sliverUrl(node.url, blob, pairIndex, 'primary')));
      expect(reply).toMatchObject({ status: 404, reason: 'SLIVER_NOT_FOUND' });
      const batch = await fetch(
        `${node.url}/v1/blobs/${blob.blobIdText}/slivers?axis=primary&pairs=${held.join(',')}`,
      );
      const entries = decodeSliverBatch(new Uint8Array(await batch.arrayBuffer()));
      expect(entries.find((e) => e.pairIndex === pairIndex)!.sliver).toBeNull();
      expect(entries.filter((e) => e.sliver !== null)).toHaveLength(SHARDS.length - 1);
      // The secondary sliver of the same pair is intact and still served.
      expect((await fetch(sliverUrl(node.url, blob, pairIndex, 'secondary'))).status).toBe(200);
      // A good upload replaces the rotten copy.
      const repaired = await putBytes(
        sliverUrl(node.url, blob, pairIndex, 'primary'),
        blob.sliverBcs(pairIndex, 'primary'),
      );
      expect(repaired.status).toBe(201);
      await repaired.arrayBuffer();
      await expectServed(node.url, blob);
    } finally {
      await node.close(0);
    }
  });

  it('verifies in full a sliver stored without a digest (older data dirs), rotted or not', async () => {
    const blob = blobs[2];
    const [intact, rotten] = pairsOnShards(blob, SHARDS);
    const envOf = (pair: number) => shardEnv(blob, pair);
    for (const pair of [intact, rotten]) {
      const env = envOf(pair);
      await env.remove(sliverDigestKey(blob.blobId, 'secondary'));
      if (pair === rotten) {
        const stored = Buffer.from(env.get(sliverKey(blob.blobId, 'secondary'))!);
        stored[stored.length - 20] ^= 0x01;
        await env.put(sliverKey(blob.blobId, 'secondary'), stored);
      }
      await env.close();
    }
    const node = await startTestNode({ chain, name: 's', dataDir });
    try {
      const good = await fetch(sliverUrl(node.url, blob, intact, 'secondary'));
      expect(good.status).toBe(200);
      expectBytes(new Uint8Array(await good.arrayBuffer()), blob.sliverBcs(intact, 'secondary'));
      const bad = await errorOf(await fetch(sliverUrl(node.url, blob, rotten, 'secondary')));
      expect(bad).toMatchObject({ status: 404, reason: 'SLIVER_NOT_FOUND' });
      // Repaired by a good upload, which stores a digest again.
      const repaired = await putBytes(
        sliverUrl(node.url, blob, rotten, 'secondary'),
        blob.sliverBcs(rotten, 'secondary'),
      );
      expect(repaired.status).toBe(201);
      await repaired.arrayBuffer();
      await expectServed(node.url, blob);
    } finally {
      await node.close(0);
    }
  });

  it('keeps leaf hashes with large slivers, serves recovery symbols from them, ignores a rotten table', async () => {
    const large = testBlob(300_000, N_SHARDS, 500);
    const small = blobs[0];
    await chain.registerBlob({ blobId: large.blobId });
    const metadata = verifyMetadata(large.blobId, large.encoded.metadata, N_SHARDS);
    const held = pairsOnShards(large, SHARDS);
    // Symbols for a row inside the columns' own symbols (0) and one past them (n − 1): what the
    // node serves must be exactly what an expansion of the sliver gives.
    const expected = (target: number) =>
      encodeRecoverySymbols(
        held.map((pair) => {
          const index = sliverIndexOfPair('secondary', pair, N_SHARDS);
          const data = decodeSliverData(large.sliverBcs(pair, 'secondary')).data;
          return new RecoverySymbolSource(metadata, 'secondary', index, data).symbolFor(target);
        }),
      );
    const served = async (url: string, target: number) => {
      const response = await fetch(
        `${url}/v1/blobs/${large.blobIdText}/recoverySymbols?targetSliver=${target}&targetType=primary`,
      );
      expect(response.status).toBe(200);
      const symbols = decodeRecoverySymbols(new Uint8Array(await response.arrayBuffer()));
      return encodeRecoverySymbols(symbols.sort((a, b) => pairOf(a) - pairOf(b)));
    };
    const pairOf = (symbol: RecoverySymbol) =>
      pairOfSliverIndex('secondary', symbol.sourceIndex, N_SHARDS);
    held.sort((a, b) => a - b);

    let node = await startTestNode({ chain, name: 's', dataDir });
    try {
      await uploadBlob(node.url, large, SHARDS);
      for (const target of [0, N_SHARDS - 1])
        expectBytes(await served(node.url, target), expected(target));
    } finally {
      await node.close(0);
    }
    for (const pair of held) {
      const env = shardEnv(large, pair);
      const leaves = env.get(sliverLeafHashesKey(large.blobId, 'secondary'));
      expect(leaves?.length).toBe(N_SHARDS * 32);
      // Rot the table of one pair: the node must notice and expand that sliver instead.
      if (pair === held[0]) {
        const rotten = Buffer.from(leaves!);
        rotten[5] ^= 0x01;
        await env.put(sliverLeafHashesKey(large.blobId, 'secondary'), rotten);
      }
      await env.close();
    }
    // A small blob's slivers keep no table (expanding them is cheap).
    for (const pair of pairsOnShards(small, SHARDS)) {
      const smallEnv = shardEnv(small, pair);
      expect(smallEnv.get(sliverLeafHashesKey(small.blobId, 'secondary'))).toBeUndefined();
      await smallEnv.close();
    }
    node = await startTestNode({ chain, name: 's', dataDir });
    try {
      for (const target of [0, N_SHARDS - 1])
        expectBytes(await served(node.url, target), expected(target));
    } finally {
      await node.close(0);
    }
  });

  it('serves a few of a sliver’s own symbols read alone, never a rotten one', async () => {
    const large = testBlob(300_000, N_SHARDS, 501);
    await chain.registerBlob({ blobId: large.blobId });
    const metadata = verifyMetadata(large.blobId, large.encoded.metadata, N_SHARDS);
    const held = pairsOnShards(large, SHARDS).sort((a, b) => a - b);
    const sourceOf = (pair: number) =>
      new RecoverySymbolSource(
        metadata,
        'secondary',
        sliverIndexOfPair('secondary', pair, N_SHARDS),
        decodeSliverData(large.sliverBcs(pair, 'secondary')).data,
      );
    const served = async (url: string, target: number) => {
      const response = await fetch(
        `${url}/v1/blobs/${large.blobIdText}/recoverySymbols?targetSliver=${target}&targetType=primary`,
      );
      expect(response.status).toBe(200);
      const symbols = decodeRecoverySymbols(new Uint8Array(await response.arrayBuffer()));
      return symbols.sort((a, b) => a.sourceIndex - b.sourceIndex);
    };
    const expected = (pairs: readonly number[], target: number) =>
      encodeRecoverySymbols(
        pairs
          .map((pair) => sourceOf(pair).symbolFor(target))
          .sort((a, b) => a.sourceIndex - b.sourceIndex),
      );
    let node = await startTestNode({ chain, name: 's', dataDir });
    try {
      await uploadBlob(node.url, large, SHARDS);
    } finally {
      await node.close(0);
    }
    // Rot symbol 0 of one secondary sliver on disk; its checksum and leaf table stay as written.
    const rottenPair = held[1];
    const env = shardEnv(large, rottenPair);
    const stored = Buffer.from(env.get(sliverKey(large.blobId, 'secondary'))!);
    const dataBytes = decodeSliverData(new Uint8Array(stored)).data.length;
    stored[stored.length - 4 - dataBytes + 3] ^= 0x40;
    await env.put(sliverKey(large.blobId, 'secondary'), stored);
    await env.close();

    node = await startTestNode({ chain, name: 's', dataDir });
    try {
      // Symbol 0 of the rotten sliver is left out; every other sliver's is served exactly.
      const withoutRotten = held.filter((pair) => pair !== rottenPair);
      expectBytes(encodeRecoverySymbols(await served(node.url, 0)), expected(withoutRotten, 0));
      // Its symbol 1 did not rot: read alone and checked against its leaf, it is served.
      expectBytes(encodeRecoverySymbols(await served(node.url, 1)), expected(held, 1));
    } finally {
      await node.close(0);
    }
  });

  it('deletes a blob from every shard on demand', async () => {
    const node = await startTestNode({ chain, name: 's', dataDir });
    try {
      const blob = blobs[1];
      await expectServed(node.url, blob);
      await node.service.deleteBlobData(blob.blobId);
      expect((await fetch(metadataUrl(node.url, blob))).status).toBe(404);
      for (const pairIndex of pairsOnShards(blob, SHARDS)) {
        for (const axis of ['primary', 'secondary'] as const) {
          const status = (await (
            await fetch(sliverUrl(node.url, blob, pairIndex, axis, '/status'))
          ).json()) as { success: { data: string } };
          expect(status.success.data).toBe('nonexistent');
        }
      }
      await expectServed(node.url, blobs[2]);
    } finally {
      await node.close(0);
    }
  });

  it('forgets kept metadata of a deleted blob, even when it is read during the deletion', async () => {
    const root = mkdtempSync(join(tmpdir(), 'walrus-node-storage-kept-'));
    const storage = await NodeStorage.open(root, N_SHARDS, silentLogger);
    try {
      const blob = testBlob(10_000, N_SHARDS, 777);
      const metadata = verifyMetadata(blob.blobId, blob.encoded.metadata, N_SHARDS);
      await storage.storeMetadata(metadata);
      const kept = storage.readMetadata(blob.blobId);
      expect(kept?.blobId).toEqual(blob.blobId);
      expect(storage.readMetadata(blob.blobId)).toBe(kept);
      const deleting = storage.deleteBlobData(blob.blobId);
      // Read while the removal is being written: still there, and kept again.
      expect(storage.readMetadata(blob.blobId)).not.toBeNull();
      await deleting;
      expect(storage.readMetadata(blob.blobId)).toBeNull();
    } finally {
      await storage.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps one lmdb environment per held shard', () => {
    const dirs = readdirSync(join(storageRoot(dataDir), 'shards')).sort();
    expect(dirs).toEqual(SHARDS.map((shard) => String(shard).padStart(5, '0')));
  });

  it('refuses a data dir that belongs to a different committee size', async () => {
    await expect(
      NodeStorage.open(storageRoot(dataDir), N_SHARDS + 1, silentLogger),
    ).rejects.toThrow(/7 shards/);
    const storage = await NodeStorage.open(storageRoot(dataDir), N_SHARDS, silentLogger);
    await storage.close();
  });
});
