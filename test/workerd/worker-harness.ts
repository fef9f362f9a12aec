/**
 * The unit-level harness of the workerd tests that build their own Worker env (worker-faults,
 * worker-http, worker-chain): send a request through `worker.fetch(request, env, ctx)`, read the
 * whole body, then wait for the invocation's `waitUntil` work (cache writes) — in that order,
 * because a full read fills the whole-object cache through a lockstep tee (workers/lockstep-tee.ts)
 * whose cache branch advances only as fast as the client reads.
 *
 * Also: storing blobs through the publisher and waiting until the nodes serve them as certified,
 * the chain adapter and wallets of a devnet, fault control (stop/continue storage nodes), where a
 * blob's rows live, and a multipart/byteranges parser.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { expect } from 'vitest';
import { blobIdFromString } from '../../core/blob-id.js';
import { SuiChain } from '../../core/chain/sui-chain.js';
import { encodingParams, primarySliverBytes } from '../../core/encoding/config.js';
import { shardForPair } from '../../core/encoding/mapping.js';
import worker, { type Env } from '../../workers/index.js';
import { ORIGIN } from './blob-api-suite.js';
import type { DevnetValues, NodeAction } from './devnet-values.js';
import { type NewlyCreated, errorReason } from './helpers.js';

export { ORIGIN };

/** One response, its body read whole (empty for HEAD, 304, 204). */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** The body as text (error JSON, multipart heads). */
  text(): string;
}

export type Call = (request: Request) => Promise<Reply>;

/** A devnet's bindings for the unit level; `overrides` may set any variable, even a bad one. */
export function devnetEnv(
  devnet: DevnetValues,
  walletIndex: number,
  overrides: Partial<Record<keyof Env, string>> = {},
): Env {
  return {
    SUI_RPC_URL: devnet.ledgerUrl,
    WALRUS_PACKAGE_ID: devnet.packageId,
    WALRUS_SYSTEM_OBJECT_ID: devnet.systemObjectId,
    PUBLISHER_SECRET_KEY: devnet.publisherSecretKeys[walletIndex],
    PUBLISHER_BODY_BYTES_MAX: String(4 * 1024 * 1024),
    ...overrides,
  };
}

/** `worker.fetch` with `env`, the body read before the invocation's waitUntil work is awaited. */
export function unitCall(env: Env): Call {
  return async (request) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(request, env, ctx);
    const body = new Uint8Array(await response.arrayBuffer());
    await waitOnExecutionContext(ctx);
    return {
      status: response.status,
      headers: response.headers,
      body,
      text: () => new TextDecoder().decode(body),
    };
  };
}

/**
 * `worker.fetch` as a Response, for the shared API suite: the body is read before the
 * invocation's waitUntil work is awaited (a cache fill advances only as the client reads).
 */
export async function unitFetch(request: Request, env: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  const body = new Uint8Array(await response.arrayBuffer());
  await waitOnExecutionContext(ctx);
  const nullBody = [101, 204, 205, 304].includes(response.status) || request.method === 'HEAD';
  return new Response(nullBody ? null : body, response);
}

/** The AIP-193 reason of an error reply. */
export function reasonOf(reply: Reply): Promise<string> {
  return errorReason(new Response(reply.body as Uint8Array<ArrayBuffer>));
}

export const blobUrl = (blobId: string) => `${ORIGIN}/v1/blobs/${blobId}`;

export function get(blobId: string, headers: Record<string, string> = {}): Request {
  return new Request(blobUrl(blobId), { headers });
}

export function head(blobId: string, headers: Record<string, string> = {}): Request {
  return new Request(blobUrl(blobId), { method: 'HEAD', headers });
}

export interface Stored {
  readonly blobId: string;
  /** The Blob object on Sui (the publisher's wallet owns it). */
  readonly objectId: string;
  readonly bytes: Uint8Array;
  readonly blobObject: NewlyCreated['newlyCreated']['blobObject'];
}

/** PUT through the publisher (`query` e.g. `epochs=2&permanent=true`). */
export async function storeBlob(
  call: Call,
  bytes: Uint8Array,
  query = 'epochs=2',
): Promise<Stored> {
  const reply = await call(
    new Request(`${ORIGIN}/v1/blobs?${query}`, {
      method: 'PUT',
      body: bytes as Uint8Array<ArrayBuffer>,
    }),
  );
  expect(reply.status, reply.text()).toBe(200);
  const { newlyCreated } = JSON.parse(reply.text()) as NewlyCreated;
  expect(newlyCreated.blobObject.size).toBe(bytes.length);
  return {
    blobId: newlyCreated.blobObject.blobId,
    objectId: newlyCreated.blobObject.id,
    bytes,
    blobObject: newlyCreated.blobObject,
  };
}

/**
 * Nodes learn of a certification by polling the chain (~500 ms): right after the publisher answers,
 * a blob may still be served as uncertified.
 */
const CERTIFIED_VISIBLE_MS_MAX = 15_000;
const POLL_MS = 100;

/**
 * HEADs the blob until its Cache-Control is `certified` (a deletable or permanent blob's policy);
 * meanwhile only the uncertified policy may show. Returns the last HEAD. Costs metadata and
 * status only (a HEAD never fetches slivers), so the blob's bytes stay uncached.
 */
export async function awaitCertified(
  call: Call,
  blobId: string,
  certified: string | RegExp,
  uncertified: string,
): Promise<Reply> {
  const deadline = Date.now() + CERTIFIED_VISIBLE_MS_MAX;
  for (;;) {
    const reply = await call(head(blobId));
    expect(reply.status).toBe(200);
    const cacheControl = reply.headers.get('cache-control') ?? '';
    if (typeof certified === 'string' ? cacheControl === certified : certified.test(cacheControl))
      return reply;
    expect(cacheControl).toBe(uncertified);
    if (Date.now() > deadline) {
      expect.fail(`${blobId} not served as certified within ${CERTIFIED_VISIBLE_MS_MAX} ms`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * Asks every node of `devnet` for the blob's status directly (no Worker involved, so nothing of the
 * blob is cached at the edge) until all report a certified deletable instance.
 */
export async function awaitNodesCertified(devnet: DevnetValues, blobId: string): Promise<void> {
  const deadline = Date.now() + CERTIFIED_VISIBLE_MS_MAX;
  for (;;) {
    const statuses = await Promise.all(
      devnet.nodes.map(async (node) => {
        const response = await fetch(`${node.url}/v1/blobs/${blobId}/status`);
        return JSON.stringify(await response.json());
      }),
    );
    if (statuses.every((status) => /"count_deletable_certified":[1-9]/.test(status))) return;
    if (Date.now() > deadline) {
      expect.fail(`${blobId} not certified on every node within ${CERTIFIED_VISIBLE_MS_MAX} ms`);
    }
    await sleep(POLL_MS);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The chain adapter for `devnet` (reads, and transactions signed by `signerOf`). */
export function chainOf(devnet: DevnetValues): SuiChain {
  return new SuiChain({
    url: devnet.ledgerUrl,
    packageId: devnet.packageId,
    systemObjectId: devnet.systemObjectId,
  });
}

export function signerOf(secretKey: string): Ed25519Keypair {
  return Ed25519Keypair.fromSecretKey(decodeSuiPrivateKey(secretKey).secretKey);
}

/** Stops, continues or terminates one storage node through the global setup's fault control. */
export async function nodeAction(
  controlUrl: string,
  devnet: DevnetValues,
  name: string,
  action: NodeAction,
): Promise<void> {
  const response = await fetch(`${controlUrl}/devnets/${devnet.label}/nodes/${name}/${action}`, {
    method: 'POST',
  });
  const answer = await response.text();
  expect(response.status, `${action} ${devnet.label}/${name}: ${answer}`).toBe(200);
}

/**
 * The message-matrix rows of the blob whose primary slivers `node` holds: row r is primary sliver
 * r, in sliver pair r, on shard (r + blob ID mod n) mod n (core/encoding/mapping.ts).
 */
export function rowsOnNode(blobId: string, nShards: number, node: DevnetValues['nodes'][number]) {
  const id = blobIdFromString(blobId);
  const rows: number[] = [];
  for (let row = 0; row < encodingParams(nShards).nPrimary; row++) {
    if (node.shards.includes(shardForPair(row, id, nShards))) rows.push(row);
  }
  return rows;
}

/** The bytes of row `row` of a blob of `blobBytes`, as an inclusive range. */
export function rowRange(row: number, blobBytes: number, nShards: number) {
  const rowBytes = primarySliverBytes(blobBytes, nShards);
  return { start: row * rowBytes, end: Math.min(blobBytes, (row + 1) * rowBytes) - 1 };
}

export interface Part {
  readonly contentType: string | undefined;
  readonly contentRange: string | undefined;
  readonly body: Uint8Array;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let at = from; at + needle.length <= haystack.length; at++) {
    for (let index = 0; index < needle.length; index++) {
      if (haystack[at + index] !== needle[index]) continue outer;
    }
    return at;
  }
  return -1;
}

/**
 * Parses a multipart/byteranges body (RFC 9110 §14.6, RFC 2046 §5.1.1) strictly: the first
 * delimiter opens the body, each part's head ends with an empty line, the CRLF before each
 * delimiter belongs to it, and the close delimiter plus CRLF end the body. Parts are cut by the
 * length their Content-Range announces, then the next delimiter must follow at once.
 */
export function parseMultipart(body: Uint8Array, contentType: string): Part[] {
  const boundary = /^multipart\/byteranges; boundary=([A-Za-z0-9_-]+)$/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`not multipart/byteranges: ${contentType}`);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const delimiter = encoder.encode(`--${boundary}\r\n`);
  const next = encoder.encode(`\r\n--${boundary}`);
  const blank = encoder.encode('\r\n\r\n');
  expect(body.subarray(0, delimiter.length)).toEqual(delimiter);
  const parts: Part[] = [];
  let at = delimiter.length;
  for (;;) {
    const headEnd = indexOfBytes(body, blank, at);
    if (headEnd < 0) throw new Error(`part ${parts.length} has no end of head`);
    const fields = new Map<string, string>();
    for (const line of decoder.decode(body.subarray(at, headEnd)).split('\r\n')) {
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const contentRange = fields.get('content-range');
    const range = /^bytes (\d+)-(\d+)\/\d+$/.exec(contentRange ?? '');
    if (range === null) throw new Error(`part ${parts.length}: bad Content-Range ${contentRange}`);
    const start = headEnd + blank.length;
    const end = start + Number(range[2]) - Number(range[1]) + 1;
    parts.push({
      contentType: fields.get('content-type'),
      contentRange,
      body: body.subarray(start, end),
    });
    expect(body.subarray(end, end + next.length)).toEqual(next);
    at = end + next.length;
    const rest = decoder.decode(body.subarray(at, at + 2));
    if (rest === '--') {
      expect(decoder.decode(body.subarray(at))).toBe('--\r\n');
      return parts;
    }
    expect(rest).toBe('\r\n');
    at += 2;
  }
}

/** Headers every blob read response carries, with their exact values. */
export function expectBlobHeaders(
  reply: Reply,
  expected: {
    readonly etag: string;
    readonly cacheControl: string;
    /** null: no Content-Type (a HEAD that does not know it yet). */
    readonly contentType: string | null;
    readonly contentLength: number;
    readonly sandboxed?: boolean;
  },
  label = '',
): void {
  const { headers } = reply;
  expect(headers.get('etag'), label).toBe(expected.etag);
  expect(headers.get('cache-control'), label).toBe(expected.cacheControl);
  expect(headers.get('accept-ranges'), label).toBe('bytes');
  expect(headers.get('x-content-type-options'), label).toBe('nosniff');
  expect(headers.get('content-encoding'), label).toBe('identity');
  expect(headers.get('content-type'), label).toBe(expected.contentType);
  expect(headers.get('content-length'), label).toBe(String(expected.contentLength));
  expect(headers.get('content-security-policy'), label).toBe(
    expected.sandboxed === true ? 'sandbox' : null,
  );
}

/** The same bytes (compared whole; vitest's diff of large arrays is slow, so by length and SHA). */
export async function expectBytes(actual: Uint8Array, expected: Uint8Array, label = '') {
  expect(actual.length, label).toBe(expected.length);
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', actual as Uint8Array<ArrayBuffer>),
    crypto.subtle.digest('SHA-256', expected as Uint8Array<ArrayBuffer>),
  ]);
  expect(new Uint8Array(a), label).toEqual(new Uint8Array(b));
}
