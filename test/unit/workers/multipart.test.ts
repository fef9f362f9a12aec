/** multipart/byteranges (RFC 9110 §14.6): parsed back independently, exact length, cancel. */
import { describe, expect, it } from 'vitest';
import {
  BOUNDARY_CHARS_MAX,
  BOUNDARY_CHARS_MIN,
  multipartByteranges,
  randomBoundary,
} from '../../../workers/multipart.js';
import type { ByteRange } from '../../../workers/ranges.js';

const LENGTH = 5000;
const blob = Uint8Array.from({ length: LENGTH }, (_, index) => (index * 131 + 7) & 0xff);
const BOUNDARY = 'test_boundary-0123456789abcdef';

/** A stream of `bytes` in chunks of `chunkBytes`, recording whether it was cancelled. */
function chunked(bytes: Uint8Array, chunkBytes = 97, log?: { cancelled?: unknown }) {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
    cancel(reason) {
      if (log !== undefined) log.cancelled = reason;
    },
  });
}

const slice = (range: ByteRange) => blob.subarray(range.start, range.end + 1);
const openFromBlob = async (range: ByteRange) => chunked(slice(range));

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * An independent RFC 2046 reader: split on CRLF "--" boundary (the body is prefixed with CRLF so
 * the first delimiter looks like the others), then headers up to the blank line, then the bytes.
 */
function parseMultipart(body: Uint8Array, contentType: string) {
  const boundary = /^multipart\/byteranges; boundary=([^;\s]+)$/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`no boundary in ${contentType}`);
  let text = '';
  for (const byte of body) text += String.fromCharCode(byte); // one char per byte
  const pieces = `\r\n${text}`.split(`\r\n--${boundary}`);
  expect(pieces[0]).toBe(''); // no preamble
  const closing = pieces.at(-1)!;
  expect(closing).toBe('--\r\n'); // close delimiter and a CRLF epilogue
  return pieces.slice(1, -1).map((piece) => {
    expect(piece.startsWith('\r\n')).toBe(true);
    const blank = piece.indexOf('\r\n\r\n');
    const headers = new Map(
      piece
        .slice(2, blank)
        .split('\r\n')
        .map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
        }),
    );
    const bytes = Uint8Array.from(piece.slice(blank + 4), (char) => char.charCodeAt(0));
    return { headers, bytes };
  });
}

describe('multipartByteranges', () => {
  const ranges = [
    { start: 0, end: 0 },
    { start: 100, end: 1099 },
    { start: 4990, end: 4999 },
  ];

  it('frames every part per RFC 9110 §14.6 with the exact Content-Length', async () => {
    const built = multipartByteranges({
      ranges,
      contentType: 'video/mp4',
      length: LENGTH,
      openPart: openFromBlob,
      boundary: BOUNDARY,
    });
    expect(built.contentType).toBe(`multipart/byteranges; boundary=${BOUNDARY}`);
    const body = await collect(built.body);
    expect(body.byteLength).toBe(built.contentLength);
    const parts = parseMultipart(body, built.contentType);
    expect(parts).toHaveLength(ranges.length);
    parts.forEach((part, index) => {
      const range = ranges[index];
      expect(part.headers.get('content-type')).toBe('video/mp4');
      expect(part.headers.get('content-range')).toBe(`bytes ${range.start}-${range.end}/${LENGTH}`);
      expect([...part.headers.keys()]).toEqual(['content-type', 'content-range']);
      expect(part.bytes).toEqual(slice(range));
    });
  });

  it('matches the RFC example byte for byte', async () => {
    const text = (range: ByteRange) => 'x'.repeat(range.end - range.start + 1);
    const built = multipartByteranges({
      ranges: [
        { start: 0, end: 2 },
        { start: 7, end: 8 },
      ],
      contentType: 'text/plain; charset=utf-8',
      length: 10,
      openPart: async (range) => new Response(text(range)).body!,
      boundary: BOUNDARY,
    });
    const expected =
      `--${BOUNDARY}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Range: bytes 0-2/10\r\n\r\nxxx\r\n` +
      `--${BOUNDARY}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Range: bytes 7-8/10\r\n\r\nxx\r\n` +
      `--${BOUNDARY}--\r\n`;
    expect(new TextDecoder().decode(await collect(built.body))).toBe(expected);
    expect(built.contentLength).toBe(expected.length);
  });

  it('draws a fresh random boundary when none is given', async () => {
    const first = multipartByteranges({
      ranges,
      contentType: 'a/b',
      length: LENGTH,
      openPart: openFromBlob,
    });
    const second = multipartByteranges({
      ranges,
      contentType: 'a/b',
      length: LENGTH,
      openPart: openFromBlob,
    });
    expect(first.contentType).not.toBe(second.contentType);
    const body = await collect(first.body);
    expect(body.byteLength).toBe(first.contentLength);
    expect(parseMultipart(body, first.contentType).map((part) => part.bytes)).toEqual(
      ranges.map(slice),
    );
  });

  it('opens each part only when the reader reaches it, one at a time', async () => {
    const opened: ByteRange[] = [];
    let open = 0;
    let openMax = 0;
    const built = multipartByteranges({
      ranges,
      contentType: 'a/b',
      length: LENGTH,
      boundary: BOUNDARY,
      openPart: async (range) => {
        opened.push(range);
        open++;
        openMax = Math.max(openMax, open);
        const inner = chunked(slice(range), 300).getReader();
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { done, value } = await inner.read();
            if (done) {
              open--;
              controller.close();
            } else controller.enqueue(value);
          },
        });
      },
    });
    const reader = built.body.getReader();
    await Promise.resolve();
    expect(opened).toHaveLength(0); // nothing is read ahead
    const head = await reader.read(); // the first part's headers
    expect(new TextDecoder().decode(head.value)).toContain('Content-Range: bytes 0-0/5000');
    expect(opened).toHaveLength(0);
    await reader.read(); // its byte
    expect(opened).toEqual([ranges[0]]);
    await reader.read(); // the second part's headers
    expect(opened).toHaveLength(1);
    while (!(await reader.read()).done);
    expect(opened).toEqual(ranges);
    expect(openMax).toBe(1);
  });

  it('cancelling the body cancels the part being read, and opens no more', async () => {
    const logs: { cancelled?: unknown }[] = [];
    const built = multipartByteranges({
      ranges,
      contentType: 'a/b',
      length: LENGTH,
      boundary: BOUNDARY,
      openPart: async (range) => {
        const log = {};
        logs.push(log);
        return chunked(slice(range), 10, log);
      },
    });
    const reader = built.body.getReader();
    await reader.read(); // part 0 headers
    await reader.read(); // part 0 byte
    await reader.read(); // part 0 end, part 1 headers
    await reader.read(); // part 1, first chunk
    await reader.cancel('viewer closed');
    expect(logs).toHaveLength(2);
    expect(logs[0].cancelled).toBeUndefined(); // finished normally
    expect(logs[1].cancelled).toBe('viewer closed');
  });

  it('cancels a part whose opening was still pending at cancel time', async () => {
    let resolveOpen: (stream: ReadableStream<Uint8Array>) => void = () => {};
    let openCalled: () => void = () => {};
    const called = new Promise<void>((resolve) => (openCalled = resolve));
    const log: { cancelled?: unknown } = {};
    const built = multipartByteranges({
      ranges,
      contentType: 'a/b',
      length: LENGTH,
      boundary: BOUNDARY,
      openPart: () => {
        openCalled();
        return new Promise((resolve) => (resolveOpen = resolve));
      },
    });
    const reader = built.body.getReader();
    await reader.read(); // headers
    const pending = reader.read(); // waits on openPart
    await called;
    const cancelled = reader.cancel('gone');
    resolveOpen(chunked(slice(ranges[0]), 10, log));
    await cancelled;
    expect((await pending).done).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log.cancelled).toBe('gone');
  });

  it('errors the body when a part yields too few or too many bytes, or fails to open', async () => {
    const wrong = (delta: number) =>
      multipartByteranges({
        ranges,
        contentType: 'a/b',
        length: LENGTH,
        boundary: BOUNDARY,
        openPart: async (range) => chunked(blob.subarray(range.start, range.end + 1 + delta)),
      });
    await expect(collect(wrong(-1).body)).rejects.toThrow(/short/);
    await expect(collect(wrong(+1).body)).rejects.toThrow(/more bytes/);
    const failing = multipartByteranges({
      ranges,
      contentType: 'a/b',
      length: LENGTH,
      boundary: BOUNDARY,
      openPart: async () => {
        throw new Error('slivers unavailable');
      },
    });
    await expect(collect(failing.body)).rejects.toThrow('slivers unavailable');
  });

  it('refuses misuse', () => {
    const base = { ranges, contentType: 'a/b', length: LENGTH, openPart: openFromBlob };
    expect(() => multipartByteranges({ ...base, ranges: [ranges[0]] })).toThrow(RangeError);
    expect(() => multipartByteranges({ ...base, ranges: [] })).toThrow(RangeError);
    const outside = [ranges[0], { start: 4990, end: 5000 }];
    expect(() => multipartByteranges({ ...base, ranges: outside })).toThrow(RangeError);
    const backwards = [ranges[0], { start: 10, end: 9 }];
    expect(() => multipartByteranges({ ...base, ranges: backwards })).toThrow(RangeError);
    expect(() => multipartByteranges({ ...base, length: 0 })).toThrow(RangeError);
    for (const contentType of ['', 'a/b\r\nX-Evil: 1', 'a/b ', 'caf\u00e9/x']) {
      expect(() => multipartByteranges({ ...base, contentType }), contentType).toThrow(TypeError);
    }
    for (const boundary of [
      'short',
      'x'.repeat(BOUNDARY_CHARS_MIN - 1),
      'x'.repeat(BOUNDARY_CHARS_MAX + 1),
      `${'x'.repeat(BOUNDARY_CHARS_MIN)} y`,
      `${'x'.repeat(BOUNDARY_CHARS_MIN)}"`,
    ]) {
      expect(() => multipartByteranges({ ...base, boundary }), boundary).toThrow(TypeError);
    }
  });
});

describe('randomBoundary', () => {
  it('is 32 base64url characters from Web Crypto, or from the given source', () => {
    const boundary = randomBoundary();
    expect(boundary).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(randomBoundary()).not.toBe(boundary);
    expect(randomBoundary((bytes) => bytes.fill(0xff))).toBe('_'.repeat(32));
    expect(randomBoundary((bytes) => bytes.fill(0))).toBe('A'.repeat(32));
  });
});
