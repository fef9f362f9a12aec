/**
 * The load generator used when wrk is not installed: `node load-child.js '<json LoadSpec>'` keeps
 * `connections` requests in flight over a keep-alive agent, for a warm-up and then a measured
 * window, and prints one JSON `LoadCounts` line. Its own process, so it shares no event loop with
 * anything measured (or with the bench's samplers).
 */
import { Agent, request } from 'node:http';

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}

export interface LoadCounts {
  /** Requests that started and finished inside the measured window. */
  readonly requests: number;
  readonly durationMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

const spec = JSON.parse(process.argv[2] ?? 'null') as LoadSpec | null;
if (spec === null) {
  process.stderr.write('usage: node load-child.js <json LoadSpec>\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
const measureStart = performance.now() + spec.warmupMs;
const measureEnd = measureStart + spec.durationMs;
const latenciesMs: number[] = [];
let non2xx = 0;
let errors = 0;
let timeouts = 0;

function once(): Promise<void> {
  const startedAt = performance.now();
  const counted = () => startedAt >= measureStart && performance.now() <= measureEnd;
  return new Promise((resolve) => {
    const req = request(spec!.url, { agent }, (response) => {
      response.resume();
      response.once('end', () => {
        if (counted()) {
          latenciesMs.push(performance.now() - startedAt);
          if (response.statusCode! < 200 || response.statusCode! > 299) non2xx++;
        }
        resolve();
      });
      response.once('error', () => {
        if (counted()) errors++;
        resolve();
      });
    });
    let timedOut = false;
    req.setTimeout(spec!.timeoutMs, () => {
      timedOut = true;
      if (counted()) timeouts++;
      req.destroy();
    });
    req.once('error', () => {
      // A timed-out request errors too (destroyed): count it once, as a timeout.
      if (counted() && !timedOut) errors++;
      resolve();
    });
    req.end();
  });
}

async function lane(): Promise<void> {
  while (performance.now() < measureEnd) await once();
}

// Requests still in flight at the end would only add their own wait: stop them.
const stopTimer = setTimeout(() => agent.destroy(), spec.warmupMs + spec.durationMs);
await Promise.all(Array.from({ length: spec.connections }, lane));
clearTimeout(stopTimer);
agent.destroy();
latenciesMs.sort((a, b) => a - b);
const percentile = (p: number) =>
  latenciesMs.length === 0
    ? NaN
    : latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))];
const counts: LoadCounts = {
  requests: latenciesMs.length,
  durationMs: spec.durationMs,
  p50Ms: percentile(50),
  p99Ms: percentile(99),
  non2xx,
  errors,
  timeouts,
};
process.stdout.write(JSON.stringify(counts) + '\n');
