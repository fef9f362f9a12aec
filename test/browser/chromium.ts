/**
 * Real Chromium for browser tests: Debian's `chromium` (/usr/bin/chromium; `.ci/run` installs it)
 * driven by playwright-core, which downloads no browser. Each page gets a fresh context (its own
 * localStorage) at a phone's width, and records every uncaught error and console error, which the
 * tests require to stay empty.
 */
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.WALRUS_EDGE_CHROMIUM ?? '/usr/bin/chromium';
/** A phone-sized viewport: the page must be readable at this width. */
export const PHONE_VIEWPORT = { width: 375, height: 812 };
/** Flags for a quiet, offline-friendly headless run as root in a container. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Chromium with a new, empty profile (playwright's launch makes a temporary one). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and console errors, as text. */
  readonly errors: string[];
}

/** A page in a new context; its errors are collected (across reloads) into `errors`. */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors };
}
