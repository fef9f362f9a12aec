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
