/**
 * Reading an HTTP body (of a Request or a Response, Web-standard) under a byte limit, Hono's
 * `bodyLimit`: a declared Content-Length over the limit is refused before a byte is read; otherwise
 * bytes are counted as they stream in and reading stops at the limit, so a hostile peer cannot make
 * us buffer more. The one body reader of the project: node routes, the Worker's publisher, the
 * storage-node client, the chain transport and the ledger all use it.
 */
import { ApiError } from './errors.js';

/** Reason of the 413 when a route does not name a more specific one. */
export const BODY_TOO_LARGE_REASON = 'BODY_TOO_LARGE';
/** Buffer to start with when the length is not declared (grown by doubling, capped at the limit). */
const UNDECLARED_BUFFER_BYTES = 64 * 1024;

/** The body exceeded its limit: rendered as HTTP 413 with a route-specific reason. */
export class BodyTooLargeError extends ApiError {
  override name = 'BodyTooLargeError';
  constructor(
    readonly bytesMax: number,
    /** The declared Content-Length, when that is what gave it away. */
    readonly declaredBytes?: number,
    reason = BODY_TOO_LARGE_REASON,
  ) {
    super(
      'RESOURCE_EXHAUSTED',
      reason,
      declaredBytes === undefined
        ? `the body exceeds the limit of ${bytesMax} bytes`
        : `the body of ${declaredBytes} bytes exceeds the limit of ${bytesMax} bytes`,
      { httpStatus: 413 },
    );
  }
}

/** A well-formed Content-Length, or null (absent or not a plain decimal). */
export function declaredLength(headers: Headers): number | null {
  const header = headers.get('content-length');
  return header !== null && /^\d{1,16}$/.test(header) ? Number(header) : null;
}

/**
 * The whole body, or BodyTooLargeError (carrying `reason`) once it would exceed `bytesMax`. An
 * absent body reads as zero bytes. When the length is declared the result is allocated once.
 */
export async function readBodyBounded(
  message: { readonly headers: Headers; readonly body: ReadableStream<Uint8Array> | null },
  bytesMax: number,
  reason?: string,
): Promise<Uint8Array> {
  const declared = declaredLength(message.headers);
  if (declared !== null && declared > bytesMax) {
    await message.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(bytesMax, declared, reason);
  }
  if (message.body === null) return new Uint8Array(0);
  const reader = message.body.getReader();
  let buffer = new Uint8Array(declared ?? Math.min(UNDECLARED_BUFFER_BYTES, bytesMax));
  let length = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // A lower layer (the node:http adapter) may already have counted past its own limit.
      if (error instanceof BodyTooLargeError)
        throw new BodyTooLargeError(bytesMax, undefined, reason);
      throw error;
    }
    if (chunk.done) break;
    const bytes = chunk.value;
    if (length + bytes.length > bytesMax) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(bytesMax, undefined, reason);
    }
    if (length + bytes.length > buffer.length) {
      // Only an undeclared or understated length gets here.
      const grown = new Uint8Array(
        Math.min(bytesMax, Math.max(buffer.length * 2, length + bytes.length)),
      );
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(bytes, length);
    length += bytes.length;
  }
  return length === buffer.length ? buffer : buffer.subarray(0, length);
}
