/**
 * `PUT /v1/quilts?epochs=N[&permanent=true][&quilt_version=…]` (docs/spec/quilts.md §8, Walrus's
 * `put_quilt`): the multipart form's files become one V1 quilt (core/quilt: sorted identifiers,
 * the symbol-size search, column-major patches, the index), stored as one blob through the same
 * pipeline as `PUT /v1/blobs` (publisher.ts; the SDK's client/store-quilt.ts, which also sets the
 * `_walrusBlobType = "quilt"` attribute), and the answer is Walrus's
 * `{"blobStoreResult", "storedQuiltBlobs": [{"identifier", "quiltPatchId", "range"}]}` in index
 * order.
 */
import { DuplicateIdentifierError, QuiltLimitError } from '../core/quilt/errors.js';
import { storeQuilt } from '../client/store-quilt.js';
import { ApiError } from '../core/http/errors.js';
import { EdgeErrors } from './api-errors.js';
import { type PublisherDeps, parsePublisherQuery, publishWith } from './publisher.js';
import { readQuiltForm } from './quilt-form.js';

/**
 * The quilt buffer (n_p · n_s · S bytes) may be this many times the body limit. Column granularity
 * can make it far larger than its files (one large file next to many tiny ones: every tiny file
 * still takes a whole column of the large file's symbol size), and the Worker holds the buffer
 * and its slivers at once.
 */
export const QUILT_BYTES_PER_BODY_BYTE_MAX = 2;
/** ... but never less than this: at n = 1000 even one tiny file makes a 445 KB quilt. */
export const QUILT_BYTES_MIN = 8 * 1024 * 1024;
/** Walrus's `quilt_version` parameter: any value means V1, the only version. */
const QUILT_ROUTE_PARAMS = ['quilt_version'] as const;

export interface QuiltPublisherDeps extends PublisherDeps {
  /** Bytes of the multipart body (Walrus's `--max-quilt-body-size`). */
  readonly quiltBodyBytesMax: number;
}

export function quiltBytesMax(quiltBodyBytesMax: number): number {
  return Math.max(QUILT_BYTES_MIN, QUILT_BYTES_PER_BODY_BYTE_MAX * quiltBodyBytesMax);
}

/** A quilt construction error (docs/spec/quilts.md §2, duplicates) as the publisher's 400/413. */
function refusal(error: unknown): unknown {
  if (error instanceof QuiltLimitError) {
    const tooLarge = error.limit === 'QUILT_BYTES' || error.limit === 'BODY_BYTES';
    const refused = tooLarge
      ? EdgeErrors.blobTooLarge(error.message)
      : EdgeErrors.malformedRequest(error.message);
    return withMetadata(refused, { limit: error.limit });
  }
  if (error instanceof DuplicateIdentifierError) return EdgeErrors.malformedRequest(error.message);
  return error;
}

/** The same error with machine-readable detail (which quilt limit) in its ErrorInfo. */
function withMetadata(error: ApiError, metadata: Readonly<Record<string, string>>): ApiError {
  return new ApiError(error.status, error.reason, error.message, {
    domain: error.domain,
    httpStatus: error.httpStatus,
    headers: error.headers,
    metadata,
  });
}

export async function publishQuiltRoute(
  request: Request,
  deps: QuiltPublisherDeps,
): Promise<Response> {
  const query = parsePublisherQuery(new URL(request.url), QUILT_ROUTE_PARAMS);
  const files = await readQuiltForm(request, deps.quiltBodyBytesMax);
  const quiltLimits = {
    bodyBytesMax: deps.quiltBodyBytesMax,
    quiltBytesMax: quiltBytesMax(deps.quiltBodyBytesMax),
  };
  // The SDK's quilt store: built for the network's shard count (construction errors come before
  // anything is paid for), stored through the blob pipeline, marked `_walrusBlobType = "quilt"`.
  const { stored, blobStoreResult } = await publishWith(
    (options) =>
      storeQuilt(
        files.map((file) => ({ identifier: file.identifier, data: file.bytes, tags: file.tags })),
        { ...options, chain: deps.chain, quiltLimits },
      ).catch((error: unknown) => {
        throw refusal(error);
      }),
    deps,
    query,
  );
  return Response.json({
    blobStoreResult,
    storedQuiltBlobs: stored.storedQuiltBlobs.map(({ identifier, quiltPatchId, range }) => ({
      identifier,
      quiltPatchId,
      range: [range[0], range[1]],
    })),
  });
}
