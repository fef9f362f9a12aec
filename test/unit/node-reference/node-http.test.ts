/**
 * The node:http adapter, the error funnel and CORS, with raw node:http clients so the test controls
 * exactly what goes over the socket: early 413 on a declared Content-Length, counted 413 on a
 * chunked body, unread bodies drained without breaking keep-alive, streamed responses, client
 * aborts, and a generic 500 for anything unexpected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request as httpRequest } from 'node:http';
import { readBodyBounded } from '../../../core/http/body.js';
import { cors } from '../../../core/http/cors.js';
import { ApiError, errorFunnel } from '../../../core/http/errors.js';
import { compose } from '../../../core/http/middleware.js';
import { type RunningServer, serve } from '../../../node-reference/http/adapter.js';

const LIMIT = 64 * 1024;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly socketReused: boolean;
}

let server: RunningServer;
let handlerCalls = 0;
let lastAbort: { aborted: boolean } = { aborted: false };
const internalErrors: { traceId: string; message: string }[] = [];
let streamRelease: (() => void) | null = null;

async function route(request: Request): Promise<Response> {
  handlerCalls++;
  const path = new URL(request.url).pathname;
  if (path === '/echo') {
    const body = await readBodyBounded(request, LIMIT, 'TEST_TOO_LARGE');
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200 });
  }
  if (path === '/ignore-body') return new Response('ignored', { status: 200 });
  if (path === '/stream') {
    const gate = new Promise<void>((resolve) => (streamRelease = resolve));
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step === 0) controller.enqueue(new TextEncoder().encode('first;'));
        else if (step === 1) {
          await gate;
          controller.enqueue(new TextEncoder().encode('second'));
        } else controller.close();
        step++;
      },
    });
    return new Response(body, { status: 200 });
  }
  if (path === '/wait-abort') {
    const state = { aborted: false };
    lastAbort = state;
    await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve()));
    state.aborted = true;
    return new Response('late');
  }
  if (path === '/api-error')
    throw new ApiError('FAILED_PRECONDITION', 'SOME_REASON', 'a precondition failed', {
      domain: 'test.domain',
    });
  if (path === '/boom') throw new Error('secret internal detail');
  return new Response('not found', { status: 404 });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${server.url}${path}`,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            socketReused: req.reusedSocket,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const parts =
      options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const part of parts) req.write(part);
    req.end();
  });
}

beforeAll(async () => {
  const handler = compose(
    [
      cors(),
      errorFunnel({
        onInternalError: (error, traceId) =>
          internalErrors.push({ traceId, message: (error as Error).message }),
      }),
    ],
    route,
  );
  server = await serve(handler, { host: '127.0.0.1', port: 0, bodyBytesMax: LIMIT * 2 });
});

afterAll(async () => {
  agent.destroy();
  await server?.close(0);
});

describe('node:http adapter', () => {
  it('round-trips a body under the limit', async () => {
    const body = Buffer.alloc(LIMIT, 7);
    const reply = await send('/echo', { method: 'PUT', body });
    expect(reply.status).toBe(200);
    expect(reply.body.equals(body)).toBe(true);
  });

  it('refuses a Content-Length over the adapter limit without calling the handler', async () => {
    const before = handlerCalls;
    const body = Buffer.alloc(LIMIT * 2 + 1);
    const reply = await send('/echo', {
      method: 'PUT',
      body,
      headers: { 'content-length': String(body.length) },
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body.toString())).toMatchObject({
      error: { code: 413, details: [{ reason: 'BODY_TOO_LARGE' }] },
    });
    expect(handlerCalls).toBe(before);
    // The body was drained, so the kept-alive connection still works.
    const next = await send('/echo', { method: 'PUT', body: Buffer.from('ok') });
    expect(next.status).toBe(200);
    expect(next.body.toString()).toBe('ok');
  });

  it('counts a chunked body and stops at the route limit', async () => {
    // 160 KiB without a Content-Length.
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(8 * 1024, 1));
    const reply = await send('/echo', {
      method: 'PUT',
      body: chunks,
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body.toString())).toMatchObject({
      error: { details: [{ reason: 'TEST_TOO_LARGE' }] },
    });
    expect(
      (await send('/echo', { method: 'PUT', body: Buffer.from('again') })).body.toString(),
    ).toBe('again');
  });

  it('refuses a route-limit Content-Length before reading', async () => {
    const body = Buffer.alloc(LIMIT + 1);
    const reply = await send('/echo', {
      method: 'PUT',
      body,
      headers: { 'content-length': String(body.length) },
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body.toString()).error.details[0].reason).toBe('TEST_TOO_LARGE');
  });

  it('keeps the connection usable when the handler ignores the body', async () => {
    const first = await send('/ignore-body', { method: 'POST', body: Buffer.alloc(32 * 1024, 3) });
    expect(first.body.toString()).toBe('ignored');
    const second = await send('/ignore-body', { method: 'POST', body: Buffer.from('x') });
    expect(second.status).toBe(200);
    expect(second.socketReused).toBe(true);
  });

  it('streams a response as it is produced', async () => {
    const firstChunk = await new Promise<{ text: string; rest: Promise<string> }>(
      (resolve, reject) => {
        const req = httpRequest(`${server.url}/stream`, { agent }, (res) => {
          let all = '';
          let resolveRest!: (text: string) => void;
          const rest = new Promise<string>((r) => (resolveRest = r));
          res.on('data', (chunk: Buffer) => {
            all += chunk.toString();
            if (all === 'first;') resolve({ text: all, rest });
          });
          res.on('end', () => resolveRest(all));
        });
        req.on('error', reject);
        req.end();
      },
    );
    // The first chunk arrived while the handler was still blocked on the second.
    expect(firstChunk.text).toBe('first;');
    streamRelease!();
    expect(await firstChunk.rest).toBe('first;second');
  });

  it('aborts the request signal when the client goes away', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/wait-abort`, { agent: false });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => req.destroy(), 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lastAbort.aborted).toBe(true);
  });
});

describe('error funnel and CORS', () => {
  it('renders an ApiError in the AIP-193 shape', async () => {
    const reply = await send('/api-error');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body.toString())).toEqual({
      error: {
        code: 400,
        status: 'FAILED_PRECONDITION',
        message: 'a precondition failed',
        details: [{ '@type': 'ErrorInfo', reason: 'SOME_REASON', domain: 'test.domain' }],
      },
    });
    expect(reply.headers['access-control-allow-origin']).toBe('*');
  });

  it('turns anything else into a generic 500 with a trace ID and leaks nothing', async () => {
    const reply = await send('/boom');
    expect(reply.status).toBe(500);
    const text = reply.body.toString();
    expect(text).not.toContain('secret');
    const body = JSON.parse(text);
    expect(body.error).toMatchObject({
      code: 500,
      status: 'INTERNAL',
      details: [{ reason: 'INTERNAL_ERROR', domain: 'global' }, { '@type': 'DebugInfo' }],
    });
    const logged = internalErrors.at(-1)!;
    expect(logged.message).toBe('secret internal detail');
    expect(body.error.details[1].detail).toBe(`TraceID: ${logged.traceId}`);
    expect((await send('/api-error')).status).toBe(400);
  });

  it('answers preflights for any method and header', async () => {
    const reply = await send('/anything', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://a.example',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'x-custom',
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(reply.headers['access-control-allow-headers']).toBe('x-custom');
    expect(reply.headers['access-control-allow-methods']).toContain('DELETE');
    expect(reply.headers['access-control-max-age']).toBe('86400');
  });
});
