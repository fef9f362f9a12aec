/**
 * Relay mode: the file goes to the session's tus endpoint (tus-js-client, its browser build), and
 * the session's Durable Object encodes and stores it. The upload's URL is kept in localStorage
 * under the file's fingerprint (tus-js-client's: name, type, size, modification time and the
 * endpoint, which holds the session's token), so a reload, or a new call with the same file,
 * resumes from the offset the edge acknowledged instead of starting over.
 */
import * as tus from 'tus-js-client';
import type { SessionDescriptor } from '../session-descriptor.js';
import {
  FileTooLargeError,
  SessionExpiredError,
  SessionNotFoundError,
  UploadAbortedError,
  UploadFailedError,
} from './errors.js';

/**
 * Bytes per PATCH: the size of the edge's staged objects (durable-objects/staging.ts
 * STAGE_CHUNK_BYTES), so each request fills one. A PATCH cut off midway keeps what arrived.
 */
export const RELAY_CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * Retries of a failed request (tus-js-client retries only network errors, 409, 423 and 5xx), then
 * the upload fails; the fingerprint stays, so a later attempt resumes.
 */
export const RELAY_RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000];

export interface RelayOptions {
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
  /** Bytes of the file the edge has acknowledged so far. */
  onBytes(bytesSent: number, bytesTotal: number): void;
  /** A previous upload of this file to this session was found; it goes on from `offset`. */
  onResume?(offset: number): void;
}

/** The typed error for a refusal of the tus endpoint (its status and AIP-193 reason). */
function refusal(error: Error): Error {
  const status = (error as tus.DetailedError).originalResponse?.getStatus();
  if (status === 410) return new SessionExpiredError();
  if (status === 401 || status === 404) return new SessionNotFoundError();
  if (status === 403) {
    return new SessionNotFoundError(
      'this upload link has already been used for another upload (or from another browser)',
    );
  }
  return new UploadFailedError(
    `the upload failed${status === undefined ? '' : ` (HTTP ${status})`}: ${error.message}`,
    { cause: error },
  );
}

/** Sends `file` over tus; resolves once every byte is acknowledged. */
export async function relayUpload(
  file: Blob,
  session: SessionDescriptor,
  options: RelayOptions,
): Promise<void> {
  if (file.size > session.maxBytes) throw new FileTooLargeError(file.size, session.maxBytes);
  const { signal } = options;
  if (signal?.aborted) throw new UploadAbortedError();
  let upload: tus.Upload | undefined;
  const done = new Promise<void>((resolve, reject) => {
    upload = new tus.Upload(file, {
      endpoint: session.uploadEndpoint,
      chunkSize: options.chunkBytes ?? RELAY_CHUNK_BYTES,
      retryDelays: RELAY_RETRY_DELAYS_MS,
      metadata: {
        filename: (file as File).name ?? 'blob',
        filetype: file.type || 'application/octet-stream',
      },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => options.onBytes(sent, total),
      onAfterResponse: (request, response) => {
        // The HEAD of a resumed upload tells where it goes on from.
        if (request.getMethod() === 'HEAD' && response.getStatus() === 200) {
          options.onResume?.(Number(response.getHeader('Upload-Offset')));
        }
      },
      onSuccess: () => resolve(),
      onError: (error) => reject(refusal(error)),
    });
  });
  const aborted = () => void upload?.abort(false);
  signal?.addEventListener('abort', aborted, { once: true });
  try {
    const previous = await upload!.findPreviousUploads();
    // The newest first: an older entry may point at an upload the edge has since finished.
    previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime));
    if (previous.length > 0) upload!.resumeFromPreviousUpload(previous[0]);
    upload!.start();
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(new UploadAbortedError());
        signal?.addEventListener('abort', () => reject(new UploadAbortedError()), { once: true });
      }),
    ]);
  } finally {
    signal?.removeEventListener('abort', aborted);
  }
}
