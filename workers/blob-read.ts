/**
 * The aggregator's blob reads at the edge (docs/spec/api.md §3.1): `GET`/`HEAD /v1/blobs/{id}`,
 * Walrus's `…/byte-range` and `by-object-id` routes all end here.
 *
 * 1. A hit: a certified blob whose whole verified response is in the edge cache, with a status
 *    that is fresh — or stale while no node can be asked (a hit is served with every node down).
 *    No chain and no node request; ranges, 304, HEAD and the byte-range route come from the
 *    cached object.
 * 2. Otherwise: the committee (isolate cache), then metadata and status in parallel (each from
 *    memory, the Cache API or the nodes). HEAD, 304, 412 and 416 stop there: no sliver is fetched.
 * 3. Bodies stream from cached or freshly read segments (blob-body.ts). The first segment is
 *    verified before the status line goes out, so an unreadable blob is a 503, not a short 200; a
 *    full read of a certified blob also fills the whole-object entry, in lockstep with the client
 *    (its segments then get no cache entries of their own: the whole object answers any range).
 */
import type { ByteRange } from '../client/read/stream.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import { ApiError } from '../core/http/errors.js';
import { EdgeErrors } from './api-errors.js';
import { BlobBody, joinSegment, sliceSegment } from './blob-body.js';
import { fromWholeObject } from './blob-hit.js';
import type { EdgeStatus } from './blob-info.js';
import {
  bytesResponse,
  cacheControlOf,
  edgeCacheTtlS,
  preconditionResponse,
  rangedResponse,
  representationHeaders,
  wholeObjectHeaders,
  withKnownLength,
} from './blob-response.js';
import type { EdgeCommittee } from './committee-source.js';
import { SNIFF_BYTES, decideContentType } from './content-type.js';
import { keepHotObject } from './hot-objects.js';
import { lockstepTee } from './lockstep-tee.js';
import { evaluatePreconditions } from './preconditions.js';
import { decideRanges } from './ranges.js';
import {
  type BlobTarget,
  type ReadContext,
  mediaTypeAttribute,
  networkInfo,
  readError,
  withCommitteeRetry,
} from './read-context.js';

export type { BlobTarget, ReadContext } from './read-context.js';

/** Whole verified responses are cached up to this size (the Cache API's limit is 512 MB). */
export const WHOLE_OBJECT_BYTES_MAX = 256 * 1024 * 1024;

export async function readBlob(ctx: ReadContext, target: BlobTarget): Promise<Response> {
  const hit = await fromWholeObject(ctx, target);
  if (hit !== undefined) return hit;
  return withCommitteeRetry(ctx, (committee) => fromNetwork(ctx, target, committee));
}

async function fromNetwork(
  ctx: ReadContext,
  target: BlobTarget,
  committee: EdgeCommittee,
): Promise<Response> {
  const nodes = () => ctx.nodes(committee);
  const { metadata, status } = await networkInfo(ctx, target, committee);
  const body = new BlobBody(
    target.blobId,
    metadata,
    ctx.cache,
    nodes,
    edgeCacheTtlS(status, ctx.now()),
  );
  if (status.kind === 'nonexistent') {
    // The nodes no longer store it (deleted or expired): forget what the edge kept.
    ctx.info.forget(target.blobId, body.segmentKeys());
    throw EdgeErrors.blobNotFound(`blob ${target.blobIdText} is not stored on this network`);
  }
  try {
    return await respond(ctx, target, metadata, status, body);
  } catch (error) {
    // The nodes drop an invalidated blob's data at once; a status learnt a moment earlier (or no
    // agreement yet) would make that a 503. Ask once more before saying "unavailable".
    if (!(error instanceof ApiError && error.reason === 'BLOB_UNAVAILABLE')) throw error;
    const fresh = await ctx.info
      .refreshStatus(target.blobId, committee, nodes)
      .catch(() => undefined);
    if (fresh?.kind !== 'invalid') throw error;
    ctx.info.forget(target.blobId, body.segmentKeys());
    throw EdgeErrors.blobInvalid(`blob ${target.blobIdText} was marked invalid by the network`);
  }
}

async function respond(
  ctx: ReadContext,
  target: BlobTarget,
  metadata: VerifiedMetadata,
  status: EdgeStatus,
  body: BlobBody,
): Promise<Response> {
  const { request } = ctx;
  const length = metadata.unencodedLength;
  const fixed = target.byteRange?.(length);
  const etag =
    fixed === undefined
      ? `"${target.blobIdText}"`
      : `"${target.blobIdText}-${fixed.start}-${fixed.end - fixed.start + 1}"`;
  const cacheControl = cacheControlOf(status, ctx.now(), ctx.ttls);
  const attribute = mediaTypeAttribute(target);
  let contentType = attribute ?? (await ctx.info.contentType(target.blobId));
  const headersWith = (type: string | undefined) =>
    representationHeaders({
      etag,
      cacheControl,
      contentHeaders:
        type === undefined
          ? undefined
          : decideContentType(new Uint8Array(0), { attribute: type }).headers,
      attributeHeaders: target.attributes,
    });

  const decision = evaluatePreconditions(request.method, request.headers, { etag, exists: true });
  if (decision.kind !== 'proceed') {
    return preconditionResponse(decision.kind, headersWith(contentType));
  }
  const representationLength = fixed === undefined ? length : fixed.end - fixed.start + 1;
  const ranges =
    fixed === undefined
      ? decideRanges(decision.rangeAllowed ? request.headers.get('range') : null, length)
      : ({ kind: 'full', reason: 'absent' } as const);
  if (ranges.kind === 'unsatisfiable') throw EdgeErrors.rangeNotSatisfiable(length);
  if (request.method === 'HEAD') {
    // Metadata only: the type is sent when it is already known, never worth a sliver fetch.
    const headers = headersWith(contentType);
    headers.set('content-length', String(representationLength));
    return new Response(null, { status: 200, headers });
  }

  const cachedWhole =
    edgeCacheTtlS(status, ctx.now()) !== undefined && target.attributes === undefined;
  if (length > 0 && body.segmentCount === 1) {
    if (cachedWhole) body.wholeObjectCachedInstead();
    return smallBlobResponse(ctx, target, status, body, { etag, fixed, contentType, headersWith });
  }
  // Only full reads by blob ID fill the whole-object entry: its type must be the sniffed one.
  const fill = ranges.kind === 'full' && fixed === undefined && target.attributes === undefined;
  if (fill && cachedWhole && length <= WHOLE_OBJECT_BYTES_MAX) body.wholeObjectCachedInstead();
  const parts = ranges.kind === 'full' ? [fixed ?? { start: 0, end: length - 1 }] : ranges.ranges;
  // The first part's first segment, verified, before any status line.
  const firstBody = length === 0 ? null : await openOrThrow(body, parts[0], target);
  if (contentType === undefined && length > 0) {
    const head = await headBytes(body, length, target);
    const sniffed = decideContentType(head, { blobBytes: length }).contentType;
    ctx.info.rememberContentType(target.blobId, sniffed);
    contentType = sniffed;
  }
  const headers = headersWith(contentType ?? 'application/octet-stream');

  if (ranges.kind === 'full') {
    headers.set('content-length', String(representationLength));
    if (firstBody === null) return new Response(null, { status: 200, headers });
    const stream = fill
      ? maybeFillWholeObject(ctx, target, status, headers, firstBody, length)
      : firstBody;
    return new Response(withKnownLength(stream, representationLength), { status: 200, headers });
  }
  let first: ReadableStream<Uint8Array> | null = firstBody;
  const openPart = async (range: ByteRange) => {
    if (first !== null) {
      const opened = first;
      first = null;
      return opened;
    }
    return openOrThrow(body, range, target);
  };
  return rangedResponse(ranges.ranges, length, contentType, headers, openPart);
}

/**
 * A blob that is one segment: its verified bytes in hand, the response is cut from them, and a
 * certified one read by blob ID is kept whole — in the isolate (small ones) and in the Cache API.
 */
async function smallBlobResponse(
  ctx: ReadContext,
  target: BlobTarget,
  status: EdgeStatus,
  body: BlobBody,
  representation: {
    readonly etag: string;
    readonly fixed: ByteRange | undefined;
    readonly contentType: string | undefined;
    readonly headersWith: (contentType: string) => Headers;
  },
): Promise<Response> {
  let bytes: Uint8Array;
  try {
    bytes = joinSegment(await body.segment(0));
  } catch (error) {
    throw readError(error, target);
  }
  const sniffed = decideContentType(bytes.subarray(0, SNIFF_BYTES), {
    blobBytes: bytes.length,
  }).contentType;
  if (representation.contentType === undefined)
    ctx.info.rememberContentType(target.blobId, sniffed);
  const contentType = representation.contentType ?? sniffed;
  const headers = representation.headersWith(contentType);
  const ttlS = edgeCacheTtlS(status, ctx.now());
  if (ttlS !== undefined && target.attributes === undefined) {
    keepHotObject(target.blobIdText, { bytes, contentType: sniffed });
    ctx.cache.put(
      ctx.cache.key('blob', target.blobIdText),
      new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: wholeObjectHeaders(target.blobIdText, sniffed, bytes.length, ttlS),
      }),
    );
  }
  const { fixed } = representation;
  if (fixed !== undefined) {
    // Walrus's byte-range route: those bytes as a whole representation of their own.
    headers.set('content-length', String(fixed.end - fixed.start + 1));
    const part = bytes.subarray(fixed.start, fixed.end + 1) as Uint8Array<ArrayBuffer>;
    return new Response(ctx.request.method === 'HEAD' ? null : part, { status: 200, headers });
  }
  return bytesResponse(ctx.request, headers, representation.etag, bytes, contentType);
}

async function openOrThrow(
  body: BlobBody,
  range: ByteRange,
  target: BlobTarget,
): Promise<ReadableStream<Uint8Array>> {
  try {
    return await body.open(range);
  } catch (error) {
    throw readError(error, target);
  }
}

/** The first bytes, for sniffing (segment 0: in hand already when the body starts there). */
async function headBytes(body: BlobBody, length: number, target: BlobTarget): Promise<Uint8Array> {
  try {
    const rows = await body.segment(0);
    return joinSegment(sliceSegment(rows, 0, Math.min(SNIFF_BYTES, length)));
  } catch (error) {
    throw readError(error, target);
  }
}

/**
 * A full read of a certified blob small enough is also stored whole, through a lockstep tee (the
 * cache write advances with the client; if the client leaves, the write completes alone).
 */
function maybeFillWholeObject(
  ctx: ReadContext,
  target: BlobTarget,
  status: EdgeStatus,
  headers: Headers,
  stream: ReadableStream<Uint8Array>,
  length: number,
): ReadableStream<Uint8Array> {
  const ttlS = edgeCacheTtlS(status, ctx.now());
  if (ttlS === undefined || length > WHOLE_OBJECT_BYTES_MAX) return stream;
  const [toClient, toCache] = lockstepTee(stream);
  const contentType = headers.get('content-type') ?? 'application/octet-stream';
  ctx.cache.put(
    ctx.cache.key('blob', target.blobIdText),
    new Response(withKnownLength(toCache, length), {
      headers: wholeObjectHeaders(target.blobIdText, contentType, length, ttlS),
    }),
  );
  return toClient;
}
