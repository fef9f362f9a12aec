/**
 * Staging of a session's received bytes in R2.
 *
 * Design: each acknowledged stretch of the upload is its own R2 object, `{sessionId}/{offset}`, of
 * at most STAGE_CHUNK_BYTES. Why not an R2 multipart upload: its parts must all be the same size
 * and at least 5 MiB except the last (docs/spec/edge-platform.md §4.2), while a tus PATCH may be any
 * size, so parts would have to be re-cut, and bytes held back until a part fills would be lost by a
 * restart or be state outside R2. Chunk objects need neither: a PATCH body is cut into slices of up
 * to STAGE_CHUNK_BYTES as it streams in (memory per PATCH is one slice), each slice is PUT, then the
 * object records it and moves the offset on. What was acknowledged is always in R2; a slice cut
 * off by a disconnect is still staged (tus: keep as much of an interrupted body as possible); a
 * restart between the PUT and the record leaves an object the next PATCH at that offset replaces.
 */
import type { R2Bucket } from '@cloudflare/workers-types/index.js';

/** One staged object at most: bounds a PATCH's memory, and what a disconnect can lose. */
export const STAGE_CHUNK_BYTES = 8 * 1024 * 1024;
/** Staged objects per session: a client sending tiny PATCHes must not make unbounded objects. */
export const STAGED_CHUNKS_MAX = 10_000;
/** R2 deletes at most this many keys per call. */
const R2_DELETE_KEYS_MAX = 1000;

export interface StagedChunk {
  readonly offset: number;
  readonly length: number;
}

export function chunkKey(sessionId: string, offset: number): string {
  return `${sessionId}/${offset.toString().padStart(16, '0')}`;
}

export interface StageOutcome {
  /** Bytes staged and recorded by this call. */
  readonly staged: number;
  /** The body held more than `remaining` bytes: the surplus was not read. */
  readonly overflow: boolean;
  /** The body broke off (client gone); what came before it is staged. */
  readonly interrupted: unknown;
}

/**
 * Streams `body` into chunk objects from `offset`, at most `remaining` bytes, calling `record`
 * after each object is in R2 (the caller persists it: that is the acknowledgement).
 */
export async function stageBody(
  bucket: R2Bucket,
  sessionId: string,
  body: ReadableStream<Uint8Array> | null,
  offset: number,
  remaining: number,
  record: (chunk: StagedChunk) => Promise<void>,
): Promise<StageOutcome> {
  let staged = 0;
  let buffer: Uint8Array | undefined;
  let filled = 0;
  const flush = async () => {
    if (buffer === undefined || filled === 0) return;
    const at = offset + staged;
    await bucket.put(chunkKey(sessionId, at), buffer.subarray(0, filled));
    await record({ offset: at, length: filled });
    staged += filled;
    buffer = undefined;
    filled = 0;
  };
  if (body === null) return { staged, overflow: false, interrupted: undefined };
  const reader = body.getReader();
  let overflow = false;
  let interrupted: unknown;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        interrupted = error;
        break;
      }
      if (next.done) break;
      let piece = next.value;
      while (piece.length > 0) {
        const room = remaining - staged - filled;
        if (room <= 0) {
          overflow = true;
          break;
        }
        if (buffer === undefined) buffer = new Uint8Array(Math.min(STAGE_CHUNK_BYTES, room));
        const take = Math.min(piece.length, buffer.length - filled);
        buffer.set(piece.subarray(0, take), filled);
        filled += take;
        piece = piece.subarray(take);
        if (filled === buffer.length) await flush();
      }
      if (overflow) break;
    }
  } finally {
    if (overflow || interrupted !== undefined) void reader.cancel().catch(() => {});
  }
  await flush();
  return { staged, overflow, interrupted };
}

/**
 * The staged blob, read back whole, after checking that the recorded chunks tile [0, length) and
 * that every object holds exactly its recorded bytes: nothing mismatched is ever stored.
 */
export async function readStaged(
  bucket: R2Bucket,
  sessionId: string,
  chunks: readonly StagedChunk[],
  length: number,
): Promise<Uint8Array> {
  const blob = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    if (chunk.offset !== at) throw new Error(`staged bytes have a gap or overlap at ${at}`);
    const object = await bucket.get(chunkKey(sessionId, chunk.offset));
    if (object === null) throw new Error(`staged chunk at ${chunk.offset} is missing`);
    const bytes = new Uint8Array(await object.arrayBuffer());
    if (bytes.length !== chunk.length || at + bytes.length > length) {
      throw new Error(
        `staged chunk at ${chunk.offset} holds ${bytes.length} bytes, not ${chunk.length}`,
      );
    }
    blob.set(bytes, at);
    at += bytes.length;
  }
  if (at !== length) throw new Error(`staged ${at} bytes of ${length}`);
  return blob;
}

/** Deletes every object the session staged (recorded or not); returns how many. */
export async function deleteStaged(bucket: R2Bucket, sessionId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const listed = await bucket.list({ prefix: `${sessionId}/`, limit: R2_DELETE_KEYS_MAX });
    if (listed.objects.length === 0) return deleted;
    await bucket.delete(listed.objects.map((object) => object.key));
    deleted += listed.objects.length;
    if (!listed.truncated) return deleted;
  }
}
