/**
 * Reading a request body under a limit (Hono's `bodyLimit`): a declared Content-Length above the
 * limit is refused before a byte is read; otherwise bytes are counted as they arrive and reading
 * stops at the limit. The result is one contiguous buffer, allocated once when the length is known.
 */
import { BodyTooLargeError } from './errors.js';

function declaredLength(request: Request): number | null {
  const header = request.headers.get('content-length');
  if (header === null || !/^\d{1,16}$/.test(header)) return null;
  return Number(header);
}

/**
 * The whole body, or BodyTooLargeError (with `reason`) once it exceeds `bodyBytesMax`. An absent
 * body reads as zero bytes.
 */
export async function readBodyLimited(
  request: Request,
  bodyBytesMax: number,
  reason?: string,
): Promise<Uint8Array> {
  const declared = declaredLength(request);
  if (declared !== null && declared > bodyBytesMax) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(bodyBytesMax, reason);
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  let buffer = new Uint8Array(declared ?? Math.min(64 * 1024, bodyBytesMax));
  let length = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new BodyTooLargeError(bodyBytesMax, reason);
      throw error;
    }
    if (chunk.done) break;
    const bytes = chunk.value;
    if (length + bytes.length > bodyBytesMax) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(bodyBytesMax, reason);
    }
    if (length + bytes.length > buffer.length) {
      const grown = new Uint8Array(
        Math.min(bodyBytesMax, Math.max(buffer.length * 2, length + bytes.length)),
      );
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(bytes, length);
    length += bytes.length;
  }
  return length === buffer.length ? buffer : buffer.subarray(0, length);
}
