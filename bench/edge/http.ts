/**
 * Single timed reads, as a user makes them: `curl` (a separate process, so the bench's own event
 * loop costs nothing and the client is not the bottleneck against nginx) writing to /dev/null,
 * or Node's fetch in this process when curl is not installed. Every read has a timeout, so a stall
 * shows up as a number. Content is checked by separate, untimed reads (`fetchSha256`), so hashing
 * never slows a timed one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';

const CURL = '/usr/bin/curl';
/** curl's exit status for "operation timed out". */
const CURL_EXIT_TIMEOUT = 28;
const MS_PER_S = 1000;

export interface TimedGet {
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly firstByteMs: number;
  readonly timedOut: boolean;
  readonly error?: string;
}

export const READ_CLIENT = existsSync(CURL)
  ? 'curl (own process, body to /dev/null)'
  : "Node's fetch in the bench process (curl not installed)";

export function timedGet(url: string, timeoutMs: number): Promise<TimedGet> {
  return existsSync(CURL) ? curlGet(url, timeoutMs) : fetchGet(url, timeoutMs);
}

function curlGet(url: string, timeoutMs: number): Promise<TimedGet> {
  const format = '%{http_code} %{size_download} %{time_starttransfer} %{time_total}';
  const args = ['-s', '-o', '/dev/null', '--max-time', String(timeoutMs / MS_PER_S)];
  return new Promise((resolve) => {
    execFile(CURL, [...args, '-w', format, url], { encoding: 'utf8' }, (error, stdout) => {
      const [status, bytes, firstByteS, totalS] = stdout.trim().split(' ').map(Number);
      const code = (error as { code?: number } | null)?.code;
      resolve({
        status: status ?? 0,
        bytes: bytes ?? 0,
        ms: (totalS ?? 0) * MS_PER_S,
        firstByteMs: (firstByteS ?? 0) * MS_PER_S,
        timedOut: code === CURL_EXIT_TIMEOUT,
        ...(error === null ? {} : { error: `curl exited ${code}` }),
      });
    });
  });
}

async function fetchGet(url: string, timeoutMs: number): Promise<TimedGet> {
  const startedAt = performance.now();
  let status = 0;
  let bytes = 0;
  let firstByteMs = 0;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    firstByteMs = performance.now() - startedAt;
    for await (const chunk of bodyChunks(response)) bytes += chunk.length;
    return { status, bytes, ms: performance.now() - startedAt, firstByteMs, timedOut: false };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      status,
      bytes,
      ms: performance.now() - startedAt,
      firstByteMs,
      timedOut,
      error: (error as Error).message,
    };
  }
}

/** SHA-256 (hex) of the body at `url`, or the reason there is none. Untimed. */
export async function fetchSha256(url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const hash = createHash('sha256');
  for await (const chunk of bodyChunks(response)) hash.update(chunk);
  return hash.digest('hex');
}

async function* bodyChunks(response: Response): AsyncGenerator<Uint8Array> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** What an error answer carries at most, in a report line. */
const FAILURE_TEXT_CHARS_MAX = 300;

/**
 * After a timed read failed (its body went to /dev/null): one untimed GET of the first byte, to
 * show the status and error body a user would see. The failure may of course not repeat.
 */
export async function whyFailed(url: string, timeoutMs: number): Promise<string> {
  try {
    const response = await fetch(url, {
      headers: { range: 'bytes=0-0' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) return `a second try of its first byte answered ${response.status}`;
    const text = (await response.text()).slice(0, FAILURE_TEXT_CHARS_MAX).replace(/\s+/g, ' ');
    return `a second try of its first byte answered ${response.status}: ${text}`;
  } catch (error) {
    return `a second try failed too: ${(error as Error).message}`;
  }
}

/** Whether a timed read returned the whole body with 200. */
export function complete(get: TimedGet, bytes: number): boolean {
  return get.status === 200 && get.bytes === bytes && get.error === undefined;
}
