/**
 * The aggregator's quilt reads at the edge (docs/spec/quilts.md §7–8):
 * `GET`/`HEAD /v1/blobs/by-quilt-patch-id/{id}`, `…/by-quilt-id/{quiltId}/{identifier}` and
 * `GET /v1/quilts/{quiltId}/patches`.
 *
 * 1. A hit: the patch (or, by identifier, the index and then the patch) in the edge cache
 *    (quilt-cache.ts) and a certified status that is fresh — or stale while no node can be asked.
 *    No chain and no node request; ranges, 304 and HEAD come from the kept bytes.
 * 2. Otherwise, as blob reads: the committee, then metadata and status in parallel; then only the
 *    patch's own columns (plus the index columns when read by identifier), each verified against
 *    the metadata (client/read/quilt.ts). Concurrent misses in an isolate share one read. The
 *    verified patch and index are kept for a certified quilt, no longer than it may live.
 */
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import { QuiltDecodeError } from '../core/quilt/errors.js';
import type { QuiltGeometry } from '../core/quilt/geometry.js';
import { type QuiltIndex, decodeQuiltIndex, findQuiltPatch } from '../core/quilt/quilt-index.js';
import {
  type ColumnRange,
  INDEX_HEAD_RANGE,
  indexColumnRange,
  patchColumnRange,
  quiltGeometryOf,
} from '../core/quilt/quilt-reader.js';
import {
  type QuiltReadOptions,
  readQuiltColumns,
  readQuiltPatchById,
} from '../client/read/quilt.js';
import { EdgeErrors } from './api-errors.js';
import { servableCacheControl } from './blob-hit.js';
import type { EdgeStatus } from './blob-info.js';
import { cacheControlOf, edgeCacheTtlS } from './blob-response.js';
import type { EdgeCommittee } from './committee-source.js';
import { type CachedPatch, QuiltCache } from './quilt-cache.js';
import { patchListResponse, patchResponse, servedPatch } from './quilt-response.js';
import {
  type BlobTarget,
  CERTIFIED,
  type ReadContext,
  networkInfo,
  readError,
  withCommitteeRetry,
} from './read-context.js';
import { singleFlight } from './single-flight.js';

/**
 * Column bytes one read of a patch or of an index may fetch (and hold: a patch is served from
 * memory). A patch ID names its columns, and column 0 says how many the index takes, so a read
 * past this is refused before those columns are fetched: an index may claim 10 columns of up to
 * 22 MB each at n = 1000, and Workers give an isolate 128 MB.
 */
export const COLUMN_BYTES_READ_MAX = 32 * 1024 * 1024;

/** Which patch of the quilt: the columns a patch ID names, or an identifier in the index. */
export type PatchSelector =
  | { readonly kind: 'columns'; readonly range: ColumnRange }
  | { readonly kind: 'identifier'; readonly identifier: string };

/** A quilt read: the quilt as a blob target, and the allow-list of tag headers. */
export interface QuiltRead {
  readonly ctx: ReadContext;
  readonly quilt: BlobTarget;
  readonly allowedHeaders: readonly string[];
  readonly cache: QuiltCache;
}

export function quiltRead(
  ctx: ReadContext,
  quilt: BlobTarget,
  allowedHeaders: readonly string[],
): QuiltRead {
  return { ctx, quilt, allowedHeaders, cache: new QuiltCache(ctx.cache) };
}

export async function readPatch(read: QuiltRead, selector: PatchSelector): Promise<Response> {
  const hit = await patchFromCache(read, selector);
  if (hit !== undefined) return hit;
  return withCommitteeRetry(read.ctx, (committee) => patchFromNetwork(read, selector, committee));
}

export async function listPatches(read: QuiltRead): Promise<Response> {
  const { ctx, quilt } = read;
  const index = await cachedIndex(read);
  const cacheControl = index === undefined ? undefined : await servable(read);
  if (index !== undefined && cacheControl !== undefined) {
    return patchListResponse(ctx.request, quilt.blobId, index, cacheControl);
  }
  return withCommitteeRetry(ctx, async (committee) => {
    const info = await quiltInfo(read, committee);
    const listed = await indexOf(read, info);
    const cacheControlNow = cacheControlOf(info.status, ctx.now(), ctx.ttls);
    return patchListResponse(ctx.request, quilt.blobId, listed, cacheControlNow);
  });
}

/** The cached index of a quilt whose status lets the edge serve from cache. */
async function cachedIndex(read: QuiltRead): Promise<QuiltIndex | undefined> {
  const status = await read.ctx.info.cachedStatus(read.quilt.blobId);
  if (status === undefined || !CERTIFIED.has(status.kind)) return undefined;
  return read.cache.index(read.quilt.blobIdText);
}

/** The Cache-Control of a hit, once the status allows it (see servableCacheControl). */
async function servable(read: QuiltRead): Promise<string | undefined> {
  const status = await read.ctx.info.cachedStatus(read.quilt.blobId);
  if (status === undefined || !CERTIFIED.has(status.kind)) return undefined;
  const cacheControl = await servableCacheControl(read.ctx, read.quilt, status);
  if (cacheControl === undefined) read.cache.forget(read.quilt.blobIdText, undefined);
  return cacheControl;
}

async function patchFromCache(
  read: QuiltRead,
  selector: PatchSelector,
): Promise<Response | undefined> {
  const { ctx, quilt } = read;
  const status = await ctx.info.cachedStatus(quilt.blobId);
  if (status === undefined || !CERTIFIED.has(status.kind)) return undefined;
  let range: ColumnRange;
  if (selector.kind === 'columns') {
    range = selector.range;
  } else {
    const index = await read.cache.index(quilt.blobIdText);
    if (index === undefined) return undefined;
    const entry = findQuiltPatch(index, selector.identifier);
    if (entry === undefined) {
      // The index of a quilt never changes: the identifier is not there, as long as the quilt is.
      if ((await servable(read)) === undefined) return undefined;
      throw notInIndex(quilt, selector.identifier);
    }
    range = { start: entry.startIndex, end: entry.endIndex };
  }
  const patch = await read.cache.patch(quilt.blobIdText, range);
  if (patch === undefined) return undefined;
  const cacheControl = await servable(read);
  if (cacheControl === undefined) return undefined;
  return patchResponse(ctx.request, {
    quiltIdText: quilt.blobIdText,
    patch,
    cacheControl,
    allowedHeaders: read.allowedHeaders,
  });
}

interface QuiltInfo {
  readonly committee: EdgeCommittee;
  readonly status: EdgeStatus;
  readonly geometry: QuiltGeometry;
  /** What the quilt reader needs: the metadata in hand and the request's node gate and health. */
  readonly nodeOptions: QuiltReadOptions & { readonly signal: AbortSignal };
}

/** Metadata, status and geometry of a quilt read from the network (404/410/503 as for blobs). */
async function quiltInfo(read: QuiltRead, committee: EdgeCommittee): Promise<QuiltInfo> {
  const { ctx, quilt } = read;
  const { metadata, status } = await networkInfo(ctx, quilt, committee);
  if (status.kind === 'nonexistent') {
    ctx.info.forget(quilt.blobId, []);
    read.cache.forget(quilt.blobIdText, undefined);
    throw EdgeErrors.blobNotFound(`quilt ${quilt.blobIdText} is not stored on this network`);
  }
  let geometry: QuiltGeometry;
  try {
    geometry = quiltGeometryOf(metadata);
  } catch (error) {
    if (!(error instanceof QuiltDecodeError)) throw error;
    throw EdgeErrors.invalidQuilt(`blob ${quilt.blobIdText} is not a quilt: ${error.message}`);
  }
  const nodes = ctx.nodes(committee);
  const nodeOptions = { metadata, gate: nodes.gate, health: nodes.health, signal: nodes.signal };
  return { committee, status, geometry, nodeOptions };
}

/**
 * One read shared by the concurrent misses of an isolate. If the read that was shared failed
 * because its own client went away, this request tries once more on its own.
 */
async function shared<T>(key: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  let ours = false;
  try {
    return await singleFlight(key, () => {
      ours = true;
      return run();
    });
  } catch (error) {
    if (ours || signal.aborted) throw error;
    return run();
  }
}

/** The quilt's index: from the cache, else from its columns, kept when the quilt is certified. */
async function indexOf(read: QuiltRead, info: QuiltInfo): Promise<QuiltIndex> {
  const { ctx, quilt } = read;
  const cached = await read.cache.index(quilt.blobIdText);
  if (cached !== undefined) return cached;
  let index: QuiltIndex;
  try {
    index = await shared(`quilt-index:${quilt.blobIdText}`, info.nodeOptions.signal, () =>
      readIndex(quilt, info),
    );
  } catch (error) {
    throw quiltError(error, quilt, undefined);
  }
  const ttlS = edgeCacheTtlS(info.status, ctx.now());
  if (ttlS !== undefined) read.cache.keepIndex(quilt.blobIdText, index, ttlS);
  return index;
}

async function patchFromNetwork(
  read: QuiltRead,
  selector: PatchSelector,
  committee: EdgeCommittee,
): Promise<Response> {
  const { ctx, quilt } = read;
  const info = await quiltInfo(read, committee);
  let range: ColumnRange;
  if (selector.kind === 'columns') {
    range = selector.range;
  } else {
    const entry = findQuiltPatch(await indexOf(read, info), selector.identifier);
    if (entry === undefined) throw notInIndex(quilt, selector.identifier);
    range = { start: entry.startIndex, end: entry.endIndex };
  }
  const patch = await patchAt(read, info, range, selector);
  return patchResponse(ctx.request, {
    quiltIdText: quilt.blobIdText,
    patch,
    cacheControl: cacheControlOf(info.status, ctx.now(), ctx.ttls),
    allowedHeaders: read.allowedHeaders,
  });
}

/** The verified patch at columns `range`: cached, or read from its own columns and kept. */
async function patchAt(
  read: QuiltRead,
  info: QuiltInfo,
  range: ColumnRange,
  selector: PatchSelector,
): Promise<CachedPatch> {
  const { ctx, quilt } = read;
  try {
    patchColumnRange(info.geometry, { startIndex: range.start, endIndex: range.end });
  } catch (error) {
    throw quiltError(error, quilt, selector);
  }
  refuseLargeRead(quilt, info.geometry, range, 'patches');
  const cached = await read.cache.patch(quilt.blobIdText, range);
  if (cached !== undefined) return cached;
  const key = `quilt-patch:${quilt.blobIdText}:${range.start}-${range.end}`;
  let patch: CachedPatch;
  try {
    patch = await shared(key, info.nodeOptions.signal, async () => {
      const id = { quiltId: quilt.blobId, startIndex: range.start, endIndex: range.end };
      return servedPatch((await readQuiltPatchById(id, info.committee, info.nodeOptions)).patch);
    });
  } catch (error) {
    throw quiltError(error, quilt, selector);
  }
  const ttlS = edgeCacheTtlS(info.status, ctx.now());
  if (ttlS !== undefined) read.cache.keepPatch(quilt.blobIdText, range, patch, ttlS);
  return patch;
}

function refuseLargeRead(
  quilt: BlobTarget,
  geometry: QuiltGeometry,
  range: ColumnRange,
  what: string,
): void {
  const columnBytes = (range.end - range.start) * geometry.columnBytes;
  if (columnBytes <= COLUMN_BYTES_READ_MAX) return;
  throw EdgeErrors.blobTooLarge(
    `columns [${range.start}, ${range.end}) of quilt ${quilt.blobIdText} hold ${columnBytes} ` +
      `bytes; the edge reads ${what} of up to ${COLUMN_BYTES_READ_MAX}`,
  );
}

/** The index from its columns: column 0, then (within the read limit) the rest it claims. */
async function readIndex(quilt: BlobTarget, info: QuiltInfo): Promise<QuiltIndex> {
  const read = (range: ColumnRange) =>
    readQuiltColumns(quilt.blobId, range, info.committee, info.nodeOptions);
  const [column0] = (await read(INDEX_HEAD_RANGE)).columns;
  const range = indexColumnRange(info.geometry, column0);
  refuseLargeRead(quilt, info.geometry, range, 'indexes');
  const rest = range.end > 1 ? (await read({ start: 1, end: range.end })).columns : [];
  return decodeQuiltIndex(info.geometry, [column0, ...rest]);
}

function notInIndex(quilt: BlobTarget, identifier: string) {
  return EdgeErrors.quiltPatchNotFound(
    `quilt ${quilt.blobIdText} has no patch ${JSON.stringify(identifier)}`,
  );
}

/**
 * A quilt read failure as the aggregator answers it. Verified bytes that are not a patch where a
 * patch ID says one starts: that patch does not exist (404). Verified bytes that are not a valid
 * index, or not the patch the index names: the quilt itself is invalid (422).
 */
function quiltError(error: unknown, quilt: BlobTarget, selector: PatchSelector | undefined) {
  if (error instanceof QuiltDecodeError) {
    if (selector?.kind === 'columns') {
      const { start, end } = selector.range;
      return EdgeErrors.quiltPatchNotFound(
        `columns [${start}, ${end}) of quilt ${quilt.blobIdText} hold no patch: ${error.message}`,
      );
    }
    return EdgeErrors.invalidQuilt(`quilt ${quilt.blobIdText} is invalid: ${error.message}`);
  }
  return readError(error, quilt);
}
