/**
 * The one HTTP client of a storage node's Walrus REST API (docs/spec/api.md §1–2), shared by the
 * SDK, the CLI, the edge Worker and the node's own sliver recovery. Fetch-based; paths come from
 * core/node-api/routes.ts, the same templates the node's router is built from.
 *
 * Every request has deadlines: its headers must arrive within `headersTimeoutMs` (a peer that
 * accepts the connection and never answers costs that, never a stall), and once the body flows,
 * `bodyIdleTimeoutMs` may pass at most between two chunks. Every body is bounded — by the size the
 * verified metadata implies where the caller knows it, by the protocol's maximum otherwise. Error
 * bodies in Walrus's shape become StorageNodeError with the node's reason code. An optional
 * RequestGate caps requests waiting for headers (6 per Worker invocation), and an optional
 * NodeHealth learns each node's latency and failures.
 *
 * Over 400 lines: one method per route of the node API, over the request plumbing they share.
 */
import { blobIdToString } from '../core/blob-id.js';
import { BodyTooLargeError, readBodyBounded } from '../core/http/body.js';
import type { SliverAxis } from '../core/encoding/mapping.js';
import {
  METADATA_BCS_BYTES_MAX,
  type BlobMetadata,
  decodeBlobMetadataWithId,
  encodeBlobMetadata,
} from '../core/encoding/metadata.js';
import { type RecoverySymbol } from '../core/encoding/recovery-symbols.js';
import {
  RECOVERY_RESPONSE_BYTES_MAX,
  decodeRecoverySymbols,
} from '../core/encoding/recovery-symbol-list.js';
import {
  SLIVER_DATA_BYTES_MAX,
  type SliverData,
  decodeSliverData,
  sliverDataBcsBytes,
} from '../core/encoding/sliver-data.js';
import * as routes from '../core/node-api/routes.js';
import { SliverBatchParser, formatPairList } from '../core/node-api/sliver-batch.js';
import { withBodyDeadline } from './body-deadline.js';
import type { NodeHealth } from './node-health.js';
import type { RequestGate } from './request-gate.js';

/** Default wait for a reply's headers (the TS SDK waits 30 s for the whole request). */
export const NODE_REQUEST_TIMEOUT_MS = 30_000;
/** Default longest pause between two chunks of a body. */
export const BODY_IDLE_TIMEOUT_MS = 10_000;
/** JSON replies (status, confirmations, health) are small. */
const JSON_RESPONSE_BYTES_MAX = 64 * 1024;
/** A sliver reply when the caller does not know the blob's sliver size: the protocol maximum. */
const SLIVER_RESPONSE_BYTES_MAX = sliverDataBcsBytes(SLIVER_DATA_BYTES_MAX);

export class StorageNodeError extends Error {
  override name = 'StorageNodeError';
  constructor(
    readonly url: string,
    /** HTTP status, or 0 when the node could not be reached or timed out. */
    readonly status: number,
    /** Walrus reason code (`NOT_REGISTERED`, `INVALID_SLIVER`, …) when the node gave one. */
    readonly reason: string | undefined,
    message: string,
    /** No headers (or no body progress) within the deadline. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export interface SignedConfirmation {
  readonly serializedMessage: Uint8Array;
  readonly signature: Uint8Array;
}

export type Persistence = { kind: 'permanent' } | { kind: 'deletable'; objectId: string };

export interface StorageNodeClientOptions {
  readonly fetch?: typeof fetch;
  /** Wait for response headers when a call gives no deadline of its own. */
  readonly timeoutMs?: number;
  readonly bodyIdleTimeoutMs?: number;
  /** Caps requests waiting for headers (shared by all clients of one read or invocation). */
  readonly gate?: RequestGate;
  /** Learns latencies and failures (shared by all clients of a process or isolate). */
  readonly health?: NodeHealth;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** This call's wait for headers (e.g. a hedging deadline); default: the client's timeoutMs. */
  readonly headersTimeoutMs?: number;
}

/** Which recovery symbols to ask for (docs/spec/api.md §1.2 `recoverySymbols`). */
export type RecoverySymbolQuery =
  | {
      /** Cells of the expanded matrix, as (primary sliver index, secondary sliver index). */
      readonly ids: readonly { readonly primary: number; readonly secondary: number }[];
      /** Axis of the source sliver whose proof comes with each symbol. */
      readonly proofAxis?: SliverAxis;
    }
  | { readonly targetAxis: SliverAxis; readonly targetIndex: number };

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export class StorageNodeClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly bodyIdleTimeoutMs: number;
  private readonly gate: RequestGate | undefined;
  private readonly nodeHealth: NodeHealth | undefined;
  readonly baseUrl: string;

  constructor(baseUrl: string, options: StorageNodeClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? NODE_REQUEST_TIMEOUT_MS;
    this.bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS;
    this.gate = options.gate;
    this.nodeHealth = options.health;
  }

  private url(template: string, params: Record<string, string | number>, query = ''): string {
    return `${this.baseUrl}${routes.routePath(template, params)}${query}`;
  }

  /**
   * Sends one request and resolves once its headers arrived (status 2xx), with a body that errors
   * (and aborts the fetch) if it stalls for `bodyIdleTimeoutMs`. A gate slot is held only while
   * waiting for headers, as Workers count connections.
   */
  /**
   * `chunksCopied`: the caller parses the body as it streams, copying what it keeps (see
   * BodyDeadline.chunksCopiedByConsumer).
   */
  private async request(
    url: string,
    init: RequestInit,
    call: CallOptions,
    chunksCopied = false,
  ): Promise<Response> {
    const release = this.gate === undefined ? () => {} : await this.gate.acquire(call.signal);
    const headersTimeoutMs = call.headersTimeoutMs ?? this.timeoutMs;
    // Our own controller, joined to the caller's signal without a listener on it (a read's
    // signal is shared by many requests at once).
    const local = new AbortController();
    const signal =
      call.signal === undefined ? local.signal : AbortSignal.any([call.signal, local.signal]);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      local.abort(new Error('timed out'));
    }, headersTimeoutMs);
    const startedMs = Date.now();
    let response: Response;
    try {
      response = await this.fetch(url, { ...init, signal });
    } catch (error) {
      const reason = timedOut ? `no reply within ${headersTimeoutMs} ms` : (error as Error).message;
      if (timedOut) this.nodeHealth?.recordFailure(this.baseUrl, 'timeout');
      throw new StorageNodeError(
        url,
        0,
        undefined,
        `${init.method ?? 'GET'} ${url}: ${reason}`,
        timedOut,
      );
    } finally {
      clearTimeout(timer);
      release();
    }
    this.nodeHealth?.recordHeaders(this.baseUrl, Date.now() - startedMs);
    if (!response.ok) throw await this.errorOf(url, response);
    return withBodyDeadline(response, {
      chunksCopiedByConsumer: chunksCopied,
      idleMs: this.bodyIdleTimeoutMs,
      abort: (reason) => local.abort(reason),
      onStall: () => {
        this.nodeHealth?.recordFailure(this.baseUrl, 'timeout');
        return new StorageNodeError(
          url,
          response.status,
          undefined,
          `GET ${url}: the body stalled for ${this.bodyIdleTimeoutMs} ms`,
          true,
        );
      },
    });
  }

  private async errorOf(url: string, response: Response): Promise<StorageNodeError> {
    let reason: string | undefined;
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = JSON.parse(
        new TextDecoder().decode(await readBodyBounded(response, JSON_RESPONSE_BYTES_MAX)),
      );
      reason = body?.error?.details?.find?.(
        (d: { reason?: string }) => typeof d?.reason === 'string',
      )?.reason;
      if (typeof body?.error?.message === 'string') message = body.error.message;
    } catch {
      // Not Walrus's error shape; the status line is all we have.
    }
    return new StorageNodeError(url, response.status, reason, `${url}: ${message}`);
  }

  /** Reads a body up to `bytesMax`; over that, or a stalled body, is a StorageNodeError. */
  private async bounded(url: string, response: Response, bytesMax: number): Promise<Uint8Array> {
    try {
      return await readBodyBounded(response, bytesMax);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        this.nodeHealth?.recordFailure(this.baseUrl, 'invalid-data');
        throw new StorageNodeError(url, response.status, undefined, `reply: ${error.message}`);
      }
      if (error instanceof StorageNodeError) throw error;
      throw new StorageNodeError(url, 0, undefined, `${url}: ${(error as Error).message}`);
    }
  }

  private async json<T>(url: string, init: RequestInit, call: CallOptions): Promise<T> {
    const response = await this.request(url, init, call);
    const text = new TextDecoder().decode(
      await this.bounded(url, response, JSON_RESPONSE_BYTES_MAX),
    );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new StorageNodeError(url, response.status, undefined, 'reply is not JSON');
    }
    if (body === null || typeof body !== 'object' || !('success' in body)) {
      throw new StorageNodeError(url, response.status, undefined, 'reply is not a Walrus success');
    }
    return (body as { success: { data: T } }).success.data;
  }

  private blobParams(blobId: Uint8Array): { blob_id: string } {
    return { blob_id: blobIdToString(blobId) };
  }

  /** BCS BlobMetadataWithId, parsed (not verified: see verifyMetadata). */
  async getMetadata(
    blobId: Uint8Array,
    call: CallOptions = {},
  ): Promise<{ blobId: Uint8Array; metadata: BlobMetadata }> {
    const url = this.url(routes.METADATA_ENDPOINT, this.blobParams(blobId));
    const response = await this.request(
      url,
      { headers: { accept: 'application/octet-stream' } },
      call,
    );
    return decodeBlobMetadataWithId(await this.bounded(url, response, METADATA_BCS_BYTES_MAX));
  }

  async putMetadata(blobId: Uint8Array, metadata: BlobMetadata, call: CallOptions = {}) {
    const url = this.url(routes.METADATA_ENDPOINT, this.blobParams(blobId));
    await this.json(
      url,
      {
        method: 'PUT',
        body: encodeBlobMetadata(metadata) as BodyInit,
        headers: { 'content-type': 'application/octet-stream' },
      },
      call,
    );
  }

  /**
   * BCS SliverData of sliver pair `pairIndex` on `axis`, parsed (not verified). `sliverBytes`: the
   * data size the verified metadata implies, which bounds the reply exactly.
   */
  async getSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    call: CallOptions & { readonly sliverBytes?: number } = {},
  ): Promise<SliverData> {
    const url = this.url(routes.SLIVER_ENDPOINT, {
      ...this.blobParams(blobId),
      sliver_pair_index: pairIndex,
      sliver_type: axis,
    });
    const bytesMax =
      call.sliverBytes === undefined
        ? SLIVER_RESPONSE_BYTES_MAX
        : sliverDataBcsBytes(call.sliverBytes);
    const response = await this.request(
      url,
      { headers: { accept: 'application/octet-stream' } },
      call,
    );
    return decodeSliverData(await this.bounded(url, response, bytesMax));
  }

  /**
   * Many slivers of one axis in one request (walrus-edge's batch route). Resolves once the reply's
   * headers are in (so a caller can tell a node that answers from one that does not), with the
   * entries to iterate as they arrive: `sliver` is the parsed BCS SliverData, or null when the node
   * could not serve that pair. A node without the route answers 404/405: StorageNodeError.
   */
  async getSliverBatch(
    blobId: Uint8Array,
    axis: SliverAxis,
    pairs: readonly number[],
    call: CallOptions & { readonly sliverBytes: number },
  ): Promise<AsyncGenerator<{ readonly pairIndex: number; readonly sliver: SliverData | null }>> {
    const query = `?axis=${axis}&pairs=${formatPairList(pairs)}`;
    const url = this.url(routes.SLIVER_BATCH_ENDPOINT, this.blobParams(blobId), query);
    // The parser copies each sliver out of the chunks as they come.
    const response = await this.request(
      url,
      { headers: { accept: 'application/octet-stream' } },
      call,
      true,
    );
    const parser = new SliverBatchParser(new Set(pairs), sliverDataBcsBytes(call.sliverBytes));
    return (async function* entries() {
      const reader = response.body!.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const entry of parser.push(value)) {
            yield {
              pairIndex: entry.pairIndex,
              sliver: entry.sliver === null ? null : decodeSliverData(entry.sliver),
            };
          }
        }
        parser.finish();
      } finally {
        await reader.cancel().catch(() => {});
      }
    })();
  }

  async putSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    sliverBcs: Uint8Array,
    call: CallOptions = {},
  ): Promise<void> {
    const url = this.url(routes.SLIVER_ENDPOINT, {
      ...this.blobParams(blobId),
      sliver_pair_index: pairIndex,
      sliver_type: axis,
    });
    await this.json(
      url,
      {
        method: 'PUT',
        body: sliverBcs as BodyInit,
        headers: { 'content-type': 'application/octet-stream' },
      },
      call,
    );
  }

  /** Recovery symbols with their Merkle proofs, parsed (not verified: see verifyRecoverySymbol). */
  async getRecoverySymbols(
    blobId: Uint8Array,
    query: RecoverySymbolQuery,
    call: CallOptions & { readonly bytesMax?: number } = {},
  ): Promise<RecoverySymbol[]> {
    const search = new URLSearchParams();
    if ('ids' in query) {
      for (const id of query.ids) search.append('id', `${id.primary}-${id.secondary}`);
      if (query.proofAxis !== undefined) search.set('proofAxis', query.proofAxis);
    } else {
      search.set('targetSliver', String(query.targetIndex));
      search.set('targetType', query.targetAxis);
    }
    const url = this.url(
      routes.RECOVERY_SYMBOL_LIST_ENDPOINT,
      this.blobParams(blobId),
      `?${search}`,
    );
    const response = await this.request(
      url,
      { headers: { accept: 'application/octet-stream' } },
      call,
    );
    const bytesMax = Math.min(
      call.bytesMax ?? RECOVERY_RESPONSE_BYTES_MAX,
      RECOVERY_RESPONSE_BYTES_MAX,
    );
    return decodeRecoverySymbols(await this.bounded(url, response, bytesMax));
  }

  /** The node's signed storage confirmation for a registered blob whose slivers it holds. */
  async getConfirmation(
    blobId: Uint8Array,
    persistence: Persistence,
    call: CallOptions = {},
  ): Promise<SignedConfirmation> {
    const url =
      persistence.kind === 'permanent'
        ? this.url(routes.PERMANENT_BLOB_CONFIRMATION_ENDPOINT, this.blobParams(blobId))
        : this.url(routes.DELETABLE_BLOB_CONFIRMATION_ENDPOINT, {
            ...this.blobParams(blobId),
            object_id: persistence.objectId,
          });
    const data = await this.json<{ signed: { serializedMessage: string; signature: string } }>(
      url,
      {},
      call,
    );
    return {
      serializedMessage: base64ToBytes(data.signed.serializedMessage),
      signature: base64ToBytes(data.signed.signature),
    };
  }

  /**
   * Sends an inconsistency proof (BCS, core/encoding/inconsistency.ts) for the blob's `axis`; the
   * node verifies it and answers its signed invalid-blob-ID attestation (checked by the caller).
   */
  async postInconsistencyProof(
    blobId: Uint8Array,
    axis: SliverAxis,
    proof: Uint8Array,
    call: CallOptions = {},
  ): Promise<SignedConfirmation> {
    const url = this.url(routes.INCONSISTENCY_PROOF_ENDPOINT, {
      ...this.blobParams(blobId),
      sliver_type: axis,
    });
    const data = await this.json<{ serializedMessage: string; signature: string }>(
      url,
      {
        method: 'POST',
        body: proof as BodyInit,
        headers: { 'content-type': 'application/octet-stream' },
      },
      call,
    );
    return {
      serializedMessage: base64ToBytes(data.serializedMessage),
      signature: base64ToBytes(data.signature),
    };
  }

  async getBlobStatus(blobId: Uint8Array, call: CallOptions = {}): Promise<unknown> {
    return this.json(this.url(routes.BLOB_STATUS_ENDPOINT, this.blobParams(blobId)), {}, call);
  }

  async health(call: CallOptions = {}): Promise<unknown> {
    return this.json(`${this.baseUrl}${routes.HEALTH_ENDPOINT}`, {}, call);
  }
}
