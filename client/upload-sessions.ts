/**
 * Upload sessions for backends: `createUploadSession` asks a walrus-edge Worker for a presigned,
 * resumable upload (POST /v1/upload-sessions with the backend's API key, issue 10's API) and returns
 * what a browser needs: a tus endpoint, a status URL and an upload page. The key never leaves the
 * backend; the browser only gets URLs that are good for this one upload until `expiresAt`.
 *
 *   const session = await createUploadSession(publisherUrl, apiKey, { epochs: 2, maxBytes: 1 << 20 });
 *   // hand session.uploadEndpoint to tus-js-client / Uppy, poll session.statusUrl
 */
import { readBodyBounded } from '../core/http/body.js';

/** The request has no work behind it but a chain read: seconds, not minutes. */
export const CREATE_SESSION_TIMEOUT_MS = 15_000;
/** The answer is a few URLs; anything longer is not one. */
const SESSION_ANSWER_BYTES_MAX = 64 * 1024;

export interface UploadSessionRequest {
  readonly epochs: number;
  readonly maxBytes: number;
  /** Default true. */
  readonly deletable?: boolean;
  /** Sui address that receives the Blob object; default: the publisher keeps it. */
  readonly sendObjectTo?: string;
  /** Seconds the upload URL is good for (default 3600). */
  readonly expiresIn?: number;
  /** String key/values set on the Blob object (e.g. `content-type`). */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface UploadSession {
  readonly sessionId: string;
  /** tus 1.0.0 creation URL (also takes a plain PUT of the whole body), one upload only. */
  readonly uploadEndpoint: string;
  /** GET: `{state, bytesReceived, uploadLength, blobId?, …}`; `Accept: text/event-stream` streams. */
  readonly statusUrl: string;
  readonly pageUrl: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  readonly maxBytes: number;
}

/** The Worker refused: its HTTP status and AIP-193 reason (e.g. 401 INVALID_API_KEY). */
export class UploadSessionError extends Error {
  override name = 'UploadSessionError';
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | undefined,
  ) {
    super(message);
  }
}

export interface CreateUploadSessionOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

function isSession(value: unknown): value is UploadSession {
  const v = value as Record<string, unknown> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    ['sessionId', 'uploadEndpoint', 'statusUrl', 'pageUrl', 'expiresAt'].every(
      (name) => typeof v[name] === 'string',
    ) &&
    typeof v.maxBytes === 'number'
  );
}

export async function createUploadSession(
  publisherUrl: string,
  apiKey: string,
  request: UploadSessionRequest,
  options: CreateUploadSessionOptions = {},
): Promise<UploadSession> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? CREATE_SESSION_TIMEOUT_MS);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  const response = await (options.fetch ?? fetch)(new URL('/v1/upload-sessions', publisherUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal,
  });
  const text = new TextDecoder().decode(await readBodyBounded(response, SESSION_ANSWER_BYTES_MAX));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status !== 201) {
    const error = (body as { error?: { message?: string; details?: { reason?: string }[] } })
      ?.error;
    throw new UploadSessionError(
      `creating an upload session failed (${response.status}): ${error?.message ?? text.slice(0, 200)}`,
      response.status,
      error?.details?.[0]?.reason,
    );
  }
  if (!isSession(body)) {
    throw new UploadSessionError(
      'the upload session answer is malformed',
      response.status,
      undefined,
    );
  }
  return body;
}
