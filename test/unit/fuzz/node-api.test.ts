/**
 * Fuzzing the storage node's REST API over real HTTP (an in-process node on 127.0.0.1 and a
 * MemoryChain, as test/unit/node-reference/node-api.test.ts). Requests are built from Walrus's
 * routes with hostile parts: blob IDs, sliver pair indices, axes, recovery filters, batch queries,
 * headers and bodies (random bytes and mutations of valid metadata and slivers). Properties: every
 * answer is below 500, a 4xx carries an AIP-193 error with a reason, and the node keeps serving the
 * blob it holds, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { encodeBlobMetadataWithId } from '../../../core/encoding/metadata.js';
import * as routes from '../../../core/node-api/routes.js';
import {
  type TestBlob,
  metadataUrl,
  startTestNode,
  testBlob,
  uploadBlob,
} from '../../../node-reference/testing/harness.js';
import { MemoryChain } from '../../../node-reference/testing/memory-chain.js';
import { fuzzParameters } from '../../helpers/fuzz.js';

const N_SHARDS = 10;
const SHARDS = [0, 3, 6, 9];
/** Each case is an HTTP round trip; fewer than the in-process properties, same coverage per run. */
const RUNS = 300;

let dataDir: string;
let node: Awaited<ReturnType<typeof startTestNode>>;
let stored: TestBlob;
let unstored: TestBlob;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'walrus-fuzz-node-'));
  const chain = new MemoryChain({ nShards: N_SHARDS });
  chain.assignShards('a', SHARDS);
  node = await startTestNode({ chain, name: 'a', dataDir });
  stored = testBlob(4000, N_SHARDS, 1);
  unstored = testBlob(3000, N_SHARDS, 2);
  await chain.registerBlob({ blobId: stored.blobId });
  await chain.registerBlob({ blobId: unstored.blobId });
  await uploadBlob(node.url, stored, SHARDS);
});

afterAll(async () => {
  await node?.close(0);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Path parameters as a hostile client writes them. */
const blobIdParam = fc.oneof(
  { arbitrary: fc.constant(() => stored.blobIdText), weight: 3 },
  { arbitrary: fc.constant(() => unstored.blobIdText), weight: 2 },
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => () => t),
  fc.string({ maxLength: 50 }).map((t) => () => t),
);
const pairParam = fc.oneof(
  { arbitrary: fc.nat({ max: N_SHARDS + 2 }).map(String), weight: 4 },
  fc.constantFrom('-1', '65535', '65536', '99999999999999999999', '1e3', '0x1', ''),
  fc.string({ maxLength: 8 }),
);
const axisParam = fc.oneof(
  { arbitrary: fc.constantFrom('primary', 'secondary'), weight: 4 },
  fc.constantFrom('Primary', 'both'),
  fc.string({ maxLength: 8 }),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('id', 'targetSliver', 'targetType', 'proofAxis', 'axis', 'pairs', 'x'),
        fc.oneof(
          fc.stringMatching(/^\d{1,6}-\d{1,6}$/),
          fc.stringMatching(/^[0-9,]{0,20}$/),
          fc.constantFrom('primary', 'secondary'),
          fc.string({ maxLength: 12 }),
        ),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => '?' + new URLSearchParams(pairs).toString()),
);

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
}

/** Each route with the method it answers, so most cases get past routing to the parsers. */
const ROUTES: readonly (readonly [string, string])[] = [
  [routes.METADATA_ENDPOINT, 'GET'],
  [routes.METADATA_ENDPOINT, 'PUT'],
  [routes.METADATA_STATUS_ENDPOINT, 'GET'],
  [routes.SLIVER_ENDPOINT, 'GET'],
  [routes.SLIVER_ENDPOINT, 'PUT'],
  [routes.SLIVER_STATUS_ENDPOINT, 'GET'],
  [routes.PERMANENT_BLOB_CONFIRMATION_ENDPOINT, 'GET'],
  [routes.DELETABLE_BLOB_CONFIRMATION_ENDPOINT, 'GET'],
  [routes.RECOVERY_SYMBOL_LIST_ENDPOINT, 'GET'],
  [routes.INCONSISTENCY_PROOF_ENDPOINT, 'POST'],
  [routes.BLOB_STATUS_ENDPOINT, 'GET'],
  [routes.SLIVER_BATCH_ENDPOINT, 'GET'],
  [routes.HEALTH_ENDPOINT, 'GET'],
  ['/v1/{blob_id}', 'GET'],
];

function mutatedBody(valid: () => Uint8Array) {
  return fc
    .tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean())
    .map(([at, xor, cut]) => () => {
      const bytes = valid().slice();
      if (bytes.length === 0) return bytes;
      if (cut) return bytes.subarray(0, at % bytes.length);
      bytes[at % bytes.length] ^= xor;
      return bytes;
    });
}

const body = fc.oneof(
  fc.constant(() => undefined),
  fc.uint8Array({ maxLength: 300 }).map((b) => () => b),
  mutatedBody(() => unstored.metadataBcs),
  mutatedBody(() => unstored.sliverBcs(0, 'primary')),
);

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  otherMethod: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS'),
  ),
  blobId: blobIdParam,
  pair: pairParam,
  axis: axisParam,
  objectId: fc.oneof(fc.stringMatching(/^0x[0-9a-f]{0,64}$/), fc.string({ maxLength: 10 })),
  query,
  contentType: fc.option(
    fc.constantFrom('application/octet-stream', 'application/json', 'text/plain', ''),
  ),
  range: fc.option(fc.string({ maxLength: 20 })),
  body,
});

describe('fuzz: storage node REST API', () => {
  it('hostile requests get a 2xx–4xx answer (4xx with a reason), never a 5xx', async () => {
    const statuses = new Map<number, number>();
    const reasons = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [template, ownMethod] = r.route;
        const method = r.otherMethod ?? ownMethod;
        const path = fill(template, {
          blob_id: r.blobId(),
          sliver_pair_index: r.pair,
          sliver_type: r.axis,
          object_id: r.objectId,
        });
        const headers: Record<string, string> = {};
        if (r.contentType !== null) headers['content-type'] = r.contentType;
        if (r.range !== null) headers.range = r.range.replace(/[^\x20-\x7e]/g, '');
        const withBody = method !== 'GET' && method !== 'HEAD';
        const bytes = withBody ? r.body() : undefined;
        const response = await fetch(`${node.url}${path}${r.query}`, {
          method,
          headers,
          body: bytes as Uint8Array<ArrayBuffer> | undefined,
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${method} ${path}${r.query}: ${text}`).toBeLessThan(500);
        if (response.status >= 400 && method !== 'HEAD') {
          const { error } = JSON.parse(text) as {
            error: { code: number; message: string; details: { reason?: string }[] };
          };
          reasons.add(error.details[0]?.reason ?? '');
          expect(error.code).toBe(response.status);
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      fuzzParameters('node-api-requests', RUNS),
    );
    // The cases reached past routing and parsing: answers of several kinds, successes among them.
    expect(
      [...statuses.keys()].filter((s) => s < 300).length,
      JSON.stringify([...statuses]),
    ).toBeGreaterThan(0);
    expect(reasons.size, [...reasons].join()).toBeGreaterThanOrEqual(6);
    // Still serving what it holds, byte for byte.
    const metadata = await fetch(metadataUrl(node.url, stored));
    expect(metadata.status).toBe(200);
    expect(new Uint8Array(await metadata.arrayBuffer())).toEqual(
      encodeBlobMetadataWithId(stored.blobId, stored.encoded.metadata),
    );
  });
});
