/**
 * What an upload session is, as its Durable Object stores it, and the status JSON of `statusUrl`
 * (the API of issue 10, exact: `{state, bytesReceived, uploadLength, blobId?, blobObjectId?,
 * certifiedEpoch?, error?}`). Shared by the Worker (which creates sessions) and the object.
 */
import type { SessionState, SessionStatus } from '../client/session-status.js';

/**
 * The largest blob a session stores. Measured (`npm run bench:session`, 7 nodes, 100 shards):
 * workerd's RSS rose 113 MiB above idle while a 16 MiB session staged, encoded and stored, and
 * 173 MiB for 24 MiB (garbage included: sliver copies for the uploads are short-lived), so 16 MiB
 * is the largest round size within an isolate's 128 MB: the relay's cap (UPLOAD_RELAY_BYTES_MAX).
 */
export const SESSION_ENCODE_BYTES_LIMIT = 16 * 1024 * 1024;

export type { SessionState, SessionStatus };

/** States after which nothing changes any more: status streams end there. */
export const FINAL_STATES: ReadonlySet<SessionState> = new Set(['certified', 'failed', 'expired']);

/** What the Worker hands the object when it creates the session (`POST /init`). */
export interface SessionInit {
  readonly sessionId: string;
  /** The API key's ID (workers/upload-tokens.ts apiKeyId): only it may read the session by key. */
  readonly keyId: string;
  readonly epochs: number;
  readonly maxBytes: number;
  readonly deletable: boolean;
  readonly sendObjectTo: string | null;
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

export interface SessionRecord extends SessionInit {
  readonly state: SessionState;
  /** The one tus creation (or plain PUT) this session's endpoint allows has happened. */
  readonly endpointUsed: boolean;
  readonly uploadLength: number | null;
  /** Bytes staged in R2 and acknowledged: the tus offset. */
  readonly bytesReceived: number;
  /** `Upload-Metadata` as the client sent it at creation (validated), echoed on HEAD. */
  readonly uploadMetadata: string | null;
  /** How many times processing started (a restart mid-store starts it again, within a bound). */
  readonly processingAttempts: number;
  /**
   * 'client': the client encodes and distributes (client-side encoding, client-encoded.ts); this
   * object only registers and certifies. Absent: the relay (tus or PUT) staged the bytes here.
   */
  readonly mode?: 'client';
  /** Client-side encoding: the epoch the blob was registered in (named when certifying fails). */
  readonly registeredEpoch?: number;
  /** Client-side encoding: certify before this, or the alarm fails the session. */
  readonly certifyByMs?: number;
  /** When a final state was reached (the record is kept SESSION_RETENTION_MS after it). */
  readonly endedAtMs?: number;
  readonly blobId?: string;
  readonly blobObjectId?: string;
  readonly certifiedEpoch?: number;
  readonly error?: string;
}

export function statusOf(record: SessionRecord): SessionStatus {
  return {
    state: record.state,
    bytesReceived: record.bytesReceived,
    uploadLength: record.uploadLength,
    ...(record.blobId === undefined ? {} : { blobId: record.blobId }),
    ...(record.blobObjectId === undefined ? {} : { blobObjectId: record.blobObjectId }),
    ...(record.certifiedEpoch === undefined ? {} : { certifiedEpoch: record.certifiedEpoch }),
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}
