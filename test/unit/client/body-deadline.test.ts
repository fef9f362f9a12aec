/**
 * client/body-deadline.ts against a real HTTP peer on 127.0.0.1: a body that stops mid-way errors
 * within about its idle limit and the request is aborted (the peer sees the socket close); a
 * consumer slower than the limit is not mistaken for a stalled peer; bytes arrive intact.
 */
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBodyDeadline } from '../../../client/body-deadline.js';

const IDLE_MS = 300;
const PIECE = new Uint8Array(32 * 1024).map((_, i) => (i * 7) & 0xff);

let server: Server;
let base: string;
const closedSockets: string[] = [];

function sendPieces(res: ServerResponse, pieces: number, thenStall: boolean): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  for (let i = 0; i < pieces; i++) res.write(PIECE);
  if (!thenStall) res.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.socket.once('close', () => closedSockets.push(req.url ?? ''));
    if (req.url === '/stall') sendPieces(res, 2, true);
    else sendPieces(res, 8, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function fetchWithDeadline(path: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}${path}`, { signal: controller.signal });
  let stalls = 0;
  const body = withBodyDeadline(response, {
    idleMs: IDLE_MS,
    abort: (reason) => controller.abort(reason),
    onStall: () => {
      stalls++;
      return new Error('the body stalled');
    },
  });
  return { body, stalls: () => stalls };
}

async function drain(response: Response, pauseMs = 0): Promise<Uint8Array[]> {
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

describe('withBodyDeadline', () => {
  it('errors a body that stops mid-way within about its idle limit, and aborts the request', async () => {
    const { body, stalls } = await fetchWithDeadline('/stall');
    const started = Date.now();
    await expect(drain(body)).rejects.toThrow('the body stalled');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(elapsed).toBeLessThan(IDLE_MS * 3);
    expect(stalls()).toBe(1);
    // The abort reaches the peer: its socket closes without it ever ending the response.
    for (let i = 0; i < 50 && !closedSockets.includes('/stall'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(closedSockets).toContain('/stall');
  });

  it('passes every byte of a body read by a consumer slower than the idle limit', async () => {
    const { body, stalls } = await fetchWithDeadline('/whole');
    // A few pauses longer than the limit: only waiting for the peer counts.
    const reader = body.body!.getReader();
    const received: Uint8Array[] = [];
    for (let pauses = 0; ; pauses++) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(value);
      if (pauses < 2) await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2));
    }
    const bytes = Buffer.concat(received);
    expect(bytes.length).toBe(8 * PIECE.length);
    for (let i = 0; i < 8; i++) {
      expect(bytes.subarray(i * PIECE.length, (i + 1) * PIECE.length).equals(PIECE)).toBe(true);
    }
    expect(stalls()).toBe(0);
  });

  it('skips empty chunks without ending the body', async () => {
    const pieces = [
      new Uint8Array(0),
      new Uint8Array([1, 2]),
      new Uint8Array(0),
      new Uint8Array([3]),
    ];
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    const body = withBodyDeadline(new Response(source), {
      idleMs: IDLE_MS,
      abort: () => {},
      onStall: () => new Error('stalled'),
    });
    expect([...new Uint8Array(await body.arrayBuffer())]).toEqual([1, 2, 3]);
  });
});
