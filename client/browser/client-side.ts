/**
 * Client-side encoding mode (files over the session's relay maximum): the file is encoded in a
 * Web Worker (worker-encoder.ts) and handed to client/client-encoding.ts's uploadClientEncoded,
 * which registers it with the session, sends its slivers straight to the storage nodes and has
 * the session certify it. Its refusals become this module's typed errors.
 */
import { ClientEncodingError, uploadClientEncoded } from '../client-encoding.js';
import type {
  SessionDescriptor,
  SessionUploadResult,
  UploadProgress,
} from '../session-descriptor.js';
import {
  FileTooLargeError,
  SessionExpiredError,
  SessionNotFoundError,
  SessionUploadError,
  UploadAbortedError,
  UploadFailedError,
} from './errors.js';
import { workerEncoder } from './worker-encoder.js';

export interface ClientSideOptions {
  readonly signal?: AbortSignal;
  readonly encoderWorkerUrl?: string | URL;
  readonly wasmUrls?: { readonly gf16: string; readonly blake2b: string };
  onProgress?(progress: UploadProgress): void;
}

function typed(error: unknown, file: Blob, session: SessionDescriptor): Error {
  if (error instanceof SessionUploadError) return error;
  if ((error as Error)?.name === 'AbortError') return new UploadAbortedError();
  if (error instanceof ClientEncodingError) {
    if (error.status === 413) return new FileTooLargeError(file.size, session.maxBytes);
    if (error.status === 410) return new SessionExpiredError();
    if (error.status === 401 || error.status === 404) return new SessionNotFoundError();
    if (error.status === 403) {
      return new SessionNotFoundError('this upload link has already been used for another upload');
    }
  }
  return new UploadFailedError(`the upload failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}

export async function clientSideUpload(
  file: Blob,
  session: SessionDescriptor,
  options: ClientSideOptions,
): Promise<SessionUploadResult> {
  if (options.encoderWorkerUrl === undefined) {
    throw new UploadFailedError(
      `files over ${session.relayBytesMax} bytes are encoded in the browser: pass encoderWorkerUrl`,
    );
  }
  const encode = workerEncoder({ workerUrl: options.encoderWorkerUrl, wasm: options.wasmUrls });
  try {
    return await uploadClientEncoded(file, session, {
      encode,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } catch (error) {
    throw typed(error, file, session);
  }
}
