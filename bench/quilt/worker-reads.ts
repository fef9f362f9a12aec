/**
 * The quilt's edge figures (issue: quilts for NFT collections): through the devnet's Worker, cold
 * reads of image patches (`/v1/blobs/by-quilt-patch-id/…`) vs the same bytes stored as blobs
 * (`/v1/blobs/…`), each the Worker's first request for that patch or blob (a cache miss), the two
 * kinds alternating over several images and the medians compared — one read each is mostly noise
 * on a shared machine. The quilt's metadata is the same for every patch, so the Worker has it from
 * the first patch read on (as it would serving a collection); the first read of each kind is shown
 * beside. Then the cached patch under load vs the Worker's static `/status` route, same load
 * generator, same requests in flight.
 */
import { type LoadResult, runLoad } from '../edge/load.js';
import { timedGet } from '../edge/http.js';
import { type Detail, type Figure, figure } from '../edge/report.js';

/** One file stored both ways: as a patch of the quilt and as a blob of its own. */
export interface WorkerReadTarget {
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

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export async function workerReads(
  aggregatorUrl: string,
  targets: readonly WorkerReadTarget[],
  load: WorkerLoadOptions,
  scratchDir: string,
): Promise<{ figures: Figure[]; details: Detail[] }> {
  if (targets.length === 0) throw new Error('no file is stored both as a patch and as a blob');
  const patchUrl = (target: WorkerReadTarget) =>
    `${aggregatorUrl}/v1/blobs/by-quilt-patch-id/${target.patchId}`;
  // The Worker's isolate and chain view are warm before any timed read.
  await timedGet(`${aggregatorUrl}/status`, load.timeoutMs);
  const patchMs: number[] = [];
  const blobMs: number[] = [];
  for (const target of targets) {
    for (const [what, url, times] of [
      ['patch', patchUrl(target), patchMs],
      ['blob', `${aggregatorUrl}/v1/blobs/${target.blobId}`, blobMs],
    ] as const) {
      const read = await timedGet(url, load.timeoutMs);
      if (read.status !== 200 || read.bytes !== target.bytes)
        throw new Error(`the Worker's cold ${what} read failed: ${JSON.stringify(read)}`);
      times.push(read.ms);
    }
  }
  const patch = { ms: median(patchMs) };
  const blob = { ms: median(blobMs) };
  const hitUrl = patchUrl(targets[0]);
  const spec = { ...load };
  const status = await runLoad({ ...spec, url: `${aggregatorUrl}/status` }, scratchDir);
  const hits = await runLoad({ ...spec, url: hitUrl }, scratchDir);
  const failed = hits.non2xx + hits.errors + hits.timeouts;
  return {
    figures: [
      figure(
        `Worker cold read: image patch / the same bytes as a blob, time (median of ${targets.length})`,
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
      {
        name: 'Worker cold reads (ms), alternating, each file patch then blob',
        value: `patch ${patchMs.map((ms) => ms.toFixed(0)).join(', ')}; blob ${blobMs.map((ms) => ms.toFixed(0)).join(', ')} (the first patch read also fetches the quilt's metadata)`,
      },
      { name: `load: GET /status, ${load.connections} in flight`, value: describe(status) },
      { name: `load: GET cached patch, ${load.connections} in flight`, value: describe(hits) },
    ],
  };
}
