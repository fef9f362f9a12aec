/**
 * Test helpers for storage nodes: real encoded blobs, a node started in process on 127.0.0.1:0
 * against a MemoryChain, and the client side of the REST calls (real HTTP via fetch).
 */
import type { NodeFaults } from '../faults.js';
import { blobIdToString } from '../../core/blob-id.js';
import { blsRandomSecretKey } from '../../core/bls.js';
import { type EncodedBlob, encodeBlob } from '../../core/encoding/blob-encoder.js';
import { type SliverAxis, pairForShard, sliverIndexOfPair } from '../../core/encoding/mapping.js';
import { encodeBlobMetadata } from '../../core/encoding/metadata.js';
import { routePath, METADATA_ENDPOINT, SLIVER_ENDPOINT } from '../../core/node-api/routes.js';
import type { ConcurrencyLimits } from '../limits.js';
import { type Logger, silentLogger } from '../log.js';
import { type RunningNode, startNode } from '../node.js';
import type { PendingCacheLimits } from '../pending-cache.js';
import type { NodeRecoveryOptions } from '../service.js';
import type { MemoryChain } from './memory-chain.js';

/** `length` bytes from a seeded xorshift generator: reproducible blob contents. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface TestBlob {
  readonly blob: Uint8Array;
  readonly encoded: EncodedBlob;
  readonly blobId: Uint8Array;
  readonly blobIdText: string;
  readonly metadataBcs: Uint8Array;
  /** BCS SliverData of `axis` for sliver pair `pairIndex`. */
  sliverBcs(pairIndex: number, axis: SliverAxis): Uint8Array;
}

export function testBlob(size: number, nShards: number, seed: number): TestBlob {
  const blob = seededBytes(size, seed);
  const encoded = encodeBlob(blob, nShards);
  return {
    blob,
    encoded,
    blobId: encoded.blobId,
    blobIdText: blobIdToString(encoded.blobId),
    metadataBcs: encodeBlobMetadata(encoded.metadata),
    sliverBcs: (pairIndex, axis) => {
      const index = sliverIndexOfPair(axis, pairIndex, nShards);
      return (
        axis === 'primary' ? encoded.primarySliverBcs(index) : encoded.secondarySliverBcs(index)
      ).slice();
    },
  };
}

/** The pair indices a node holding `shards` stores for this blob. */
export function pairsOnShards(blob: TestBlob, shards: readonly number[]): number[] {
  return shards
    .map((shard) => pairForShard(shard, blob.blobId, blob.encoded.layout.nShards))
    .sort((a, b) => a - b);
}

export interface TestNodeOptions {
  readonly chain: MemoryChain;
  readonly name: string;
  readonly dataDir: string;
  readonly secretKey?: Uint8Array;
  readonly logger?: Logger;
  readonly limits?: Partial<ConcurrencyLimits>;
  readonly pending?: Partial<PendingCacheLimits>;
  readonly recovery?: NodeRecoveryOptions;
  readonly onEpochReady?: (epoch: number) => Promise<void>;
  readonly faults?: () => NodeFaults;
}

export async function startTestNode(
  options: TestNodeOptions,
): Promise<RunningNode & { secretKey: Uint8Array }> {
  const secretKey = options.secretKey ?? blsRandomSecretKey();
  const node = await startNode({
    chain: options.chain.view(options.name),
    dataDir: options.dataDir,
    protocolSecretKey: secretKey,
    host: '127.0.0.1',
    port: 0,
    logger: options.logger ?? silentLogger,
    limits: options.limits,
    pending: options.pending,
    recovery: options.recovery,
    onEpochReady: options.onEpochReady,
    faults: options.faults,
  });
  return Object.assign(node, { secretKey });
}

export function metadataUrl(base: string, blob: TestBlob, query = ''): string {
  return `${base}${routePath(METADATA_ENDPOINT, { blob_id: blob.blobIdText })}${query}`;
}

export function sliverUrl(
  base: string,
  blob: TestBlob,
  pairIndex: number,
  axis: SliverAxis,
  query = '',
): string {
  const params = { blob_id: blob.blobIdText, sliver_pair_index: pairIndex, sliver_type: axis };
  return `${base}${routePath(SLIVER_ENDPOINT, params)}${query}`;
}

export async function putBytes(
  url: string,
  body: Uint8Array,
  contentType: string | null = 'application/octet-stream',
): Promise<Response> {
  return fetch(url, {
    method: 'PUT',
    body: body as Uint8Array<ArrayBuffer>,
    headers: contentType === null ? {} : { 'content-type': contentType },
  });
}

/** PUTs metadata and both slivers of every pair the node holds; throws on any non-2xx answer. */
export async function uploadBlob(
  base: string,
  blob: TestBlob,
  shards: readonly number[],
  query = '',
): Promise<void> {
  const metadata = await putBytes(metadataUrl(base, blob, query), blob.metadataBcs);
  if (!metadata.ok) throw new Error(`metadata PUT: ${metadata.status} ${await metadata.text()}`);
  await metadata.arrayBuffer().catch(() => {});
  for (const pairIndex of pairsOnShards(blob, shards)) {
    for (const axis of ['primary', 'secondary'] as const) {
      const response = await putBytes(
        sliverUrl(base, blob, pairIndex, axis, query),
        blob.sliverBcs(pairIndex, axis),
      );
      if (!response.ok)
        throw new Error(
          `sliver PUT ${pairIndex}/${axis}: ${response.status} ${await response.text()}`,
        );
      await response.arrayBuffer();
    }
  }
}

export interface ErrorReply {
  readonly status: number;
  readonly reason: string;
  readonly body: {
    error: {
      code: number;
      status: string;
      message: string;
      details: { reason?: string; domain?: string }[];
    };
  };
}

export async function errorOf(response: Response): Promise<ErrorReply> {
  const body = (await response.json()) as ErrorReply['body'];
  return { status: response.status, reason: body.error.details[0]?.reason ?? '', body };
}
