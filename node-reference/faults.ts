/**
 * Byzantine node modes, for tests only: a node started with WALRUS_NODE_FAULTS (or `faults` in its
 * config file) misbehaves in the named ways, so that clients, the Worker and peers can be held to
 * Walrus's promise — correct reads and writes with up to f of n shards faulty. Nothing in the API
 * can turn a mode on; without the setting this module is not even on the request path.
 *
 * The modes act at the HTTP boundary, on what the node answers, which is all a peer can observe:
 *   corrupt-slivers           sliver data altered (single and batch reads); framing stays valid, so
 *                             only verification against the metadata can catch it
 *   corrupt-metadata          a sliver hash in the metadata altered (valid BCS, wrong blob ID)
 *   corrupt-recovery-symbols  recovery symbols' data altered (valid BCS, proofs no longer hold)
 *   lie-status[=invalid|nonexistent]  every blob status answered with this lie (default invalid)
 *   hang                      every connection accepted and never answered (until the peer leaves)
 *   slow=<ms>                 every answer delayed by ms
 *   error-5xx                 every request answered 500
 *   reset-mid-body            bodies cut off halfway and the connection reset
 *   withhold-confirmations    storage confirmations never answered
 *   forge-confirmations[=key|message]  confirmations signed with another key (default), or
 *                             signed with the node's key over another message
 * Several modes combine, comma-separated: `corrupt-slivers,slow=200`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { blsRandomSecretKey, blsSign } from '../core/bls.js';
import {
  decodeRecoverySymbols,
  encodeRecoverySymbols,
} from '../core/encoding/recovery-symbol-list.js';
import type { FetchHandler, Middleware } from '../core/http/middleware.js';
import { BATCH_COUNT_BYTES, BATCH_ENTRY_HEADER_BYTES } from '../core/node-api/sliver-batch.js';

export type LieStatus = 'invalid' | 'nonexistent';
export type ForgeKind = 'key' | 'message';

export interface NodeFaults {
  readonly corruptSlivers: boolean;
  readonly corruptMetadata: boolean;
  readonly corruptRecoverySymbols: boolean;
  readonly lieStatus: LieStatus | null;
  readonly hang: boolean;
  readonly slowMs: number;
  readonly error5xx: boolean;
  readonly resetMidBody: boolean;
  readonly withholdConfirmations: boolean;
  readonly forgeConfirmations: ForgeKind | null;
}

export const NO_FAULTS: NodeFaults = Object.freeze({
  corruptSlivers: false,
  corruptMetadata: false,
  corruptRecoverySymbols: false,
  lieStatus: null,
  hang: false,
  slowMs: 0,
  error5xx: false,
  resetMidBody: false,
  withholdConfirmations: false,
  forgeConfirmations: null,
});

/** A slow node is slow, not hung: past this it would be `hang`, which says so. */
export const FAULT_SLOW_MS_MAX = 600_000;

export class NodeFaultsError extends Error {
  override name = 'NodeFaultsError';
}

/** Parses the WALRUS_NODE_FAULTS format (see the module comment); refuses anything unknown. */
export function parseNodeFaults(spec: string): NodeFaults {
  const faults: { -readonly [K in keyof NodeFaults]: NodeFaults[K] } = { ...NO_FAULTS };
  for (const item of spec.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [name, value, ...rest] = item.split('=');
    const bad = () => new NodeFaultsError(`invalid node fault ${JSON.stringify(item)}`);
    if (rest.length > 0) throw bad();
    const flag = () => {
      if (value !== undefined) throw bad();
      return true;
    };
    switch (name) {
      case 'corrupt-slivers':
        faults.corruptSlivers = flag();
        break;
      case 'corrupt-metadata':
        faults.corruptMetadata = flag();
        break;
      case 'corrupt-recovery-symbols':
        faults.corruptRecoverySymbols = flag();
        break;
      case 'lie-status':
        if (value !== undefined && value !== 'invalid' && value !== 'nonexistent') throw bad();
        faults.lieStatus = value ?? 'invalid';
        break;
      case 'hang':
        faults.hang = flag();
        break;
      case 'slow': {
        const ms = Number(value);
        if (!/^\d+$/.test(value ?? '') || ms > FAULT_SLOW_MS_MAX) throw bad();
        faults.slowMs = ms;
        break;
      }
      case 'error-5xx':
        faults.error5xx = flag();
        break;
      case 'reset-mid-body':
        faults.resetMidBody = flag();
        break;
      case 'withhold-confirmations':
        faults.withholdConfirmations = flag();
        break;
      case 'forge-confirmations':
        if (value !== undefined && value !== 'key' && value !== 'message') throw bad();
        faults.forgeConfirmations = value ?? 'key';
        break;
      default:
        throw bad();
    }
  }
  return faults;
}

export function hasFaults(faults: NodeFaults): boolean {
  return (Object.keys(NO_FAULTS) as (keyof NodeFaults)[]).some((k) => faults[k] !== NO_FAULTS[k]);
}

/** Which answer a route gives, from its path (core/node-api/routes.ts). */
type RouteKind =
  | 'sliver'
  | 'sliver-batch'
  | 'metadata'
  | 'recovery-symbols'
  | 'blob-status'
  | 'confirmation'
  | 'other';

function routeKind(method: string, path: string): RouteKind {
  if (method !== 'GET') return 'other';
  if (/^\/v1\/blobs\/[^/]+\/slivers\/[^/]+\/[^/]+$/.test(path)) return 'sliver';
  if (/^\/v1\/blobs\/[^/]+\/slivers$/.test(path)) return 'sliver-batch';
  if (/^\/v1\/blobs\/[^/]+\/metadata$/.test(path)) return 'metadata';
  if (/^\/v1\/blobs\/[^/]+\/recoverySymbols$/.test(path)) return 'recovery-symbols';
  if (/^\/v1\/blobs\/[^/]+\/status$/.test(path)) return 'blob-status';
  if (/^\/v1\/blobs\/[^/]+\/confirmation\//.test(path)) return 'confirmation';
  return 'other';
}

/** Until the peer goes away: what a hung process costs whoever waits for it. */
function never(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );
}

/** BCS SliverData ends with symbol size and index (2 + 2 bytes): the byte before is data. */
const SLIVER_TRAILER_BYTES = 4;

function corruptSliver(sliver: Uint8Array): void {
  const at = sliver.length - SLIVER_TRAILER_BYTES - 1;
  // A sliver of zero symbols has no data to alter (its leading ULEB is the only other byte).
  if (at >= 1) sliver[at] ^= 0x5a;
}

function corruptBatch(body: Uint8Array): void {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let offset = BATCH_COUNT_BYTES;
  const count = view.getUint16(0, true);
  for (let i = 0; i < count && offset + BATCH_ENTRY_HEADER_BYTES <= body.length; i++) {
    const length = view.getUint32(offset + 2, true);
    offset += BATCH_ENTRY_HEADER_BYTES;
    if (length > 0) corruptSliver(body.subarray(offset, offset + length));
    offset += length;
  }
}

function lieStatusBody(lie: LieStatus): string {
  const data =
    lie === 'nonexistent'
      ? 'nonexistent'
      : { invalid: { event: { txDigest: '11111111111111111111111111111111', eventSeq: '0' } } };
  return JSON.stringify({ success: { code: 200, data } });
}

interface SignedJson {
  serializedMessage: string;
  signature: string;
}

function forge(signed: SignedJson, kind: ForgeKind, secretKey: Uint8Array): SignedJson {
  const message = Uint8Array.from(Buffer.from(signed.serializedMessage, 'base64'));
  if (kind === 'key') {
    const signature = blsSign(blsRandomSecretKey(), message);
    return { ...signed, signature: Buffer.from(signature).toString('base64') };
  }
  // Another message: the same confirmation for the next epoch (byte 3 is the epoch's low byte).
  const other = message.slice();
  other[3] ^= 1;
  return {
    serializedMessage: Buffer.from(other).toString('base64'),
    signature: Buffer.from(blsSign(secretKey, other)).toString('base64'),
  };
}

/** A body that sends its first half, then fails: the HTTP adapter resets the connection. */
function cutOff(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes.subarray(0, Math.floor(bytes.length / 2)));
      controller.error(new Error('reset-mid-body fault'));
    },
  });
}

async function rewritten(response: Response, faults: NodeFaults, kind: RouteKind, key: Uint8Array) {
  if (!response.ok) return response;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  const bytes = new Uint8Array(await response.arrayBuffer());
  let body: Uint8Array | string = bytes;
  if (kind === 'sliver' && faults.corruptSlivers) corruptSliver(bytes);
  if (kind === 'sliver-batch' && faults.corruptSlivers) corruptBatch(bytes);
  if (kind === 'metadata' && faults.corruptMetadata && bytes.length > 0)
    bytes[bytes.length - 1] ^= 0x5a; // the last secondary sliver hash
  if (kind === 'recovery-symbols' && faults.corruptRecoverySymbols) {
    const symbols = decodeRecoverySymbols(bytes).map((symbol) => {
      const data = Uint8Array.from(symbol.data);
      if (data.length > 0) data[0] ^= 0x5a;
      return { ...symbol, data };
    });
    body = encodeRecoverySymbols(symbols);
  }
  if (kind === 'confirmation' && faults.forgeConfirmations !== null) {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as {
      success: { data: { signed: SignedJson } };
    };
    json.success.data.signed = forge(json.success.data.signed, faults.forgeConfirmations, key);
    body = JSON.stringify(json);
  }
  const out = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new Response(faults.resetMidBody ? cutOff(out) : (out as Uint8Array<ArrayBuffer>), {
    status: response.status,
    headers,
  });
}

/**
 * The modes in force: `spec` (WALRUS_NODE_FAULTS) plus the contents of `file` when one is
 * configured (a missing file adds none). main.ts re-reads the file on SIGHUP.
 */
export function readNodeFaults(spec: string | null, file: string | null): NodeFaults {
  const fromFile = file !== null && existsSync(file) ? readFileSync(file, 'utf8') : '';
  return parseNodeFaults([spec ?? '', fromFile.replace(/\s+/g, '')].join(','));
}

/**
 * The middleware that makes a node Byzantine; outermost, so that it sees what peers would.
 * `current()` gives the modes in force for each request; `secretKey` is the node's protocol key
 * (a forged message is still signed by the node).
 */
export function byzantine(current: () => NodeFaults, secretKey: Uint8Array): Middleware {
  return (next: FetchHandler): FetchHandler =>
    async (request) => {
      const faults = current();
      const path = new URL(request.url).pathname;
      const kind = routeKind(request.method, path);
      if (faults.hang) return never(request.signal);
      if (faults.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
      if (faults.error5xx) {
        return new Response(
          JSON.stringify({ error: { code: 500, status: 'INTERNAL', message: 'error-5xx fault' } }),
          { status: 500, headers: { 'content-type': 'application/json' } },
        );
      }
      if (kind === 'confirmation' && faults.withholdConfirmations) return never(request.signal);
      if (kind === 'blob-status' && faults.lieStatus !== null) {
        return new Response(lieStatusBody(faults.lieStatus), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      }
      const response = await next(request);
      const touched =
        faults.resetMidBody ||
        (kind === 'sliver' && faults.corruptSlivers) ||
        (kind === 'sliver-batch' && faults.corruptSlivers) ||
        (kind === 'metadata' && faults.corruptMetadata) ||
        (kind === 'recovery-symbols' && faults.corruptRecoverySymbols) ||
        (kind === 'confirmation' && faults.forgeConfirmations !== null);
      return touched ? rewritten(response, faults, kind, secretKey) : response;
    };
}
