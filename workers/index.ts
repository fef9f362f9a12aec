/**
 * The walrus-edge Worker: the Walrus aggregator read API and the publisher API at the edge.
 * `fetch(request, env, ctx)` on itty-router; the handlers are plain modules (aggregator.ts,
 * publisher.ts) over the isomorphic client/ and core/ code.
 */
import { AutoRouter, type IRequest } from 'itty-router';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { SuiChain } from '../core/chain/sui-chain.js';
import { useBlake2bWasmModule } from '../core/hash/blake2b.js';
import { useGf16WasmModule } from '../core/encoding/fft-kernel.js';
import { committeeViewOf } from '../client/committee.js';
import { StorageNodeClient } from '../client/storage-node-client.js';
import blake2bWasm from '../core/wasm/blake2b.wasm';
import gf16Wasm from '../core/wasm/gf16.wasm';
import { readBlobRoute } from './aggregator.js';
import { errorResponse, internalError } from './errors.js';
import { PUBLISHER_BODY_BYTES_DEFAULT, publishBlobRoute } from './publisher.js';

// workerd refuses to compile wasm from bytes: hand the kernels their precompiled modules.
useBlake2bWasmModule(blake2bWasm);
useGf16WasmModule(gf16Wasm);

export interface Env {
  /** Sui JSON-RPC URL of the chain (the devnet ledger locally). */
  readonly SUI_RPC_URL: string;
  readonly WALRUS_PACKAGE_ID: string;
  readonly WALRUS_SYSTEM_OBJECT_ID: string;
  /** `suiprivkey…` of the wallet that pays for publisher uploads; no publisher without it. */
  readonly PUBLISHER_SECRET_KEY?: string;
  readonly PUBLISHER_BODY_BYTES_MAX?: string;
}

/** One chain client per isolate and configuration: its System cache serves many requests. */
let chainCache: { key: string; chain: SuiChain } | undefined;

function chainOf(env: Env): SuiChain {
  const key = `${env.SUI_RPC_URL}|${env.WALRUS_PACKAGE_ID}|${env.WALRUS_SYSTEM_OBJECT_ID}`;
  if (chainCache?.key !== key) {
    chainCache = {
      key,
      chain: new SuiChain({
        url: env.SUI_RPC_URL,
        packageId: env.WALRUS_PACKAGE_ID,
        systemObjectId: env.WALRUS_SYSTEM_OBJECT_ID,
      }),
    };
  }
  return chainCache.chain;
}

/** Certified per any of a few nodes' status replies (a lying node can only shorten or lengthen caching). */
async function isCertified(chain: SuiChain, blobId: Uint8Array): Promise<boolean> {
  const system = await chain.readSystem();
  for (const member of system.members.slice(0, 3)) {
    try {
      const status = (await new StorageNodeClient(member.networkAddress, {
        timeoutMs: 5_000,
      }).getBlobStatus(blobId)) as {
        permanent?: { isCertified?: boolean };
        deletable?: { initialCertifiedEpoch?: number | null };
      };
      if (status.permanent?.isCertified === true) return true;
      if (typeof status.deletable?.initialCertifiedEpoch === 'number') return true;
    } catch {
      // Ask the next node.
    }
  }
  return false;
}

const router = AutoRouter<IRequest, [Env, ExecutionContext]>({
  catch: (error) => internalError(error),
  missing: () => errorResponse(404, 'NOT_FOUND', 'no such route'),
});

router
  .get('/status', () => new Response('OK'))
  .get('/v1/blobs/:blobId', (request, env) => {
    const chain = chainOf(env);
    return readBlobRoute(request as unknown as Request, request.params.blobId, {
      committee: async () => committeeViewOf(await chain.readSystem()),
      isCertified: (blobId) => isCertified(chain, blobId),
    });
  })
  .head('/v1/blobs/:blobId', (request, env) => {
    const chain = chainOf(env);
    return readBlobRoute(request as unknown as Request, request.params.blobId, {
      committee: async () => committeeViewOf(await chain.readSystem()),
      isCertified: (blobId) => isCertified(chain, blobId),
    });
  })
  .put('/v1/blobs', (request, env) => {
    if (env.PUBLISHER_SECRET_KEY === undefined) {
      return errorResponse(
        405,
        'PUBLISHER_DISABLED',
        'this edge node has no publisher wallet configured',
      );
    }
    const signer = Ed25519Keypair.fromSecretKey(
      decodeSuiPrivateKey(env.PUBLISHER_SECRET_KEY).secretKey,
    );
    const bodyBytesMax = Number(env.PUBLISHER_BODY_BYTES_MAX ?? PUBLISHER_BODY_BYTES_DEFAULT);
    return publishBlobRoute(request as unknown as Request, {
      chain: chainOf(env),
      signer,
      bodyBytesMax,
    });
  });

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
