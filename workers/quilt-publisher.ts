/**
 * `PUT /v1/quilts?epochs=N[&permanent=true][&quilt_version=…]` (docs/spec/quilts.md §8, Walrus's
 * `put_quilt`): the multipart form's files become one V1 quilt (core/quilt: sorted identifiers,
 * the symbol-size search, column-major patches, the index), stored as one blob through the same
 * pipeline as `PUT /v1/blobs` (publisher.ts), and the answer is Walrus's
 * `{"blobStoreResult", "storedQuiltBlobs": [{"identifier", "quiltPatchId", "range"}]}` in index
 * order.
 */
import { DuplicateIdentifierError, QuiltLimitError } from '../core/quilt/errors.js';
import { encodeQuilt, type EncodedQuilt } from '../core/quilt/quilt-blob.js';
import type { QuiltFile } from '../core/quilt/quilt-builder.js';
import { ApiError } from '../core/http/errors.js';
import { EdgeErrors } from './api-errors.js';
import { type PublisherDeps, parsePublisherQuery, publishBytes } from './publisher.js';
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

/** The quilt of `files` for `nShards`, construction errors as the publisher's 400 (or 413). */
export function buildQuiltOrRefuse(
  files: readonly QuiltFile[],
  nShards: number,
  quiltBodyBytesMax: number,
): EncodedQuilt {
  try {
    return encodeQuilt(files, nShards, {
      bodyBytesMax: quiltBodyBytesMax,
      quiltBytesMax: quiltBytesMax(quiltBodyBytesMax),
    });
  } catch (error) {
    if (error instanceof QuiltLimitError) {
      const tooLarge = error.limit === 'QUILT_BYTES' || error.limit === 'BODY_BYTES';
      const refused = tooLarge
        ? EdgeErrors.blobTooLarge(error.message)
        : EdgeErrors.malformedRequest(error.message);
      throw withMetadata(refused, { limit: error.limit });
    }
    if (error instanceof DuplicateIdentifierError) {
      throw EdgeErrors.malformedRequest(error.message);
    }
    throw error;
  }
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
  // The quilt's layout depends on the shard count: build it for the network's.
  const { nShards } = await deps.chain.readSystem();
  const quilt = buildQuiltOrRefuse(files, nShards, deps.quiltBodyBytesMax);
  const blobStoreResult = await publishBytes(quilt.quilt, deps, query, (bytes, storeShards) => {
    // A network's shard count is fixed at its genesis; a change here means another network.
    if (storeShards !== nShards || bytes !== quilt.quilt) {
      throw new Error(`the quilt was built for ${nShards} shards, the network has ${storeShards}`);
    }
    return quilt.blob;
  });
  return Response.json({
    blobStoreResult,
    storedQuiltBlobs: quilt.patchIds.map(({ identifier, quiltPatchId, range }) => ({
      identifier,
      quiltPatchId,
      range: [range[0], range[1]],
    })),
  });
}
