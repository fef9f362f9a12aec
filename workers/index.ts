/**
 * The walrus-edge Worker: Walrus's aggregator read API and publisher API at the edge.
 * `fetch(request, env, ctx)` on itty-router, wrapped in the project's one HTTP layer (CORS outside,
 * the AIP-193 error funnel inside, so errors carry CORS headers too); the handlers are plain
 * modules (blob-read.ts, object-read.ts, quilt-read.ts, publisher.ts, quilt-publisher.ts) over the
 * isomorphic client/ and core/ code.
 */
import { type IRequest, Router } from 'itty-router';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { blobIdFromString, blobIdToString, InvalidBlobIdError } from '../core/blob-id.js';
import { SuiChain } from '../core/chain/sui-chain.js';
import { useGf16WasmModule } from '../core/encoding/fft-kernel.js';
import { useBlake2bWasmModule } from '../core/hash/blake2b.js';
import { cors } from '../core/http/cors.js';
import { errorFunnel } from '../core/http/errors.js';
import { compose } from '../core/http/middleware.js';
import { ReadNodes } from '../client/read/nodes.js';
import { sharedNodeHealth } from '../client/node-health.js';
import { RequestGate, WORKERS_HEADERS_WAITING_MAX } from '../client/request-gate.js';
import blake2bWasm from '../core/wasm/blake2b.wasm';
import gf16Wasm from '../core/wasm/gf16.wasm';
import { EdgeErrors } from './api-errors.js';
import { BlobInfo } from './blob-info.js';
import { type BlobTarget, type ReadContext, readBlob } from './blob-read.js';
import { byteRangeOf } from './blob-response.js';
import { CommitteeSource, type EdgeCommittee } from './committee-source.js';
import { EdgeCache } from './edge-cache.js';
import { type Env, type WorkerConfig, workerConfig } from './env.js';
import { objectTarget } from './object-read.js';
import { type PublisherDeps, publishBlobRoute } from './publisher.js';
import { publishQuiltRoute } from './quilt-publisher.js';
import { type PatchSelector, listPatches, quiltRead, readPatch } from './quilt-read.js';
import { InvalidQuiltPatchIdError } from '../core/quilt/errors.js';
import { quiltPatchIdFromString } from '../core/quilt/patch-id.js';
import {
  createSessionRoute,
  encodedRoute,
  sessionDescriptorRoute,
  sessionInfoRoute,
  sessionStatusRoute,
  uploadRoute,
} from './upload-sessions.js';
import { TUS_EXPOSED_HEADERS } from '../durable-objects/tus.js';
import { publisherWallet, walletPaidChain } from './wallet-chain.js';
import { uploadAssetRoute, uploadPageRoute } from './upload-page.js';

export type { Env } from './env.js';
// The Durable Object classes wrangler.toml binds: workerd finds them among the entry's exports.
export { UploadSession } from '../durable-objects/upload-session.js';
export { PublisherWallet } from '../durable-objects/publisher-wallet.js';

// workerd refuses to compile wasm from bytes: hand the kernels their precompiled modules.
useBlake2bWasmModule(blake2bWasm);
useGf16WasmModule(gf16Wasm);

/**
 * Chain requests from the edge: a stuck RPC must cost seconds, then stale data is used. (Not
 * exported: workerd takes every export of the entry module for an entrypoint.)
 */
const CHAIN_TIMEOUT_MS_EDGE = 5_000;

/**
 * What a browser reading blobs needs to see and send (docs/spec/edge-platform.md §5.1, §6), and
 * what tus-js-client and Uppy need for uploads (§4.4): any request header is allowed (preflights
 * are mirrored), tus's response headers are exposed.
 */
const CORS = cors({
  allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  exposeHeaders: [
    ...TUS_EXPOSED_HEADERS,
    'Accept-Ranges',
    'Content-Length',
    'Content-Range',
    'Content-Type',
    'ETag',
    'Cache-Control',
    'Retry-After',
    // A quilt patch's identifier (docs/spec/quilts.md §8): what a gallery shows as the file name.
    'X-Quilt-Patch-Identifier',
  ],
});
const FUNNEL = errorFunnel({
  onInternalError: (error, traceId, request) =>
    console.error(
      `walrus-edge: internal error ${traceId} on ${request.method} ${request.url}`,
      error,
    ),
});

/** One chain client per isolate and configuration: its caches serve many requests. */
let chainCache: { config: WorkerConfig; chain: SuiChain } | undefined;

function chainOf(config: WorkerConfig): SuiChain {
  if (chainCache?.config !== config) {
    chainCache = {
      config,
      chain: new SuiChain({
        url: config.suiRpcUrl,
        packageId: config.packageId,
        systemObjectId: config.systemObjectId,
        timeoutMs: CHAIN_TIMEOUT_MS_EDGE,
      }),
    };
  }
  return chainCache.chain;
}

/** Everything one request's reads share: caches, the committee, one gate for its node requests. */
function readContext(request: Request, env: Env, ctx: ExecutionContext): ReadContext {
  const config = workerConfig(env);
  const chain = chainOf(config);
  const cache = new EdgeCache(caches.default, new URL(request.url).origin, (promise) =>
    ctx.waitUntil(promise),
  );
  const committees = new CommitteeSource(
    config.systemObjectId,
    (fresh) => chain.readSystem({ fresh }),
    cache,
  );
  // Workers allow 6 requests waiting for headers per invocation; local workerd does not enforce it.
  const gate = new RequestGate(WORKERS_HEADERS_WAITING_MAX);
  const nodes = new Map<EdgeCommittee, ReadNodes>();
  return {
    request,
    cache,
    info: new BlobInfo(cache, config.statusTtlS),
    ttls: config.statusTtlS,
    committee: () =>
      committees.get().catch((error: unknown) => {
        throw EdgeErrors.chainUnavailable(`the chain cannot be read: ${(error as Error).message}`);
      }),
    freshCommittee: () => committees.refresh(),
    nodes: (committee) => {
      let opened = nodes.get(committee);
      if (opened === undefined) {
        opened = new ReadNodes(committee, {
          gate,
          health: sharedNodeHealth,
          signal: request.signal,
        });
        nodes.set(committee, opened);
      }
      return opened;
    },
    now: () => Date.now(),
  };
}

/** `{id}` of `by-quilt-patch-id`: the quilt and the columns the patch ID names. */
function patchIdTarget(text: string): { quilt: BlobTarget; selector: PatchSelector } {
  try {
    const id = quiltPatchIdFromString(text);
    return {
      quilt: { blobId: id.quiltId, blobIdText: blobIdToString(id.quiltId) },
      selector: { kind: 'columns', range: { start: id.startIndex, end: id.endIndex } },
    };
  } catch (error) {
    if (error instanceof InvalidQuiltPatchIdError)
      throw EdgeErrors.invalidQuiltPatchId(error.message);
    throw error;
  }
}

/** `{identifier}` of `by-quilt-id`: one path segment, percent-decoded (`/` is sent as %2F). */
function identifierSelector(segment: string): PatchSelector {
  try {
    return { kind: 'identifier', identifier: decodeURIComponent(segment) };
  } catch {
    throw EdgeErrors.malformedRequest('the quilt patch identifier is not percent-encoded UTF-8');
  }
}

function blobTarget(text: string): BlobTarget {
  try {
    const blobId = blobIdFromString(text);
    return { blobId, blobIdText: blobIdToString(blobId) };
  } catch (error) {
    if (error instanceof InvalidBlobIdError) throw EdgeErrors.invalidBlobId(error.message);
    throw error;
  }
}

/** What the publisher routes need: the chain, the paying wallet, the invocation's node gate. */
function publisherDeps(config: WorkerConfig, env: Env): PublisherDeps {
  if (config.publisherSecretKey === undefined) throw EdgeErrors.publisherDisabled();
  const signer = Ed25519Keypair.fromSecretKey(
    decodeSuiPrivateKey(config.publisherSecretKey).secretKey,
  );
  // Every paying path goes through the wallet's one object when it is bound.
  const chain =
    env.PUBLISHER_WALLET === undefined
      ? chainOf(config)
      : walletPaidChain(chainOf(config), publisherWallet(env.PUBLISHER_WALLET));
  return {
    chain,
    signer,
    bodyBytesMax: config.publisherBodyBytesMax,
    nodeOptions: { health: sharedNodeHealth, gate: new RequestGate(WORKERS_HEADERS_WAITING_MAX) },
  };
}

function quiltReadOf(request: IRequest, env: Env, ctx: ExecutionContext, quilt: BlobTarget) {
  const read = readContext(request as unknown as Request, env, ctx);
  return quiltRead(read, quilt, workerConfig(env).attributeHeaders);
}

function sessionDeps(env: Env) {
  const config = workerConfig(env);
  return { config, env, chain: chainOf(config) };
}

// A plain Router: errors must reach the one funnel (AutoRouter would answer them 500 itself).
const router = Router<IRequest, [Env, ExecutionContext]>();

router
  .get('/status', (_, env) => {
    // A misconfigured Worker is not healthy: answer its configuration error here too.
    workerConfig(env);
    return new Response('OK', { headers: { 'cache-control': 'no-store' } });
  })
  .all('/v1/blobs/by-quilt-patch-id/:patchId', (request, env, ctx) => {
    const { quilt, selector } = patchIdTarget(request.params.patchId);
    return readPatch(quiltReadOf(request, env, ctx, quilt), selector);
  })
  .all('/v1/blobs/by-quilt-id/:quiltId/:identifier', (request, env, ctx) => {
    const quilt = blobTarget(request.params.quiltId);
    const selector = identifierSelector(request.params.identifier);
    return readPatch(quiltReadOf(request, env, ctx, quilt), selector);
  })
  .all('/v1/quilts/:quiltId/patches', (request, env, ctx) =>
    listPatches(quiltReadOf(request, env, ctx, blobTarget(request.params.quiltId))),
  )
  .all('/v1/blobs/by-object-id/:objectId', async (request, env, ctx) => {
    const read = readContext(request as unknown as Request, env, ctx);
    const config = workerConfig(env);
    return readBlob(
      read,
      await objectTarget(read, chainOf(config), request.params.objectId, config),
    );
  })
  .all('/v1/blobs/:blobId/byte-range', (request, env, ctx) => {
    const target = blobTarget(request.params.blobId);
    const url = new URL(request.url);
    return readBlob(readContext(request as unknown as Request, env, ctx), {
      ...target,
      byteRange: (blobBytes) => byteRangeOf(url, blobBytes),
    });
  })
  .all('/v1/blobs/:blobId', (request, env, ctx) =>
    readBlob(
      readContext(request as unknown as Request, env, ctx),
      blobTarget(request.params.blobId),
    ),
  )
  .put('/v1/blobs', (request, env) =>
    publishBlobRoute(request as unknown as Request, publisherDeps(workerConfig(env), env)),
  )
  .put('/v1/quilts', (request, env) => {
    const config = workerConfig(env);
    return publishQuiltRoute(request as unknown as Request, {
      ...publisherDeps(config, env),
      quiltBodyBytesMax: config.publisherQuiltBodyBytesMax,
    });
  })
  .post('/v1/upload-sessions', (request, env) =>
    createSessionRoute(request as unknown as Request, sessionDeps(env)),
  )
  .get('/v1/upload-sessions/:sessionId', (request, env) =>
    sessionInfoRoute(request as unknown as Request, request.params.sessionId, sessionDeps(env)),
  )
  .get('/v1/upload-sessions/:sessionId/status/:token', (request, env) =>
    sessionStatusRoute(
      request as unknown as Request,
      request.params.sessionId,
      request.params.token,
      sessionDeps(env),
    ),
  )
  .all('/v1/uploads/:token', (request, env) =>
    uploadRoute(request as unknown as Request, request.params.token, false, sessionDeps(env)),
  )
  .all('/v1/uploads/:token/upload', (request, env) =>
    uploadRoute(request as unknown as Request, request.params.token, true, sessionDeps(env)),
  )
  .get('/upload/assets/:name', (request) => uploadAssetRoute(request.params.name))
  .get('/upload/:token', (request, env) => uploadPageRoute(request.params.token, workerConfig(env)))
  .get('/v1/uploads/:token/session', (request, env) =>
    sessionDescriptorRoute(request as unknown as Request, request.params.token, sessionDeps(env)),
  )
  .all('/v1/uploads/:token/encoded/:step', (request, env) =>
    encodedRoute(
      request as unknown as Request,
      request.params.token,
      request.params.step,
      sessionDeps(env),
    ),
  )
  .all('*', () => {
    throw EdgeErrors.routeNotFound();
  });

/** Only GET and HEAD read; other methods on read routes are 405s of the router's making. */
const READ_METHODS = new Set(['GET', 'HEAD']);

export default {
  fetch: async (request: Request, env: Env, ctx: ExecutionContext) => {
    try {
      return await compose([CORS, FUNNEL], async (incoming) => {
        const path = new URL(incoming.url).pathname;
        const readRoute = path.startsWith('/v1/blobs/') || path.startsWith('/v1/quilts/');
        if (readRoute && !READ_METHODS.has(incoming.method)) {
          throw EdgeErrors.methodNotAllowed(incoming.method);
        }
        return (await router.fetch(incoming, env, ctx)) as Response;
      })(request);
    } finally {
      // A request refused before its body was read (a bad key or token): release the body.
      if (request.body !== null && !request.bodyUsed && !request.body.locked) {
        void request.body.cancel().catch(() => {});
      }
    }
  },
} satisfies ExportedHandler<Env>;
