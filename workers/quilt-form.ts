/**
 * The body of `PUT /v1/quilts` (docs/spec/quilts.md §8, Walrus's `parse_multipart_quilt`):
 * `multipart/form-data` whose every field but `_metadata` is one file — the field name is the
 * identifier; the part's filename and Content-Type are ignored — and an optional `_metadata` field,
 * JSON `[{"identifier": …, "tags": {…}}]`. Tag values that are not strings are stored as their JSON
 * text (`1` → `"1"`), entries for files that are not in the form are ignored, and an identifier
 * listed twice is refused.
 *
 * Parsing is workerd's own `formData()` (the platform's multipart parser, kept by Cloudflare)
 * over the request body counted as it streams: past the limit the stream errors and the request is
 * a 413 whatever Content-Length said, so the parser never sees more than the limit. The parser
 * holds what it read (the files) until the quilt is built; the limit bounds that.
 */
import { BodyTooLargeError, declaredLength } from '../core/http/body.js';
import type { QuiltFile } from '../core/quilt/quilt-builder.js';
import { EdgeErrors } from './api-errors.js';
import { parseMediaType } from './media-type.js';

/** The field that carries tags rather than a file. */
export const QUILT_METADATA_FIELD = '_metadata';
/** What workerd's parser puts in place of bytes that are not UTF-8 in a field without a filename. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** The request body, erroring once more than `bytesMax` bytes have streamed through. */
function countedBody(
  body: ReadableStream<Uint8Array>,
  bytesMax: number,
): { stream: ReadableStream<Uint8Array>; exceeded: () => boolean } {
  let bytes = 0;
  let exceeded = false;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > bytesMax) {
          exceeded = true;
          controller.error(new BodyTooLargeError(bytesMax));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return { stream, exceeded: () => exceeded };
}

async function parseForm(request: Request, bytesMax: number): Promise<FormData> {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = parseMediaType(contentType);
  if (mediaType?.essence !== 'multipart/form-data') {
    await request.body?.cancel().catch(() => {});
    throw EdgeErrors.malformedRequest(
      `a quilt is sent as multipart/form-data (one field per file), not ${JSON.stringify(contentType)}`,
    );
  }
  const declared = declaredLength(request.headers);
  if (declared !== null && declared > bytesMax) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(bytesMax, declared);
  }
  if (request.body === null) throw EdgeErrors.malformedRequest('the quilt request has no body');
  const counted = countedBody(request.body, bytesMax);
  try {
    return await new Response(counted.stream, {
      headers: { 'content-type': mediaType.value },
    }).formData();
  } catch (error) {
    if (counted.exceeded()) throw new BodyTooLargeError(bytesMax);
    throw EdgeErrors.malformedRequest(`malformed multipart body: ${(error as Error).message}`);
  }
}

/** The bytes of one file field; a field without a filename arrives as text. */
async function fieldBytes(name: string, value: File | string): Promise<Uint8Array> {
  if (typeof value !== 'string') return new Uint8Array(await value.arrayBuffer());
  // workerd decodes a part without a filename as UTF-8, replacing bytes that are not: refuse
  // rather than store something else than was sent.
  if (value.includes(REPLACEMENT_CHARACTER)) {
    throw EdgeErrors.malformedRequest(
      `field ${JSON.stringify(name)} has no filename and is not UTF-8 text: send it as a file ` +
        '(with a filename, e.g. curl -F "name=@path")',
    );
  }
  return new TextEncoder().encode(value);
}

/** A Map, not an object: a tag named `__proto__` must stay a tag. */
type Tags = Map<string, string>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `_metadata` as identifier → tags; refuses anything but Walrus's shape. */
export function parseQuiltMetadata(text: string): Map<string, Tags> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw EdgeErrors.malformedRequest(`_metadata is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) {
    throw EdgeErrors.malformedRequest('_metadata must be a JSON array of {identifier, tags}');
  }
  const byIdentifier = new Map<string, Tags>();
  value.forEach((entry: unknown, position) => {
    if (!isPlainObject(entry) || typeof entry.identifier !== 'string') {
      throw EdgeErrors.malformedRequest(
        `_metadata[${position}] must be an object with a string identifier`,
      );
    }
    if (entry.tags !== undefined && !isPlainObject(entry.tags)) {
      throw EdgeErrors.malformedRequest(`_metadata[${position}].tags must be a JSON object`);
    }
    if (byIdentifier.has(entry.identifier)) {
      throw EdgeErrors.malformedRequest(
        `_metadata lists identifier ${JSON.stringify(entry.identifier)} twice`,
      );
    }
    const tags: Tags = new Map();
    for (const [key, tag] of Object.entries(entry.tags ?? {})) {
      // Walrus keeps strings and stores any other JSON value as its JSON text.
      tags.set(key, typeof tag === 'string' ? tag : JSON.stringify(tag));
    }
    byIdentifier.set(entry.identifier, tags);
  });
  return byIdentifier;
}

/**
 * The files of a `PUT /v1/quilts` body, with their tags, in form order. Throws a 413
 * (BodyTooLargeError) past `bodyBytesMax` and a 400 MALFORMED_REQUEST for anything malformed or
 * a form without a file; quilt rules (identifiers, duplicates, counts) are the builder's.
 */
export async function readQuiltForm(request: Request, bodyBytesMax: number): Promise<QuiltFile[]> {
  const form = await parseForm(request, bodyBytesMax);
  // forEach, not iteration: the Node-side type-check sees the DOM lib without its iterables.
  const fields: [name: string, value: File | string][] = [];
  form.forEach((value, name) => fields.push([name, value as File | string]));
  const metadataFields = fields.filter(([name]) => name === QUILT_METADATA_FIELD);
  if (metadataFields.length > 1) throw EdgeErrors.malformedRequest('_metadata is sent twice');
  const metadata =
    metadataFields.length === 0
      ? new Map<string, Tags>()
      : parseQuiltMetadata(
          typeof metadataFields[0][1] === 'string'
            ? metadataFields[0][1]
            : await metadataFields[0][1].text(),
        );
  const files: QuiltFile[] = [];
  for (const [name, value] of fields) {
    if (name === QUILT_METADATA_FIELD) continue;
    const tags = metadata.get(name);
    files.push({
      identifier: name,
      bytes: await fieldBytes(name, value),
      ...(tags === undefined ? {} : { tags }),
    });
  }
  if (files.length === 0) {
    throw EdgeErrors.malformedRequest('the quilt has no file: send at least one field');
  }
  return files;
}
