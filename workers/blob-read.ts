/**
 * The aggregator's blob reads at the edge (docs/spec/api.md §3.1): `GET`/`HEAD /v1/blobs/{id}`,
 * Walrus's `…/byte-range` and `by-object-id` routes all end here.
 *
 * 1. A hit: a certified blob whose whole verified response is in the edge cache, with a status
 *    that is fresh — or stale while no node can be asked (a hit is served with every node down).
 *    No chain and no node request; ranges, 304 and HEAD come from the cached object.
 * 2. Otherwise: the committee (isolate cache), then metadata and status in parallel (each from
 *    memory, the Cache API or the nodes). HEAD, 304, 412 and 416 stop there: no sliver is fetched.
 * 3. Bodies stream from cached or freshly read segments (blob-body.ts). The first segment is
 *    verified before the status line goes out, so an unreadable blob is a 503, not a short 200; a
 *    full read of a certified blob also fills the whole-object entry, in lockstep with the client.
 */
import type { ReadNodes } from '../client/read/nodes.js';
import {
  BlobInconsistentError,
  BlobNotFoundError,
  BlobUnavailableError,
} from '../client/read/errors.js';
import type { ByteRange } from '../client/read/stream.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import { ApiError } from '../core/http/errors.js';
import { EdgeErrors } from './api-errors.js';
import { BlobBody } from './blob-body.js';
import type { BlobInfo, EdgeStatus } from './blob-info.js';
import type { StatusTtls } from './status-ttl.js';
import {
  cacheControlOf,
  contentHeadersOf,
  edgeCacheTtlS,
  representationHeaders,
  withKnownLength,
} from './blob-response.js';
import type { EdgeCommittee } from './committee-source.js';
import { SNIFF_BYTES, decideContentType } from './content-type.js';
import type { EdgeCache } from './edge-cache.js';
import { lockstepTee } from './lockstep-tee.js';
import { HOT_OBJECT_BYTES_MAX, forgetHotObject, hotObject, keepHotObject } from './hot-objects.js';
import { multipartByteranges } from './multipart.js';
import { evaluatePreconditions } from './preconditions.js';
import { parseMediaType } from './media-type.js';
import { contentRange, decideRanges } from './ranges.js';

/** Whole verified responses are cached up to this size (the Cache API's limit is 512 MB). */
export const WHOLE_OBJECT_BYTES_MAX = 256 * 1024 * 1024;
/** Our header on whole-object entries: the blob's length (the Cache API may answer 206). */
const LENGTH_HEADER = 'x-walrus-edge-blob-bytes';

export interface ReadContext {
  readonly request: Request;
  readonly cache: EdgeCache;
  readonly info: BlobInfo;
  /** How long each status is trusted (the operator may shorten a deletable blob's). */
  readonly ttls: StatusTtls;
  readonly committee: () => Promise<EdgeCommittee>;
  /** The committee read from the chain now (a read failed in a way an epoch change explains). */
  readonly freshCommittee: () => Promise<EdgeCommittee>;
  /** The nodes of this request (one gate per invocation), opened on first use. */
  readonly nodes: (committee: EdgeCommittee) => ReadNodes;
  readonly now: () => number;
}

export interface BlobTarget {
  readonly blobId: Uint8Array;
  readonly blobIdText: string;
  /** Allow-listed attributes of the Blob object (by-object-id reads), lower-case names. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** A status known from elsewhere (the Blob object itself), instead of asking the nodes. */
  readonly status?: EdgeStatus;
  /** Walrus's byte-range route: exactly these bytes, as a 200 with an ETag of their own. */
  readonly byteRange?: (blobBytes: number) => ByteRange;
}

const CERTIFIED = new Set(['permanent', 'deletable']);

/** The object's content-type attribute when it is a media type; otherwise sniffing decides. */
function mediaTypeAttribute(target: BlobTarget): string | undefined {
  const attribute = target.attributes?.['content-type'];
  return attribute === undefined ? undefined : parseMediaType(attribute)?.value;
}

export async function readBlob(ctx: ReadContext, target: BlobTarget): Promise<Response> {
  if (target.byteRange === undefined) {
    const hit = await fromWholeObject(ctx, target);
    if (hit !== undefined) return hit;
  }
  const committee = await ctx.committee();
  try {
    return await fromNetwork(ctx, target, committee);
  } catch (error) {
    // Not enough nodes answered: if the committee changed meanwhile (an epoch change moves
    // shards), the read is tried once more against the new one.
    if (!(error instanceof ApiError) || error.reason !== 'BLOB_UNAVAILABLE') throw error;
    const fresh = await ctx.freshCommittee().catch(() => committee);
    if (fresh.epoch === committee.epoch) throw error;
    return fromNetwork(ctx, target, fresh);
  }
}

// ---- 1. The whole-object hit -------------------------------------------------------------------

async function fromWholeObject(
  ctx: ReadContext,
  target: BlobTarget,
): Promise<Response | undefined> {
  let status = target.status ?? (await ctx.info.cachedStatus(target.blobId));
  if (status === undefined || !CERTIFIED.has(status.kind)) return undefined;
  let hot = hotObject(target.blobIdText);
  const key = ctx.cache.key('blob', target.blobIdText);
  const stored = hot === undefined ? await ctx.cache.match(key) : undefined;
  if (hot === undefined && stored === undefined) return undefined;
  let unconfirmed = false;
  if (status.freshUntilMs <= ctx.now()) {
    const refreshed = await refreshedOrStale(ctx, target, status);
    unconfirmed = refreshed === status;
    status = refreshed;
    if (!CERTIFIED.has(status.kind)) {
      // Deleted, expired or invalid since it was cached: the network path answers (404/410).
      forgetHotObject(target.blobIdText);
      await stored?.body?.cancel();
      return undefined;
    }
  }
  const length = hot?.bytes.length ?? Number(stored!.headers.get(LENGTH_HEADER));
  if (hot === undefined && length <= HOT_OBJECT_BYTES_MAX) {
    // Small: read it whole once, and later hits never leave the isolate.
    hot = {
      bytes: new Uint8Array(await stored!.arrayBuffer()),
      contentType: stored!.headers.get('content-type') ?? 'application/octet-stream',
    };
    keepHotObject(target.blobIdText, hot);
  }
  const contentType =
    mediaTypeAttribute(target) ?? hot?.contentType ?? stored!.headers.get('content-type');
  const etag = `"${target.blobIdText}"`;
  const headers = representationHeaders({
    etag,
    // A status no node could confirm is served, but clients keep it only briefly.
    cacheControl: unconfirmed
      ? `public, max-age=${ctx.ttls.uncertified}, no-transform`
      : cacheControlOf(status, ctx.now(), ctx.ttls),
    contentHeaders: contentType === null ? undefined : contentHeadersOf(contentType),
    attributeHeaders: target.attributes,
  });
  if (hot !== undefined) {
    return bytesResponse(ctx.request, headers, etag, hot.bytes, contentType ?? hot.contentType);
  }
  const { request } = ctx;
  const decision = evaluatePreconditions(request.method, request.headers, { etag, exists: true });
  if (decision.kind !== 'proceed') {
    await stored!.body?.cancel();
    return preconditionResponse(decision.kind, headers);
  }
  const ranges = decideRanges(decision.rangeAllowed ? request.headers.get('range') : null, length);
  if (ranges.kind === 'unsatisfiable') {
    await stored!.body?.cancel();
    throw EdgeErrors.rangeNotSatisfiable(length);
  }
  if (request.method === 'HEAD' || ranges.kind === 'full') {
    headers.set('content-length', String(length));
    if (request.method === 'HEAD') await stored!.body?.cancel();
    return new Response(request.method === 'HEAD' ? null : stored!.body, { status: 200, headers });
  }
  await stored!.body?.cancel();
  // Each part from the cached object: the Cache API cuts single ranges natively.
  const openPart = async (range: ByteRange) => {
    const part = await ctx.cache.match(key, { range: `bytes=${range.start}-${range.end}` });
    if (part === undefined || part.body === null) throw new Error('the cached object went away');
    return part.body;
  };
  return rangedResponse(ranges.ranges, length, contentType ?? undefined, headers, openPart);
}

/**
 * A response cut from bytes in hand (a hot object, or a blob that is one segment): preconditions,
 * HEAD, ranges and multipart all from slices.
 */
async function bytesResponse(
  request: Request,
  headers: Headers,
  etag: string,
  bytes: Uint8Array,
  contentType: string,
): Promise<Response> {
  const decision = evaluatePreconditions(request.method, request.headers, { etag, exists: true });
  if (decision.kind !== 'proceed') return preconditionResponse(decision.kind, headers);
  const length = bytes.length;
  const ranges = decideRanges(decision.rangeAllowed ? request.headers.get('range') : null, length);
  if (ranges.kind === 'unsatisfiable') throw EdgeErrors.rangeNotSatisfiable(length);
  if (request.method === 'HEAD' || ranges.kind === 'full') {
    headers.set('content-length', String(length));
    const body = request.method === 'HEAD' || length === 0 ? null : bytes;
    return new Response(body as Uint8Array<ArrayBuffer> | null, { status: 200, headers });
  }
  const slice = async (range: ByteRange) =>
    new Response(bytes.subarray(range.start, range.end + 1) as Uint8Array<ArrayBuffer>).body!;
  return rangedResponse(ranges.ranges, length, contentType, headers, slice);
}

/** A fresh status when a node answers; the stale one when none can (served with nodes down). */
async function refreshedOrStale(
  ctx: ReadContext,
  target: BlobTarget,
  stale: EdgeStatus,
): Promise<EdgeStatus> {
  try {
    const committee = await ctx.committee();
    const fresh = await ctx.info.refreshStatus(target.blobId, committee, () =>
      ctx.nodes(committee),
    );
    // Nodes that could not be reached say nothing: keep what we knew.
    return fresh.kind === 'uncertified' ? stale : fresh;
  } catch {
    return stale;
  }
}

// ---- 2. The network path -----------------------------------------------------------------------

async function fromNetwork(
  ctx: ReadContext,
  target: BlobTarget,
  committee: EdgeCommittee,
): Promise<Response> {
  const nodes = () => ctx.nodes(committee);
  const [metadataResult, statusResult] = await Promise.allSettled([
    ctx.info.metadata(target.blobId, committee, nodes),
    target.status === undefined
      ? ctx.info.status(target.blobId, committee, nodes)
      : Promise.resolve(target.status),
  ]);
  // No status (the nodes did not agree in time) is served like an uncertified blob: briefly.
  const status: EdgeStatus =
    statusResult.status === 'fulfilled'
      ? statusResult.value
      : { kind: 'uncertified', freshUntilMs: ctx.now() };
  if (status.kind === 'invalid') {
    ctx.info.forget(target.blobId, []);
    throw EdgeErrors.blobInvalid(`blob ${target.blobIdText} was marked invalid by the network`);
  }
  if (metadataResult.status === 'rejected') throw readError(metadataResult.reason, target);
  const metadata = metadataResult.value;
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
  return respond(ctx, target, metadata, status, body);
}

function readError(error: unknown, target: BlobTarget): unknown {
  if (error instanceof BlobNotFoundError) return EdgeErrors.blobNotFound(error.message);
  if (error instanceof BlobUnavailableError) return EdgeErrors.blobUnavailable(error.message);
  if (error instanceof BlobInconsistentError) {
    return EdgeErrors.blobInvalid(`blob ${target.blobIdText} is inconsistent: ${error.message}`);
  }
  return error;
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

  if (length > 0 && body.segmentCount === 1) {
    return smallBlobResponse(ctx, target, status, body, { etag, fixed, contentType, headersWith });
  }
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
    // Only reads by blob ID fill the whole-object entry: its type must be the sniffed one.
    const fill = fixed === undefined && target.attributes === undefined;
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
    bytes = await body.segment(0);
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
        headers: wholeObjectHeaders(target, sniffed, bytes.length, ttlS),
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

/** The headers a whole-object entry is stored with (its length, for the Cache API's ranges). */
function wholeObjectHeaders(
  target: BlobTarget,
  contentType: string,
  length: number,
  ttlS: number,
): Headers {
  return new Headers({
    'content-type': contentType,
    'content-length': String(length),
    'cache-control': `public, max-age=${ttlS}`,
    etag: `"${target.blobIdText}"`,
    [LENGTH_HEADER]: String(length),
  });
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
    const segment = await body.segment(0);
    return segment.subarray(0, Math.min(SNIFF_BYTES, length));
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
      headers: wholeObjectHeaders(target, contentType, length, ttlS),
    }),
  );
  return toClient;
}

// ---- Shared response shapes -----------------------------------------------------------------

function preconditionResponse(kind: 'not-modified' | 'precondition-failed', headers: Headers) {
  if (kind === 'not-modified') return new Response(null, { status: 304, headers });
  return new Response(null, {
    status: 412,
    headers: { etag: headers.get('etag')!, 'cache-control': 'no-store' },
  });
}

async function rangedResponse(
  ranges: readonly ByteRange[],
  length: number,
  contentType: string | undefined,
  headers: Headers,
  openPart: (range: ByteRange) => Promise<ReadableStream<Uint8Array>>,
): Promise<Response> {
  if (ranges.length === 1) {
    const range = ranges[0];
    const partLength = range.end - range.start + 1;
    headers.set('content-range', contentRange(range, length));
    headers.set('content-length', String(partLength));
    return new Response(withKnownLength(await openPart(range), partLength), {
      status: 206,
      headers,
    });
  }
  const multipart = multipartByteranges({
    ranges,
    contentType: contentType ?? 'application/octet-stream',
    length,
    openPart,
  });
  headers.set('content-type', multipart.contentType);
  headers.set('content-length', String(multipart.contentLength));
  return new Response(withKnownLength(multipart.body, multipart.contentLength), {
    status: 206,
    headers,
  });
}
