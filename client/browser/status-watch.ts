/**
 * Following a session's status from a browser: an EventSource on `statusUrl` (the Durable Object
 * streams `event: status` objects until a final state, durable-objects/upload-session.ts), with a
 * JSON GET to see where things stand whenever the stream breaks, and a bounded number of new
 * streams after that. Resolves at `certified`, rejects at `failed` or `expired`.
 */
import type { SessionStatus } from '../session-descriptor.js';
import { SessionExpiredError, UploadAbortedError, UploadFailedError } from './errors.js';

/** A stream that breaks this often in one upload is not coming back. */
export const STATUS_STREAM_RECONNECTS_MAX = 10;
/** Pause before a new stream: the edge may be restarting the session's object. */
export const STATUS_STREAM_RETRY_MS = 1_000;
/** Each JSON status request (the stream itself has no deadline: the object pings every 15 s). */
export const STATUS_REQUEST_TIMEOUT_MS = 10_000;
/** A status answer is a few fields. */
const STATUS_BYTES_MAX = 16 * 1024;
/** Encoding and certifying a session's largest blob takes minutes; past this, something is stuck. */
export const CERTIFIED_WAIT_MS_MAX = 30 * 60 * 1000;

const FINAL = new Set(['certified', 'failed', 'expired']);

function isStatus(value: unknown): value is SessionStatus {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.state === 'string' &&
    typeof v.bytesReceived === 'number'
  );
}

/** One JSON status read, bounded in time and size. */
export async function readStatus(statusUrl: string, signal?: AbortSignal): Promise<SessionStatus> {
  const timeout = AbortSignal.timeout(STATUS_REQUEST_TIMEOUT_MS);
  const response = await fetch(statusUrl, {
    headers: { accept: 'application/json' },
    signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
  });
  const text = await response.text();
  if (!response.ok || text.length > STATUS_BYTES_MAX) {
    throw new UploadFailedError(`the session status answered ${response.status}`);
  }
  const parsed: unknown = JSON.parse(text);
  if (!isStatus(parsed)) throw new UploadFailedError('the session status is malformed');
  return parsed;
}

function settled(status: SessionStatus): SessionStatus {
  if (status.state === 'certified') return status;
  if (status.state === 'expired') throw new SessionExpiredError();
  throw new UploadFailedError(
    `the upload failed${status.error === undefined ? '' : `: ${status.error}`}`,
  );
}

/**
 * Calls `onStatus` with every status the session reports, until a final one; resolves with the
 * certified status or rejects with a typed error.
 */
export function watchStatus(
  statusUrl: string,
  onStatus: (status: SessionStatus) => void,
  signal?: AbortSignal,
): Promise<SessionStatus> {
  return new Promise((resolve, reject) => {
    let source: EventSource | undefined;
    let reconnects = 0;
    let done = false;
    const finish = (outcome: () => SessionStatus) => {
      if (done) return;
      done = true;
      source?.close();
      clearTimeout(deadline);
      signal?.removeEventListener('abort', aborted);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    };
    const seen = (status: SessionStatus) => {
      if (done) return;
      onStatus(status);
      if (FINAL.has(status.state)) finish(() => settled(status));
    };
    const aborted = () =>
      finish(() => {
        throw new UploadAbortedError();
      });
    const deadline = setTimeout(
      () =>
        finish(() => {
          throw new UploadFailedError('the session did not reach a final state in time');
        }),
      CERTIFIED_WAIT_MS_MAX,
    );
    const open = () => {
      if (done) return;
      source = new EventSource(statusUrl);
      source.addEventListener('status', (event) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        if (isStatus(parsed)) seen(parsed);
      });
      source.addEventListener('error', () => {
        // EventSource retries by itself while it can; a broken stream is closed and replaced here,
        // after a JSON read that catches a final state the stream had no time to send.
        source?.close();
        if (done) return;
        if (++reconnects > STATUS_STREAM_RECONNECTS_MAX) {
          finish(() => {
            throw new UploadFailedError('the session status stream keeps failing');
          });
          return;
        }
        readStatus(statusUrl, signal)
          .then(seen, () => {})
          .finally(() => setTimeout(open, STATUS_STREAM_RETRY_MS));
      });
    };
    if (signal?.aborted) return aborted();
    signal?.addEventListener('abort', aborted, { once: true });
    open();
  });
}
