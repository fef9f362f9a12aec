/**
 * The Worker's errors, one constructor per cause, with Walrus's aggregator and publisher reasons
 * (docs/spec/api.md §3.1–3.2). Handlers throw them; the one error funnel (core/http/errors.ts)
 * renders them as AIP-193 bodies, so the Worker and the storage node speak the same error shape.
 */
import { ApiError } from '../core/http/errors.js';

/** Walrus's error domain for the aggregator and publisher ("client daemon"). */
export const DAEMON_ERROR_DOMAIN = 'daemon.walrus.space';

function daemonError(
  status: ApiError['status'],
  reason: string,
  message: string,
  httpStatus?: number,
): ApiError {
  return new ApiError(status, reason, message, { domain: DAEMON_ERROR_DOMAIN, httpStatus });
}

export const EdgeErrors = {
  routeNotFound: () => daemonError('NOT_FOUND', 'NOT_FOUND', 'no such route'),
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
  invalidByteRange: (detail: string) =>
    daemonError('INVALID_ARGUMENT', 'INVALID_BYTE_RANGE', detail),
  malformedRequest: (detail: string) => daemonError('INVALID_ARGUMENT', 'MALFORMED_REQUEST', detail),
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
