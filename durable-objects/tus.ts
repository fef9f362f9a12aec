/**
 * The tus 1.0.0 wire rules this edge speaks (docs/spec/edge-platform.md §4.3–4.4): core, creation,
 * creation-with-upload, expiration and termination. Header parsing is strict (plain decimals, a
 * bounded Upload-Metadata), and every tus answer, errors included, carries `Tus-Resumable`.
 */
import { ApiError } from '../core/http/errors.js';

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = 'creation,creation-with-upload,expiration,termination';
/** The media type of PATCH bodies (and of a creation POST that carries data). */
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';
/** Upload-Metadata longer than this is refused (it is echoed on every HEAD). */
export const UPLOAD_METADATA_CHARS_MAX = 4096;
/** Pairs in Upload-Metadata. */
export const UPLOAD_METADATA_PAIRS_MAX = 32;
export const TUS_DOMAIN = 'tus.walrus-edge';

/** Headers on every tus answer, so browser clients see them (the Worker's CORS exposes them). */
export const TUS_EXPOSED_HEADERS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Tus-Version',
  'Tus-Resumable',
  'Tus-Max-Size',
  'Tus-Extension',
];

export function tusError(
  httpStatus: number,
  reason: string,
  message: string,
  headers: Record<string, string> = {},
): ApiError {
  const status =
    httpStatus === 401
      ? 'UNAUTHENTICATED'
      : httpStatus === 403
        ? 'PERMISSION_DENIED'
        : httpStatus === 404
          ? 'NOT_FOUND'
          : httpStatus >= 500
            ? 'INTERNAL'
            : 'FAILED_PRECONDITION';
  return new ApiError(status, reason, message, {
    domain: TUS_DOMAIN,
    httpStatus,
    headers: { 'tus-resumable': TUS_VERSION, 'cache-control': 'no-store', ...headers },
  });
}

/** 412 unless the client speaks 1.0.0 (OPTIONS and plain PUT are exempt). */
export function requireTusResumable(headers: Headers): void {
  const version = headers.get('tus-resumable');
  if (version !== TUS_VERSION) {
    throw tusError(
      412,
      'TUS_VERSION_UNSUPPORTED',
      `Tus-Resumable must be ${TUS_VERSION}, got ${JSON.stringify(version)}`,
      { 'tus-version': TUS_VERSION },
    );
  }
}

/** A header that must be a plain non-negative decimal; undefined when absent. */
export function decimalHeader(headers: Headers, name: string): number | undefined {
  const text = headers.get(name);
  if (text === null) return undefined;
  if (!/^\d{1,16}$/.test(text.trim()) || !Number.isSafeInteger(Number(text.trim()))) {
    throw tusError(400, 'MALFORMED_TUS_HEADER', `${name} must be a non-negative decimal`);
  }
  return Number(text.trim());
}

const METADATA_KEY = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The Upload-Metadata header, checked (tus §Upload-Metadata); null when absent. */
export function uploadMetadata(headers: Headers): string | null {
  const text = headers.get('upload-metadata');
  if (text === null || text.trim() === '') return null;
  if (text.length > UPLOAD_METADATA_CHARS_MAX) {
    throw tusError(
      400,
      'UPLOAD_METADATA_TOO_LONG',
      `Upload-Metadata exceeds ${UPLOAD_METADATA_CHARS_MAX} characters`,
    );
  }
  const pairs = text.split(',');
  if (pairs.length > UPLOAD_METADATA_PAIRS_MAX) {
    throw tusError(
      400,
      'MALFORMED_UPLOAD_METADATA',
      `Upload-Metadata has over ${UPLOAD_METADATA_PAIRS_MAX} pairs`,
    );
  }
  const seen = new Set<string>();
  for (const pair of pairs) {
    const [key, value, extra] = pair.trim().split(' ');
    if (!METADATA_KEY.test(key ?? '') || seen.has(key) || extra !== undefined) {
      throw tusError(
        400,
        'MALFORMED_UPLOAD_METADATA',
        'Upload-Metadata must be unique `key base64` pairs',
      );
    }
    if (value !== undefined && (!BASE64.test(value) || value.length % 4 !== 0)) {
      throw tusError(
        400,
        'MALFORMED_UPLOAD_METADATA',
        `Upload-Metadata value of ${key} is not base64`,
      );
    }
    seen.add(key);
  }
  return text.trim();
}

/** `Upload-Expires` is an HTTP-date (RFC 9110). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** True when the body is declared as tus data (`Content-Type: application/offset+octet-stream`). */
export function isOffsetOctetStream(headers: Headers): boolean {
  return (
    (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase() === OFFSET_OCTET_STREAM
  );
}
