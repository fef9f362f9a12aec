/**
 * Upload sessions end to end (integration level: `exports.default.fetch`, the Worker with the
 * workers project's bindings: its UploadSession and PublisherWallet Durable Objects, its R2 staging
 * bucket, the main devnet's chain and nodes). Every error code of the API, tus uploads in several
 * PATCHes with a resume after a body that broke off, a plain PUT, status as JSON and as events up to
 * `certified`, the blob read back from the aggregator byte for byte and its ID equal to our
 * encoder's, termination, expiry (the alarm deletes what was staged), and one key's sessions
 * invisible to another.
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { randomBytes } from '../helpers/random.js';
import { SECOND_UPLOAD_API_KEY } from './devnet-values.js';
import { errorReason, expectedBlobId } from './helpers.js';
import {
  OCTETS,
  TUS,
  awaitFinal,
  brokenBody,
  createSession,
  headOffset,
  patch,
  readEvents,
  sessionRequest,
  status,
  tusCreate,
  tusUpload,
} from './session-client.js';
import { signUploadToken } from '../../workers/upload-tokens.js';
import { UPLOAD_SESSION_BYTES_DEFAULT } from '../../workers/env.js';
import { ORIGIN } from './blob-api-suite.js';

const devnet = inject('devnet');
const KEY = devnet.uploadApiKey;
const send = (request: Request) => exports.default.fetch(request);

async function expectError(response: Response, status: number, reason: string) {
  expect(response.status, await response.clone().text()).toBe(status);
  expect(await errorReason(response.clone())).toBe(reason);
}

/** A HEAD error has no body: its status, and no Upload-Offset (tus: unknown or gone uploads). */
async function expectHeadError(uploadUrl: string, status: number) {
  const response = await send(new Request(uploadUrl, { method: 'HEAD', headers: TUS }));
  expect(response.status).toBe(status);
  expect(response.headers.get('upload-offset')).toBeNull();
  expect(response.headers.get('tus-resumable')).toBe('1.0.0');
}

/** The aggregator's bytes of `blobId` equal `bytes`, and the ID is our encoder's. */
async function expectStored(blobId: string, bytes: Uint8Array) {
  expect(blobId).toBe(expectedBlobId(bytes, devnet.nShards));
  const read = await send(new Request(`${ORIGIN}/v1/blobs/${blobId}`));
  expect(read.status).toBe(200);
  expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);
}

async function stagedKeys(sessionId: string): Promise<string[]> {
  const listed = await env.UPLOAD_STAGING!.list({ prefix: `${sessionId}/` });
  return listed.objects.map((object) => object.key);
}

describe('POST /v1/upload-sessions', () => {
  it('answers 401 without a key or with a wrong one', async () => {
    await expectError(
      await send(sessionRequest(null, { epochs: 1, maxBytes: 10 })),
      401,
      'API_KEY_REQUIRED',
    );
    const wrong = await send(sessionRequest(`${KEY}x`, { epochs: 1, maxBytes: 10 }));
    await expectError(wrong, 401, 'INVALID_API_KEY');
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 400 with a reason for each bad body', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON/],
      [[1], /object/],
      [{ maxBytes: 10 }, /epochs is required/],
      [{ epochs: 1 }, /maxBytes is required/],
      [{ epochs: 0, maxBytes: 10 }, /epochs must be an integer from 1 to 53/],
      [{ epochs: 1.5, maxBytes: 10 }, /epochs/],
      [{ epochs: 1, maxBytes: 0 }, /maxBytes/],
      [{ epochs: 1, maxBytes: 10, colour: 'red' }, /unknown field "colour"/],
      [{ epochs: 1, maxBytes: 10, deletable: 'yes' }, /deletable/],
      [{ epochs: 1, maxBytes: 10, sendObjectTo: '0x12' }, /sendObjectTo/],
      [{ epochs: 1, maxBytes: 10, expiresIn: 5 }, /expiresIn/],
      [{ epochs: 1, maxBytes: 10, attributes: { a: 1 } }, /attribute "a"/],
      [{ epochs: 1, maxBytes: 10, attributes: 'x' }, /attributes must be an object/],
      [{ epochs: 1, maxBytes: UPLOAD_SESSION_BYTES_DEFAULT + 1 }, /exceeds/],
    ];
    for (const [body, message] of cases) {
      const response = await send(sessionRequest(KEY, body));
      await expectError(response, 400, 'INVALID_SESSION_REQUEST');
      const { error } = (await response.json()) as { error: { message: string } };
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
  });

  it('creates a session: 201 with its URLs, expiry and limit', async () => {
    const before = Date.now();
    const created = await createSession(send, KEY, { epochs: 2, maxBytes: 1000, expiresIn: 600 });
    expect(created.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.uploadEndpoint.startsWith(`${ORIGIN}/v1/uploads/${created.sessionId}.`)).toBe(
      true,
    );
    expect(
      created.statusUrl.startsWith(`${ORIGIN}/v1/upload-sessions/${created.sessionId}/status/`),
    ).toBe(true);
    expect(created.maxBytes).toBe(1000);
    const expiresAt = Date.parse(created.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(await status(send, created.statusUrl)).toEqual({
      state: 'created',
      bytesReceived: 0,
      uploadLength: null,
    });
    // The session's upload page (test/workerd/upload-page.test.ts; in Chromium, test/browser/).
    expect((await send(new Request(created.pageUrl))).status).toBe(200);
  });
});

describe('the tus upload endpoint', () => {
  it('answers discovery and CORS preflights as tus-js-client needs', async () => {
    const created = await createSession(send, KEY, { epochs: 1, maxBytes: 5000 });
    const options = await send(new Request(created.uploadEndpoint, { method: 'OPTIONS' }));
    expect(options.status).toBe(204);
    expect(options.headers.get('tus-version')).toBe('1.0.0');
    expect(options.headers.get('tus-extension')).toBe(
      'creation,creation-with-upload,expiration,termination',
    );
    expect(options.headers.get('tus-max-size')).toBe('5000');
    const preflight = await send(
      new Request(created.uploadEndpoint, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'tus-resumable,upload-offset,content-type',
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/upload-offset/);
    const exposed = preflight.headers.get('access-control-expose-headers')!;
    for (const header of [
      'Location',
      'Upload-Offset',
      'Upload-Length',
      'Tus-Resumable',
      'Tus-Version',
    ]) {
      expect(exposed).toContain(header);
    }
  });

  it('refuses bad creations: 412, 413, 401 tampered, 404 foreign, 403 second use, 410 expired', async () => {
    const created = await createSession(send, KEY, { epochs: 1, maxBytes: 5000 });
    const post = (url: string, headers: Record<string, string>) =>
      send(new Request(url, { method: 'POST', headers }));
    await expectError(
      await post(created.uploadEndpoint, { 'upload-length': '10' }),
      412,
      'TUS_VERSION_UNSUPPORTED',
    );
    await expectError(
      await post(created.uploadEndpoint, { ...TUS, 'upload-length': '5001' }),
      413,
      'UPLOAD_TOO_LARGE',
    );
    await expectError(await post(created.uploadEndpoint, TUS), 400, 'UPLOAD_LENGTH_REQUIRED');
    // One character of the MAC changed; and the expiry moved later under the same MAC.
    const tampered = created.uploadEndpoint.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    await expectError(
      await post(tampered, { ...TUS, 'upload-length': '10' }),
      401,
      'INVALID_UPLOAD_TOKEN',
    );
    const moved = created.uploadEndpoint.replace(/\.(\d+)\./, (_, s) => `.${Number(s) + 1}.`);
    await expectError(
      await post(moved, { ...TUS, 'upload-length': '10' }),
      401,
      'INVALID_UPLOAD_TOKEN',
    );
    // A well-signed token of a session that was never created.
    const foreign = await signUploadToken(devnet.uploadTokenSecret, {
      sessionId: 'ab'.repeat(16),
      expiresAtS: Math.floor(Date.now() / 1000) + 600,
    });
    await expectError(
      await post(`${ORIGIN}/v1/uploads/${foreign}`, { ...TUS, 'upload-length': '10' }),
      404,
      'SESSION_NOT_FOUND',
    );
    const expired = await signUploadToken(devnet.uploadTokenSecret, {
      sessionId: created.sessionId,
      expiresAtS: Math.floor(Date.now() / 1000) - 1,
    });
    await expectError(
      await post(`${ORIGIN}/v1/uploads/${expired}`, { ...TUS, 'upload-length': '10' }),
      410,
      'SESSION_EXPIRED',
    );
    const uploadUrl = await tusCreate(send, created.uploadEndpoint, 100);
    expect(uploadUrl).toBe(`${created.uploadEndpoint}/upload`);
    await expectError(
      await post(created.uploadEndpoint, { ...TUS, 'upload-length': '100' }),
      403,
      'UPLOAD_ENDPOINT_USED',
    );
    const put = await send(new Request(created.uploadEndpoint, { method: 'PUT', body: 'x' }));
    await expectError(put, 403, 'UPLOAD_ENDPOINT_USED');
  });

  it('refuses bad PATCHes: 409 offset, 415 type, 413 past the length; 404 before creation', async () => {
    const created = await createSession(send, KEY, { epochs: 1, maxBytes: 5000 });
    const early = await send(patch(`${created.uploadEndpoint}/upload`, 0, new Uint8Array(3)));
    await expectError(early, 404, 'UPLOAD_NOT_FOUND');
    const uploadUrl = await tusCreate(send, created.uploadEndpoint, 100);
    await expectError(await send(patch(uploadUrl, 5, new Uint8Array(3))), 409, 'OFFSET_MISMATCH');
    const typed = await send(
      new Request(uploadUrl, {
        method: 'PATCH',
        headers: { ...TUS, 'upload-offset': '0', 'content-type': 'application/octet-stream' },
        body: new Uint8Array(3),
      }),
    );
    await expectError(typed, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(
      await send(patch(uploadUrl, 0, new Uint8Array(101))),
      413,
      'UPLOAD_TOO_LARGE',
    );
    expect(await headOffset(send, uploadUrl)).toBe(0);
  });

  it('takes a blob in several PATCHes, resumes after a body that broke off, and certifies it', async () => {
    const bytes = randomBytes(300_007, 0x7a5);
    const created = await createSession(send, KEY, {
      epochs: 2,
      maxBytes: bytes.length,
      attributes: { 'content-type': 'application/x-test' },
    });
    const events = send(
      new Request(created.statusUrl, { headers: { accept: 'text/event-stream' } }),
    );
    // creation-with-upload carries the first 50 000 bytes.
    const created201 = await send(
      new Request(created.uploadEndpoint, {
        method: 'POST',
        headers: {
          ...OCTETS,
          'upload-length': String(bytes.length),
          'upload-metadata': 'filename dGVzdC5iaW4=',
        },
        body: bytes.slice(0, 50_000),
      }),
    );
    expect(created201.status).toBe(201);
    expect(created201.headers.get('upload-offset')).toBe('50000');
    expect(created201.headers.get('upload-expires')).toBe(
      new Date(created.expiresAt).toUTCString(),
    );
    const uploadUrl = created201.headers.get('location')!;
    let offset = await tusUpload(send, uploadUrl, bytes.subarray(0, 120_000), 50_000, 35_000);
    expect(offset).toBe(120_000);
    // A PATCH whose connection drops after 40 000 more bytes: what arrived is kept.
    const broken = await send(
      patch(uploadUrl, offset, brokenBody(bytes.slice(offset, offset + 40_000))),
    ).catch((error: unknown) => error);
    expect(broken).toBeDefined();
    offset = await headOffset(send, uploadUrl);
    expect(offset).toBeGreaterThanOrEqual(120_000);
    expect(offset).toBeLessThanOrEqual(160_000);
    const head = await send(new Request(uploadUrl, { method: 'HEAD', headers: TUS }));
    expect(head.headers.get('upload-length')).toBe(String(bytes.length));
    expect(head.headers.get('upload-metadata')).toBe('filename dGVzdC5iaW4=');
    expect(await tusUpload(send, uploadUrl, bytes, offset, 64_000)).toBe(bytes.length);

    const final = await awaitFinal(send, created.statusUrl);
    expect(final.state, final.error).toBe('certified');
    expect(final.bytesReceived).toBe(bytes.length);
    expect(final.uploadLength).toBe(bytes.length);
    expect(final.blobObjectId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(final.certifiedEpoch).toBeGreaterThanOrEqual(1);
    await expectStored(final.blobId!, bytes);
    // Staging is gone once the blob is on Walrus.
    expect(await stagedKeys(created.sessionId)).toEqual([]);
    // The attributes are on the Blob object: by-object-id reads turn them into headers.
    const byObject = await send(
      new Request(`${ORIGIN}/v1/blobs/by-object-id/${final.blobObjectId}`),
    );
    expect(byObject.headers.get('content-type')).toBe('application/x-test');
    await byObject.arrayBuffer();

    // The event stream saw the states in order and ended at `certified`.
    const seen = await readEvents((await events).body!);
    const order = ['created', 'uploading', 'encoding', 'storing', 'certified'];
    const states = seen.map((event) => order.indexOf(event.state));
    expect(states.every((state) => state >= 0)).toBe(true);
    expect([...states].sort((a, b) => a - b)).toEqual(states);
    expect(seen.at(-1)).toEqual(final);
    expect(
      seen.some((event) => event.state === 'uploading' && event.bytesReceived === 120_000),
    ).toBe(true);
  });

  it('takes a plain PUT of the whole body', async () => {
    const bytes = randomBytes(70_001, 0x9e7);
    const created = await createSession(send, KEY, {
      epochs: 1,
      maxBytes: 100_000,
      deletable: false,
    });
    const put = await send(new Request(created.uploadEndpoint, { method: 'PUT', body: bytes }));
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await put.json()) as { bytesReceived: number }).bytesReceived).toBe(bytes.length);
    const final = await awaitFinal(send, created.statusUrl);
    expect(final.state, final.error).toBe('certified');
    await expectStored(final.blobId!, bytes);
    // A final state's event stream gives that state and ends.
    const events = await send(
      new Request(created.statusUrl, { headers: { accept: 'text/event-stream' } }),
    );
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await readEvents(events.body!)).toEqual([final]);
  });

  it('terminates an upload: 204, its staging deleted, then 410', async () => {
    const created = await createSession(send, KEY, { epochs: 1, maxBytes: 5000 });
    const uploadUrl = await tusCreate(send, created.uploadEndpoint, 4000);
    expect(await tusUpload(send, uploadUrl, new Uint8Array(1000).fill(7), 0, 1000)).toBe(1000);
    expect(await stagedKeys(created.sessionId)).toHaveLength(1);
    const deleted = await send(new Request(uploadUrl, { method: 'DELETE', headers: TUS }));
    expect(deleted.status).toBe(204);
    expect(await stagedKeys(created.sessionId)).toEqual([]);
    await expectHeadError(uploadUrl, 410);
    await expectError(await send(patch(uploadUrl, 1000, new Uint8Array(3))), 410, 'SESSION_ENDED');
    expect((await status(send, created.statusUrl)).state).toBe('failed');
  });

  it('expires an abandoned session: the alarm deletes what it staged', async () => {
    const created = await createSession(send, KEY, { epochs: 1, maxBytes: 5000, expiresIn: 10 });
    const uploadUrl = await tusCreate(send, created.uploadEndpoint, 4000);
    await tusUpload(send, uploadUrl, new Uint8Array(1500).fill(1), 0, 1500);
    expect(await stagedKeys(created.sessionId)).toHaveLength(1);
    const final = await awaitFinal(send, created.statusUrl, 20_000);
    expect(final).toEqual({ state: 'expired', bytesReceived: 1500, uploadLength: 4000 });
    expect(await stagedKeys(created.sessionId)).toEqual([]);
    await expectHeadError(uploadUrl, 410);
    await expectError(
      await send(patch(uploadUrl, 1500, new Uint8Array(3))),
      410,
      'SESSION_EXPIRED',
    );
  }, 30_000);
});

describe('sessions of one key', () => {
  it('are invisible to another key, and status URLs need their own token', async () => {
    const mine = await createSession(send, KEY, { epochs: 1, maxBytes: 100 });
    const theirs = await createSession(send, SECOND_UPLOAD_API_KEY, { epochs: 1, maxBytes: 100 });
    const info = (key: string, sessionId: string) =>
      send(
        new Request(`${ORIGIN}/v1/upload-sessions/${sessionId}`, {
          headers: { authorization: `Bearer ${key}` },
        }),
      );
    const own = await info(KEY, mine.sessionId);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({
      sessionId: mine.sessionId,
      maxBytes: 100,
      state: 'created',
    });
    await expectError(await info(KEY, theirs.sessionId), 404, 'SESSION_NOT_FOUND');
    await expectError(await info(SECOND_UPLOAD_API_KEY, mine.sessionId), 404, 'SESSION_NOT_FOUND');
    // The status token of one session does not open another's status.
    const token = theirs.statusUrl.split('/').at(-1)!;
    const swapped = `${ORIGIN}/v1/upload-sessions/${mine.sessionId}/status/${token}`;
    await expectError(await send(new Request(swapped)), 404, 'SESSION_NOT_FOUND');
    // Nor does one session's upload token reach the other's upload.
    const theirUpload = await tusCreate(send, theirs.uploadEndpoint, 10);
    const crossed = theirUpload.replace(theirs.uploadEndpoint, mine.uploadEndpoint);
    await expectHeadError(crossed, 404);
    await expectError(await send(patch(crossed, 0, new Uint8Array(3))), 404, 'UPLOAD_NOT_FOUND');
  });
});

describe('the publisher wallet’s Durable Object', () => {
  it('lets 20 sessions store at once without one failing for want of a gas coin', async () => {
    const blobs = Array.from({ length: 20 }, (_, i) => randomBytes(2_000 + i, 0x2000 + i));
    const sessions = await Promise.all(
      blobs.map(() => createSession(send, KEY, { epochs: 1, maxBytes: 4_000 })),
    );
    // Also a publisher PUT at the same time: it pays through the same object.
    const published = send(
      new Request(`${ORIGIN}/v1/blobs?epochs=1`, {
        method: 'PUT',
        body: randomBytes(3_001, 0x2100),
      }),
    );
    const puts = await Promise.all(
      sessions.map((session, i) =>
        send(new Request(session.uploadEndpoint, { method: 'PUT', body: blobs[i] })),
      ),
    );
    expect(puts.map((put) => put.status)).toEqual(puts.map(() => 200));
    const finals = await Promise.all(
      sessions.map((session) => awaitFinal(send, session.statusUrl, 110_000)),
    );
    expect(finals.map((final) => final.error ?? final.state)).toEqual(
      finals.map(() => 'certified'),
    );
    expect((await published).status).toBe(200);
    for (const [i, final] of finals.entries()) {
      expect(final.blobId).toBe(expectedBlobId(blobs[i], devnet.nShards));
    }
  }, 120_000);
});
