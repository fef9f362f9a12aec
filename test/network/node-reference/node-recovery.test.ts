/**
 * Recovery across nodes: four in-process nodes share ten shards; recovery symbols fetched from
 * several of them over HTTP recover a sliver (`recoverSliver`), by target sliver and by symbol ID.
 * A blob encoded inconsistently by a malicious writer yields an inconsistency proof that a node
 * attests to with its protocol key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobIdToString, deriveBlobId } from '../../../core/blob-id.js';
import { blsVerify } from '../../../core/bls.js';
import { encodingParams } from '../../../core/encoding/config.js';
import { encodeInconsistencyProof } from '../../../core/encoding/inconsistency.js';
import { type SliverAxis, pairOfSliverIndex } from '../../../core/encoding/mapping.js';
import {
  type BlobMetadata,
  encodeBlobMetadata,
  rootHashOfMetadata,
  verifyMetadata,
} from '../../../core/encoding/metadata.js';
import {
  InconsistentBlobError,
  type RecoverySymbol,
  recoverSliver,
} from '../../../core/encoding/recovery-symbols.js';
import { decodeRecoverySymbols } from '../../../core/encoding/recovery-symbol-list.js';
import { encodeSliverData } from '../../../core/encoding/sliver-data.js';
import { computeSliverHash } from '../../../core/encoding/sliver-verification.js';
import { invalidBlobIdMessage } from '../../../core/messages.js';
import {
  type TestBlob,
  errorOf,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { expectBytes } from '../../helpers/bytes.js';

const N_SHARDS = 10;
const ASSIGNMENT: Record<string, number[]> = { a: [0, 1, 2], b: [3, 4, 5], c: [6, 7], d: [8, 9] };

let root: string;
let chain: MemoryChain;
const nodes: Record<string, Awaited<ReturnType<typeof startTestNode>>> = {};

async function symbolsFrom(
  names: string[],
  blob: { blobIdText: string },
  query: string,
): Promise<RecoverySymbol[]> {
  const all: RecoverySymbol[] = [];
  for (const name of names) {
    const response = await fetch(
      `${nodes[name].url}/v1/blobs/${blob.blobIdText}/recoverySymbols?${query}`,
    );
    if (response.status !== 200) {
      await response.arrayBuffer();
      continue;
    }
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    all.push(...decodeRecoverySymbols(new Uint8Array(await response.arrayBuffer())));
  }
  return all.sort((x, y) => x.sourceIndex - y.sourceIndex);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-node-recovery-'));
  chain = new MemoryChain({ nShards: N_SHARDS });
  for (const [name, shards] of Object.entries(ASSIGNMENT)) {
    chain.assignShards(name, shards);
    nodes[name] = await startTestNode({ chain, name, dataDir: join(root, name) });
  }
});

afterAll(async () => {
  for (const node of Object.values(nodes)) await node.close(0);
  rmSync(root, { recursive: true, force: true });
});

describe('recovery symbols', () => {
  let blob: TestBlob;

  beforeAll(async () => {
    blob = testBlob(7_000, N_SHARDS, 42);
    await chain.registerBlob({ blobId: blob.blobId });
    for (const [name, shards] of Object.entries(ASSIGNMENT))
      await uploadBlob(nodes[name].url, blob, shards);
  });

  it('recover a primary and a secondary sliver from several nodes (targetSliver)', async () => {
    const metadata = verifyMetadata(blob.blobId, blob.encoded.metadata, N_SHARDS);
    for (const [axis, index] of [
      ['primary', 3],
      ['secondary', 8],
    ] as [SliverAxis, number][]) {
      // Node b alone holds three source slivers: not enough; b, c and d together are.
      const fromB = await symbolsFrom(['b'], blob, `targetSliver=${index}&targetType=${axis}`);
      expect(fromB).toHaveLength(3);
      expect(() => recoverSliver(metadata, axis, index, fromB)).toThrow();
      const symbols = await symbolsFrom(
        ['b', 'c', 'd'],
        blob,
        `targetSliver=${index}&targetType=${axis}`,
      );
      const recovered = recoverSliver(metadata, axis, index, symbols);
      const expected =
        axis === 'primary'
          ? blob.encoded.primarySliver(index)
          : blob.encoded.secondarySliver(index);
      expectBytes(recovered, expected, `${axis} sliver ${index}`);
    }
  });

  it('recover a sliver from symbols requested by ID', async () => {
    const metadata = verifyMetadata(blob.blobId, blob.encoded.metadata, N_SHARDS);
    const target = 5; // secondary sliver 5: cells (p, 5) of every primary sliver p
    const ids = Array.from({ length: N_SHARDS }, (_, p) => `id=${p}-${target}`).join('&');
    const symbols = await symbolsFrom(['a', 'b', 'c', 'd'], blob, `${ids}&proofAxis=primary`);
    expect(symbols.every((s) => s.targetAxis === 'secondary' && s.targetIndex === target)).toBe(
      true,
    );
    expectBytes(
      recoverSliver(metadata, 'secondary', target, symbols),
      blob.encoded.secondarySliver(target),
    );
  });

  it('reject malformed filters', async () => {
    const url = `${nodes.a.url}/v1/blobs/${blob.blobIdText}/recoverySymbols`;
    const cases: [string, number, string][] = [
      ['', 400, 'NO_SYMBOLS_SPECIFIED'],
      ['id=1-2&targetSliver=1&targetType=primary', 400, 'INVALID_FILTER'],
      ['id=banana', 400, 'INVALID_FILTER'],
      ['targetSliver=1', 400, 'INVALID_FILTER'],
      ['targetSliver=1&targetType=primary&proofAxis=primary', 400, 'INVALID_FILTER'],
      [
        Array.from({ length: 300 }, (_, i) => `id=${i % 10}-${i % 7}`).join('&'),
        400,
        'INVALID_FILTER',
      ],
      [`targetSliver=${N_SHARDS}&targetType=primary`, 400, 'INDEX_OUT_OF_RANGE'],
      // Node a holds pairs on shards 0–2; ask for a cell it has on neither axis.
      ['id=' + symbolNotOnA(), 400, 'SYMBOL_NOT_PRESENT_AT_SHARDS'],
    ];
    for (const [query, status, reason] of cases) {
      expect(await errorOf(await fetch(`${url}?${query}`)), query.slice(0, 40)).toMatchObject({
        status,
        reason,
      });
    }
  });

  function symbolNotOnA(): string {
    const held = new Set(ASSIGNMENT.a.map((shard) => (shard - rotation() + N_SHARDS) % N_SHARDS));
    for (let p = 0; p < N_SHARDS; p++) {
      for (let s = 0; s < N_SHARDS; s++) {
        if (
          !held.has(pairOfSliverIndex('primary', p, N_SHARDS)) &&
          !held.has(pairOfSliverIndex('secondary', s, N_SHARDS))
        )
          return `${p}-${s}`;
      }
    }
    throw new Error('node a holds every cell');
  }

  function rotation(): number {
    let acc = 0;
    for (const byte of blob.blobId) acc = (acc * 256 + byte) % N_SHARDS;
    return acc;
  }
});

describe('inconsistency proofs', () => {
  it('an inconsistency proof gets a signed invalid-blob-ID attestation', async () => {
    // A malicious writer commits to a tampered secondary sliver q and stores everything.
    const honest = testBlob(3_000, N_SHARDS, 77);
    const { nSecondary } = encodingParams(N_SHARDS);
    const q = 3;
    const symbolBytes = honest.encoded.layout.symbolBytes;
    const bad = honest.encoded.secondarySliver(q).slice();
    bad[1] ^= 0xff;
    const hashes = honest.encoded.metadata.hashes.map((pair) => ({ ...pair }));
    const badPair = pairOfSliverIndex('secondary', q, N_SHARDS);
    hashes[badPair] = {
      ...hashes[badPair],
      secondary: computeSliverHash(honest.encoded.layout, 'secondary', bad),
    };
    const forged: BlobMetadata = { ...honest.encoded.metadata, hashes };
    const forgedId = deriveBlobId(rootHashOfMetadata(forged), forged.unencodedLength);
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
    await chain.registerBlob({ blobId: forgedId });
    for (const [name, shards] of Object.entries(ASSIGNMENT))
      await uploadBlob(nodes[name].url, forgedBlob, shards);

    // Recovering primary sliver 0 from secondary symbols (q among them) exposes the lie.
    const metadata = verifyMetadata(forgedId, forged, N_SHARDS);
    const symbols = await symbolsFrom(
      ['a', 'b', 'c', 'd'],
      forgedBlob,
      'targetSliver=0&targetType=primary',
    );
    expect(symbols.length).toBeGreaterThanOrEqual(nSecondary);
    let thrown: unknown;
    try {
      recoverSliver(metadata, 'primary', 0, symbols.slice(0, nSecondary));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InconsistentBlobError);
    const proof = {
      axis: 'primary' as const,
      targetSliverIndex: 0,
      symbols: (thrown as InconsistentBlobError).symbols,
    };
    const url = `${nodes.c.url}/v1/blobs/${forgedBlob.blobIdText}/inconsistencyProof/primary`;
    const response = await fetch(url, {
      method: 'POST',
      body: encodeInconsistencyProof(proof) as Uint8Array<ArrayBuffer>,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      success: { code: number; data: { serializedMessage: string; signature: string } };
    };
    const message = new Uint8Array(Buffer.from(body.success.data.serializedMessage, 'base64'));
    expectBytes(message, invalidBlobIdMessage(chain.currentEpoch(), forgedId));
    expect(
      blsVerify(
        new Uint8Array(Buffer.from(body.success.data.signature, 'base64')),
        nodes.c.service.publicKey,
        message,
      ),
    ).toBe(true);

    // Wrong proofs are refused: too few symbols, a tampered symbol, garbage, unknown metadata.
    const short = encodeInconsistencyProof({ ...proof, symbols: proof.symbols.slice(1) });
    const tampered = {
      ...proof.symbols[0],
      data: proof.symbols[0].data.map((b, i) => (i === 0 ? b ^ 1 : b)),
    };
    const cases: [Uint8Array, string, number, string][] = [
      [short, url, 400, 'INVALID_PROOF'],
      [
        encodeInconsistencyProof({ ...proof, symbols: [tampered, ...proof.symbols.slice(1)] }),
        url,
        400,
        'INVALID_PROOF',
      ],
      [Uint8Array.of(1, 2, 3), url, 400, 'INVALID_CONTENT_TYPE'],
      [
        encodeInconsistencyProof(proof),
        url.replace(forgedBlob.blobIdText, honest.blobIdText),
        400,
        'METADATA_NOT_FOUND',
      ],
    ];
    for (const [bytes, target, status, reason] of cases) {
      const reply = await fetch(target, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer> });
      expect(await errorOf(reply)).toMatchObject({ status, reason });
    }
    // The honest blob's metadata would make the same symbols consistent: no attestation.
    await chain.registerBlob({ blobId: honest.blobId });
    for (const [name, shards] of Object.entries(ASSIGNMENT))
      await uploadBlob(nodes[name].url, honest, shards);
    const honestSymbols = await symbolsFrom(
      ['a', 'b', 'c', 'd'],
      honest,
      'targetSliver=0&targetType=primary',
    );
    const consistent = encodeInconsistencyProof({
      ...proof,
      symbols: honestSymbols.slice(0, nSecondary),
    });
    const refused = await fetch(url.replace(forgedBlob.blobIdText, honest.blobIdText), {
      method: 'POST',
      body: consistent as Uint8Array<ArrayBuffer>,
    });
    const refusal = await errorOf(refused);
    expect(refusal).toMatchObject({ status: 400, reason: 'INVALID_PROOF' });
    expect(refusal.body.error.message).toContain('SLIVER_IS_CONSISTENT');
  });
});
