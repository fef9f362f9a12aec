/** Shared by the workerd tests (they run inside workerd: Web APIs only, no Node). */
import { blobIdToString } from '../../core/blob-id.js';
import { encodeBlob } from '../../core/encoding/blob-encoder.js';
import { randomBytes } from '../helpers/random.js';

/** Sizes the publisher tests store: empty, one byte, ~100 KB and ~3 MB (odd, so rows end partway). */
export const BLOB_SIZES = [0, 1, 100_003, 3_000_017] as const;

/**
 * workers/blob-response.ts's policies, restated: the tests pin the exact header values. A deletable
 * blob (the publisher's default) can be deleted at any time: never immutable, a minute at most.
 */
export const CACHE_CONTROL_DELETABLE = 'public, max-age=60, no-transform';
export const CACHE_CONTROL_UNCERTIFIED = 'public, max-age=5, no-transform';
/** A permanent certified blob: immutable, for as long as its storage is paid for at most. */
export const CACHE_CONTROL_PERMANENT = /^public, max-age=(\d+), immutable, no-transform$/;

/**
 * workers/index.ts's CORS exposure list, in its order: what tus clients need (upload sessions,
 * docs/spec/edge-platform.md §4.4), then what range readers and quilt galleries need.
 */
export const CORS_EXPOSED_HEADERS =
  'Location, Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata, Upload-Defer-Length, ' +
  'Upload-Concat, Tus-Version, Tus-Resumable, Tus-Max-Size, Tus-Extension, ' +
  'Accept-Ranges, Content-Length, Content-Range, Content-Type, ETag, Cache-Control, Retry-After, ' +
  'X-Quilt-Patch-Identifier';

/** Deterministic content for `size` (the seed is the size). */
export function blobBytes(size: number): Uint8Array {
  return randomBytes(size, 0x5eed + size);
}

/** The blob ID our encoder computes, as the API's base64url text. */
export function expectedBlobId(bytes: Uint8Array, nShards: number): string {
  return blobIdToString(encodeBlob(bytes, nShards).blobId);
}

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A syntactically valid blob ID that nobody stored (43 base64url chars of 32 bytes). */
export function unknownBlobId(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return blobIdToString(bytes);
}

/** The `newlyCreated` answer of Walrus's publisher, as far as the tests read it. */
export interface NewlyCreated {
  newlyCreated: {
    blobObject: {
      id: string;
      registeredEpoch: number;
      blobId: string;
      size: number;
      encodingType: string;
      certifiedEpoch: number | null;
      storage: { id: string; startEpoch: number; endEpoch: number; storageSize: number };
      deletable: boolean;
    };
    resourceOperation: { registerFromScratch: { encodedLength: number; epochsAhead: number } };
    cost: number;
  };
}

/** Walrus's error body (workers/errors.ts). */
export interface ErrorBody {
  error: {
    code: number;
    status: string;
    message: string;
    details: { reason: string; domain: string }[];
  };
}

export async function errorReason(response: Response): Promise<string> {
  const body = (await response.json()) as ErrorBody;
  return body.error.details[0].reason;
}
