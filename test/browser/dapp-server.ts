/**
 * A dApp's own page on another origin than the edge, for browser tests of the SDK's browser module
 * (client/browser/index.ts): a real node:http server on 127.0.0.1 serving a page with a file
 * input, the module bundled by esbuild as a dApp's build would, and the encoder Web Worker
 * bundled the same way (without the wasm URLs: it compiles core's embedded kernels).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { type WatchedPage, openPage } from './chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The page's script: `window.upload(endpoint)` uploads the chosen file and records progress. */
const APP = `
import { uploadToSession, SessionUploadError } from './client/browser/index.js';
const stages = [];
window.stages = stages;
window.upload = async (endpoint) => {
  const file = document.getElementById('file').files[0];
  try {
    const result = await uploadToSession(file, endpoint, {
      encoderWorkerUrl: '/encoder-worker.js',
      onMode: (mode) => { window.mode = mode; },
      onProgress: (p) => { if (stages.at(-1) !== p.stage) stages.push(p.stage); },
    });
    return { ok: true, ...result };
  } catch (error) {
    return { ok: false, name: error.name, reason: error instanceof SessionUploadError ? error.reason : undefined, message: error.message };
  }
};
`;
const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>A dApp</title><script type="module" src="/app.js"></script></head>
<body><label for="file">File</label><input type="file" id="file"></body></html>`;

async function bundle(options: { stdin?: string; entry?: string }): Promise<string> {
  const result = await build({
    ...(options.stdin === undefined
      ? { entryPoints: [join(ROOT, options.entry!)] }
      : { stdin: { contents: options.stdin, resolveDir: ROOT, loader: 'ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

export interface DappServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDappServer(): Promise<DappServer> {
  const [app, worker] = await Promise.all([
    bundle({ stdin: APP }),
    bundle({ entry: 'client/browser/encoder-worker.ts' }),
  ]);
  const files: Record<string, [string, string]> = {
    '/': ['text/html; charset=utf-8', HTML],
    '/app.js': ['text/javascript', app],
    '/encoder-worker.js': ['text/javascript', worker],
  };
  const server: Server = createServer((request, response) => {
    const file = files[request.url ?? ''];
    response.writeHead(file === undefined ? 404 : 200, {
      'content-type': file?.[0] ?? 'text/plain',
    });
    response.end(file?.[1] ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // Another port is another origin than the edge's: every request to the edge is cross-origin.
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface SdkOutcome {
  readonly ok: boolean;
  readonly blobId?: string;
  readonly blobObjectId?: string;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * Opens the dApp's page, sets `path` on its input and runs `window.upload(uploadEndpoint)`: the
 * outcome, the stages reported, the mode chosen and every request the page made.
 */
export async function sdkUpload(
  browser: Browser,
  dapp: DappServer,
  path: string,
  session: { readonly uploadEndpoint: string },
): Promise<{
  watched: WatchedPage;
  outcome: SdkOutcome;
  stages: string[];
  mode: string | undefined;
  requests: string[];
}> {
  const watched = await openPage(browser);
  const { page } = watched;
  const requests: string[] = [];
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
  await page.goto(dapp.url);
  await page.waitForFunction(() => 'upload' in window);
  await page.setInputFiles('#file', path);
  const outcome = await page.evaluate(
    (endpoint) =>
      (window as unknown as { upload(e: string): Promise<SdkOutcome> }).upload(endpoint),
    session.uploadEndpoint,
  );
  const stages = await page.evaluate(() => (window as unknown as { stages: string[] }).stages);
  const mode = await page.evaluate(() => (window as unknown as { mode?: string }).mode);
  return { watched, outcome, stages, mode, requests };
}
