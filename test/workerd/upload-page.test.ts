/**
 * The upload page as the Worker serves it (`exports.default.fetch`): `pageUrl` answers the page
 * with a strict CSP and no inline script, every asset it names answers with its content type and
 * a year's cache, the wasm kernels are served as wasm, and a tampered, expired or unknown URL
 * answers 401, 410 or 404. (What the page does in a browser: test/browser/upload-page.test.ts.)
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { signUploadToken } from '../../workers/upload-tokens.js';
import { ORIGIN } from './blob-api-suite.js';
import { createSession } from './session-client.js';

const devnet = inject('devnet');
const send = (request: Request) => exports.default.fetch(request);

describe('GET /upload/{token}', () => {
  it('serves the page with a strict CSP, and every asset it names', async () => {
    const created = await createSession(send, devnet.uploadApiKey, { epochs: 1, maxBytes: 1000 });
    const page = await send(new Request(created.pageUrl));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    // Scripts only by URL: nothing inline for the CSP to refuse.
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0][0]).toMatch(/src="\/upload\/assets\/page\.[A-Z0-9]{8}\.js"/);
    expect(scripts[0][1].trim()).toBe('');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toMatch(/<label for="file"/);
    expect(html).toMatch(/aria-live="polite"/);
    const named = [...html.matchAll(/"(\/upload\/assets\/[^"]+)"/g)].map((m) => m[1]);
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      wasm: 'application/wasm',
    };
    expect(named.map((path) => path.split('.').pop()).sort()).toEqual(
      ['css', 'js', 'js', 'wasm', 'wasm'].sort(),
    );
    // The chunks the page script imports (the client-side encoding path is loaded on demand).
    const pageScript = await (
      await send(
        new Request(`${ORIGIN}${named.find((p) => p.includes('/page.') && p.endsWith('.js'))}`),
      )
    ).text();
    const chunks = [...pageScript.matchAll(/\.\/(chunk\.[A-Z0-9]+\.js)/g)].map(
      (m) => `/upload/assets/${m[1]}`,
    );
    expect(chunks.length).toBeGreaterThan(0);
    const assets = [...named, ...new Set(chunks)];
    for (const path of assets) {
      const asset = await send(new Request(`${ORIGIN}${path}`));
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type')).toBe(types[path.split('.').pop()!]);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      const bytes = new Uint8Array(await asset.arrayBuffer());
      if (path.endsWith('.wasm')) {
        // The wasm magic and version 1.
        expect([...bytes.subarray(0, 8)]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
      } else {
        expect(bytes.length).toBeGreaterThan(1000);
      }
    }
  });

  it('answers a tampered link 401, an expired one 410 and an unknown asset 404', async () => {
    const created = await createSession(send, devnet.uploadApiKey, { epochs: 1, maxBytes: 1000 });
    const tampered = created.pageUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const bad = await send(new Request(tampered));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await bad.text()).toContain('not valid');
    const expiredToken = await signUploadToken(devnet.uploadTokenSecret, {
      sessionId: created.sessionId,
      expiresAtS: Math.floor(Date.now() / 1000) - 1,
    });
    const expired = await send(new Request(`${ORIGIN}/upload/${expiredToken}`));
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    const unknown = await send(new Request(`${ORIGIN}/upload/assets/page.0000000000000000.js`));
    expect(unknown.status).toBe(404);
  });
});
