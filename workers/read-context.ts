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
