/**
 * Serves a ledger over `node:http`: a thin adapter from Node's request/response to the app's
 * `fetch` handler, plus the timer tick. Binds to 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLedgerApp, type LedgerApp } from './app.js';
import { TIMER_TICK_MS } from './limits.js';
import type { Ledger } from './ledger.js';

/** After the app stops reading an oversized body we drain this much more, then hang up. */
const DRAIN_BYTES_MAX = 8 * 1024 * 1024;

export interface LedgerServer {
  readonly url: string;
  readonly port: number;
  readonly ledger: Ledger;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly tickMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * The request body as a web stream. Cancelling it (the app refusing an oversized body) drains
 * the socket instead of destroying it, so the refusal can still be sent.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  let drained = 0;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (cancelled) {
            drained += chunk.length;
            if (drained > DRAIN_BYTES_MAX) req.destroy();
            return;
          }
          controller.enqueue(new Uint8Array(chunk));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => {
          if (!cancelled) controller.close();
        });
        req.on('error', (error) => {
          if (!cancelled) controller.error(error);
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        cancelled = true;
        req.resume();
      },
    },
    { highWaterMark: 4 },
  );
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    duplex: 'half',
  } as RequestInit);
}

async function handle(
  app: LedgerApp,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const response = await app.fetch(toRequest(req, origin));
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  res.end(body);
  // Whatever the app did not read is drained (bounded by bodyStream), keeping the reply intact.
  req.resume();
}

export async function serveLedger(
  ledger: Ledger,
  options: ServeOptions = {},
): Promise<LedgerServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((message: string) => process.stderr.write(`[ledger] ${message}\n`));
  const app = createLedgerApp(ledger, log);
  let origin = `http://${host}`;
  const server = createServer((req, res) => {
    handle(app, origin, req, res).catch((error: unknown) => {
      log(`request failed: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ticker = setInterval(() => ledger.tick(), options.tickMs ?? TIMER_TICK_MS);
  ticker.unref();
  ledger.tick();
  return {
    url: origin,
    port,
    ledger,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
