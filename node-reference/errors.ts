/**
 * The storage node's errors, one constructor per cause, with Walrus's reasons and statuses
 * (walrus-service `node/errors.rs`; docs/spec/api.md §1.2, §1.5). The service throws these; the HTTP
 * error funnel renders them.
 */
import { ApiError, GLOBAL_ERROR_DOMAIN } from '../core/http/errors.js';

/** Walrus's error domain for storage nodes. */
export const STORAGE_NODE_ERROR_DOMAIN = 'storage.walrus.space';
/** The reason a sliver PUT body over its limit gets (with HTTP 413, see http/errors.ts). */
export const SLIVER_TOO_LARGE_REASON = 'SLIVER_TOO_LARGE';

function nodeError(
  status: ApiError['status'],
  reason: string,
  message: string,
  httpStatus?: number,
): ApiError {
  return new ApiError(status, reason, message, { domain: STORAGE_NODE_ERROR_DOMAIN, httpStatus });
}

export const NodeErrors = {
  invalidBlobId: (detail: string) =>
    nodeError('INVALID_ARGUMENT', 'INVALID_BLOB_ID', `invalid blob ID: ${detail}`),
  invalidPath: (detail: string) => nodeError('INVALID_ARGUMENT', 'INVALID_PATH', detail),
  invalidQuery: (detail: string) => nodeError('INVALID_ARGUMENT', 'INVALID_QUERY', detail),
  invalidContentType: (detail = 'expected request with `Content-Type: application/octet-stream`') =>
    nodeError('INVALID_ARGUMENT', 'INVALID_CONTENT_TYPE', detail),
  undecodableBcs: (what: string) =>
    nodeError(
      'INVALID_ARGUMENT',
      'INVALID_CONTENT_TYPE',
      `unable to decode request body as BCS ${what}`,
    ),
  indexOutOfRange: (index: number, max: number) =>
    nodeError('INVALID_ARGUMENT', 'INDEX_OUT_OF_RANGE', `requires 0 <= index (${index}) < ${max}`),
  shardNotAssigned: (shard: number, epoch: number) =>
    nodeError(
      'FAILED_PRECONDITION',
      'SHARD_NOT_ASSIGNED',
      `shard ${shard} is not assigned to this node in epoch ${epoch}`,
    ),
  notRegistered: () =>
    nodeError(
      'FAILED_PRECONDITION',
      'NOT_REGISTERED',
      'the blob has not been registered or has already expired',
    ),
  invalidBlob: () =>
    nodeError('FAILED_PRECONDITION', 'INVALID_BLOB', 'the blob for this metadata is invalid'),
  cacheSaturated: () =>
    nodeError(
      'FAILED_PRECONDITION',
      'CACHE_SATURATED',
      'pending upload cache is saturated; retry once the node catches up',
    ),
  invalidMetadata: (detail: string) =>
    nodeError(
      'INVALID_ARGUMENT',
      'INVALID_METADATA',
      `the provided metadata failed to verify: ${detail}`,
    ),
  unsupportedEncodingType: () =>
    nodeError(
      'INVALID_ARGUMENT',
      'UNSUPPORTED_ENCODING_TYPE',
      'unsupported encoding type, supported types are: [RS2]',
    ),
  metadataNotFound: () =>
    nodeError('NOT_FOUND', 'METADATA_NOT_FOUND', 'the requested metadata is unavailable'),
  /** A sliver PUT or proof before its metadata: a precondition, not a missing resource. */
  metadataMissing: () =>
    nodeError('FAILED_PRECONDITION', 'METADATA_NOT_FOUND', 'blob metadata is required but missing'),
  sliverNotFound: () =>
    nodeError('NOT_FOUND', 'SLIVER_NOT_FOUND', 'the requested sliver is unavailable'),
  invalidSliver: (detail: string) =>
    nodeError('INVALID_ARGUMENT', 'INVALID_SLIVER', `the provided sliver is invalid: ${detail}`),
  sliverIndexMismatch: (index: number, expected: number) =>
    nodeError(
      'INVALID_ARGUMENT',
      'SLIVER_INDEX_MISMATCH',
      `sliver index ${index} does not belong to this pair (expected ${expected})`,
    ),
  missingSlivers: () =>
    nodeError('FAILED_PRECONDITION', 'MISSING_SLIVERS', 'the required slivers are not all stored'),
  noSymbolsSpecified: () =>
    nodeError(
      'FAILED_PRECONDITION',
      'NO_SYMBOLS_SPECIFIED',
      'at least one symbol ID must be specified',
    ),
  invalidFilter: (detail: string) =>
    nodeError('INVALID_ARGUMENT', 'INVALID_FILTER', `the filter is invalid: ${detail}`),
  symbolNotPresent: () =>
    nodeError(
      'FAILED_PRECONDITION',
      'SYMBOL_NOT_PRESENT_AT_SHARDS',
      "the requested recovery symbol is not the responsibility of this node's shards",
    ),
  invalidProof: (detail: string) => nodeError('INVALID_ARGUMENT', 'INVALID_PROOF', detail),
  batchTooLarge: (detail: string) => nodeError('INVALID_ARGUMENT', 'BATCH_TOO_LARGE', detail),
  unavailable: () =>
    new ApiError('UNAVAILABLE', 'UNAVAILABLE', 'the service is currently unavailable', {
      domain: GLOBAL_ERROR_DOMAIN,
    }),
  routeNotFound: () =>
    new ApiError('NOT_FOUND', 'NOT_FOUND', 'no such route', { domain: GLOBAL_ERROR_DOMAIN }),
} as const;
