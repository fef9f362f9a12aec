/**
 * Byzantine tolerance at the edge: the same API checks (unit level, `worker.fetch`) against a
 * second devnet in which the global setup stopped one of the 4 storage nodes before the tests
 * began. It held 4 of the 16 shards, within f = 5, so publishing (2f+1 = 11 shards' confirmations)
 * and reading must still work; the node is also among those asked for certification status.
 */
import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../../workers/index.js';
import { unitFetch } from './worker-harness.js';
import { blobApiSuite } from './blob-api-suite.js';

const devnet = inject('devnetNodeDown');
const BODY_BYTES_MAX = 4 * 1024 * 1024;

const env: Env = {
  SUI_RPC_URL: devnet.ledgerUrl,
  WALRUS_PACKAGE_ID: devnet.packageId,
  WALRUS_SYSTEM_OBJECT_ID: devnet.systemObjectId,
  PUBLISHER_SECRET_KEY: devnet.publisherSecretKeys[0],
  PUBLISHER_BODY_BYTES_MAX: String(BODY_BYTES_MAX),
};

const send = (request: Request) => unitFetch(request, env);

describe(`worker.fetch with one storage node down`, () => {
  it('really has a node down', async () => {
    expect(devnet.stoppedNodes).toHaveLength(1);
    const down = devnet.nodes.find((node) => node.name === devnet.stoppedNodes[0])!;
    expect(down.shards.length).toBeLessThanOrEqual(Math.floor((devnet.nShards - 1) / 3));
    await expect(fetch(`${down.url}/v1/health`)).rejects.toThrow();
  });

  blobApiSuite({ send, nShards: devnet.nShards, bodyBytesMax: BODY_BYTES_MAX });
});
