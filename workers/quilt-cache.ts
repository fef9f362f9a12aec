/**
 * The edge cache of quilt reads, on the blob reads' tiers (edge-cache.ts, hot-objects.ts):
 *
 * - a patch: its verified data with what its response needs (identifier, tags, the decided
 *   content type), keyed by quilt ID and columns — the patch ID's own contents — so a read by
 *   patch ID and one by identifier share it. Small patches also live in the isolate's memory.
 * - the decoded index of a quilt, which maps identifiers to columns and lists the patches.
 *
 * Both are filled only from verified columns of a certified quilt, for no longer than the quilt
 * may live (the caller passes edgeCacheTtlS), and every hit is still gated by a fresh status.
 */
import type { QuiltTags } from '../core/quilt/patch.js';
import type { QuiltIndex } from '../core/quilt/quilt-index.js';
import type { ColumnRange } from '../core/quilt/quilt-reader.js';
import { MemoryLru } from '../core/memory-lru.js';
import type { EdgeCache } from './edge-cache.js';
import { type QuiltPatchFields, forgetHotObject, hotObject, keepHotObject } from './hot-objects.js';

/** A patch as served: verified data plus the fields of its header, and its decided type. */
export interface CachedPatch extends QuiltPatchFields {
  readonly contentType: string;
  readonly data: Uint8Array;
}

/** Decoded indexes kept in isolate memory. */
export const QUILT_INDEX_MEMORY_ENTRIES_MAX = 256;
/**
 * An index is cached only up to this size as JSON. A quilt's index may take 10 columns (up to
 * ~200 MB at n = 1000); real ones list ≤ 666 short identifiers and hold a few tens of KB.
 */
export const QUILT_INDEX_CACHED_CHARS_MAX = 1024 * 1024;
/** Before the patch's fields in a cached entry: their length, a u32le. */
const FIELDS_LENGTH_BYTES = 4;

/** The index as JSON can hold it (tags as pairs: a key such as `__proto__` stays data). */
interface StoredIndex {
  readonly indexColumns: number;
  readonly patches: readonly {
    readonly identifier: string;
    readonly tags: readonly (readonly [string, string])[];
    readonly startIndex: number;
    readonly endIndex: number;
  }[];
}

const indexMemory = new MemoryLru<QuiltIndex>(QUILT_INDEX_MEMORY_ENTRIES_MAX);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Tag pairs of a patch or index entry, in the order the quilt holds them. */
export function tagPairs(tags: QuiltTags): [string, string][] {
  return [...tags.entries()];
}

function toStored(index: QuiltIndex): StoredIndex {
  return {
    indexColumns: index.indexColumns,
    patches: index.patches.map((patch) => ({ ...patch, tags: tagPairs(patch.tags) })),
  };
}

function fromStored(stored: StoredIndex): QuiltIndex {
  return {
    indexColumns: stored.indexColumns,
    patches: stored.patches.map((patch) => ({ ...patch, tags: new Map(patch.tags) })),
  };
}

/** u32le(fields length) ‖ JSON of the fields and content type ‖ data. */
function encodeEntry(patch: CachedPatch): Uint8Array {
  const fields = utf8.encode(
    JSON.stringify({
      identifier: patch.identifier,
      tags: patch.tags,
      contentType: patch.contentType,
    }),
  );
  const out = new Uint8Array(FIELDS_LENGTH_BYTES + fields.length + patch.data.length);
  new DataView(out.buffer).setUint32(0, fields.length, true);
  out.set(fields, FIELDS_LENGTH_BYTES);
  out.set(patch.data, FIELDS_LENGTH_BYTES + fields.length);
  return out;
}

function decodeEntry(bytes: Uint8Array): CachedPatch | undefined {
  try {
    const fieldsBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const dataStart = FIELDS_LENGTH_BYTES + fieldsBytes;
    if (dataStart > bytes.length) return undefined;
    const fields = JSON.parse(fromUtf8.decode(bytes.subarray(FIELDS_LENGTH_BYTES, dataStart))) as {
      identifier: string;
      tags: [string, string][];
      contentType: string;
    };
    return { ...fields, data: bytes.subarray(dataStart) };
  } catch {
    // Not an entry we wrote (another format version): a miss.
    return undefined;
  }
}

export class QuiltCache {
  constructor(private readonly cache: EdgeCache) {}

  /** The memory tier's key of a patch: no blob ID contains a `/`. */
  private static hotKey(quiltIdText: string, range: ColumnRange): string {
    return `${quiltIdText}/${range.start}-${range.end}`;
  }

  private patchKey(quiltIdText: string, range: ColumnRange): Request {
    return this.cache.key('quilt-patch', quiltIdText, `${range.start}-${range.end}`);
  }

  /** The patch at columns `range` of the quilt: isolate memory, then the Cache API. */
  async patch(quiltIdText: string, range: ColumnRange): Promise<CachedPatch | undefined> {
    const hotKey = QuiltCache.hotKey(quiltIdText, range);
    const hot = hotObject(hotKey);
    if (hot?.quiltPatch !== undefined) {
      return { ...hot.quiltPatch, contentType: hot.contentType, data: hot.bytes };
    }
    const bytes = await this.cache.getBytes(this.patchKey(quiltIdText, range));
    const patch = bytes === undefined ? undefined : decodeEntry(bytes);
    if (patch !== undefined) this.keepHot(hotKey, patch);
    return patch;
  }

  /** Keeps a verified patch of a certified quilt for `ttlS` seconds. */
  keepPatch(quiltIdText: string, range: ColumnRange, patch: CachedPatch, ttlS: number): void {
    this.keepHot(QuiltCache.hotKey(quiltIdText, range), patch);
    this.cache.putBytes(this.patchKey(quiltIdText, range), encodeEntry(patch), ttlS);
  }

  private keepHot(hotKey: string, patch: CachedPatch): void {
    keepHotObject(hotKey, {
      bytes: patch.data,
      contentType: patch.contentType,
      quiltPatch: { identifier: patch.identifier, tags: patch.tags },
    });
  }

  /** The decoded index of the quilt: isolate memory, then the Cache API. */
  async index(quiltIdText: string): Promise<QuiltIndex | undefined> {
    const known = indexMemory.get(quiltIdText);
    if (known !== undefined) return known;
    const stored = await this.cache.getJson<StoredIndex>(
      this.cache.key('quilt-index', quiltIdText),
    );
    if (stored === undefined || !Array.isArray(stored.patches)) return undefined;
    const index = fromStored(stored);
    indexMemory.set(quiltIdText, index);
    return index;
  }

  /** Keeps the verified index of a certified quilt for `ttlS` seconds (unless it is huge). */
  keepIndex(quiltIdText: string, index: QuiltIndex, ttlS: number): void {
    const stored = toStored(index);
    if (JSON.stringify(stored).length > QUILT_INDEX_CACHED_CHARS_MAX) return;
    indexMemory.set(quiltIdText, index);
    this.cache.putJson(this.cache.key('quilt-index', quiltIdText), stored, ttlS);
  }

  /** Forgets what this isolate and data center keep of a quilt the network no longer serves. */
  forget(quiltIdText: string, range: ColumnRange | undefined): void {
    indexMemory.delete(quiltIdText);
    this.cache.delete(this.cache.key('quilt-index', quiltIdText));
    if (range === undefined) return;
    forgetHotObject(QuiltCache.hotKey(quiltIdText, range));
    this.cache.delete(this.patchKey(quiltIdText, range));
  }
}
