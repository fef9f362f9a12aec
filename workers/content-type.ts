/**
 * The Content-Type of a blob response, and the headers that keep active content inert.
 *
 * Walrus users want blobs to render (walrus#2895: pdf/jpg/mp4 download instead; docs/spec/api.md §7 #2), so
 * a blob gets a real type: its `content-type` attribute when that is a valid media type, otherwise
 * what its first bytes show. The type depends only on the blob (attribute and head), never on the
 * request, so a 200, a 206, a HEAD and each multipart part of the same blob all agree — as caches
 * that combine partial responses assume.
 *
 * Active-content policy (quoted by the README). The gateway serves anyone's bytes on one origin,
 * so no blob may run script there. Every blob response carries `X-Content-Type-Options: nosniff`:
 * browsers use the type we send and never promote a blob to HTML or script by sniffing. Content a
 * browser renders as a document that can run script — HTML, XHTML, SVG, any XML (XHTML elements
 * and XSLT work in every XML document), multipart and message documents — is served with its real
 * type, whether the `content-type` attribute named it or sniffing found it, plus
 * `Content-Security-Policy: sandbox`: it still renders, but scripts, forms, popups and plugins are
 * off, and the document gets an opaque origin, so it shares no cookies, storage or same-origin
 * access with the gateway or other blobs. We prefer this to `Content-Disposition: attachment`,
 * which would turn linked pages and SVGs into downloads. Other types do not get the policy: it
 * protects nothing there, and Chrome's PDF viewer refuses to load under `sandbox`.
 */
import { parseMediaType } from './media-type.js';
import { sniffMagic } from './sniff-magic.js';
import { sniffText } from './sniff-text.js';

/**
 * Bytes of the blob's head that sniffing reads (the WHATWG mimesniff "resource header" is 1445;
 * every signature here sits in the first few dozen bytes, and 512 covers an SVG's XML declaration,
 * comment and DOCTYPE before its root). Callers pass the first `min(SNIFF_BYTES, blobBytes)`
 * bytes; a type sniffed from fewer could differ between responses.
 */
export const SNIFF_BYTES = 512;

/** Content-Security-Policy of active content: render, but no script, and an opaque origin. */
export const ACTIVE_CONTENT_SECURITY_POLICY = 'sandbox';
/** What an unknown or empty blob is sent as: browsers download it and run nothing. */
export const OCTET_STREAM = 'application/octet-stream';

export interface ContentTypeOptions {
  /** The blob's `content-type` attribute (on-chain metadata, a quilt patch tag), if any. */
  readonly attribute?: string | null;
  /**
   * The blob's length. With it, a head holding the whole blob is judged complete (a cut UTF-8
   * sequence at its end is then binary, not text); without it, the head may be cut anywhere.
   */
  readonly blobBytes?: number;
}

export interface ContentTypeDecision {
  /** The Content-Type to send (also each multipart/byteranges part's). */
  readonly contentType: string;
  readonly source: 'attribute' | 'sniffed';
  /** Whether the type can run script when rendered, so `headers` sandboxes it. */
  readonly active: boolean;
  /** Headers to set on every response for this blob: Content-Type, nosniff and, if active, CSP. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Document types browsers render as something that can run script. */
const ACTIVE_ESSENCES = new Set([
  'text/html',
  'text/xsl',
  'application/x-mimearchive',
  'application/x-webarchive',
]);

/**
 * Whether a media type (with or without parameters) is active content: the HTML family, any XML
 * (`*\/xml`, `*\/*+xml`, `*\/xml-*`), and multipart and message documents (Firefox renders the
 * HTML parts of multipart/x-mixed-replace; MHTML is message/rfc822 and multipart/related).
 * Unparseable values count as active: only a known type may go without the sandbox.
 */
export function isActiveMediaType(value: string): boolean {
  const mediaType = parseMediaType(value);
  if (mediaType === undefined) return true;
  const { type, subtype, essence } = mediaType;
  if (subtype === 'xml' || subtype.endsWith('+xml') || subtype.startsWith('xml-')) return true;
  if (type === 'multipart' || type === 'message') return true;
  return ACTIVE_ESSENCES.has(essence);
}

/** The type the first bytes of a blob show; `complete` when `head` is the whole blob. */
export function sniffContentType(head: Uint8Array, complete: boolean): string {
  if (head.length === 0) return OCTET_STREAM; // nothing to go on, even for an empty blob
  return sniffMagic(head) ?? sniffText(head, complete) ?? OCTET_STREAM;
}

/**
 * Decides a blob's Content-Type from its attribute, else from its first bytes (`head`, of which
 * only `SNIFF_BYTES` are read), and the headers that go with it (see the policy above).
 */
export function decideContentType(
  head: Uint8Array,
  options: ContentTypeOptions = {},
): ContentTypeDecision {
  const { attribute, blobBytes } = options;
  if (blobBytes !== undefined && !(Number.isSafeInteger(blobBytes) && blobBytes >= head.length)) {
    throw new RangeError(
      `blobBytes must be an integer ≥ the head's ${head.length}, got ${blobBytes}`,
    );
  }
  const declared =
    attribute === undefined || attribute === null ? undefined : parseMediaType(attribute);
  let contentType: string;
  let source: ContentTypeDecision['source'];
  if (declared !== undefined) {
    contentType = declared.value;
    source = 'attribute';
  } else {
    const sniffed = head.subarray(0, SNIFF_BYTES);
    contentType = sniffContentType(sniffed, sniffed.length === blobBytes);
    source = 'sniffed';
  }
  const active = isActiveMediaType(contentType);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-content-type-options': 'nosniff',
  };
  if (active) headers['content-security-policy'] = ACTIVE_CONTENT_SECURITY_POLICY;
  return { contentType, source, active, headers: Object.freeze(headers) };
}
