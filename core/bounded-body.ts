/**
 * Reading an HTTP body (of a Request or a Response, Web-standard) with a byte limit: a declared
 * Content-Length over the limit is refused before reading anything, and otherwise bytes are counted
 * as they stream in and reading stops at the limit — a hostile peer cannot make us buffer more.
 */
export class BodyTooLargeError extends RangeError {
  override name = 'BodyTooLargeError';
  constructor(
    readonly bytesMax: number,
    /** The declared Content-Length, when that is what gave it away. */
    readonly declaredBytes?: number,
  ) {
    super(
      declaredBytes === undefined
        ? `body exceeds ${bytesMax} bytes`
        : `body of ${declaredBytes} bytes exceeds ${bytesMax}`,
    );
  }
}

export async function readBodyBounded(
  message: { readonly headers: Headers; readonly body: ReadableStream<Uint8Array> | null },
  bytesMax: number,
): Promise<Uint8Array> {
  const declared = Number(message.headers.get('content-length') ?? NaN);
  if (declared > bytesMax) {
    await message.body?.cancel();
    throw new BodyTooLargeError(bytesMax, declared);
  }
  if (message.body === null) return new Uint8Array(0);
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > bytesMax) {
      await reader.cancel();
      throw new BodyTooLargeError(bytesMax);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
