/**
 * The hit path of the blob reads: a certified blob kept whole — in the isolate's memory (small
 * ones) or the Cache API — with a status that is fresh, or stale while no node can be asked (a
 * hit is served with every node down, then with a short max-age). No chain and no node request;
 * ranges, 304, HEAD and Walrus's byte-range route come from the kept object.
 */
import type { ByteRange } from '../client/read/stream.js';
import { EdgeErrors } from './api-errors.js';
import type { EdgeStatus } from './blob-info.js';
import {
  LENGTH_HEADER,
  bytesResponse,
  cacheControlOf,
  contentHeadersOf,
  preconditionResponse,
  rangedResponse,
  representationHeaders,
} from './blob-response.js';
import {
  HOT_OBJECT_BYTES_MAX,
  type HotObject,
  forgetHotObject,
  hotObject,
  keepHotObject,
} from './hot-objects.js';
import { evaluatePreconditions } from './preconditions.js';
import { decideRanges } from './ranges.js';
import {
  type BlobTarget,
  CERTIFIED,
  type ReadContext,
  mediaTypeAttribute,
} from './read-context.js';

export async function fromWholeObject(
  ctx: ReadContext,
  target: BlobTarget,
): Promise<Response | undefined> {
  const status = target.status ?? (await ctx.info.cachedStatus(target.blobId));
  if (status === undefined || !CERTIFIED.has(status.kind)) return undefined;
  let hot = hotObject(target.blobIdText);
  const key = ctx.cache.key('blob', target.blobIdText);
  const stored = hot === undefined ? await ctx.cache.match(key) : undefined;
  if (hot === undefined && stored === undefined) return undefined;
  const cacheControl = await servableCacheControl(ctx, target, status);
  if (cacheControl === undefined) {
    // Deleted, expired or invalid since it was cached: the network path answers (404/410).
    forgetHotObject(target.blobIdText);
    await stored?.body?.cancel();
    return undefined;
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
  if (target.byteRange !== undefined) {
    return byteRangeHit(ctx, target, { hot, stored, key, length, cacheControl, contentType });
  }
  const etag = `"${target.blobIdText}"`;
  const headers = representationHeaders({
    etag,
    cacheControl,
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
 * Walrus's byte-range route from the kept object: those bytes as a representation of their own
 * (200, its own ETag), as the network path answers it (blob-read.ts), cut by the Cache API.
 */
async function byteRangeHit(
  ctx: ReadContext,
  target: BlobTarget,
  kept: {
    readonly hot: HotObject | undefined;
    readonly stored: Response | undefined;
    readonly key: Request;
    readonly length: number;
    readonly cacheControl: string;
    readonly contentType: string | null;
  },
): Promise<Response> {
  const { hot, stored, key, length } = kept;
  // A small entry was read whole into `hot` already; a large one's body is not needed.
  if (stored !== undefined && !stored.bodyUsed) await stored.body?.cancel();
  const range = target.byteRange!(length);
  const etag = `"${target.blobIdText}-${range.start}-${range.end - range.start + 1}"`;
  const headers = representationHeaders({
    etag,
    cacheControl: kept.cacheControl,
    contentHeaders: kept.contentType === null ? undefined : contentHeadersOf(kept.contentType),
    attributeHeaders: target.attributes,
  });
  const { request } = ctx;
  const decision = evaluatePreconditions(request.method, request.headers, { etag, exists: true });
  if (decision.kind !== 'proceed') return preconditionResponse(decision.kind, headers);
  headers.set('content-length', String(range.end - range.start + 1));
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  let body: ReadableStream<Uint8Array> | Uint8Array;
  if (hot !== undefined) {
    body = hot.bytes.subarray(range.start, range.end + 1);
  } else {
    const part = await ctx.cache.match(key, { range: `bytes=${range.start}-${range.end}` });
    if (part?.body == null) throw new Error('the cached object went away');
    body = part.body;
  }
  return new Response(body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, {
    status: 200,
    headers,
  });
}

/**
 * The Cache-Control under which an edge-cached copy of a certified blob (or quilt patch) may be
 * served: its status's, once that status is fresh — asked of the nodes when it is stale, and kept
 * stale while no node can answer (then clients keep the response only briefly). Undefined when the
 * blob is no longer certified: the network path answers (404/410).
 */
export async function servableCacheControl(
  ctx: ReadContext,
  target: BlobTarget,
  cached: EdgeStatus,
): Promise<string | undefined> {
  if (cached.freshUntilMs > ctx.now()) return cacheControlOf(cached, ctx.now(), ctx.ttls);
  const status = await refreshedOrStale(ctx, target, cached);
  if (!CERTIFIED.has(status.kind)) return undefined;
  // A status no node could confirm is served, but clients keep it only briefly.
  if (status === cached) return `public, max-age=${ctx.ttls.uncertified}, no-transform`;
  return cacheControlOf(status, ctx.now(), ctx.ttls);
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
