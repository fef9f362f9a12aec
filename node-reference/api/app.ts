/**
 * The Walrus storage-node REST API (docs/spec/api.md §1.2) as a `fetch(Request) → Response` handler on
 * itty-router, generic over `StorageNodeService`. Body limits come from the protocol; expensive
 * routes run under named concurrency caps and answer 503 when full; every error goes through the
 * one funnel; CORS wraps everything, errors included.
 */
import { type IRequest, Router } from 'itty-router';
import type { SliverAxis } from '../../core/encoding/mapping.js';
import { encodeBlobMetadataWithId } from '../../core/encoding/metadata.js';
import { decodeInconsistencyProof } from '../../core/encoding/inconsistency.js';
import { encodeRecoverySymbols } from '../../core/encoding/recovery-symbol-list.js';
import { DecodingError } from '../../core/encoding/reed-solomon.js';
import { ConcurrencyLimit } from '../concurrency.js';
import { NodeErrors, SLIVER_TOO_LARGE_REASON } from '../errors.js';
import { failPoint } from '../fail-points.js';
import { readBodyBounded } from '../../core/http/body.js';
import { cors } from '../../core/http/cors.js';
import { errorFunnel } from '../../core/http/errors.js';
import { type FetchHandler, type Middleware, compose } from '../../core/http/middleware.js';
import {
  BATCH_PAIRS_QUERY_CHARS_MAX,
  BATCH_RESPONSE_BYTES_MAX,
  type ConcurrencyLimits,
  CONCURRENCY_LIMITS_DEFAULT,
  REGISTRATION_WAIT_MS_MAX,
  SLIVER_PUT_HEADROOM_BYTES,
  inconsistencyProofBytesMax,
  metadataPutBytesMax,
  requestBodyBytesMax,
  sliverPutBytesMax,
} from '../limits.js';
import type { Logger } from '../log.js';
import type { SignedMessage, StoreOutcome, StorageNodeService } from '../service.js';
import { batchCountHeader, batchEntryHeader } from '../../core/node-api/sliver-batch.js';
import { parsePairList } from './batch.js';
import {
  axisParam,
  blobIdParam,
  boolQuery,
  decodeMetadataBody,
  intentQuery,
  objectIdParam,
  pairIndexParam,
  parseAxis,
  queryValue,
  recoveryFilterQuery,
  requireBcsContentType,
  u64Query,
} from './params.js';
import * as routes from '../../core/node-api/routes.js';

export interface NodeAppOptions {
  readonly logger: Logger;
  readonly limits?: Partial<ConcurrencyLimits>;
  /** Test only: Byzantine modes (faults.ts), outside everything else as a peer would see them. */
  readonly byzantine?: Middleware;
}

export interface NodeApp {
  readonly fetch: FetchHandler;
  /** The largest body any route accepts: the adapter's cap. */
  readonly bodyBytesMax: number;
}

const OCTET_STREAM = 'application/octet-stream';

export function jsonSuccess(code: number, data: unknown): Response {
  return new Response(JSON.stringify({ success: { code, data } }), {
    status: code,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * A BCS body handed to the adapter as one chunk of a stream: undici's Response copies a byte body
 * it is given directly, and a recovery-symbol answer is megabytes (that copy was a sixth of a
 * node's time serving a degraded read). The length is still declared, so no chunked encoding.
 */
function bcsResponse(bytes: Uint8Array): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': OCTET_STREAM, 'content-length': String(bytes.length) },
  });
}

function storeResponse(outcome: StoreOutcome, what: 'metadata' | 'sliver'): Response {
  if (outcome === 'stored') return jsonSuccess(201, `${what} successfully stored`);
  if (outcome === 'buffered')
    return jsonSuccess(202, `${what} buffered until the blob is registered`);
  return jsonSuccess(200, `${what} already stored`);
}

function signedJson(signed: SignedMessage) {
  return {
    serializedMessage: Buffer.from(signed.serializedMessage).toString('base64'),
    signature: Buffer.from(signed.signature).toString('base64'),
  };
}

export function createNodeApp(service: StorageNodeService, options: NodeAppOptions): NodeApp {
  const limits = { ...CONCURRENCY_LIMITS_DEFAULT, ...options.limits };
  const sliverPuts = new ConcurrencyLimit('sliver PUTs', limits.sliverPutsInFlightMax);
  const recoveryRequests = new ConcurrencyLimit(
    'recovery symbols',
    limits.recoveryRequestsInFlightMax,
  );
  const batchReads = new ConcurrencyLimit('batch reads', limits.batchReadsInFlightMax);
  const proofChecks = new ConcurrencyLimit(
    'inconsistency proofs',
    limits.inconsistencyProofsInFlightMax,
  );
  const registrationWaits = new ConcurrencyLimit(
    'registration waits',
    limits.registrationWaitsInFlightMax,
  );
  const n = service.nShards;
  const sliverBytesMax = sliverPutBytesMax(n);
  const metadataBytesMax = metadataPutBytesMax(n);
  const proofBytesMax = inconsistencyProofBytesMax(n);
  const router = Router<IRequest, []>();

  router.get(routes.ittyPath(routes.METADATA_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    return bcsResponse(encodeBlobMetadataWithId(blobId, await service.retrieveMetadata(blobId)));
  });

  router.put(routes.ittyPath(routes.METADATA_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    const intent = intentQuery(request);
    requireBcsContentType(request);
    const metadata = decodeMetadataBody(await readBodyBounded(request, metadataBytesMax));
    return storeResponse(await service.storeMetadata(blobId, metadata, intent), 'metadata');
  });

  router.get(routes.ittyPath(routes.METADATA_STATUS_ENDPOINT), async (request) =>
    jsonSuccess(200, await service.metadataStatus(blobIdParam(request))),
  );

  router.get(routes.ittyPath(routes.SLIVER_ENDPOINT), async (request) =>
    bcsResponse(
      await service.retrieveSliver(
        blobIdParam(request),
        pairIndexParam(request),
        axisParam(request),
      ),
    ),
  );

  router.put(routes.ittyPath(routes.SLIVER_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    const pairIndex = pairIndexParam(request);
    const axis = axisParam(request);
    const intent = intentQuery(request);
    requireBcsContentType(request);
    const release = sliverPuts.acquire();
    try {
      const expectedBytes = await service.prepareSliverUpload(blobId, pairIndex, axis, intent);
      // The exact size this blob's sliver has, never above the protocol's limit for n shards.
      const bodyBytesMax = Math.min(sliverBytesMax, expectedBytes + SLIVER_PUT_HEADROOM_BYTES);
      const body = await readBodyBounded(request, bodyBytesMax, SLIVER_TOO_LARGE_REASON);
      return storeResponse(
        await service.storeSliver(blobId, pairIndex, axis, body, intent),
        'sliver',
      );
    } finally {
      release();
    }
  });

  router.get(routes.ittyPath(routes.SLIVER_STATUS_ENDPOINT), async (request) =>
    jsonSuccess(
      200,
      await service.sliverStatus(blobIdParam(request), pairIndexParam(request), axisParam(request)),
    ),
  );

  router.get(routes.ittyPath(routes.SLIVER_BATCH_ENDPOINT), (request) => sliverBatch(request));

  async function sliverBatch(request: IRequest): Promise<Response> {
    const blobId = blobIdParam(request);
    const axis: SliverAxis | null = parseAxis(queryValue(request, 'axis'));
    if (axis === null) throw NodeErrors.invalidQuery('axis must be primary or secondary');
    const pairsText = queryValue(request, 'pairs') ?? '';
    if (pairsText.length > BATCH_PAIRS_QUERY_CHARS_MAX)
      throw NodeErrors.batchTooLarge('the pair list is too long');
    const parsed = parsePairList(pairsText);
    if ('error' in parsed) {
      throw parsed.tooMany
        ? NodeErrors.batchTooLarge(parsed.error)
        : NodeErrors.invalidQuery(parsed.error);
    }
    const release = batchReads.acquire();
    let released = false;
    const releaseOnce = () => {
      if (!released) release();
      released = true;
    };
    try {
      const reader = await service.sliverBatch(blobId, axis, parsed.pairs);
      if (reader.pairIndices.length * reader.sliverBcsBytes > BATCH_RESPONSE_BYTES_MAX) {
        throw NodeErrors.batchTooLarge(
          `the slivers requested exceed ${BATCH_RESPONSE_BYTES_MAX} bytes`,
        );
      }
      let next = -1;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            try {
              if (next === -1) {
                controller.enqueue(batchCountHeader(reader.pairIndices.length));
              } else {
                // The entry's header and the sliver as two chunks: no copy of the sliver.
                const pairIndex = reader.pairIndices[next];
                const sliver = reader.read(pairIndex);
                controller.enqueue(batchEntryHeader(pairIndex, sliver?.length ?? 0));
                if (sliver !== null) controller.enqueue(sliver);
              }
              next++;
              if (next === reader.pairIndices.length) {
                controller.close();
                releaseOnce();
              }
            } catch (error) {
              releaseOnce();
              throw error;
            }
          },
          cancel: releaseOnce,
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: 200, headers: { 'content-type': OCTET_STREAM } });
    } catch (error) {
      releaseOnce();
      throw error;
    }
  }

  router.get(routes.ittyPath(routes.PERMANENT_BLOB_CONFIRMATION_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    await maybeWaitForRegistration(request, blobId);
    const signed = await service.computeStorageConfirmation(blobId, { kind: 'permanent' });
    return jsonSuccess(200, { signed: signedJson(signed) });
  });

  router.get(routes.ittyPath(routes.DELETABLE_BLOB_CONFIRMATION_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    const objectId = objectIdParam(request);
    await maybeWaitForRegistration(request, blobId);
    const signed = await service.computeStorageConfirmation(blobId, {
      kind: 'deletable',
      objectId,
    });
    return jsonSuccess(200, { signed: signedJson(signed) });
  });

  /** The confirmation long-poll; when the cap is full it answers at once, as Walrus does. */
  async function maybeWaitForRegistration(request: IRequest, blobId: Uint8Array): Promise<void> {
    if (!boolQuery(request, 'wait_for_registration')) return;
    const waitMs = Math.min(
      u64Query(request, 'wait_millis') ?? REGISTRATION_WAIT_MS_MAX,
      REGISTRATION_WAIT_MS_MAX,
    );
    const release = registrationWaits.tryAcquire();
    if (release === null) return;
    try {
      await service.waitForRegistration(blobId, waitMs);
    } finally {
      release();
    }
  }

  router.get(routes.ittyPath(routes.RECOVERY_SYMBOL_LIST_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    const filter = recoveryFilterQuery(request);
    return recoveryRequests.run(async () => {
      await failPoint('recovery-symbols-before-compute');
      return bcsResponse(
        encodeRecoverySymbols(await service.retrieveRecoverySymbols(blobId, filter)),
      );
    });
  });

  router.post(routes.ittyPath(routes.INCONSISTENCY_PROOF_ENDPOINT), async (request) => {
    const blobId = blobIdParam(request);
    const axis = axisParam(request);
    requireBcsContentType(request);
    return proofChecks.run(async () => {
      const body = await readBodyBounded(request, proofBytesMax);
      let proof;
      try {
        proof = decodeInconsistencyProof(axis, body);
      } catch (error) {
        if (error instanceof DecodingError) throw NodeErrors.undecodableBcs('InconsistencyProof');
        throw error;
      }
      return jsonSuccess(200, signedJson(await service.verifyInconsistencyProof(blobId, proof)));
    });
  });

  router.get(routes.ittyPath(routes.BLOB_STATUS_ENDPOINT), async (request) =>
    jsonSuccess(200, await service.blobStatus(blobIdParam(request))),
  );

  router.get(routes.HEALTH_ENDPOINT, async (request) =>
    jsonSuccess(200, await service.healthInfo(boolQuery(request, 'detailed'))),
  );

  router.all('*', () => {
    throw NodeErrors.routeNotFound();
  });

  const fetch = compose(
    [
      ...(options.byzantine === undefined ? [] : [options.byzantine]),
      cors(),
      errorFunnel({
        onInternalError: (error, traceId, request) =>
          options.logger.log('error', 'http.internal_error', {
            traceId,
            method: request.method,
            path: new URL(request.url).pathname,
            error,
          }),
      }),
    ],
    // HEAD is answered as GET would be (axum does the same); the adapter drops the body.
    (request) =>
      router.fetch(
        request.method === 'HEAD' ? new Request(request, { method: 'GET' }) : request,
      ) as Promise<Response>,
  );
  return { fetch, bodyBytesMax: requestBodyBytesMax(n) };
}
