/**
 * The browser upload page of a session (`pageUrl` = /upload/{token}) and its assets
 * (/upload/assets/{name}): HTML, script, CSS and the encoder Web Worker built from
 * client/browser/page/ by scripts/build-upload-page.mjs into a generated module, and the wasm
 * kernels from core's embedded bytes. Nothing comes from another origin; the page's CSP allows
 * scripts from this origin only.
 *
 * The token is checked as the upload routes check it (workers/upload-sessions.ts): a token that
 * does not verify answers 401, an expired one 410, each as a short HTML page (people open this URL).
 */
import { BLAKE2B_WASM_BASE64 } from '../core/wasm/blake2b.generated.js';
import { GF16_WASM_BASE64 } from '../core/wasm/gf16.generated.js';
import { decodeEmbeddedWasm } from '../core/wasm/embedded.js';
import type { WorkerConfig } from './env.js';
import { openUploadToken } from './upload-tokens.js';
import {
  UPLOAD_PAGE_ASSETS,
  UPLOAD_PAGE_HTML,
  UPLOAD_PAGE_WASM,
} from './upload-page-assets.generated.js';

/**
 * Scripts and styles from this origin only; wasm may be compiled (the encoder's kernels); fetches
 * go anywhere, since client-side encoding sends slivers to the committee's storage nodes, whose
 * origins are the chain's to say. No frames, forms, plugins or base URL changes.
 */
export const UPLOAD_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "worker-src 'self'",
  'connect-src *',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
/** Assets are named by their hash: a new build has new names, so they never change. */
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const SECURITY_HEADERS = {
  'content-security-policy': UPLOAD_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  // The page's URL is the upload credential: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
};

const WASM_BYTES: Record<'gf16' | 'blake2b', () => Uint8Array<ArrayBuffer>> = {
  gf16: () => decodeEmbeddedWasm(GF16_WASM_BASE64),
  blake2b: () => decodeEmbeddedWasm(BLAKE2B_WASM_BASE64),
};
const CSS_NAME = Object.keys(UPLOAD_PAGE_ASSETS).find((name) => name.endsWith('.css'));

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page that only says why there is nothing to upload to (no script). */
function errorPage(status: number, title: string, message: string): Response {
  const css =
    CSS_NAME === undefined ? '' : `<link rel="stylesheet" href="/upload/assets/${CSS_NAME}" />`;
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<link rel="icon" href="data:," /><title>${escapeHtml(title)}</title>${css}</head>
<body data-state="error"><main><h1>${escapeHtml(title)}</h1>
<p class="error" role="alert">${escapeHtml(message)}</p></main></body>
</html>
`;
  return new Response(html, {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    },
  });
}

/** GET /upload/{token}. */
export async function uploadPageRoute(token: string, config: WorkerConfig): Promise<Response> {
  if (config.uploadTokenSecret === undefined) {
    return errorPage(501, 'Uploads are off', 'This edge does not offer upload sessions.');
  }
  const grant = await openUploadToken(config.uploadTokenSecret, token);
  if (grant === undefined) {
    return errorPage(
      401,
      'Not a valid upload link',
      'This upload link is not valid: check it, or ask for a new one.',
    );
  }
  if (Date.now() >= grant.expiresAtS * 1000) {
    return errorPage(
      410,
      'Upload link expired',
      'This upload link has expired: ask for a new one.',
    );
  }
  return new Response(UPLOAD_PAGE_HTML, {
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    },
  });
}

/** GET /upload/assets/{name}. */
export function uploadAssetRoute(name: string): Response {
  const text = UPLOAD_PAGE_ASSETS[name];
  const kernel = UPLOAD_PAGE_WASM[name];
  if (text === undefined && kernel === undefined) {
    return new Response('no such asset\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    });
  }
  return new Response(text === undefined ? WASM_BYTES[kernel]() : text.body, {
    headers: {
      // A worker script's own CSP governs the worker (its fetches of the kernels, their compiling).
      ...SECURITY_HEADERS,
      'content-type': text === undefined ? 'application/wasm' : text.type,
      'cache-control': ASSET_CACHE_CONTROL,
    },
  });
}
