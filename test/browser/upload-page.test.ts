/**
 * The upload page (`pageUrl` of a session) in real Chromium against a devnet's Worker (4 nodes,
 * 16 shards): a file set on the input is stored and the page shows the blob ID `walrus-edge
 * blob-id` computes for it, its aggregator link and its Sui object ID, and the aggregator serves
 * the same bytes; a reload in the middle of an upload resumes from the offset the edge had
 * acknowledged (the tus fingerprint in localStorage), and so does one whose connection is cut (a
 * TCP relay resets it); a file over the relay maximum is encoded in the browser; a file over the
 * session's `maxBytes` is refused with a visible message before a byte is sent; a bad or expired
 * link shows why. The SDK's browser module does the same from a dApp's page on another origin. No
 * page has an uncaught error or a console error (but the failed loads a test causes on purpose).
 * Screenshots of each state go to /tmp/page-*.png.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, startDevnet } from '../../bench/edge/devnet.js';
import { type UploadSession, createUploadSession } from '../../client/upload-sessions.js';
import { randomBytes } from '../helpers/random.js';
import { type WatchedPage, launchChromium, openPage } from './chromium.js';
import { type DappServer, sdkUpload, startDappServer } from './dapp-server.js';
import { startTcpCut } from './tcp-cut.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/walrus-edge.js', import.meta.url).pathname;
const CERTIFIED_TIMEOUT_MS = 120_000;
/** Upload bandwidth while the resume test reloads: slow enough to catch the upload midway. */
const THROTTLED_UPLOAD_BYTES_PER_S = 256 * 1024;
const SCREENSHOTS = '/tmp';
/** The edge encodes files up to this (UPLOAD_RELAY_BYTES_MAX); larger ones the browser encodes. */
const RELAY_BYTES_MAX = 2 * 1024 * 1024;

let root: string;
let devnet: Devnet;
let browser: Browser;
let network: { aggregatorUrl: string; publisherUrl: string; uploadApiKey: string };
let expiring: UploadSession;
let dapp: DappServer;
const started = performance.now();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-edge-upload-page-'));
  [devnet, browser, dapp] = await Promise.all([
    startDevnet({
      dataDir: join(root, 'net'),
      nodes: 4,
      shards: 16,
      workerVars: { UPLOAD_RELAY_BYTES_MAX: String(RELAY_BYTES_MAX) },
    }),
    launchChromium(),
    startDappServer(),
  ]);
  network = JSON.parse(readFileSync(devnet.networkFile, 'utf8'));
  // Expires while the other tests run.
  expiring = await session(1024, { expiresIn: 10 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await dapp?.close();
  const left = (await devnet?.stop()) ?? [];
  rmSync(root, { recursive: true, force: true });
  console.log(`browser tests: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  expect(left).toEqual([]);
}, 60_000);

function session(maxBytes: number, extra: { expiresIn?: number } = {}): Promise<UploadSession> {
  return createUploadSession(network.publisherUrl, network.uploadApiKey, {
    epochs: 2,
    maxBytes,
    ...extra,
  });
}

function fileOf(bytes: Uint8Array, name: string): string {
  const path = join(root, name);
  writeFileSync(path, bytes);
  return path;
}

async function blobIdOf(path: string): Promise<string> {
  const { stdout } = await run('node', [BIN, 'blob-id', path, '--n-shards', '16', '--json']);
  return (JSON.parse(stdout) as { blobId: string }).blobId;
}

async function expectServed(blobId: string, bytes: Uint8Array): Promise<void> {
  const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`);
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
}

async function statusOf(s: UploadSession): Promise<{ state: string; bytesReceived: number }> {
  return (await fetch(s.statusUrl)).json() as Promise<{ state: string; bytesReceived: number }>;
}

async function ready(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
}

/** Waits for the certified result and checks what the page shows against the file. */
async function expectStored(page: Page, path: string, bytes: Uint8Array): Promise<void> {
  await page.waitForSelector('#result:not([hidden])', { timeout: CERTIFIED_TIMEOUT_MS });
  const blobId = (await page.textContent('#blob-id'))!;
  expect(blobId).toBe(await blobIdOf(path));
  const link = `${network.aggregatorUrl}/v1/blobs/${blobId}`;
  expect(await page.getAttribute('#blob-link', 'href')).toBe(link);
  expect(await page.textContent('#blob-link')).toBe(link);
  expect(await page.textContent('#object-id')).toMatch(/^0x[0-9a-f]{64}$/);
  expect(await page.textContent('#status')).toContain('Certified');
  expect(await page.getAttribute('li[data-stage="certified"]', 'class')).toContain('done');
  await expectServed(blobId, bytes);
}

async function closeClean(watched: WatchedPage, allowed: RegExp[] = []): Promise<void> {
  await watched.context.close();
  expect(watched.errors.filter((error) => !allowed.some((pattern) => pattern.test(error)))).toEqual(
    [],
  );
}

describe('the upload page in Chromium', () => {
  it('stores a chosen file and shows its blob ID, aggregator link and Sui object ID', async () => {
    const t0 = performance.now();
    const bytes = randomBytes(300 * 1024 + 17, 201);
    const path = fileOf(bytes, 'photo.bin');
    const s = await session(1024 * 1024);
    const watched = await openPage(browser);
    const { page } = watched;
    await ready(page, s.pageUrl);
    expect(await page.textContent('#limit')).toContain('Files up to 1.0 MiB');
    // Keyboard: the first Tab reaches the file input, and its label shows the focus.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('file');
    expect(
      await page.evaluate(
        () => getComputedStyle(document.querySelector('label[for=file]')!).outlineStyle,
      ),
    ).toBe('solid');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await page.screenshot({ path: `${SCREENSHOTS}/page-ready.png`, fullPage: true });
    await page.setInputFiles('#file', path);
    await page.waitForSelector('#progress:not([hidden])');
    await expectStored(page, path, bytes);
    expect(await page.getAttribute('body', 'data-mode')).toBe('relay');
    await page.screenshot({ path: `${SCREENSHOTS}/page-certified.png`, fullPage: true });
    // The page reopened later shows the outcome, with nothing to upload.
    await page.reload();
    await page.waitForSelector('#result:not([hidden])');
    expect(await page.textContent('#blob-id')).toBe(await blobIdOf(path));
    expect(await page.isHidden('#drop')).toBe(true);
    await closeClean(watched);
    console.log(`relay upload through the page: ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it('resumes after a reload mid-upload from the offset the edge acknowledged', async () => {
    const bytes = randomBytes(RELAY_BYTES_MAX - 3, 202);
    const path = fileOf(bytes, 'video.bin');
    const s = await session(RELAY_BYTES_MAX);
    const watched = await openPage(browser);
    const { page } = watched;
    const cdp = await watched.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: THROTTLED_UPLOAD_BYTES_PER_S,
    });
    await ready(page, s.pageUrl);
    await page.setInputFiles('#file', path);
    // Midway: half a megabyte sent (the bar counts bytes the browser has sent).
    await page.waitForFunction(
      () => (document.getElementById('bar') as HTMLProgressElement).value >= 512 * 1024,
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: `${SCREENSHOTS}/page-uploading.png`, fullPage: true });
    await page.reload();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.waitForSelector('body[data-ready="true"]');
    const staged = await statusOf(s);
    expect(staged.state).toBe('uploading');
    expect(staged.bytesReceived).toBeGreaterThan(0);
    expect(await page.textContent('#status')).toContain('An upload was interrupted');
    await page.screenshot({ path: `${SCREENSHOTS}/page-interrupted.png`, fullPage: true });
    const creations: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') creations.push(request.url());
    });
    await page.setInputFiles('#file', path);
    await expectStored(page, path, bytes);
    const resumedFrom = Number(await page.getAttribute('body', 'data-resumed-from'));
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeGreaterThanOrEqual(staged.bytesReceived);
    // No second tus creation: the same upload went on.
    expect(creations).toEqual([]);
    await closeClean(watched);
    console.log(`resumed from ${resumedFrom} of ${bytes.length} bytes`);
  });

  it('rides out a dropped connection: the upload goes on from the acknowledged offset', async () => {
    const bytes = randomBytes(RELAY_BYTES_MAX - 7, 205);
    const path = fileOf(bytes, 'dropped.bin');
    // The session made through the relay: its page, tus and status URLs all go through it.
    const relay = await startTcpCut(network.publisherUrl);
    const s = await createUploadSession(relay.url, network.uploadApiKey, {
      epochs: 2,
      maxBytes: RELAY_BYTES_MAX,
    });
    const watched = await openPage(browser);
    const { page } = watched;
    const cdp = await watched.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: THROTTLED_UPLOAD_BYTES_PER_S,
    });
    await ready(page, s.pageUrl);
    const tus: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/uploads/')) tus.push(request.method());
    });
    await page.setInputFiles('#file', path);
    await page.waitForFunction(
      () => (document.getElementById('bar') as HTMLProgressElement).value >= 512 * 1024,
      undefined,
      { timeout: 30_000 },
    );
    expect(relay.cutAll()).toBeGreaterThan(0);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.waitForSelector('#result:not([hidden])', { timeout: CERTIFIED_TIMEOUT_MS });
    const blobId = (await page.textContent('#blob-id'))!;
    expect(blobId).toBe(await blobIdOf(path));
    await expectServed(blobId, bytes);
    // One creation; after the cut, HEAD for the offset, then PATCHes from it.
    expect(
      tus.filter((method) => method === 'POST'),
      tus.join(' '),
    ).toHaveLength(1);
    expect(tus.lastIndexOf('HEAD'), tus.join(' ')).toBeGreaterThan(tus.indexOf('PATCH'));
    await relay.close();
    // Chromium logs the requests the cut failed, and a 409 when the first HEAD came before the edge
    // had staged the broken-off body (tus-js-client asks HEAD again): those, and only those.
    await closeClean(watched, [
      /net::ERR_CONNECTION_RESET|net::ERR_EMPTY_RESPONSE/,
      /Failed to load resource: .*status of 409/,
    ]);
  });

  it('encodes a file over the relay maximum in the browser and stores it', async () => {
    const t0 = performance.now();
    const bytes = randomBytes(RELAY_BYTES_MAX + 512 * 1024 + 3, 204);
    const path = fileOf(bytes, 'archive.bin');
    const s = await session(4 * 1024 * 1024);
    const watched = await openPage(browser);
    const { page } = watched;
    const nodeRequests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(network.publisherUrl)) nodeRequests.push(request.url());
    });
    await ready(page, s.pageUrl);
    await page.setInputFiles('#file', path);
    await expectStored(page, path, bytes);
    expect(await page.getAttribute('body', 'data-mode')).toBe('client-side');
    // The slivers went from the page straight to the storage nodes, not through the edge.
    expect(nodeRequests.some((url) => /\/v1\/blobs\/[^/]+\/slivers/.test(url))).toBe(true);
    const status = await statusOf(s);
    expect(status.state).toBe('certified');
    await page.screenshot({ path: `${SCREENSHOTS}/page-client-side.png`, fullPage: true });
    await closeClean(watched);
    console.log(`client-side encoding through the page: ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it('refuses a file over the session limit with a visible message, sending nothing', async () => {
    const bytes = randomBytes(200 * 1024, 203);
    const path = fileOf(bytes, 'too-big.bin');
    const s = await session(100 * 1024);
    const watched = await openPage(browser);
    const { page } = watched;
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/uploads/') && !request.url().endsWith('/session')) {
        uploads.push(`${request.method()} ${request.url()}`);
      }
    });
    await ready(page, s.pageUrl);
    await page.setInputFiles('#file', path);
    await page.waitForSelector('#error:not([hidden])');
    const message = await page.textContent('#error');
    expect(message).toContain('200 KiB');
    expect(message).toContain('at most 100 KiB');
    expect(await page.getAttribute('#error', 'role')).toBe('alert');
    // Another, smaller file may still be chosen.
    expect(await page.isDisabled('#file')).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}/page-too-large.png`, fullPage: true });
    expect(uploads).toEqual([]);
    expect(await statusOf(s)).toEqual({ state: 'created', bytesReceived: 0, uploadLength: null });
    await closeClean(watched);
  });

  it('explains a tampered link (401) and an expired one (410) on a page', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    const s = await session(1024);
    const tampered = s.pageUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const bad = await page.goto(tampered);
    expect(bad!.status()).toBe(401);
    expect(await page.textContent('[role="alert"]')).toContain('not valid');
    await page.screenshot({ path: `${SCREENSHOTS}/page-invalid.png`, fullPage: true });
    const wait = Date.parse(expiring.expiresAt) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 100));
    const gone = await page.goto(expiring.pageUrl);
    expect(gone!.status()).toBe(410);
    expect(await page.textContent('[role="alert"]')).toContain('expired');
    await page.screenshot({ path: `${SCREENSHOTS}/page-expired.png`, fullPage: true });
    // The document's own status is logged by Chromium as a failed resource load: that one only.
    await closeClean(watched, [/Failed to load resource: .*status of (401|410)/]);
  });
});

describe('the SDK browser module on a dApp page of another origin', () => {
  it('uploads through the relay and reports each stage until certified', async () => {
    const bytes = randomBytes(200 * 1024 + 1, 301);
    const path = fileOf(bytes, 'dapp-small.bin');
    const { watched, outcome, stages, mode } = await sdkUpload(
      browser,
      dapp,
      path,
      await session(1024 * 1024),
    );
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.blobId).toBe(await blobIdOf(path));
    expect(outcome.blobObjectId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(mode).toBe('relay');
    expect(stages[0]).toBe('uploading');
    expect(stages.at(-1)).toBe('certified');
    await expectServed(outcome.blobId!, bytes);
    await closeClean(watched);
  });

  it('encodes a file over the relay maximum in its Web Worker (embedded kernels)', async () => {
    const bytes = randomBytes(RELAY_BYTES_MAX + 100_000, 302);
    const path = fileOf(bytes, 'dapp-large.bin');
    const { watched, outcome, stages, mode } = await sdkUpload(
      browser,
      dapp,
      path,
      await session(4 << 20),
    );
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.blobId).toBe(await blobIdOf(path));
    expect(mode).toBe('client-side');
    expect(stages).toEqual(['encoding', 'uploading', 'storing', 'certified']);
    await expectServed(outcome.blobId!, bytes);
    await closeClean(watched);
  });

  it('refuses a file over maxBytes with FILE_TOO_LARGE before sending a byte', async () => {
    const path = fileOf(randomBytes(5000, 303), 'dapp-big.bin');
    const s = await session(4096);
    const { watched, outcome, requests } = await sdkUpload(browser, dapp, path, s);
    expect(outcome).toMatchObject({ ok: false, reason: 'FILE_TOO_LARGE' });
    expect(outcome.message).toContain('at most 4.0 KiB');
    // Only the descriptor was read.
    expect(requests.filter((r) => r.includes('/v1/uploads/'))).toEqual([
      `GET ${s.uploadEndpoint}/session`,
    ]);
    expect(await statusOf(s)).toEqual({ state: 'created', bytesReceived: 0, uploadLength: null });
    await closeClean(watched);
  });
});
