/**
 * `uploadToSession`: a browser uploads one file through an upload session (the upload page runs
 * it, and dApps import it from the SDK's browser entry, client/browser/index.ts). It picks the mode
 * by the file's size: up to the session's `relayBytesMax` the file goes over tus and the edge
 * encodes it (relay.ts); larger files are encoded here, in a Web Worker, and their slivers go
 * straight to the storage nodes (client-side.ts). Either way progress is reported in bytes, then
 * in the stages the session's status stream reports, until the blob is certified.
 */
import type { SessionStatus } from '../session-descriptor.js';
import type {
  SessionDescriptor,
  SessionUploadResult,
  UploadProgress,
} from '../session-descriptor.js';
import { fetchSessionDescriptor } from './descriptor.js';
import { FileTooLargeError, UploadAbortedError, UploadFailedError } from './errors.js';
import { relayUpload } from './relay.js';
import { watchStatus } from './status-watch.js';

export interface UploadToSessionOptions {
  onProgress?(progress: UploadProgress): void;
  /** Every status the session reports (its state, and the blob ID once known). */
  onStatus?(status: SessionStatus): void;
  /** Relay mode found a previous upload of this file to this session: it goes on from `offset`. */
  onResume?(offset: number): void;
  /** The mode chosen, once the descriptor is known. */
  onMode?(mode: UploadMode): void;
  readonly signal?: AbortSignal;
  /**
   * URL of the built encoder Web Worker (client/browser/encoder-worker.ts bundled as an ES
   * module); needed only for files over the session's relay maximum.
   */
  readonly encoderWorkerUrl?: string | URL;
  /** URLs of core/wasm/gf16.wasm and blake2b.wasm for that worker (else its embedded bytes). */
  readonly wasmUrls?: { readonly gf16: string; readonly blake2b: string };
  /** Bytes per tus PATCH in relay mode (default RELAY_CHUNK_BYTES). */
  readonly chunkBytes?: number;
}

export type UploadMode = 'relay' | 'client-side';

const STAGES_AFTER_UPLOAD: Readonly<Record<string, UploadProgress['stage']>> = {
  encoding: 'encoding',
  storing: 'storing',
  certified: 'certified',
};

function resultOf(status: SessionStatus): SessionUploadResult {
  if (status.blobId === undefined || status.blobObjectId === undefined) {
    throw new UploadFailedError('the session is certified but names no blob');
  }
  return {
    blobId: status.blobId,
    blobObjectId: status.blobObjectId,
    certifiedEpoch: status.certifiedEpoch ?? 0,
  };
}

/** The mode a file of `bytes` takes in `session`. */
export function uploadModeOf(bytes: number, session: SessionDescriptor): UploadMode {
  return bytes <= session.relayBytesMax ? 'relay' : 'client-side';
}

/**
 * Uploads `file` through the session (its descriptor, or its `uploadEndpoint` to fetch the
 * descriptor from) and resolves once the blob is certified. Throws FileTooLargeError before a byte
 * is sent for a file over the session's `maxBytes`; SessionExpiredError, SessionNotFoundError,
 * UploadFailedError or UploadAbortedError otherwise (all SessionUploadError).
 */
export async function uploadToSession(
  file: Blob,
  sessionOrUploadEndpoint: SessionDescriptor | string,
  options: UploadToSessionOptions = {},
): Promise<SessionUploadResult> {
  const { signal } = options;
  const session =
    typeof sessionOrUploadEndpoint === 'string'
      ? await fetchSessionDescriptor(sessionOrUploadEndpoint, signal)
      : sessionOrUploadEndpoint;
  if (file.size > session.maxBytes) throw new FileTooLargeError(file.size, session.maxBytes);
  if (signal?.aborted) throw new UploadAbortedError();
  const total = file.size;
  const report = (stage: UploadProgress['stage'], bytesDone = total) =>
    options.onProgress?.({ stage, bytesDone, bytesTotal: total });
  const follow = async () => {
    const certified = await watchStatus(
      session.statusUrl,
      (status) => {
        options.onStatus?.(status);
        const stage = STAGES_AFTER_UPLOAD[status.state];
        if (stage !== undefined) report(stage);
      },
      signal,
    );
    return resultOf(certified);
  };
  const state = session.status.state;
  // A session past its upload (a reload after the last byte): only its outcome is left to show.
  if (state !== 'created' && state !== 'uploading') return follow();
  const mode = uploadModeOf(file.size, session);
  options.onMode?.(mode);
  if (mode === 'client-side') {
    // Loaded only when needed: the encoder, BLS verification and the node client are most of the
    // module's weight, and most files go through the relay.
    const { clientSideUpload } = await import('./client-side.js');
    return clientSideUpload(file, session, {
      signal,
      encoderWorkerUrl: options.encoderWorkerUrl,
      wasmUrls: options.wasmUrls,
      onProgress: options.onProgress,
    });
  }
  report('uploading', 0);
  await relayUpload(file, session, {
    chunkBytes: options.chunkBytes,
    signal,
    onBytes: (sent) => report('uploading', sent),
    onResume: options.onResume,
  });
  return follow();
}
