/**
 * What an upload session is, as its Durable Object stores it, and the status JSON of `statusUrl`
 * (the API of issue 10, exact: `{state, bytesReceived, uploadLength, blobId?, blobObjectId?,
 * certifiedEpoch?, error?}`). Shared by the Worker (which creates sessions) and the object.
 */

export type SessionState =
  'created' | 'uploading' | 'encoding' | 'storing' | 'certified' | 'failed' | 'expired';

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
  /** When a final state was reached (the record is kept SESSION_RETENTION_MS after it). */
  readonly endedAtMs?: number;
  readonly blobId?: string;
  readonly blobObjectId?: string;
  readonly certifiedEpoch?: number;
  readonly error?: string;
}

export interface SessionStatus {
  readonly state: SessionState;
  readonly bytesReceived: number;
  readonly uploadLength: number | null;
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
