/**
 * The aggregator read route, `GET`/`HEAD /v1/blobs/{blobId}` (Walrus's path, spec: api.md §3.1),
 * with the HTTP semantics a CDN needs: a strong quoted ETag, single byte ranges including
 * open-ended and suffix forms, 304 on If-None-Match, and immutable caching for certified blobs.
 * Every sliver is verified against metadata that is verified against the blob ID.
 */
import { blobIdFromString, InvalidBlobIdError } from '../core/blob-id.js';
import type { CommitteeView } from '../client/committee.js';
import { BlobNotFoundError, BlobUnavailableError } from '../client/read.js';
import { openBlobStream } from '../client/read-stream.js';
import type { StorageNodeClientOptions } from '../client/storage-node-client.js';
import {
  decideRange,
  ifMatchFails,
  ifNoneMatchHits,
  ifRangeAllowsRange,
} from './http-semantics.js';
import { errorResponse } from './errors.js';

/** A certified blob's bytes never change: cache for a year and never revalidate. */
export const CACHE_CONTROL_CERTIFIED = 'public, max-age=31536000, immutable';
/** Readable but not (yet) certified: the bytes are still fixed by the ID; keep caches short. */
export const CACHE_CONTROL_UNCERTIFIED = 'public, max-age=60';

export interface AggregatorDeps {
  readonly committee: () => Promise<CommitteeView>;
  /** Whether the chain or the nodes report the blob certified (decides the caching policy). */
  readonly isCertified: (blobId: Uint8Array, committee: CommitteeView) => Promise<boolean>;
  readonly nodeOptions?: StorageNodeClientOptions;
}

function commonHeaders(etag: string, cacheControl: string): Headers {
  return new Headers({
    etag,
    'cache-control': cacheControl,
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    'content-type': 'application/octet-stream',
  });
}

export async function readBlobRoute(
  request: Request,
  blobIdText: string,
  deps: AggregatorDeps,
): Promise<Response> {
  let blobId: Uint8Array;
  try {
    blobId = blobIdFromString(blobIdText);
  } catch (error) {
    if (error instanceof InvalidBlobIdError)
      return errorResponse(400, 'INVALID_BLOB_ID', error.message);
    throw error;
  }
  const etag = `"${blobIdText}"`;
  if (ifMatchFails(request.headers.get('if-match'), etag)) {
    return new Response(null, { status: 412, headers: { etag } });
  }
  const committee = await deps.committee();
  const certified = await deps.isCertified(blobId, committee).catch(() => false);
  const headers = commonHeaders(
    etag,
    certified ? CACHE_CONTROL_CERTIFIED : CACHE_CONTROL_UNCERTIFIED,
  );
  if (ifNoneMatchHits(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers });
  }
  const rangeAllowed =
    request.method === 'GET' && ifRangeAllowsRange(request.headers.get('if-range'), etag);
  const rangeHeader = rangeAllowed ? request.headers.get('range') : null;
  let opened;
  try {
    opened = await openBlobStream(blobId, committee, {
      ...deps.nodeOptions,
      signal: request.signal,
      range: (length) => {
        const decision = decideRange(rangeHeader, length);
        return decision.kind === 'partial' ? decision.range : undefined;
      },
    });
  } catch (error) {
    if (error instanceof BlobNotFoundError)
      return errorResponse(404, 'BLOB_NOT_FOUND', error.message);
    if (error instanceof BlobUnavailableError)
      return errorResponse(503, 'BLOB_UNAVAILABLE', error.message);
    throw error;
  }
  const length = opened.blobBytes;
  const decision = decideRange(rangeHeader, length);
  if (decision.kind === 'unsatisfiable') {
    await opened.stream.cancel();
    headers.set('content-range', `bytes */${length}`);
    headers.set('content-length', '0');
    return new Response(null, { status: 416, headers });
  }
  let status = 200;
  let bodyLength = length;
  if (decision.kind === 'partial') {
    status = 206;
    bodyLength = decision.range.end - decision.range.start + 1;
    headers.set('content-range', `bytes ${decision.range.start}-${decision.range.end}/${length}`);
  }
  headers.set('content-length', String(bodyLength));
  if (request.method === 'HEAD') {
    await opened.stream.cancel();
    return new Response(null, { status, headers });
  }
  return new Response(bodyLength === 0 ? null : withKnownLength(opened.stream, bodyLength), {
    status,
    headers,
  });
}

/**
 * workerd sends a streamed body chunked (dropping our Content-Length) unless it flows through a
 * FixedLengthStream; players and download managers want the length. Other runtimes keep the header.
 */
function withKnownLength(
  stream: ReadableStream<Uint8Array>,
  length: number,
): ReadableStream<Uint8Array> {
  const Fixed = (
    globalThis as {
      FixedLengthStream?: new (length: number) => TransformStream<Uint8Array, Uint8Array>;
    }
  ).FixedLengthStream;
  if (Fixed === undefined) return stream;
  const fixed = new Fixed(length);
  stream.pipeTo(fixed.writable).catch(() => {
    // The reader saw the error (the body is cut short); nothing else to tell.
  });
  return fixed.readable;
}
