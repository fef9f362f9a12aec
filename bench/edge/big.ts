/**
 * `--big`: workerd's memory while the Worker streams a 1 GiB blob, on its own devnet (default
 * n = 1000 shards, where a primary sliver of 1 GiB is ~3 MB; at n = 100 it is ~32 MB). VmRSS is
 * sampled every 50 ms; the figure is the peak above workerd's idle RSS (measured after one request
 * has loaded the isolate) against Workers' 128 MB per isolate. The whole workerd process is
 * measured, so that figure is an upper bound on what the Worker's isolate used; the isolate's own
 * (V8 heap + ArrayBuffer backing stores, over workerd's inspector, isolate-memory.ts) is the second.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { blobLayout } from '../../core/encoding/blob-layout.js';
import { GIB, MIB, writeBlobFile } from './blobs.js';
import { type BenchRun, type ExpectedFigure, seconds } from './context.js';
import { type Devnet, startDevnet, storeWithCli } from './devnet.js';
import { complete, fetchSha256, timedGet, whyFailed } from './http.js';
import { freePort, sampleIsolateMemory } from './isolate-memory.js';
import { throughput } from './large.js';
import { RSS_SAMPLE_INTERVAL_MS, memoryOf, sampleRss } from './proc.js';
import { figure } from './report.js';

export const BIG_BLOB_BYTES = GIB;
/** Workers' memory limit per isolate, taken as MiB (workerd's own unit for it). */
export const ISOLATE_MEMORY_BYTES_MAX = 128 * MIB;
/** Storing 1 GiB (encode, 2n slivers to 7 local nodes, certify) takes ~3 minutes here. */
const BIG_STORE_TIMEOUT_MS = 30 * 60_000;
/**
 * The streamed read itself: ~25 s at today's ~40 MB/s, so the normal 120 s timeout would cut a
 * slow-but-working read short; 5 minutes still ends a stalled one (seen once: 0 bytes in 10
 * minutes while workerd grew to 2.5 GB).
 */
const BIG_READ_TIMEOUT_MS = 5 * 60_000;
/**
 * After storing 1 GiB at n = 1000 the nodes stayed busy for 53 s in one run and over 120 s in
 * another (a 503 followed): give them longer before reading.
 */
const BIG_SETTLE_TIMEOUT_MS = 5 * 60_000;
/** Lets the isolate settle after its first request before its idle RSS is read. */
const SETTLE_MS = 1000;
const NODES = 7;

export const BIG_FIGURES = [
  { name: '1 GiB streamed read: workerd peak RSS above idle', goal: { op: '<', ratio: 1 } },
  {
    name: "1 GiB streamed read: the isolate's peak (V8 heap + ArrayBuffers)",
    goal: { op: '<', ratio: 1 },
  },
] as const satisfies readonly ExpectedFigure[];

export async function bigBlobRss(run: BenchRun): Promise<void> {
  const nShards = run.options.bigShards;
  const inspectorPort = await freePort();
  const devnet = await startDevnet({
    dataDir: join(run.scratchDir, 'big-net'),
    nodes: NODES,
    shards: nShards,
    inspectorPort,
  });
  try {
    await measure(run, devnet, nShards, inspectorPort);
  } finally {
    const left = await devnet.stop();
    run.detail(
      '--big devnet: processes left after stop',
      left.length === 0 ? 'none' : left.join(', '),
    );
  }
}

async function measure(
  run: BenchRun,
  devnet: Devnet,
  nShards: number,
  inspectorPort: number,
): Promise<void> {
  const sliverBytes = blobLayout(BIG_BLOB_BYTES, nShards).primarySliverBytes;
  run.detail(
    '--big devnet',
    `${NODES} nodes, n = ${nShards} shards (1 GiB primary sliver ` +
      `${(sliverBytes / 1e6).toFixed(1)} MB), ready in ${seconds(devnet.readyMs)}`,
  );
  const file = writeBlobFile(run.scratchDir, 'big-1g', BIG_BLOB_BYTES);
  const stored = await storeWithCli(devnet.networkFile, file.path, BIG_STORE_TIMEOUT_MS);
  rmSync(file.path);
  run.detail('CLI store of the 1 GiB blob', seconds(stored.ms));
  const base = devnet.network.aggregatorUrl;
  await run.settle(devnet, '1 GiB read', BIG_SETTLE_TIMEOUT_MS);
  await timedGet(`${base}/status`, run.options.timeoutMs);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const idle = memoryOf(devnet.workerdPid);
  const isolateSampler = await sampleIsolateMemory(inspectorPort);
  const sampler = sampleRss(devnet.workerdPid);
  const read = await timedGet(`${base}/v1/blobs/${stored.blobId}`, BIG_READ_TIMEOUT_MS);
  const peak = sampler.stop();
  const isolate = await isolateSampler.stop();
  if (!complete(read, file.bytes)) {
    run.detail(
      'failed 1 GiB read',
      await whyFailed(`${base}/v1/blobs/${stored.blobId}`, run.options.timeoutMs),
    );
  }
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
  run.detail(
    '1 GiB streamed read',
    `${seconds(read.ms)}, ${throughput(read, file.bytes).value.toFixed(1)} MB/s, ` +
      `status ${read.status}, ${read.bytes} bytes (inspector open: slower than a plain read)`,
  );
  run.detail(
    "the isolate's peak: V8 heap / ArrayBuffer backing stores (not at the same instant)",
    `${mib(isolate.peakHeapBytes)} / ${mib(isolate.peakBackingStoreBytes)} ` +
      `(${isolate.samples} samples)`,
  );
  run.detail(
    'workerd RSS: idle / peak during the 1 GiB read / VmHWM',
    `${mib(idle.rssBytes)} / ${mib(peak.peakRssBytes)} / ${mib(peak.hwmBytes)} ` +
      `(${peak.samples} samples)`,
  );
  run.add(
    figure(
      BIG_FIGURES[0].name,
      {
        value: (peak.peakRssBytes - idle.rssBytes) / MIB,
        unit: 'MiB',
        // A read that did not finish shows at least what a whole one needs, maybe far less.
        ...(complete(read, file.bytes) ? {} : { bound: '≥' as const }),
      },
      { value: ISOLATE_MEMORY_BYTES_MAX / MIB, unit: 'MiB', what: 'Workers limit per isolate' },
      BIG_FIGURES[0].goal,
      `n = ${nShards}; absolute peak ${mib(peak.peakRssBytes)}` +
        (complete(read, file.bytes) ? '' : '; the read did not complete'),
    ),
  );
  run.add(
    figure(
      BIG_FIGURES[1].name,
      {
        value: isolate.peakBytes / MIB,
        unit: 'MiB',
        ...(complete(read, file.bytes) ? {} : { bound: '≥' as const }),
      },
      { value: ISOLATE_MEMORY_BYTES_MAX / MIB, unit: 'MiB', what: 'Workers limit per isolate' },
      BIG_FIGURES[1].goal,
      `n = ${nShards}; Runtime.getHeapUsage every ${RSS_SAMPLE_INTERVAL_MS} ms`,
    ),
  );
  if (
    complete(read, file.bytes) &&
    (await fetchSha256(`${base}/v1/blobs/${stored.blobId}`, BIG_READ_TIMEOUT_MS)) !== file.sha256
  ) {
    throw new Error('the Worker returned other bytes for the 1 GiB blob');
  }
}
