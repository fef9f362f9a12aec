/**
 * Fixed-duration load at a fixed number of requests in flight: wrk when it is installed (one
 * thread: the other core is the server's), otherwise load-child.ts, a Node keep-alive client in its
 * own process. Either way a warm-up run comes first and its results are dropped, and both the
 * figure and its baseline go through the same generator.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import type { LoadCounts, LoadSpec } from './load-child.js';

const WRK_BIN = '/usr/bin/wrk';
const LOAD_CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));
const WRK_THREADS = 1;
const MS_PER_S = 1000;
/** A child that overruns its duration by this much is stuck (the timeouts bound each request). */
const OVERRUN_GRACE_MS = 30_000;

/**
 * wrk's `done` hook prints one JSON line. wrk counts statuses above 399 as errors.status (it calls
 * them "Non-2xx or 3xx"), which is what `non2xx` holds with wrk.
 */
const WRK_REPORT_LUA = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationMs":%f,"p50Ms":%f,"p99Ms":%f,' ..
    '"non2xx":%d,"errors":%d,"timeouts":%d}\\n',
    summary.requests, summary.duration / 1000, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write, e.timeout))
end
`;

export interface LoadResult extends LoadCounts {
  readonly requestsPerS: number;
}

export function loadGenerator(): string {
  if (!existsSync(WRK_BIN)) return 'Node keep-alive client in its own process (wrk not installed)';
  let version = 'wrk';
  try {
    execFileSync(WRK_BIN, ['-v'], { encoding: 'utf8' });
  } catch (error) {
    // `wrk -v` prints its version and exits 1.
    version = /^wrk \S+/.exec(String((error as { stdout?: string }).stdout))?.[0] ?? 'wrk';
  }
  return `${version}, ${WRK_THREADS} thread`;
}

function runChild(child: ChildProcess, what: string, limitMs: number): Promise<string> {
  const stop = onCleanup(what, () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      void stop();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) reject(new Error(`${what} exited ${code}: ${stderr || stdout}`));
      else resolve(line);
    });
  });
}

async function wrkOnce(spec: LoadSpec, durationMs: number, luaFile: string): Promise<LoadCounts> {
  const args = [
    ...['-t', String(WRK_THREADS), '-c', String(spec.connections)],
    ...['-d', `${durationMs / MS_PER_S}s`, '--timeout', `${spec.timeoutMs / MS_PER_S}s`],
    ...['-s', luaFile, spec.url],
  ];
  const child = spawn(WRK_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await runChild(child, 'wrk', durationMs + OVERRUN_GRACE_MS);
  return JSON.parse(line) as LoadCounts;
}

/** Runs the load described by `spec`; `scratchDir` holds wrk's report script. */
export async function runLoad(spec: LoadSpec, scratchDir: string): Promise<LoadResult> {
  let counts: LoadCounts;
  if (existsSync(WRK_BIN)) {
    const luaFile = join(scratchDir, 'wrk-report.lua');
    writeFileSync(luaFile, WRK_REPORT_LUA);
    await wrkOnce(spec, spec.warmupMs, luaFile);
    counts = await wrkOnce(spec, spec.durationMs, luaFile);
  } else {
    const child = spawn(process.execPath, [LOAD_CHILD, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const limitMs = spec.warmupMs + spec.durationMs + OVERRUN_GRACE_MS;
    counts = JSON.parse(await runChild(child, 'load generator', limitMs)) as LoadCounts;
  }
  const p = (value: number | null) => (value === null ? NaN : value);
  return {
    ...counts,
    p50Ms: p(counts.p50Ms),
    p99Ms: p(counts.p99Ms),
    requestsPerS: counts.requests / (counts.durationMs / MS_PER_S),
  };
}
