/**
 * The hottest tier: small certified blobs and quilt patches kept whole in the isolate's memory
 * (NFT metadata, thumbnails, icons), keyed by blob ID, or by quilt-cache.ts's patch key. A hit costs no Cache API round trip — on Cloudflare that is a local lookup,
 * under Miniflare a call to another process — just a slice of bytes. Bounded in bytes (Workers
 * give an isolate 128 MB) and least-recently-used first out.
 */

/** Blobs up to this size are kept whole in memory. */
export const HOT_OBJECT_BYTES_MAX = 256 * 1024;
/** The tier's budget in one isolate. */
export const HOT_OBJECTS_BYTES_MAX = 16 * 1024 * 1024;

export interface HotObject {
  readonly bytes: Uint8Array;
  /** The sniffed type (by blob ID: attributes are per object and applied at serve time). */
  readonly contentType: string;
  /** A quilt patch's identifier and tags, from its verified header (docs/spec/quilts.md §3). */
  readonly quiltPatch?: QuiltPatchFields;
}

export interface QuiltPatchFields {
  readonly identifier: string;
  /** Tag pairs as the patch header holds them (a Map would not survive JSON). */
  readonly tags: readonly (readonly [string, string])[];
}

const entries = new Map<string, HotObject>();
let bytesHeld = 0;

export function hotObject(blobId: string): HotObject | undefined {
  const entry = entries.get(blobId);
  if (entry === undefined) return undefined;
  entries.delete(blobId);
  entries.set(blobId, entry);
  return entry;
}

export function keepHotObject(blobId: string, object: HotObject): void {
  if (object.bytes.length > HOT_OBJECT_BYTES_MAX) return;
  forgetHotObject(blobId);
  entries.set(blobId, object);
  bytesHeld += object.bytes.length;
  while (bytesHeld > HOT_OBJECTS_BYTES_MAX) {
    const [oldest] = entries.keys();
    forgetHotObject(oldest);
  }
}

export function forgetHotObject(blobId: string): void {
  const entry = entries.get(blobId);
  if (entry === undefined) return;
  entries.delete(blobId);
  bytesHeld -= entry.bytes.length;
}
