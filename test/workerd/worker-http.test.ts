/**
 * The read API's HTTP semantics (unit level, `worker.fetch` with an env of its own) against the
 * main devnet: CORS, content types per format, multipart/byteranges, Walrus's byte-range route,
 * preconditions, a misconfigured Worker, concurrent misses and a permanent blob's caching. It
 * publishes with its own wallet (`publisherSecretKeys[2]`, see DevnetValues).
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from '../helpers/random.js';
import type { Env } from '../../workers/index.js';
import {
  CACHE_CONTROL_DELETABLE,
  CACHE_CONTROL_PERMANENT,
  CACHE_CONTROL_UNCERTIFIED,
  CORS_EXPOSED_HEADERS,
  unknownBlobId,
} from './helpers.js';
import {
  ORIGIN,
  type Reply,
  type Stored,
  awaitCertified,
  awaitNodesCertified,
  blobUrl,
  chainOf,
  devnetEnv,
  expectBlobHeaders,
  expectBytes,
  get,
  head,
  parseMultipart,
  reasonOf,
  storeBlob,
  unitCall,
} from './worker-harness.js';

const devnet = inject('devnet');
const env = devnetEnv(devnet, 2);
const call = unitCall(env);
const OCTET_STREAM = 'application/octet-stream';
const EXPOSED = CORS_EXPOSED_HEADERS;
const FOREIGN_ORIGIN = 'https://app.example.org';

/** Shared by the tests that only read: ~100 KB of seeded random bytes, certified. */
let shared: Stored;
const SHARED_BYTES = 100_003;

beforeAll(async () => {
  shared = await storeBlob(call, randomBytes(SHARED_BYTES, 0x4177));
  // HEADs only: the bytes stay unread until the first test below reads them.
  await awaitCertified(call, shared.blobId, CACHE_CONTROL_DELETABLE, CACHE_CONTROL_UNCERTIFIED);
});

function expectCors(reply: Reply, label = ''): void {
  expect(reply.headers.get('access-control-allow-origin'), label).toBe('*');
  expect(reply.headers.get('access-control-expose-headers'), label).toBe(EXPOSED);
}

describe('multiple ranges (multipart/byteranges)', () => {
  /** Parses the reply and checks every part against the blob's bytes. */
  async function expectParts(reply: Reply, expected: [start: number, end: number][]) {
    expect(reply.status).toBe(206);
    expect(reply.headers.get('content-range')).toBeNull();
    expect(reply.headers.get('content-length')).toBe(String(reply.body.length));
    expect(reply.headers.get('etag')).toBe(`"${shared.blobId}"`);
    const parts = parseMultipart(reply.body, reply.headers.get('content-type')!);
    expect(parts.map((part) => [part.contentType, part.contentRange])).toEqual(
      expected.map(([start, end]) => [OCTET_STREAM, `bytes ${start}-${end}/${SHARED_BYTES}`]),
    );
    for (const [index, [start, end]] of expected.entries()) {
      await expectBytes(parts[index].body, shared.bytes.subarray(start, end + 1), `part ${index}`);
    }
  }

  const L = SHARED_BYTES;
  const cases: [range: string, parts: [number, number][]][] = [
    [
      'bytes=0-99,50000-50099,-100',
      [
        [0, 99],
        [50_000, 50_099],
        [L - 100, L - 1],
      ],
    ],
    // Overlapping ranges are merged; the parts come sorted.
    [
      'bytes=20000-20099,500-999,700-1499',
      [
        [500, 1499],
        [20_000, 20_099],
      ],
    ],
    // Adjacent ranges and ranges within 80 bytes of each other are one part.
    [
      'bytes=30000-30099,100-199,200-299,340-399',
      [
        [100, 399],
        [30_000, 30_099],
      ],
    ],
    // An end past the blob is clipped.
    [
      `bytes=0-0,${L - 10}-${L + 100}`,
      [
        [0, 0],
        [L - 10, L - 1],
      ],
    ],
  ];

  it('answers each part with its Content-Range and bytes, from nodes and from cache', async () => {
    // First from the nodes (the shared blob's bytes were never read), then from the whole object.
    for (const [range, parts] of cases)
      await expectParts(await call(get(shared.blobId, { range })), parts);
    const full = await call(get(shared.blobId));
    await expectBytes(full.body, shared.bytes);
    for (const [range, parts] of cases)
      await expectParts(await call(get(shared.blobId, { range })), parts);
  });

  it('sends ranges coalescing into one as a plain 206, ≥ 80 % coverage as a 200', async () => {
    const single = await call(get(shared.blobId, { range: 'bytes=0-9,50-59' }));
    expect(single.status).toBe(206);
    expect(single.headers.get('content-type')).toBe(OCTET_STREAM);
    expect(single.headers.get('content-range')).toBe(`bytes 0-59/${SHARED_BYTES}`);
    expect(single.headers.get('content-length')).toBe('60');
    await expectBytes(single.body, shared.bytes.subarray(0, 60));

    const most = await call(get(shared.blobId, { range: 'bytes=0-49999,50100-' }));
    expect(most.status).toBe(200);
    expect(most.headers.get('content-range')).toBeNull();
    expectBlobHeaders(most, {
      etag: `"${shared.blobId}"`,
      cacheControl: CACHE_CONTROL_DELETABLE,
      contentType: OCTET_STREAM,
      contentLength: SHARED_BYTES,
    });
    await expectBytes(most.body, shared.bytes);
  });
});

describe('CORS', () => {
  it('answers a foreign preflight for GET with Range, If-None-Match and If-Range', async () => {
    const requested = 'range, if-none-match, if-range';
    const reply = await call(
      new Request(blobUrl(shared.blobId), {
        method: 'OPTIONS',
        headers: {
          origin: FOREIGN_ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': requested,
        },
      }),
    );
    expect(reply.status).toBe(204);
    expect(reply.body.length).toBe(0);
    expectCors(reply);
    expect(reply.headers.get('access-control-allow-methods')).toBe(
      'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS',
    );
    expect(reply.headers.get('access-control-allow-headers')).toBe(requested);
    expect(reply.headers.get('access-control-max-age')).toBe('86400');
  });

  it('gives reads with an Origin, and errors, the allow-origin and expose headers', async () => {
    const origin = { origin: FOREIGN_ORIGIN };
    const full = await call(get(shared.blobId, origin));
    expect(full.status).toBe(200);
    expectCors(full, 'GET');
    await expectBytes(full.body, shared.bytes);

    const ranged = await call(get(shared.blobId, { ...origin, range: 'bytes=-10' }));
    expect(ranged.status).toBe(206);
    expectCors(ranged, 'Range');
    expect(ranged.headers.get('content-range')).toBe(
      `bytes ${SHARED_BYTES - 10}-${SHARED_BYTES - 1}/${SHARED_BYTES}`,
    );

    const notModified = await call(
      get(shared.blobId, { ...origin, 'if-none-match': `"${shared.blobId}"` }),
    );
    expect(notModified.status).toBe(304);
    expectCors(notModified, '304');

    const missing = await call(get(unknownBlobId(), origin));
    expect(missing.status).toBe(404);
    expectCors(missing, '404');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(await reasonOf(missing)).toBe('BLOB_NOT_FOUND');

    const noRoute = await call(new Request(`${ORIGIN}/v2/nothing`, { headers: origin }));
    expect(noRoute.status).toBe(404);
    expectCors(noRoute, 'no route');
    expect(await reasonOf(noRoute)).toBe('NOT_FOUND');

    const wrongMethod = await call(
      new Request(blobUrl(shared.blobId), { method: 'DELETE', headers: origin }),
    );
    expect(wrongMethod.status).toBe(405);
    expectCors(wrongMethod, '405');
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await reasonOf(wrongMethod)).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('Walrus’s byte-range route', () => {
  const byteRange = (query: string, init: RequestInit = {}) =>
    new Request(`${ORIGIN}/v1/blobs/${shared.blobId}/byte-range?${query}`, init);

  it('answers 200, the bytes asked for (clipped at the end), an ETag of their own', async () => {
    const L = SHARED_BYTES;
    const cases: [start: number, length: number, served: number][] = [
      [10, 100, 100],
      [0, L, L],
      [L - 1, 1, 1],
      [L - 10, 100, 10], // past the end: clipped
    ];
    for (const [start, length, served] of cases) {
      const label = `start=${start}&length=${length}`;
      const reply = await call(byteRange(label));
      expect(reply.status, label).toBe(200);
      expectBlobHeaders(
        reply,
        {
          etag: `"${shared.blobId}-${start}-${served}"`,
          cacheControl: CACHE_CONTROL_DELETABLE,
          contentType: OCTET_STREAM,
          contentLength: served,
        },
        label,
      );
      expect(reply.headers.get('content-range'), label).toBeNull();
      await expectBytes(reply.body, shared.bytes.subarray(start, start + served), label);
    }

    // A HEAD gives the headers; a Range header does not turn the route into a 206; its own tag
    // revalidates.
    const headed = await call(byteRange('start=10&length=100', { method: 'HEAD' }));
    expect(headed.status).toBe(200);
    expect(headed.headers.get('content-length')).toBe('100');
    expect(headed.headers.get('etag')).toBe(`"${shared.blobId}-10-100"`);
    expect(headed.body.length).toBe(0);
    const ranged = await call(
      byteRange('start=10&length=100', { headers: { range: 'bytes=0-0' } }),
    );
    expect(ranged.status).toBe(200);
    await expectBytes(ranged.body, shared.bytes.subarray(10, 110));
    const revalidated = await call(
      byteRange('start=10&length=100', {
        headers: { 'if-none-match': `"${shared.blobId}-10-100"` },
      }),
    );
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(`"${shared.blobId}-10-100"`);
  });

  it('answers 400 INVALID_BYTE_RANGE to missing, malformed, zero or past-end values', async () => {
    const L = SHARED_BYTES;
    for (const query of [
      '',
      'start=0',
      'length=10',
      'start=0&length=0',
      'start=-1&length=10',
      'start=abc&length=10',
      'start=1.5&length=10',
      'start=0&length=1e3',
      'start=0&length=',
      `start=${L}&length=1`,
      `start=${L + 5}&length=1`,
    ]) {
      const reply = await call(byteRange(query));
      expect(reply.status, query).toBe(400);
      expect(reply.headers.get('cache-control'), query).toBe('no-store');
      expect(await reasonOf(reply), query).toBe('INVALID_BYTE_RANGE');
    }
  });
});

describe('preconditions', () => {
  it('answers If-None-Match: * on a blob nobody stored with 404, not 304', async () => {
    for (const method of ['GET', 'HEAD']) {
      const reply = await call(
        new Request(blobUrl(unknownBlobId()), { method, headers: { 'if-none-match': '*' } }),
      );
      expect(reply.status, method).toBe(404);
      expect(reply.headers.get('etag'), method).toBeNull();
      if (method === 'GET') expect(await reasonOf(reply)).toBe('BLOB_NOT_FOUND');
    }
  });

  it('answers If-Match with another tag 412, and serves the blob when it matches', async () => {
    const etag = `"${shared.blobId}"`;
    for (const ifMatch of ['"another"', `W/${etag}`, `"x", W/${etag}`]) {
      for (const range of [undefined, 'bytes=0-9']) {
        const headers: Record<string, string> = { 'if-match': ifMatch };
        if (range !== undefined) headers.range = range;
        const reply = await call(get(shared.blobId, headers));
        expect(reply.status, ifMatch).toBe(412);
        expect(reply.headers.get('etag'), ifMatch).toBe(etag);
        expect(reply.headers.get('cache-control'), ifMatch).toBe('no-store');
        expect(reply.body.length, ifMatch).toBe(0);
      }
    }
    for (const ifMatch of [etag, '*', `"x", ${etag}`]) {
      const reply = await call(get(shared.blobId, { 'if-match': ifMatch }));
      expect(reply.status, ifMatch).toBe(200);
      await expectBytes(reply.body, shared.bytes, ifMatch);
    }
  });

  it('honours Range under If-Range only with the strong ETag', async () => {
    const etag = `"${shared.blobId}"`;
    const ranged = await call(get(shared.blobId, { range: 'bytes=0-9', 'if-range': etag }));
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-9/${SHARED_BYTES}`);
    await expectBytes(ranged.body, shared.bytes.subarray(0, 10));
    for (const ifRange of [`W/${etag}`, '"another"', 'Tue, 01 Jan 2030 00:00:00 GMT']) {
      const full = await call(get(shared.blobId, { range: 'bytes=0-9', 'if-range': ifRange }));
      expect(full.status, ifRange).toBe(200);
      expect(full.headers.get('content-range'), ifRange).toBeNull();
      await expectBytes(full.body, shared.bytes, ifRange);
    }
  });
});

describe('content types', () => {
  const encoder = new TextEncoder();
  /** A format's real leading bytes, then seeded random bytes (binary formats). */
  const withTail = (leading: number[] | string, seed: number, tailBytes = 2_000) => {
    const lead = typeof leading === 'string' ? encoder.encode(leading) : Uint8Array.from(leading);
    const out = new Uint8Array(lead.length + tailBytes);
    out.set(lead);
    out.set(randomBytes(tailBytes, seed), lead.length);
    return out;
  };
  const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0));
  /** Bytes written as hex digits, spaces ignored. */
  const hex = (digits: string) =>
    Array.from(digits.replaceAll(' ', '').match(/../g)!, (pair) => parseInt(pair, 16));

  const formats: [name: string, bytes: Uint8Array, contentType: string, sandboxed: boolean][] = [
    [
      'PNG',
      // Signature, then the IHDR chunk of a 1×1 RGBA image.
      withTail(hex('89504e470d0a1a0a 0000000d 49484452 00000001 00000001 0806000000'), 1),
      'image/png',
      false,
    ],
    [
      'JPEG',
      withTail(
        [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...ascii('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0],
        2,
      ),
      'image/jpeg',
      false,
    ],
    ['GIF', withTail([...ascii('GIF89a'), 1, 0, 1, 0, 0x80, 0, 0], 3), 'image/gif', false],
    [
      'WebP',
      withTail([...ascii('RIFF'), 0xf4, 0x07, 0, 0, ...ascii('WEBPVP8 '), 0xe8, 0x07, 0, 0], 4),
      'image/webp',
      false,
    ],
    [
      'MP4',
      // A 32-byte ftyp box: major brand isom, minor version 0x200, four compatible brands.
      withTail(hex('00000020 66747970 69736f6d 00000200 69736f6d69736f3261766331 6d703431'), 5),
      'video/mp4',
      false,
    ],
    [
      'PDF',
      withTail('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 6),
      'application/pdf',
      false,
    ],
    [
      'wasm',
      withTail([0x00, ...ascii('asm'), 1, 0, 0, 0, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00], 7),
      'application/wasm',
      false,
    ],
    [
      'JSON',
      encoder.encode('{"name": "walrus", "sizes": [1, 22, 333], "edge": true}\n'),
      'application/json',
      false,
    ],
    [
      'plain text',
      encoder.encode('Walrus stores blobs.\nThis one is plain text, in UTF-8: ü, ✓.\n'),
      'text/plain; charset=utf-8',
      false,
    ],
    ['random binary', randomBytes(3_000, 0xb1), OCTET_STREAM, false],
    [
      'HTML',
      encoder.encode(
        '<!DOCTYPE html>\n<html><head><title>x</title></head>' +
          '<body><script>alert(1)</script></body></html>\n',
      ),
      'text/html',
      true,
    ],
    [
      'SVG',
      encoder.encode(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">' +
          '<script>alert(1)</script></svg>\n',
      ),
      'image/svg+xml',
      true,
    ],
  ];

  it('sends each format’s sniffed type with nosniff, and sandboxes HTML and SVG', async () => {
    const stored: Stored[] = [];
    for (const [, bytes] of formats) stored.push(await storeBlob(call, bytes));
    for (const [index, [name, bytes, contentType, sandboxed]] of formats.entries()) {
      const { blobId } = stored[index];
      // Before any byte is read, a HEAD does not know the type (it never fetches slivers).
      const before = await awaitCertified(
        call,
        blobId,
        CACHE_CONTROL_DELETABLE,
        CACHE_CONTROL_UNCERTIFIED,
      );
      expect(before.headers.get('content-type'), name).toBeNull();

      const expected = {
        etag: `"${blobId}"`,
        cacheControl: CACHE_CONTROL_DELETABLE,
        contentType,
        sandboxed,
      };
      const reply = await call(get(blobId));
      expect(reply.status, name).toBe(200);
      expectBlobHeaders(reply, { ...expected, contentLength: bytes.length }, name);
      await expectBytes(reply.body, bytes, name);
      // The type is the blob's, whatever the request: a HEAD now, and a 206.
      const after = await call(head(blobId));
      expectBlobHeaders(after, { ...expected, contentLength: bytes.length }, `${name} HEAD`);
      const part = await call(get(blobId, { range: 'bytes=1-4' }));
      expect(part.status, name).toBe(206);
      expectBlobHeaders(part, { ...expected, contentLength: 4 }, `${name} 206`);
      await expectBytes(part.body, bytes.subarray(1, 5), `${name} 206`);
    }
  });
});

describe('a misconfigured Worker', () => {
  const misconfigured: [variable: keyof Env, value: string][] = [
    ['PUBLISHER_BODY_BYTES_MAX', 'abc'],
    ['PUBLISHER_BODY_BYTES_MAX', '-1'],
    ['PUBLISHER_BODY_BYTES_MAX', '1e6'],
    ['PUBLISHER_BODY_BYTES_MAX', String(512 * 1024 * 1024)],
    ['DELETABLE_STATUS_TTL_S', '0'],
    ['DELETABLE_STATUS_TTL_S', '3601'],
    ['DELETABLE_STATUS_TTL_S', '60s'],
    ['ATTRIBUTE_HEADERS', 'content-type,bad header'],
  ];

  it.each(misconfigured)(
    'answers 500 WORKER_MISCONFIGURED with %s=%j, never running without it',
    async (variable, value) => {
      const broken = unitCall(devnetEnv(devnet, 2, { [variable]: value }));
      const requests = [
        new Request(`${ORIGIN}/v1/blobs?epochs=1`, { method: 'PUT', body: 'never stored' }),
        get(shared.blobId),
        head(shared.blobId),
        new Request(`${ORIGIN}/v1/blobs/${shared.blobId}/byte-range?start=0&length=1`),
      ];
      for (const request of requests) {
        const label = `${request.method} ${new URL(request.url).pathname}`;
        const reply = await broken(request);
        expect(reply.status, label).toBe(500);
        expect(reply.headers.get('cache-control'), label).toBe('no-store');
        expectCors(reply, label);
        if (request.method !== 'HEAD') {
          expect(await reasonOf(reply), label).toBe('WORKER_MISCONFIGURED');
          expect(reply.text(), label).toContain(variable);
        }
      }
    },
  );
});

describe('concurrent misses', () => {
  it('answers ~10 concurrent GETs of a fresh blob with its exact bytes', async () => {
    const bytes = randomBytes(1_000_003, 0xc0c0);
    const { blobId } = await storeBlob(call, bytes);
    // Asked of the nodes: the Worker has seen nothing of this blob, not even its metadata.
    await awaitNodesCertified(devnet, blobId);
    const replies = await Promise.all(Array.from({ length: 10 }, () => call(get(blobId))));
    for (const [index, reply] of replies.entries()) {
      expect(reply.status, `GET ${index}`).toBe(200);
      expectBlobHeaders(
        reply,
        {
          etag: `"${blobId}"`,
          cacheControl: CACHE_CONTROL_DELETABLE,
          contentType: OCTET_STREAM,
          contentLength: bytes.length,
        },
        `GET ${index}`,
      );
      await expectBytes(reply.body, bytes, `GET ${index}`);
    }
  });
});

describe('a permanent blob', () => {
  it('is immutable for no longer than its storage is paid for', async () => {
    const epochs = 2;
    const stored = await storeBlob(
      call,
      randomBytes(5_000, 0x9e9e),
      `epochs=${epochs}&permanent=true`,
    );
    expect(stored.blobObject.deletable).toBe(false);
    await awaitCertified(call, stored.blobId, CACHE_CONTROL_PERMANENT, CACHE_CONTROL_UNCERTIFIED);
    const system = await chainOf(devnet).readSystem({ fresh: true });
    const epochMs = system.epochDurationMs;
    const endEpoch = stored.blobObject.storage.endEpoch;
    expect(endEpoch).toBe(system.epoch + epochs);
    // workers/blob-info.ts's bound: the current epoch ends no sooner than its start plus one epoch,
    // and every later epoch until endEpoch lasts one epoch.
    const state = system.epochState;
    const maxAgeAt = (nowMs: number) => {
      const currentEndMs =
        state.kind === 'sync' ? nowMs : Math.max(nowMs, state.completedMs + epochMs);
      const expiresMs = currentEndMs + Math.max(0, endEpoch - system.epoch - 1) * epochMs;
      return Math.floor((expiresMs - nowMs) / 1000);
    };

    const routes: [string, Request][] = [
      ['GET by blob ID', get(stored.blobId)],
      ['HEAD by blob ID', head(stored.blobId)],
      ['GET by object ID', new Request(`${ORIGIN}/v1/blobs/by-object-id/${stored.objectId}`)],
    ];
    for (const [label, request] of routes) {
      const beforeMs = Date.now();
      const reply = await call(request);
      const afterMs = Date.now();
      expect(reply.status, label).toBe(200);
      const maxAge = Number(
        CACHE_CONTROL_PERMANENT.exec(reply.headers.get('cache-control') ?? '')?.[1],
      );
      expect(maxAge, label).toBeGreaterThanOrEqual(maxAgeAt(afterMs));
      expect(maxAge, label).toBeLessThanOrEqual(maxAgeAt(beforeMs));
      expect(maxAge, label).toBeLessThanOrEqual((epochs * epochMs) / 1000);
      expect(maxAge, label).toBeGreaterThan(0);
      if (request.method === 'GET') await expectBytes(reply.body, stored.bytes, label);
    }
  });
});
