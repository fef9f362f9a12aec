/**
 * An upload session's status, as `statusUrl` answers it (issue 10's API, exact: `{state,
 * bytesReceived, uploadLength, blobId?, blobObjectId?, certifiedEpoch?, error?}`). Here, in the SDK,
 * so that browser code (client/session-descriptor.ts) needs nothing of the Durable Object's;
 * durable-objects/session-record.ts re-exports it beside the record it is computed from.
 */

export type SessionState =
  'created' | 'uploading' | 'encoding' | 'storing' | 'certified' | 'failed' | 'expired';

export interface SessionStatus {
  readonly state: SessionState;
  readonly bytesReceived: number;
  readonly uploadLength: number | null;
  readonly blobId?: string;
  readonly blobObjectId?: string;
  readonly certifiedEpoch?: number;
  readonly error?: string;
}
