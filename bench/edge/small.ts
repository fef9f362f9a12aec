/**
 * Small blobs under load: a 48 KiB blob read over and over (cache hits once the Worker caches)
 * against the Worker's static `/status` route, same load generator, same number of requests in
 * flight. The blob's first read is also the Worker's first request since the devnet started, so
 * it is the cold-start latency of a read.
 */
import { writeBlobFile, KIB } from './blobs.js';
import { type BenchRun, type ExpectedFigure, milliseconds } from './context.js';
import { type Devnet, storeWithCli } from './devnet.js';
import { complete, timedGet } from './http.js';
import { type LoadResult, runLoad } from './load.js';
import { figure } from './report.js';

export const SMALL_BLOB_BYTES = 48 * KIB;

export const SMALL_FIGURES = [
  { name: '48 KiB blob, repeated reads, req/s', goal: { op: '>=', ratio: 0.5 } },
] as const satisfies readonly ExpectedFigure[];

function describe(load: LoadResult): string {
  return (
    `${load.requestsPerS.toFixed(0)} req/s, p50 ${milliseconds(load.p50Ms)}, ` +
    `p99 ${milliseconds(load.p99Ms)}, ${load.requests} requests, non-2xx ${load.non2xx}, ` +
    `socket errors ${load.errors}, timeouts ${load.timeouts}`
  );
}

export async function smallBlobLoad(run: BenchRun, devnet: Devnet): Promise<void> {
  const { options } = run;
  const file = writeBlobFile(run.scratchDir, 'small-48k', SMALL_BLOB_BYTES);
  const { blobId } = await storeWithCli(devnet.networkFile, file.path, options.timeoutMs);
  const blobUrl = `${devnet.network.aggregatorUrl}/v1/blobs/${blobId}`;
  await run.settle(devnet, 'first read');
  const first = await timedGet(blobUrl, options.timeoutMs);
  if (!complete(first, file.bytes)) {
    throw new Error(`the first read of the 48 KiB blob failed: ${JSON.stringify(first)}`);
  }
  run.detail(
    'first Worker request after start (48 KiB read, cold isolate, cache miss)',
    milliseconds(first.ms),
  );
  const spec = {
    connections: options.connections,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    timeoutMs: options.timeoutMs,
  };
  const status = await runLoad(
    { ...spec, url: `${devnet.network.aggregatorUrl}/status` },
    run.scratchDir,
  );
  const blob = await runLoad({ ...spec, url: blobUrl }, run.scratchDir);
  run.detail(`load: GET /status, ${options.connections} in flight`, describe(status));
  run.detail(`load: GET 48 KiB blob, ${options.connections} in flight`, describe(blob));
  const errors = blob.non2xx + blob.errors + blob.timeouts;
  run.add(
    figure(
      SMALL_FIGURES[0].name,
      { value: blob.requestsPerS, unit: 'req/s' },
      { value: status.requestsPerS, unit: 'req/s', what: 'GET /status' },
      SMALL_FIGURES[0].goal,
      errors === 0 ? undefined : `${errors} failed requests`,
    ),
  );
}
