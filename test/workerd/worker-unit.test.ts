/**
 * Unit level (docs/style.md §5): the Worker module imported into the test and called as
 * `worker.fetch(request, env, ctx)` inside workerd, with an env built from the devnet that
 * test/workerd/global-setup.ts started and provided.
 */
import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../../workers/index.js';
import { unitFetch } from './worker-harness.js';
import { ORIGIN, blobApiSuite } from './blob-api-suite.js';
import { errorReason } from './helpers.js';

const devnet = inject('devnet');
/** Small, so the 413 test sends little; still above the largest blob the suite stores (~3 MB). */
const BODY_BYTES_MAX = 4 * 1024 * 1024;

const env: Env = {
  SUI_RPC_URL: devnet.ledgerUrl,
  WALRUS_PACKAGE_ID: devnet.packageId,
  WALRUS_SYSTEM_OBJECT_ID: devnet.systemObjectId,
  PUBLISHER_SECRET_KEY: devnet.publisherSecretKeys[1],
  PUBLISHER_BODY_BYTES_MAX: String(BODY_BYTES_MAX),
};

const send = (request: Request, withEnv: Env = env) => unitFetch(request, withEnv);

describe('worker.fetch (unit level)', () => {
  blobApiSuite({ send, nShards: devnet.nShards, bodyBytesMax: BODY_BYTES_MAX });

  it('answers 501 PUBLISHER_DISABLED without a wallet', async () => {
    const { PUBLISHER_SECRET_KEY: _, ...withoutWallet } = env;
    const response = await send(
      new Request(`${ORIGIN}/v1/blobs?epochs=1`, { method: 'PUT', body: 'x' }),
      withoutWallet,
    );
    expect(response.status).toBe(501);
    expect(await errorReason(response)).toBe('PUBLISHER_DISABLED');
  });
});
