/**
 * Integration level (docs/style.md §5): requests go through `exports.default.fetch`, i.e. the Worker as
 * workerd runs it (`main` in vitest.config.ts) with the bindings of the workers project, which
 * vitest.config.ts sets from the devnet that test/workerd/global-setup.ts started.
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { ORIGIN, blobApiSuite } from './blob-api-suite.js';
import { errorReason } from './helpers.js';

const devnet = inject('devnet');

const send = (request: Request) => exports.default.fetch(request);

describe('exports.default.fetch (integration level)', () => {
  it('runs with the devnet’s bindings', () => {
    expect(env.SUI_RPC_URL).toBe(devnet.ledgerUrl);
    expect(env.WALRUS_PACKAGE_ID).toBe(devnet.packageId);
    expect(env.WALRUS_SYSTEM_OBJECT_ID).toBe(devnet.systemObjectId);
    expect(env.PUBLISHER_SECRET_KEY).toMatch(/^suiprivkey/);
  });

  it('answers /status and 404 NOT_FOUND off the routes', async () => {
    expect(await (await send(new Request(`${ORIGIN}/status`))).text()).toBe('OK');
    const missing = await send(new Request(`${ORIGIN}/v1/nothing`));
    expect(missing.status).toBe(404);
    expect(await errorReason(missing)).toBe('NOT_FOUND');
  });

  blobApiSuite({
    send,
    nShards: devnet.nShards,
    bodyBytesMax: Number(env.PUBLISHER_BODY_BYTES_MAX),
  });
});
