/**
 * The quilt's edge figures (issue: quilts for NFT collections): through the devnet's Worker, a
 * cold read of one image patch (`/v1/blobs/by-quilt-patch-id/…`) vs the same bytes stored as a
 * blob (`/v1/blobs/…`), each the Worker's first request for it (cache miss; median of the same
 * number of fresh reads is not possible once cached, so one each, after a warm-up request to the
 * Worker); then the cached patch under load vs the Worker's static `/status` route, same load
 * generator, same requests in flight.
 */
import { type LoadResult, runLoad } from '../edge/load.js';
import { timedGet } from '../edge/http.js';
import { type Detail, type Figure, figure } from '../edge/report.js';

export interface WorkerReadTarget {
  readonly aggregatorUrl: string;
  readonly patchId: string;
  readonly blobId: string;
  readonly bytes: number;
}

export interface WorkerLoadOptions {
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}

const describe = (load: LoadResult) =>
  `${load.requestsPerS.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ` +
  `${load.requests} requests, non-2xx ${load.non2xx}, errors ${load.errors}, timeouts ${load.timeouts}`;

export async function workerReads(
  target: WorkerReadTarget,
  load: WorkerLoadOptions,
  scratchDir: string,
): Promise<{ figures: Figure[]; details: Detail[] }> {
  const patchUrl = `${target.aggregatorUrl}/v1/blobs/by-quilt-patch-id/${target.patchId}`;
  const blobUrl = `${target.aggregatorUrl}/v1/blobs/${target.blobId}`;
  // The Worker's isolate and chain view are warm before either timed read.
  await timedGet(`${target.aggregatorUrl}/status`, load.timeoutMs);
  const patch = await timedGet(patchUrl, load.timeoutMs);
  const blob = await timedGet(blobUrl, load.timeoutMs);
  for (const [what, read] of [
    ['patch', patch],
    ['blob', blob],
  ] as const) {
    if (read.status !== 200 || read.bytes !== target.bytes)
      throw new Error(`the Worker's cold ${what} read failed: ${JSON.stringify(read)}`);
  }
  const spec = { ...load };
  const status = await runLoad({ ...spec, url: `${target.aggregatorUrl}/status` }, scratchDir);
  const hits = await runLoad({ ...spec, url: patchUrl }, scratchDir);
  const failed = hits.non2xx + hits.errors + hits.timeouts;
  return {
    figures: [
      figure(
        'Worker cold read: image patch / the same bytes as a blob, time',
        { value: patch.ms, unit: 'ms' },
        { value: blob.ms, unit: 'ms', what: 'by blob ID' },
        { op: '<=', ratio: 1.5 },
      ),
      figure(
        'Worker cache-hit patch reads / static route, req/s',
        { value: hits.requestsPerS, unit: 'req/s' },
        { value: status.requestsPerS, unit: 'req/s', what: 'GET /status' },
        { op: '>=', ratio: 0.5 },
        failed === 0 ? undefined : `${failed} failed requests`,
      ),
    ],
    details: [
      { name: `load: GET /status, ${load.connections} in flight`, value: describe(status) },
      { name: `load: GET cached patch, ${load.connections} in flight`, value: describe(hits) },
    ],
  };
}
