/**
 * The one node:http adapter: serves a `fetch(Request) → Promise<Response>` handler on a host and
 * port. Request bodies stream in as a web ReadableStream with a byte limit enforced while reading
 * (a declared Content-Length over the limit is answered 413 without calling the handler; otherwise
 * bytes are counted and the stream errors at the limit). Responses stream out with backpressure.
 * Connections are kept alive; a body the handler left unread is drained up to a bound so the
 * response still reaches the client, and past that bound the connection is closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BodyTooLargeError } from '../../core/http/body.js';
import { errorBody } from '../../core/http/errors.js';
import type { FetchHandler } from '../../core/http/middleware.js';

/** An unread body is read and discarded up to this many bytes before the connection is closed. */
export const DRAIN_BYTES_MAX = 64 * 1024 * 1024;
/** Chunks buffered between the socket and the handler before the socket is paused. */
const BODY_CHUNKS_BUFFERED_MAX = 16;

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** No request body may exceed this (routes may set lower limits). */
  readonly bodyBytesMax: number;
  readonly keepAliveTimeoutMs?: number;
  /** Called for failures outside the handler (socket errors, a handler that threw). */
  readonly onError?: (error: unknown) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting, waits up to `graceMs` for requests in flight, then closes connections. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The request body as a web stream that counts bytes. `discard()` turns it into a drain: later
 * data is dropped, and past DRAIN_BYTES_MAX the socket is destroyed.
 */
class BodySource {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private receivedBytes = 0;
  private discardedBytes = 0;
  private discarding = false;
  ended = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly bodyBytesMax: number,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          req.resume();
        },
        cancel: () => {
          this.discard();
        },
      },
      { highWaterMark: BODY_CHUNKS_BUFFERED_MAX },
    );
    req.on('data', (chunk: Buffer) => this.onData(chunk));
    req.on('end', () => {
      this.ended = true;
      if (!this.discarding) this.controller.close();
    });
    req.on('error', (error) => {
      if (!this.discarding) this.controller.error(error);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.discarding) {
      this.discardedBytes += chunk.length;
      if (this.discardedBytes > DRAIN_BYTES_MAX) this.req.socket.destroy();
      return;
    }
    this.receivedBytes += chunk.length;
    if (this.receivedBytes > this.bodyBytesMax) {
      this.controller.error(new BodyTooLargeError(this.bodyBytesMax));
      this.discard();
      return;
    }
    this.controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((this.controller.desiredSize ?? 0) <= 0) this.req.pause();
  }

  /** Stop delivering; read and drop the rest so the connection stays usable. */
  discard(): void {
    if (this.discarding) return;
    this.discarding = true;
    this.req.resume();
  }
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d{1,16}$/.test(header) ? Number(header) : null;
}

function writeHead(res: ServerResponse, response: Response, closeConnection: boolean): void {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (closeConnection) headers.connection = 'close';
  res.writeHead(response.status, response.statusText || undefined, headers);
}

/** Resolves when the socket can take more bytes, or when the client has gone away. */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function pipeBody(res: ServerResponse, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  const onClose = () => {
    reader.cancel().catch(() => {});
  };
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await writable(res);
    }
    res.end();
  } finally {
    res.off('close', onClose);
  }
}

function rejectEarly(
  res: ServerResponse,
  source: BodySource | null,
  error: BodyTooLargeError,
  drain: boolean,
): void {
  const body = JSON.stringify(errorBody(error));
  res.writeHead(error.httpStatus, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...(drain ? {} : { connection: 'close' }),
  });
  res.end(body);
  if (source !== null) source.discard();
}

async function handle(
  handler: FetchHandler,
  origin: string,
  bodyBytesMax: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const declared = declaredLength(req);
  const source = hasBody ? new BodySource(req, bodyBytesMax) : null;
  if (declared !== null && declared > bodyBytesMax) {
    rejectEarly(
      res,
      source,
      new BodyTooLargeError(bodyBytesMax),
      declared - bodyBytesMax <= DRAIN_BYTES_MAX,
    );
    return;
  }
  const aborted = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const request = new Request(new URL(req.url ?? '/', origin), {
    method,
    headers: requestHeaders(req),
    body: source?.stream,
    signal: aborted.signal,
    duplex: 'half',
  } as RequestInit);
  const response = await handler(request);
  // A body the handler did not finish reading is drained (bounded) so the reply stays intact; if
  // the declared body is too much to drain, the connection closes after the reply.
  const unread = source !== null && !source.ended;
  const closeConnection = unread && declared !== null && declared > DRAIN_BYTES_MAX;
  if (unread) source.discard();
  writeHead(res, response, closeConnection);
  if (response.body === null || method === 'HEAD') {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  await pipeBody(res, response.body);
}

function originOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const onError = options.onError ?? (() => {});
  let origin = originOf(options.host, options.port);
  const server: Server = createServer((req, res) => {
    handle(handler, origin, options.bodyBytesMax, req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
        res.end(
          '{"error":{"code":500,"status":"INTERNAL","message":"internal error","details":[]}}',
        );
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  server.on('clientError', (error, socket: Socket) => {
    onError(error);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = originOf(options.host, port);
  return {
    url: origin,
    host: options.host,
    port,
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.once('close', () => clearTimeout(timer));
      }),
  };
}
