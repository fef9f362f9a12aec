/**
 * What the Worker's read routes share: the request's context (caches, committee, nodes), the
 * target a route resolved, and how read failures become Walrus's errors.
 */
import {
  BlobInconsistentError,
  BlobNotFoundError,
  BlobUnavailableError,
} from '../client/read/errors.js';
import type { ReadNodes } from '../client/read/nodes.js';
import type { ByteRange } from '../client/read/stream.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import { ApiError } from '../core/http/errors.js';
import { EdgeErrors } from './api-errors.js';
import type { BlobInfo, EdgeStatus } from './blob-info.js';
import type { EdgeCommittee } from './committee-source.js';
import type { EdgeCache } from './edge-cache.js';
import { parseMediaType } from './media-type.js';
import type { StatusTtls } from './status-ttl.js';

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

/** Statuses whose bytes the edge caches. */
export const CERTIFIED: ReadonlySet<string> = new Set(['permanent', 'deletable']);

/** The object's content-type attribute when it is a media type; otherwise sniffing decides. */
export function mediaTypeAttribute(target: BlobTarget): string | undefined {
  const attribute = target.attributes?.['content-type'];
  return attribute === undefined ? undefined : parseMediaType(attribute)?.value;
}

/** A read engine failure as the error a Walrus aggregator answers. */
export function readError(error: unknown, target: BlobTarget): unknown {
  if (error instanceof BlobNotFoundError) return EdgeErrors.blobNotFound(error.message);
  if (error instanceof BlobUnavailableError) return EdgeErrors.blobUnavailable(error.message);
  if (error instanceof BlobInconsistentError) {
    return EdgeErrors.blobInvalid(`blob ${target.blobIdText} is inconsistent: ${error.message}`);
  }
  return error;
}

/**
 * A read against the committee, tried once more against a fresh one when not enough nodes
 * answered and the committee changed meanwhile (an epoch change moves shards).
 */
export async function withCommitteeRetry<T>(
  ctx: ReadContext,
  read: (committee: EdgeCommittee) => Promise<T>,
): Promise<T> {
  const committee = await ctx.committee();
  try {
    return await read(committee);
  } catch (error) {
    if (!(error instanceof ApiError) || error.reason !== 'BLOB_UNAVAILABLE') throw error;
    const fresh = await ctx.freshCommittee().catch(() => committee);
    if (fresh.epoch === committee.epoch) throw error;
    return read(fresh);
  }
}

/**
 * Verified metadata and the status of a blob read from the network, in parallel (each from
 * memory, the Cache API or the nodes). An invalid blob is a 410 and everything kept of it is
 * forgotten; a blob whose metadata cannot be had is Walrus's 404 or 503. A `nonexistent` status
 * is returned: the caller forgets what it kept of the blob before it answers 404.
 */
export async function networkInfo(
  ctx: ReadContext,
  target: BlobTarget,
  committee: EdgeCommittee,
): Promise<{ metadata: VerifiedMetadata; status: EdgeStatus }> {
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
  return { metadata: metadataResult.value, status };
}
