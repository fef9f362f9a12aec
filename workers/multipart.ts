/**
 * `multipart/byteranges` bodies (RFC 9110 §14.6) streamed one part at a time, with the exact
 * Content-Length known before the first byte: the Worker sends the body through a
 * FixedLengthStream, which errors if the count is off, and players reject mismatched lengths.
 *
 * Memory stays bounded: each part's bytes are asked for only when the reader reaches that part,
 * and only one part's stream is open at a time.
 */
import { assert } from '../core/assert.js';
import { contentRange, rangeBytes, type ByteRange } from './ranges.js';

/**
 * Random bytes in a boundary: 24 bytes are 32 base64url characters, 192 bits. The boundary must not
 * occur inside any part (RFC 2046 §5.1.1) and we cannot scan parts without buffering them. We do
 * not need to: a blob ID fixes the bytes before the boundary is drawn, per response, so the bytes
 * cannot adapt to it, and a chance match is ~2^-192 per position. A fixed or predictable boundary
 * would let an uploader plant it and forge parts.
 */
export const BOUNDARY_RANDOM_BYTES = 24;
/** Shortest boundary a caller may pass (`randomBoundary` gives 32 characters). */
export const BOUNDARY_CHARS_MIN = 24;
/** RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
export const BOUNDARY_CHARS_MAX = 70;
/**
 * Boundary characters: token characters (so the Content-Type parameter needs no quotes) that are
 * also RFC 2046 `bcharsnospace`; the base64url alphabet.
 */
const BOUNDARY_PATTERN = /^[A-Za-z0-9_-]+$/;
/** A header value we are willing to repeat in every part: visible ASCII and spaces. */
const HEADER_VALUE_PATTERN = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const CRLF = '\r\n';
/** base64url characters of `BOUNDARY_RANDOM_BYTES`, unpadded. */
const BOUNDARY_RANDOM_CHARS = Math.ceil((BOUNDARY_RANDOM_BYTES * 4) / 3);

assert(BOUNDARY_RANDOM_CHARS >= BOUNDARY_CHARS_MIN, 'a random boundary is long enough');
assert(BOUNDARY_RANDOM_CHARS <= BOUNDARY_CHARS_MAX, 'a random boundary fits RFC 2046');

export interface MultipartByterangesOptions {
  /** The parts, in the order to send them; at least two (one range is a plain 206). */
  readonly ranges: readonly ByteRange[];
  /** The representation's Content-Type, repeated in every part. */
  readonly contentType: string;
  /** The representation's complete length, for each part's Content-Range. */
  readonly length: number;
  /** The bytes of one range, exactly `end - start + 1` of them; called once per part, in order. */
  readonly openPart: (range: ByteRange) => Promise<ReadableStream<Uint8Array>>;
  /** Default: `randomBoundary()`. Tests pass a fixed one. */
  readonly boundary?: string;
}

export interface MultipartByteranges {
  /** `multipart/byteranges; boundary=…`, the response's Content-Type. */
  readonly contentType: string;
  /** Exactly the number of bytes `body` yields. */
  readonly contentLength: number;
  readonly body: ReadableStream<Uint8Array>;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** A fresh boundary of `BOUNDARY_RANDOM_BYTES` random bytes; `fill` defaults to Web Crypto. */
export function randomBoundary(
  fill: (bytes: Uint8Array) => void = (bytes) => crypto.getRandomValues(bytes),
): string {
  const bytes = new Uint8Array(BOUNDARY_RANDOM_BYTES);
  fill(bytes);
  return base64url(bytes);
}

function checkOptions(options: MultipartByterangesOptions, boundary: string): void {
  const { ranges, contentType, length } = options;
  if (ranges.length < 2) {
    // §14.6: never a multipart for a single range; several that coalesced into one are a plain
    // 206 too, which is cheaper.
    throw new RangeError(
      `a multipart/byteranges body needs at least 2 ranges, got ${ranges.length}`,
    );
  }
  if (!Number.isSafeInteger(length) || length < 1) {
    throw new RangeError(`length must be a positive safe integer, got ${length}`);
  }
  for (const { start, end } of ranges) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
      throw new RangeError(`range bounds must be safe integers, got ${start}-${end}`);
    }
    if (start < 0 || end < start || end >= length) {
      throw new RangeError(`range ${start}-${end} is not within a ${length}-byte representation`);
    }
  }
  if (!HEADER_VALUE_PATTERN.test(contentType)) {
    throw new TypeError(`contentType must be a header-safe ASCII value, got ${contentType}`);
  }
  const boundaryOk =
    boundary.length >= BOUNDARY_CHARS_MIN &&
    boundary.length <= BOUNDARY_CHARS_MAX &&
    BOUNDARY_PATTERN.test(boundary);
  if (!boundaryOk) {
    throw new TypeError(
      `boundary must be ${BOUNDARY_CHARS_MIN}-${BOUNDARY_CHARS_MAX} base64url characters`,
    );
  }
}

/**
 * Builds a multipart/byteranges body: each part is a delimiter, its Content-Type and Content-Range,
 * a blank line and the bytes; a close delimiter ends the body. The CRLF before each delimiter
 * belongs to the delimiter (RFC 2046 §5.1.1), so part bytes are never followed by a stray CRLF of
 * their own. Cancelling the body cancels the part being read; a part stream that yields more or
 * fewer bytes than its range errors the body rather than send a wrong length.
 */
export function multipartByteranges(options: MultipartByterangesOptions): MultipartByteranges {
  const boundary = options.boundary ?? randomBoundary();
  checkOptions(options, boundary);
  const { contentType, length, openPart } = options;
  const ranges = Object.freeze(options.ranges.map(({ start, end }) => ({ start, end })));
  const encoder = new TextEncoder();
  // All ASCII (checked above), so characters are bytes; every head is a few dozen bytes.
  const heads = ranges.map((range, index) =>
    encoder.encode(
      `${index === 0 ? '' : CRLF}--${boundary}${CRLF}` +
        `Content-Type: ${contentType}${CRLF}` +
        `Content-Range: ${contentRange(range, length)}${CRLF}${CRLF}`,
    ),
  );
  const tail = encoder.encode(`${CRLF}--${boundary}--${CRLF}`);
  let contentLength = tail.byteLength;
  for (let index = 0; index < ranges.length; index++) {
    contentLength += heads[index].byteLength + rangeBytes(ranges[index]);
  }
  return {
    contentType: `multipart/byteranges; boundary=${boundary}`,
    contentLength,
    body: partsStream(ranges, heads, tail, openPart),
  };
}

function partsStream(
  ranges: readonly ByteRange[],
  heads: readonly Uint8Array[],
  tail: Uint8Array,
  openPart: (range: ByteRange) => Promise<ReadableStream<Uint8Array>>,
): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let headSent = false;
  let remainingBytes = 0;
  let cancelled = false;
  let cancelReason: unknown;

  const fail = async (message: string): Promise<never> => {
    const { start, end } = ranges[index];
    const error = new Error(`multipart part ${index} (bytes ${start}-${end}) ${message}`);
    await reader?.cancel(error).catch(() => {});
    throw error;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Each call enqueues at most one chunk, so nothing is read ahead of the consumer.
        for (;;) {
          if (index === ranges.length) {
            controller.enqueue(tail);
            controller.close();
            return;
          }
          if (!headSent) {
            headSent = true;
            controller.enqueue(heads[index]);
            return;
          }
          if (reader === undefined) {
            const stream = await openPart(ranges[index]);
            if (cancelled) {
              await stream.cancel(cancelReason).catch(() => {});
              return;
            }
            reader = stream.getReader();
            remainingBytes = rangeBytes(ranges[index]);
          }
          const { done, value } = await reader.read();
          if (done) {
            if (remainingBytes !== 0) await fail(`ended ${remainingBytes} bytes short`);
            reader = undefined;
            headSent = false;
            index++;
            continue;
          }
          if (value.byteLength > remainingBytes) await fail('yielded more bytes than its range');
          remainingBytes -= value.byteLength;
          if (value.byteLength === 0) continue;
          controller.enqueue(value);
          return;
        }
      },
      async cancel(reason) {
        cancelled = true;
        cancelReason = reason;
        await reader?.cancel(reason);
      },
    },
    // No queue: a part is opened only when the consumer has read everything before it.
    { highWaterMark: 0 },
  );
}
