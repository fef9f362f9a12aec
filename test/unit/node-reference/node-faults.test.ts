/**
 * The reference node's Byzantine modes (node-reference/faults.ts), each seen over real HTTP as a
 * peer sees it: corrupted slivers, metadata and recovery symbols that parse but fail verification,
 * status lies, a node that never answers, a slow one, 5xx, a body cut off mid-way, withheld and
 * forged confirmations. The modes change per test through the getter the node asks per request, as
 * main.ts does on SIGHUP. Also: the spec parser and the config check refuse what they do not know.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blsVerify } from '../../../core/bls.js';
import { decodeRecoverySymbols } from '../../../core/encoding/recovery-symbol-list.js';
import { verifyRecoverySymbols } from '../../../core/encoding/recovery-symbols.js';
import {
  MetadataVerificationError,
  type VerifiedMetadata,
  decodeBlobMetadataWithId,
  verifyMetadata,
} from '../../../core/encoding/metadata.js';
import { decodeSliverData } from '../../../core/encoding/sliver-data.js';
import {
  SliverVerificationError,
  verifySliver,
} from '../../../core/encoding/sliver-verification.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import { ConfigError, loadConfig } from '../../../node-reference/config.js';
import {
  NO_FAULTS,
  type NodeFaults,
  NodeFaultsError,
  parseNodeFaults,
} from '../../../node-reference/faults.js';
import {
  type TestBlob,
  metadataUrl,
  pairsOnShards,
  sliverUrl,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';

const N_SHARDS = 10;
const SHARDS = [1, 4, 8];
/** What a hung node costs each probe here: the probe's own deadline. */
const PROBE_DEADLINE_MS = 300;

let dataDir: string;
let chain: MemoryChain;
let node: Awaited<ReturnType<typeof startTestNode>>;
let blob: TestBlob;
let metadata: VerifiedMetadata;
let current: NodeFaults = NO_FAULTS;

const base = () => `${node.url}/v1/blobs/${blob.blobIdText}`;
const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
const withFaults = (spec: string) => {
  current = parseNodeFaults(spec);
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'walrus-node-faults-'));
  chain = new MemoryChain({ nShards: N_SHARDS });
  chain.assignShards('a', SHARDS);
  node = await startTestNode({ chain, name: 'a', dataDir, faults: () => current });
  blob = testBlob(6000, N_SHARDS, 11);
  await chain.registerBlob({ blobId: blob.blobId });
  await uploadBlob(node.url, blob, SHARDS);
  metadata = verifyMetadata(blob.blobId, blob.encoded.metadata, N_SHARDS);
});

afterAll(async () => {
  current = NO_FAULTS;
  await node?.close(0);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Byzantine node modes, over HTTP', () => {
  it('honest: slivers, metadata and confirmations verify (the baseline the lies differ from)', async () => {
    current = NO_FAULTS;
    const [pair] = pairsOnShards(blob, SHARDS);
    const sliver = decodeSliverData(
      await bytesOf(await fetch(sliverUrl(node.url, blob, pair, 'primary'))),
    );
    expect(() => verifySliver(metadata, 'primary', sliver)).not.toThrow();
    const decoded = decodeBlobMetadataWithId(
      await bytesOf(await fetch(metadataUrl(node.url, blob))),
    );
    expect(() => verifyMetadata(decoded.blobId, decoded.metadata, N_SHARDS)).not.toThrow();
  });

  it('corrupt-slivers: single and batch slivers parse but fail verification', async () => {
    withFaults('corrupt-slivers');
    const pairs = pairsOnShards(blob, SHARDS);
    for (const axis of ['primary', 'secondary'] as const) {
      const sliver = decodeSliverData(
        await bytesOf(await fetch(sliverUrl(node.url, blob, pairs[0], axis))),
      );
      expect(() => verifySliver(metadata, axis, sliver)).toThrow(SliverVerificationError);
    }
    const batch = await bytesOf(
      await fetch(`${base()}/slivers?axis=primary&pairs=${pairs.join(',')}`),
    );
    // Walk the batch framing (core/node-api/sliver-batch.ts): every sliver in it is altered.
    const view = new DataView(batch.buffer, batch.byteOffset);
    let offset = 2;
    expect(view.getUint16(0, true)).toBe(pairs.length);
    for (let i = 0; i < pairs.length; i++) {
      const length = view.getUint32(offset + 2, true);
      const sliver = decodeSliverData(batch.subarray(offset + 6, offset + 6 + length));
      expect(() => verifySliver(metadata, 'primary', sliver)).toThrow(SliverVerificationError);
      offset += 6 + length;
    }
    expect(offset).toBe(batch.length);
  });

  it('corrupt-metadata: well-formed BCS whose hashes no longer give the blob ID', async () => {
    withFaults('corrupt-metadata');
    const decoded = decodeBlobMetadataWithId(
      await bytesOf(await fetch(metadataUrl(node.url, blob))),
    );
    expect(decoded.blobId).toEqual(blob.blobId);
    expect(() => verifyMetadata(decoded.blobId, decoded.metadata, N_SHARDS)).toThrow(
      MetadataVerificationError,
    );
  });

  it('corrupt-recovery-symbols: every symbol fails its proof', async () => {
    withFaults('corrupt-recovery-symbols');
    const response = await fetch(`${base()}/recoverySymbols?targetSliver=0&targetType=primary`);
    expect(response.status).toBe(200);
    const symbols = decodeRecoverySymbols(await bytesOf(response));
    expect(symbols.length).toBeGreaterThan(0);
    const checks = verifyRecoverySymbols(metadata, symbols, 'primary');
    expect(checks.every((check) => 'error' in check)).toBe(true);
  });

  it('lie-status: invalid (the default) or nonexistent for a registered blob', async () => {
    withFaults('lie-status');
    expect(await (await fetch(`${base()}/status`)).json()).toMatchObject({
      success: { data: { invalid: {} } },
    });
    withFaults('lie-status=nonexistent');
    expect(await (await fetch(`${base()}/status`)).json()).toEqual({
      success: { code: 200, data: 'nonexistent' },
    });
    current = NO_FAULTS;
    expect(await (await fetch(`${base()}/status`)).json()).toMatchObject({
      success: { data: { permanent: { isCertified: false } } },
    });
  });

  it('hang: accepts the connection and never answers; the node serves again once honest', async () => {
    withFaults('hang');
    const started = Date.now();
    await expect(
      fetch(`${node.url}/v1/health`, { signal: AbortSignal.timeout(PROBE_DEADLINE_MS) }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(PROBE_DEADLINE_MS - 20);
    current = NO_FAULTS;
    expect((await fetch(`${node.url}/v1/health`)).status).toBe(200);
  });

  it('slow=ms: answers, late', async () => {
    withFaults('slow=250');
    const started = Date.now();
    const response = await fetch(`${base()}/status`);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('error-5xx: every route answers 500 with an AIP-193 body', async () => {
    withFaults('error-5xx');
    for (const url of [metadataUrl(node.url, blob), `${base()}/status`, `${node.url}/v1/health`]) {
      const response = await fetch(url);
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(500);
    }
  });

  it('reset-mid-body: half a body, then the connection is reset', async () => {
    withFaults('reset-mid-body');
    const [pair] = pairsOnShards(blob, SHARDS);
    const response = await fetch(sliverUrl(node.url, blob, pair, 'primary')).catch((e) => e);
    // Either the headers never arrive whole or the body read fails: never a complete sliver.
    if (response instanceof Response) await expect(response.arrayBuffer()).rejects.toThrow();
    else expect(response).toBeInstanceOf(Error);
  });

  it('withhold-confirmations: the confirmation never comes; other routes answer', async () => {
    withFaults('withhold-confirmations');
    await expect(
      fetch(`${base()}/confirmation/permanent`, { signal: AbortSignal.timeout(PROBE_DEADLINE_MS) }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect((await fetch(`${base()}/status`)).status).toBe(200);
  });

  it('forge-confirmations=key|message: another signer, or the node signing another message', async () => {
    const expected = storageConfirmationMessage(chain.currentEpoch(), blob.blobId, {
      kind: 'permanent',
    });
    const confirmation = async () => {
      const body = (await (await fetch(`${base()}/confirmation/permanent`)).json()) as {
        success: { data: { signed: { serializedMessage: string; signature: string } } };
      };
      const { serializedMessage, signature } = body.success.data.signed;
      return {
        message: new Uint8Array(Buffer.from(serializedMessage, 'base64')),
        signature: new Uint8Array(Buffer.from(signature, 'base64')),
      };
    };
    current = NO_FAULTS;
    const honest = await confirmation();
    expect(honest.message).toEqual(expected);
    expect(blsVerify(honest.signature, node.service.publicKey, honest.message)).toBe(true);

    withFaults('forge-confirmations');
    const byOtherKey = await confirmation();
    expect(byOtherKey.message).toEqual(expected);
    expect(blsVerify(byOtherKey.signature, node.service.publicKey, byOtherKey.message)).toBe(false);

    withFaults('forge-confirmations=message');
    const otherMessage = await confirmation();
    expect(otherMessage.message).not.toEqual(expected);
    expect(blsVerify(otherMessage.signature, node.service.publicKey, otherMessage.message)).toBe(
      true,
    );
    current = NO_FAULTS;
  });
});

describe('fault configuration', () => {
  it('parses combined modes and refuses unknown or malformed ones', () => {
    expect(parseNodeFaults('corrupt-slivers, slow=200,lie-status=nonexistent')).toMatchObject({
      corruptSlivers: true,
      slowMs: 200,
      lieStatus: 'nonexistent',
      hang: false,
    });
    expect(parseNodeFaults('')).toEqual(NO_FAULTS);
    for (const bad of [
      'hung',
      'slow',
      'slow=-1',
      'slow=1e3',
      'hang=1',
      'lie-status=yes',
      'forge-confirmations=both',
      'a=b=c',
    ]) {
      expect(() => parseNodeFaults(bad), bad).toThrow(NodeFaultsError);
    }
  });

  it('a node config with a bad WALRUS_NODE_FAULTS is refused before the node starts', () => {
    const env = {
      WALRUS_NODE_DATA_DIR: dataDir,
      WALRUS_NODE_CHAIN_STATE_FILE: join(dataDir, 's.json'),
    };
    expect(() => loadConfig([], { ...env, WALRUS_NODE_FAULTS: 'evil' })).toThrow(ConfigError);
    expect(loadConfig([], { ...env, WALRUS_NODE_FAULTS: 'hang' }).faults).toBe('hang');
    expect(loadConfig([], env).faults).toBeNull();
  });
});
