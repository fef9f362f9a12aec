/**
 * The responses of the quilt read routes (docs/spec/quilts.md §8) with the edge's rules on top of
 * Walrus's headers:
 *
 * - Walrus's: the patch's bytes; its allow-listed tags as headers (`ATTRIBUTE_HEADERS`, Walrus's
 *   `--allowed-headers` list by default), never overwriting a header already set; last
 *   `X-Quilt-Patch-Identifier` as raw UTF-8 (tag values too); the ETag is the quilt ID, the same for every patch of
 *   a quilt (walrus#2578) — quoted here, as our blob ETags are, so that If-None-Match → 304 works
 *   (an unquoted ETag is not an entity-tag, RFC 9110 §8.8.3).
 * - Ours, as for blobs (blob-response.ts): the `content-type` tag when it is a media type, else
 *   the type sniffed from the patch's bytes, with active content sandboxed; Cache-Control from the
 *   quilt's status; ranges, multipart/byteranges, 304, 412 and 416 within the patch.
 */
import type { QuiltPatchContents } from '../core/quilt/patch.js';
import { quiltPatchIds } from '../core/quilt/quilt-blob.js';
import type { QuiltIndex } from '../core/quilt/quilt-index.js';
import { bytesResponse, contentHeadersOf, representationHeaders } from './blob-response.js';
import { SNIFF_BYTES, decideContentType } from './content-type.js';
import { attributeHeaders } from './object-read.js';
import type { CachedPatch } from './quilt-cache.js';
import { tagPairs } from './quilt-cache.js';

export const QUILT_PATCH_IDENTIFIER_HEADER = 'x-quilt-patch-identifier';

/** What a freshly read patch is cached and served as: its data, fields and decided type. */
export function servedPatch(patch: QuiltPatchContents): CachedPatch {
  const decision = decideContentType(patch.data.subarray(0, SNIFF_BYTES), {
    attribute: patch.tags.get('content-type'),
    blobBytes: patch.data.length,
  });
  return {
    identifier: patch.identifier,
    tags: tagPairs(patch.tags),
    contentType: decision.contentType,
    data: patch.data,
  };
}

/** The response for one patch; `request` decides 304, HEAD, ranges and multipart. */
export function patchResponse(
  request: Request,
  options: {
    readonly quiltIdText: string;
    readonly patch: CachedPatch;
    readonly cacheControl: string;
    /** Tags with these (lower-case) names become headers. */
    readonly allowedHeaders: readonly string[];
  },
): Promise<Response> {
  const { patch } = options;
  const etag = `"${options.quiltIdText}"`;
  const headers = representationHeaders({
    etag,
    cacheControl: options.cacheControl,
    contentHeaders: contentHeadersOf(patch.contentType),
    attributeHeaders: attributeHeaders(new Map(patch.tags), options.allowedHeaders),
  });
  // Raw UTF-8, as Walrus sends it: workerd writes a header string as its UTF-8 bytes (browsers'
  // Headers would refuse characters above U+00FF; docs/spec/quilts.md §11.7 is about those).
  headers.set(QUILT_PATCH_IDENTIFIER_HEADER, patch.identifier);
  return bytesResponse(request, headers, etag, patch.data, patch.contentType);
}

/** `GET /v1/quilts/{quiltId}/patches`: Walrus's `[{identifier, patch_id, tags}]`, index order. */
export function patchListResponse(
  request: Request,
  quiltId: Uint8Array,
  index: QuiltIndex,
  cacheControl: string,
): Response {
  const ids = quiltPatchIds(quiltId, index);
  const list = index.patches.map((patch, position) => ({
    identifier: patch.identifier,
    patch_id: ids[position].quiltPatchId,
    tags: Object.fromEntries(patch.tags),
  }));
  const body = JSON.stringify(list);
  return new Response(request.method === 'HEAD' ? null : body, {
    headers: {
      'content-type': 'application/json',
      'content-length': String(new TextEncoder().encode(body).length),
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
    },
  });
}
