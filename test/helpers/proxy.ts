/**
 * A misbehaving storage node for tests: a real node:http server on 127.0.0.1 in front of a real
 * node, forwarding every request unless told to hang it (accept, read, never answer — the failure
 * real networks show most), answer it itself, or corrupt the reply. Counts what it forwards.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyBehaviour {
  /** Never answer requests whose path matches (the connection stays open). */
  hang?: (path: string) => boolean;
  /** Answer with this status and no body instead of forwarding. */
  refuse?: (path: string) => number | undefined;
  /** Rewrite a forwarded reply's body (e.g. flip a byte of every sliver). */
  corrupt?: (path: string, body: Uint8Array) => Uint8Array;
}

export interface RunningProxy {
  readonly url: string;
  /** Requests received, by path (query included). */
  readonly requests: string[];
  /** Response body bytes sent. */
  bytesSent: number;
  close(): Promise<void>;
}

export async function startProxy(
  target: string,
  behaviour: ProxyBehaviour = {},
): Promise<RunningProxy> {
  const sockets = new Set<Socket>();
  const state: RunningProxy = {
    url: '',
    requests: [],
    bytesSent: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    state.requests.push(path);
    if (behaviour.hang?.(path) === true) return; // never answered
    const refused = behaviour.refuse?.(path);
    if (refused !== undefined) {
      res.writeHead(refused).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const upstream = await fetch(`${target}${path}`, {
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
          body: chunks.length > 0 && req.method !== 'GET' ? Buffer.concat(chunks) : undefined,
        });
        let body: Uint8Array = new Uint8Array(await upstream.arrayBuffer());
        if (behaviour.corrupt !== undefined) body = behaviour.corrupt(path, body);
        const headers: Record<string, string> = {};
        upstream.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'transfer-encoding') headers[name] = value;
        });
        headers['content-length'] = String(body.length);
        res.writeHead(upstream.status, headers);
        res.end(body);
        state.bytesSent += body.length;
      } catch {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, { url: `http://127.0.0.1:${port}` });
}
