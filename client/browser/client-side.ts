/**
 * Client-side encoding mode (files over the session's relay maximum): wired to
 * client/client-encoding.ts's uploadClientEncoded once that lands.
 */
import type {
  SessionDescriptor,
  SessionUploadResult,
  UploadProgress,
} from '../session-descriptor.js';
import { UploadFailedError } from './errors.js';

export interface ClientSideOptions {
  readonly signal?: AbortSignal;
  readonly encoderWorkerUrl?: string | URL;
  readonly wasmUrls?: { readonly gf16: string; readonly blake2b: string };
  onProgress?(progress: UploadProgress): void;
}

export async function clientSideUpload(
  _file: Blob,
  _session: SessionDescriptor,
  _options: ClientSideOptions,
): Promise<SessionUploadResult> {
  throw new UploadFailedError('client-side encoding is not available yet');
}
