/**
 * The SDK's browser entry: upload a file through an upload session from a web page. No Node
 * built-ins; bundle it with the page (esbuild, Vite, webpack). See the README ("Browser uploads").
 * Files over the session's relay maximum need `encoderWorkerUrl`: encoder-worker.ts bundled as an
 * ES module worker script.
 *
 *   import { uploadToSession } from './client/browser/index.js';
 *   const { blobId } = await uploadToSession(file, uploadEndpoint, {
 *     onProgress: (p) => console.log(p.stage, p.bytesDone, p.bytesTotal),
 *   });
 */
export {
  uploadToSession,
  uploadModeOf,
  type UploadMode,
  type UploadToSessionOptions,
} from './upload.js';
export { fetchSessionDescriptor } from './descriptor.js';
export { watchStatus, readStatus } from './status-watch.js';
export { workerEncoder, type BlobEncoder } from './worker-encoder.js';
export {
  SessionUploadError,
  FileTooLargeError,
  SessionExpiredError,
  SessionNotFoundError,
  UploadFailedError,
  UploadAbortedError,
  formatBytes,
  type SessionUploadFailure,
} from './errors.js';
export type {
  SessionDescriptor,
  SessionUploadResult,
  UploadProgress,
  UploadStage,
} from '../session-descriptor.js';
export type { SessionStatus, SessionState } from '../session-descriptor.js';
