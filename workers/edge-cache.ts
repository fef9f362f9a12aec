/**
 * The Worker's cache tiers over the Cache API (docs/spec/edge-platform.md §2.2): one data center's
 * key/value store of Responses, filled with `waitUntil` so no client waits for a write, plus a small
 * in-isolate memory tier for the entries every request consults (metadata, status, committee).
 *
 * Keys are synthetic URLs on the Worker's own host (the docs warn that other hosts cost DNS
 * lookups), under a versioned prefix so a format change never reads an old entry. Entries carry
 * their freshness in `Cache-Control` (the Cache API honours it) and, where the Worker decides
 * freshness itself, in a header of ours. Nothing is put here before it is verified.
 */
import { withKnownLength } from './blob-response.js';

/** Bump when an entry's format changes: old entries are then never read. */
const KEY_PREFIX = '/.walrus-edge/cache/v1';
/** The Cache API stores objects up to 512 MB; the Worker stays well below it. */
export const CACHE_OBJECT_BYTES_LIMIT = 512 * 1024 * 1024;
/**
 * Bytes of buffered entries being written at once in an isolate: a put holds its bytes until the
 * cache has them, and a fast read of a large blob produces segments faster than they are stored;
 * past this, a segment is served without being cached (a later read caches it).
 */
export const PUTS_IN_FLIGHT_BYTES_MAX = 24 * 1024 * 1024;
let putBytesInFlight = 0;

export type EntryKind =
  | 'blob'
  | 'segment'
  | 'metadata'
  | 'status'
  | 'sniff'
  | 'committee'
  | 'quilt-patch'
  | 'quilt-index';

export class EdgeCache {
  constructor(
    private readonly cache: Cache,
    /** The Worker's own origin (`https://host`), which keys live under. */
    private readonly origin: string,
    private readonly waitUntil: (promise: Promise<unknown>) => void,
  ) {}

  key(kind: EntryKind, ...parts: readonly string[]): Request {
    const path = [KEY_PREFIX, kind, ...parts.map((part) => encodeURIComponent(part))].join('/');
    return new Request(`${this.origin}${path}`, { method: 'GET' });
  }

  /** The cached response, with the request's Range/If-None-Match applied by the Cache API. */
  async match(key: Request, headers?: HeadersInit): Promise<Response | undefined> {
    const request = headers === undefined ? key : new Request(key.url, { headers });
    try {
      return await this.cache.match(request);
    } catch {
      // The cache is an optimisation: a failing lookup is a miss.
      return undefined;
    }
  }

  /** Stores `response` in the background; a failed put only costs a later miss. */
  put(key: Request, response: Response): void {
    this.waitUntil(
      this.cache.put(key, response).catch(() => {
        // Too large, or a transient failure: the next request fetches again.
      }),
    );
  }

  delete(key: Request): void {
    this.waitUntil(this.cache.delete(key).catch(() => false));
  }

  /** A JSON entry, fresh or not (the caller reads its own freshness from the value). */
  async getJson<T>(key: Request): Promise<T | undefined> {
    const hit = await this.match(key);
    if (hit === undefined) return undefined;
    try {
      return (await hit.json()) as T;
    } catch {
      return undefined;
    }
  }

  putJson(key: Request, value: unknown, ttlSeconds: number): void {
    this.put(
      key,
      new Response(JSON.stringify(value), {
        headers: {
          'content-type': 'application/json',
          'cache-control': `public, max-age=${Math.max(1, Math.floor(ttlSeconds))}`,
        },
      }),
    );
  }

  async getBytes(key: Request): Promise<Uint8Array | undefined> {
    const hit = await this.match(key);
    if (hit === undefined) return undefined;
    try {
      return new Uint8Array(await hit.arrayBuffer());
    } catch {
      return undefined;
    }
  }

  /**
   * Stores `bytes`, given whole or as pieces in order (a segment's rows: streamed to the cache as
   * they are, not joined into a fresh buffer first; the same pieces may be going to a client, and
   * a stream body's consumer reads them without detaching them, as the whole-object tee relies on).
   */
  putBytes(key: Request, bytes: Uint8Array | readonly Uint8Array[], ttlSeconds: number): void {
    const pieces = bytes instanceof Uint8Array ? [bytes] : bytes;
    let length = 0;
    for (const piece of pieces) length += piece.length;
    if (putBytesInFlight + length > PUTS_IN_FLIGHT_BYTES_MAX) return;
    putBytesInFlight += length;
    const body =
      pieces.length === 1
        ? (pieces[0] as Uint8Array<ArrayBuffer>)
        : withKnownLength(streamOf(pieces), length);
    this.waitUntil(
      this.cache
        .put(
          key,
          new Response(body, {
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(length),
              'cache-control': `public, max-age=${Math.max(1, Math.floor(ttlSeconds))}`,
            },
          }),
        )
        .catch(() => {
          // Too large, or a transient failure: the next request fetches again.
        })
        .finally(() => {
          putBytesInFlight -= length;
        }),
    );
  }
}

/** The pieces, one chunk each, pulled as the consumer asks. */
function streamOf(pieces: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < pieces.length) controller.enqueue(pieces[next++]);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
