/**
 * A TCP relay on 127.0.0.1 in front of the edge whose open connections a test can cut, as a
 * dropped network would (the browser sees its connection reset mid-request; the edge sees a body
 * that broke off). New connections go through as before.
 */
import { type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpCut {
  /** `http://127.0.0.1:{port}`: the same edge under another origin. */
  readonly url: string;
  /** Resets every connection open now; returns how many. */
  cutAll(): number;
  close(): Promise<void>;
}

export async function startTcpCut(target: string): Promise<TcpCut> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cutAll: () => {
      const count = open.size;
      for (const socket of open) socket.resetAndDestroy();
      return count;
    },
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
