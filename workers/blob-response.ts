/**
 * Building the responses of the blob read routes from a decided representation: caching headers
 * from the blob's status, the content type (attribute, cached sniff, or sniffed from the first
 * segment), preconditions (304/412), ranges (206, multipart/byteranges, 416) and bodies with an
 * exact Content-Length. Pure decisions live in content-type.ts, preconditions.ts and ranges.ts;
 * this module puts them together.
 */
import type { ByteRange } from '../client/read/stream.js';
import { decideContentType } from './content-type.js';
import type { EdgeStatus } from './blob-info.js';
import { STATUS_TTL_S, type StatusTtls } from './status-ttl.js';
import { EdgeErrors } from './api-errors.js';
import { multipartByteranges } from './multipart.js';
import { evaluatePreconditions } from './preconditions.js';
import { contentRange, decideRanges } from './ranges.js';

/** Browsers and CDNs cap max-age at a year (RFC 8246's immutable assumes no more). */
export const MAX_AGE_S_MAX = 365 * 24 * 3600;

/**
 * How long clients may keep a response for a blob with this status. `no-transform` on every one:
 * the strong ETag promises these exact bytes, and Content-Length and ranges count them, so no
 * proxy (nor Cloudflare's automatic compression of text types) may re-encode them.
 */
export function cacheControlOf(
  status: EdgeStatus,
  nowMs: number,
  ttls: StatusTtls = STATUS_TTL_S,
): string {
  switch (status.kind) {
    case 'permanent': {
      // Never past the blob's earliest expiry: a cached copy must not outlive the blob.
      const untilExpiryS = Math.floor(((status.expiresAtMs ?? nowMs) - nowMs) / 1000);
      const maxAge = Math.min(MAX_AGE_S_MAX, untilExpiryS);
      return maxAge >= 1 ? `public, max-age=${maxAge}, immutable, no-transform` : 'no-store';
    }
    case 'deletable':
      // It can be deleted at any time: as long as the Worker itself trusts the status.
      return `public, max-age=${ttls.deletable}, no-transform`;
    default:
      return `public, max-age=${ttls.uncertified}, no-transform`;
  }
}

/** Whether the blob's bytes may go into the edge cache, and for how long (seconds). */
export function edgeCacheTtlS(status: EdgeStatus, nowMs: number): number | undefined {
  if (status.kind === 'permanent') {
    const ttlS = Math.floor(((status.expiresAtMs ?? nowMs) - nowMs) / 1000);
    return ttlS >= 1 ? ttlS : undefined;
  }
  // Deletable bytes stay a day, but each hit first checks the status (60 s): deletion shows then.
  if (status.kind === 'deletable') return DELETABLE_BYTES_TTL_S;
  return undefined;
}

/** How long a deletable blob's bytes may sit in the edge cache (status checks gate every hit). */
export const DELETABLE_BYTES_TTL_S = 24 * 3600;

/** Headers every successful read response carries. */
export function representationHeaders(options: {
  readonly etag: string;
  readonly cacheControl: string;
  /** From decideContentType; undefined on a HEAD that does not know the type yet. */
  readonly contentHeaders?: Readonly<Record<string, string>>;
  /** Allow-listed blob attributes (by-object-id reads); never overwrite the others. */
  readonly attributeHeaders?: Readonly<Record<string, string>>;
}): Headers {
  const headers = new Headers({
    etag: options.etag,
    'cache-control': options.cacheControl,
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    // The bytes as stored. Miniflare, like Cloudflare's edge, compresses text types unless the
    // response names its encoding; `no-transform` (above) is what Cloudflare itself honours.
    'content-encoding': 'identity',
  });
  for (const [name, value] of Object.entries(options.contentHeaders ?? {}))
    headers.set(name, value);
  for (const [name, value] of Object.entries(options.attributeHeaders ?? {})) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}

/** The content headers for a known type (an attribute or a cached sniff). */
export function contentHeadersOf(contentType: string): Readonly<Record<string, string>> {
  return decideContentType(new Uint8Array(0), { attribute: contentType }).headers;
}

/**
 * workerd sends a streamed body chunked (dropping Content-Length) unless it flows through a
 * FixedLengthStream; players and download managers want the length, and the Cache API needs it to
 * answer ranges. A FixedLengthStream also errors if fewer bytes arrive, so a failed read aborts
 * the response instead of ending it short. Other runtimes keep the header as is.
 */
export function withKnownLength(
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
    // The reader sees the error: the response is aborted.
  });
  return fixed.readable;
}

/** `start`/`length` of Walrus's byte-range route, checked against the blob's length. */
export function byteRangeOf(url: URL, blobBytes: number): ByteRange {
  const start = url.searchParams.get('start');
  const length = url.searchParams.get('length');
  if (
    start === null ||
    length === null ||
    !/^\d{1,16}$/.test(start) ||
    !/^\d{1,16}$/.test(length)
  ) {
    throw EdgeErrors.invalidByteRange('start and length must be decimal integers');
  }
  const first = Number(start);
  const count = Number(length);
  if (count === 0) throw EdgeErrors.invalidByteRange('length must be positive');
  if (first >= blobBytes) {
    throw EdgeErrors.invalidByteRange(`start ${first} is past the blob's ${blobBytes} bytes`);
  }
  // A length running past the end is clipped, as a Range would be (RFC 9110 §14.1.2).
  return { start: first, end: Math.min(blobBytes, first + count) - 1 };
}

/** Our header on whole-object entries: the blob's length (the Cache API may answer 206). */
export const LENGTH_HEADER = 'x-walrus-edge-blob-bytes';

/** The headers a whole-object entry is stored with (its length, for the Cache API's ranges). */
export function wholeObjectHeaders(
  blobIdText: string,
  contentType: string,
  length: number,
  ttlS: number,
): Headers {
  return new Headers({
    'content-type': contentType,
    'content-length': String(length),
    'cache-control': `public, max-age=${ttlS}`,
    etag: `"${blobIdText}"`,
    [LENGTH_HEADER]: String(length),
  });
}

export function preconditionResponse(
  kind: 'not-modified' | 'precondition-failed',
  headers: Headers,
) {
  if (kind === 'not-modified') return new Response(null, { status: 304, headers });
  return new Response(null, {
    status: 412,
    headers: { etag: headers.get('etag')!, 'cache-control': 'no-store' },
  });
}

export async function rangedResponse(
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

/**
 * A response cut from bytes in hand (a hot object, or a blob that is one segment): preconditions,
 * HEAD, ranges and multipart all from slices.
 */
export async function bytesResponse(
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
