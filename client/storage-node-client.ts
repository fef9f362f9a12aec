/**
 * HTTP client for one storage node's Walrus REST API (spec: api.md §1–2). Fetch-based, so the SDK,
 * the CLI and the edge Worker share it. Every response is bounded in size and every request in
 * time; error bodies in Walrus's shape become StorageNodeError with the node's reason code.
 */
import { blobIdToString } from '../core/blob-id.js';
import { BodyTooLargeError, readBodyBounded } from '../core/bounded-body.js';
import {
  METADATA_BCS_BYTES_MAX,
  type BlobMetadata,
  decodeBlobMetadataWithId,
  encodeBlobMetadata,
} from '../core/encoding/metadata.js';
import type { SliverAxis } from '../core/encoding/mapping.js';
import {
  SLIVER_DATA_BYTES_MAX,
  type SliverData,
  decodeSliverData,
} from '../core/encoding/sliver-data.js';

/** Default per-request time limit (the TS SDK uses 30 s). */
export const NODE_REQUEST_TIMEOUT_MS = 30_000;
/** JSON replies (status, confirmations, health) are small. */
const JSON_RESPONSE_BYTES_MAX = 64 * 1024;
/** A BCS sliver reply: the data, its uleb128 length and 4 bytes of trailer. */
const SLIVER_RESPONSE_BYTES_MAX = SLIVER_DATA_BYTES_MAX + 16;

export class StorageNodeError extends Error {
  override name = 'StorageNodeError';
  constructor(
    readonly url: string,
    /** HTTP status, or 0 when the node could not be reached or timed out. */
    readonly status: number,
    /** Walrus reason code (`NOT_REGISTERED`, `INVALID_SLIVER`, …) when the node gave one. */
    readonly reason: string | undefined,
    message: string,
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
  readonly timeoutMs?: number;
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Reads a response body up to `bytesMax` (never buffering more); over that is a StorageNodeError. */
async function readBounded(response: Response, bytesMax: number, url: string): Promise<Uint8Array> {
  try {
    return await readBodyBounded(response, bytesMax);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new StorageNodeError(url, response.status, undefined, `response: ${error.message}`);
    throw error;
  }
}

export class StorageNodeClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    readonly baseUrl: string,
    options: StorageNodeClientOptions = {},
  ) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? NODE_REQUEST_TIMEOUT_MS;
  }

  private blobPath(blobId: Uint8Array): string {
    return `${this.baseUrl.replace(/\/$/, '')}/v1/blobs/${blobIdToString(blobId)}`;
  }

  private async request(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetch(url, { ...init, signal: combined });
    } catch (error) {
      const reason = timeout.aborted ? 'timed out' : (error as Error).message;
      throw new StorageNodeError(url, 0, undefined, `${init.method ?? 'GET'} ${url}: ${reason}`);
    }
    if (!response.ok) throw await this.errorOf(url, response);
    return response;
  }

  private async errorOf(url: string, response: Response): Promise<StorageNodeError> {
    let reason: string | undefined;
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = JSON.parse(
        new TextDecoder().decode(await readBounded(response, JSON_RESPONSE_BYTES_MAX, url)),
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

  private async json<T>(url: string, init: RequestInit = {}, signal?: AbortSignal): Promise<T> {
    const response = await this.request(url, init, signal);
    const body = JSON.parse(
      new TextDecoder().decode(await readBounded(response, JSON_RESPONSE_BYTES_MAX, url)),
    );
    if (body === null || typeof body !== 'object' || !('success' in body)) {
      throw new StorageNodeError(
        url,
        response.status,
        undefined,
        'reply is not a Walrus success envelope',
      );
    }
    return body.success.data as T;
  }

  /** BCS BlobMetadataWithId, parsed (not verified: see verifyMetadata). */
  async getMetadata(
    blobId: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ blobId: Uint8Array; metadata: BlobMetadata }> {
    const url = `${this.blobPath(blobId)}/metadata`;
    const response = await this.request(
      url,
      { headers: { accept: 'application/octet-stream' } },
      signal,
    );
    return decodeBlobMetadataWithId(await readBounded(response, METADATA_BCS_BYTES_MAX, url));
  }

  async putMetadata(
    blobId: Uint8Array,
    metadata: BlobMetadata,
    signal?: AbortSignal,
  ): Promise<void> {
    const url = `${this.blobPath(blobId)}/metadata`;
    await this.json(
      url,
      {
        method: 'PUT',
        body: encodeBlobMetadata(metadata) as BodyInit,
        headers: { 'content-type': 'application/octet-stream' },
      },
      signal,
    );
  }

  /** BCS SliverData of sliver pair `pairIndex` on `axis`, parsed (not verified). */
  async getSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    signal?: AbortSignal,
  ): Promise<SliverData> {
    const url = `${this.blobPath(blobId)}/slivers/${pairIndex}/${axis}`;
    const response = await this.request(
      url,
      { headers: { accept: 'application/octet-stream' } },
      signal,
    );
    return decodeSliverData(await readBounded(response, SLIVER_RESPONSE_BYTES_MAX, url));
  }

  async putSliver(
    blobId: Uint8Array,
    pairIndex: number,
    axis: SliverAxis,
    sliverBcs: Uint8Array,
    signal?: AbortSignal,
  ): Promise<void> {
    const url = `${this.blobPath(blobId)}/slivers/${pairIndex}/${axis}`;
    await this.json(
      url,
      {
        method: 'PUT',
        body: sliverBcs as BodyInit,
        headers: { 'content-type': 'application/octet-stream' },
      },
      signal,
    );
  }

  /** The node's signed storage confirmation for a registered blob whose slivers it holds. */
  async getConfirmation(
    blobId: Uint8Array,
    persistence: Persistence,
    signal?: AbortSignal,
  ): Promise<SignedConfirmation> {
    const suffix =
      persistence.kind === 'permanent' ? 'permanent' : `deletable/${persistence.objectId}`;
    const url = `${this.blobPath(blobId)}/confirmation/${suffix}`;
    const data = await this.json<{ signed: { serializedMessage: string; signature: string } }>(
      url,
      {},
      signal,
    );
    return {
      serializedMessage: base64ToBytes(data.signed.serializedMessage),
      signature: base64ToBytes(data.signed.signature),
    };
  }

  async getBlobStatus(blobId: Uint8Array, signal?: AbortSignal): Promise<unknown> {
    return this.json(`${this.blobPath(blobId)}/status`, {}, signal);
  }

  async health(signal?: AbortSignal): Promise<unknown> {
    return this.json(`${this.baseUrl.replace(/\/$/, '')}/v1/health`, {}, signal);
  }
}
