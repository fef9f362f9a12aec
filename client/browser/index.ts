/**
 * The SDK's browser entry (`walrus-edge/browser`): upload a file through an upload session from a
 * web page. No Node built-ins; bundle it with the page (esbuild, Vite, webpack). See the README
 * ("Browser uploads").
 *
 *   import { uploadToSession } from 'walrus-edge/browser';
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
export type { SessionStatus, SessionState } from '../../durable-objects/session-record.js';
