/**
 * Fetching a session's descriptor (client/session-descriptor.ts) from `{uploadEndpoint}/session`:
 * what a page that was only given the upload endpoint learns before it sends a byte.
 */
import type { SessionDescriptor } from '../session-descriptor.js';
import { SessionExpiredError, SessionNotFoundError, UploadFailedError } from './errors.js';

/** One small JSON read from the edge. */
export const DESCRIPTOR_TIMEOUT_MS = 15_000;
/** A descriptor is a few URLs and numbers. */
const DESCRIPTOR_BYTES_MAX = 64 * 1024;

const STRING_FIELDS = [
  'sessionId',
  'uploadEndpoint',
  'statusUrl',
  'encodedEndpoint',
  'aggregatorUrl',
  'expiresAt',
];

function isDescriptor(value: unknown): value is SessionDescriptor {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    STRING_FIELDS.every((name) => typeof v[name] === 'string') &&
    Number.isSafeInteger(v.maxBytes) &&
    Number.isSafeInteger(v.relayBytesMax) &&
    typeof v.status === 'object' &&
    v.status !== null &&
    typeof (v.status as Record<string, unknown>).state === 'string'
  );
}

export async function fetchSessionDescriptor(
  uploadEndpoint: string,
  signal?: AbortSignal,
): Promise<SessionDescriptor> {
  const timeout = AbortSignal.timeout(DESCRIPTOR_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(`${uploadEndpoint.replace(/\/+$/, '')}/session`, {
      headers: { accept: 'application/json' },
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
    });
  } catch (error) {
    throw new UploadFailedError(`the upload service cannot be reached: ${String(error)}`, {
      cause: error,
    });
  }
  const text = await response.text();
  if (response.status === 410) throw new SessionExpiredError();
  if ([401, 403, 404].includes(response.status)) throw new SessionNotFoundError();
  if (!response.ok || text.length > DESCRIPTOR_BYTES_MAX) {
    throw new UploadFailedError(`the upload session could not be read (HTTP ${response.status})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isDescriptor(parsed)) throw new UploadFailedError('the upload session answer is malformed');
  return parsed;
}
