/**
 * The Worker's errors, one constructor per cause, with Walrus's aggregator and publisher reasons
 * (docs/spec/api.md §3.1–3.2). Handlers throw them; the one error funnel (core/http/errors.ts)
 * renders them as AIP-193 bodies, so the Worker and the storage node speak the same error shape.
 */
import { ApiError } from '../core/http/errors.js';

/** Walrus's error domain for the aggregator and publisher ("client daemon"). */
export const DAEMON_ERROR_DOMAIN = 'daemon.walrus.space';

/** What a 503 tells clients to wait before retrying (seconds). */
export const RETRY_AFTER_S = 2;

function daemonError(
  status: ApiError['status'],
  reason: string,
  message: string,
  httpStatus?: number,
): ApiError {
  const headers = status === 'UNAVAILABLE' ? { 'retry-after': String(RETRY_AFTER_S) } : undefined;
  return new ApiError(status, reason, message, {
    domain: DAEMON_ERROR_DOMAIN,
    httpStatus,
    headers,
  });
}

export const EdgeErrors = {
  routeNotFound: () => daemonError('NOT_FOUND', 'NOT_FOUND', 'no such route'),
  methodNotAllowed: (method: string) =>
    new ApiError('FAILED_PRECONDITION', 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
      domain: DAEMON_ERROR_DOMAIN,
      httpStatus: 405,
      headers: { allow: 'GET, HEAD, OPTIONS' },
    }),
  invalidBlobId: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'INVALID_BLOB_ID', `invalid blob ID: ${detail}`),
  invalidObjectId: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'INVALID_OBJECT_ID', `invalid object ID: ${detail}`),
  blobNotFound: (detail: string) => daemonError('NOT_FOUND', 'BLOB_NOT_FOUND', detail),
  objectNotFound: (detail: string) => daemonError('NOT_FOUND', 'OBJECT_NOT_FOUND', detail),
  /** Not enough nodes answered with valid data now; Walrus says: retry with backoff. */
  blobUnavailable: (detail: string) => daemonError('UNAVAILABLE', 'BLOB_UNAVAILABLE', detail),
  /**
   * The network marked the blob invalid (its writer encoded it inconsistently): it will never be
   * served, so 410 Gone rather than a retryable 503.
   */
  blobInvalid: (detail: string) => daemonError('FAILED_PRECONDITION', 'BLOB_INVALID', detail, 410),
  invalidQuiltPatchId: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'INVALID_QUILT_PATCH_ID', `invalid quilt patch ID: ${detail}`),
  /** Walrus's reason for an identifier the quilt's index does not list (docs/spec/quilts.md §8). */
  quiltPatchNotFound: (detail: string) => daemonError('NOT_FOUND', 'QUILT_PATCH_NOT_FOUND', detail),
  /**
   * The quilt's verified bytes are not a valid quilt (no index, or a patch the index names does
   * not parse): nothing will ever be served from it, and no retry helps. Walrus answers 500.
   */
  invalidQuilt: (detail: string) =>
    daemonError('FAILED_PRECONDITION', 'INVALID_QUILT', detail, 422),
  invalidByteRange: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'INVALID_BYTE_RANGE', detail),
  /** 416 with the representation's length (RFC 9110 §15.5.17). */
  rangeNotSatisfiable: (length: number) =>
    new ApiError(
      'RANGE_NOT_SATISFIABLE',
      'RANGE_NOT_SATISFIABLE',
      'no requested range is within the blob',
      {
        domain: DAEMON_ERROR_DOMAIN,
        headers: { 'content-range': `bytes */${length}` },
      },
    ),
  malformedRequest: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'MALFORMED_REQUEST', detail),
  invalidPersistence: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'INVALID_BLOB_PERSISTENCE', detail),
  blobTooLarge: (detail: string) =>
    daemonError('RESOURCE_EXHAUSTED', 'BLOB_TOO_LARGE', detail, 413),
  insufficientConfirmations: (detail: string) =>
    daemonError('DEADLINE_EXCEEDED', 'INSUFFICIENT_CONFIRMATIONS', detail),
  publisherDisabled: () =>
    daemonError(
      'UNIMPLEMENTED',
      'PUBLISHER_DISABLED',
      'this edge node has no publisher wallet configured (set the PUBLISHER_SECRET_KEY secret)',
    ),
  chainUnavailable: (detail: string) => daemonError('UNAVAILABLE', 'CHAIN_UNAVAILABLE', detail),
};
