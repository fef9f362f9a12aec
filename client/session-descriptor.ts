/**
 * What a browser (the upload page, or a dApp's own page through the SDK's browser module) knows of
 * one upload session: `GET {uploadEndpoint}/session` answers it, with no key — the presigned token
 * in the URL is the credential. It tells the client which way to upload:
 *
 * - relay: files up to `relayBytesMax` go to `uploadEndpoint` over tus; the session's Durable
 *   Object encodes and stores them (durable-objects/session-store.ts).
 * - client-side encoding: larger files, up to `maxBytes`, are encoded by the client, which asks
 *   `encodedEndpoint` to register the blob, sends metadata and slivers straight to the storage
 *   nodes, and hands their confirmations back to `encodedEndpoint` to be verified and certified.
 *
 * Shared by the Worker (which answers it), the SDK's browser module and the tests.
 */
import type { SessionStatus } from './session-status.js';

export interface SessionDescriptor {
  readonly sessionId: string;
  /** tus 1.0.0 creation URL (relay mode). */
  readonly uploadEndpoint: string;
  /** JSON status, or Server-Sent Events with `Accept: text/event-stream`. */
  readonly statusUrl: string;
  /** Base URL of the client-side encoding routes (`/register`, `/certify`). */
  readonly encodedEndpoint: string;
  /** The aggregator that serves the blob once certified: `${aggregatorUrl}/v1/blobs/{blobId}`. */
  readonly aggregatorUrl: string;
  /** The session's limit: no file larger than this is stored, whichever the mode. */
  readonly maxBytes: number;
  /** The largest file the edge encodes itself; larger files are encoded by the client. */
  readonly relayBytesMax: number;
  /** Shards of the network: what a client-side encoder encodes for. */
  readonly nShards: number;
  /** ISO 8601. */
  readonly expiresAt: string;
  readonly status: SessionStatus;
}

/** The stages a user sees, in order. */
export type UploadStage = 'uploading' | 'encoding' | 'storing' | 'certified';

export interface UploadProgress {
  readonly stage: UploadStage;
  /** Bytes of the file sent (relay) or slivers sent (client-side encoding) so far. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface SessionUploadResult {
  readonly blobId: string;
  readonly blobObjectId: string;
  readonly certifiedEpoch: number;
}
