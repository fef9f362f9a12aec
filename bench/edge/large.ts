/**
 * Large blobs through the Worker against nginx serving the same file from disk (page cache):
 * a 64 MiB blob's first read (a cache miss: stored with the CLI, never read through the Worker)
 * and its next reads (cache hits once the Worker caches). Bytes the storage nodes sent during the
 * miss and workerd's RSS are kept as context; the content is checked by one untimed read after.
 */
import { MIB, writeBlobFile } from './blobs.js';
import { type BenchRun, type ExpectedFigure, log, milliseconds, seconds } from './context.js';
import { type Devnet, storeWithCli } from './devnet.js';
import { type TimedGet, complete, fetchSha256, timedGet } from './http.js';
import { startNginx } from './nginx.js';
import { memoryOf, sampleRss, writtenBytesBetween, writtenBytesOfAll } from './proc.js';
import { type Measured, figure } from './report.js';
import { join } from 'node:path';

export const LARGE_BLOB_BYTES = 64 * MIB;
/** Timed hit reads (and nginx reads); the median is the figure. */
const REPEATED_READS = 3;
const MB = 1e6;
const MS_PER_S = 1000;

export const LARGE_FIGURES = [
  { name: '64 MiB blob, cache hit (second read), MB/s', goal: { op: '>=', ratio: 0.3 } },
  { name: '64 MiB blob, cache miss (first read), MB/s', goal: { op: '>=', ratio: 0.06 } },
] as const satisfies readonly ExpectedFigure[];

export const mbPerS = (bytes: number, ms: number): number => bytes / MB / (ms / MS_PER_S);
const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Throughput of a timed read, or a bound on it when the read was cut off. */
export function throughput(get: TimedGet, bytes: number, what?: string): Measured {
  if (complete(get, bytes)) return { value: mbPerS(bytes, get.ms), unit: 'MB/s', what };
  return { value: mbPerS(get.bytes, get.ms), unit: 'MB/s', bound: '≤', what };
}

async function nginxBaseline(run: BenchRun, dir: string, name: string, bytes: number) {
  const nginx = await startNginx(join(run.scratchDir, 'nginx'), dir);
  if (nginx === undefined) {
    run.detail('nginx baseline', 'nginx not installed: skipped');
    return undefined;
  }
  try {
    const url = `${nginx.url}/${name}`;
    await timedGet(url, run.options.timeoutMs); // Brings the file into the page cache.
    const reads: number[] = [];
    for (let i = 0; i < REPEATED_READS; i++) {
      const get = await timedGet(url, run.options.timeoutMs);
      if (!complete(get, bytes)) throw new Error(`nginx read failed: ${JSON.stringify(get)}`);
      reads.push(mbPerS(bytes, get.ms));
    }
    run.detail(
      `nginx ${nginx.version}, same file (${REPEATED_READS} reads)`,
      reads.map((r) => `${r.toFixed(0)} MB/s`).join(', '),
    );
    return {
      value: median(reads),
      unit: 'MB/s',
      what: `nginx, median of ${REPEATED_READS}`,
    } as Measured;
  } finally {
    await nginx.stop();
  }
}

export async function largeBlobReads(run: BenchRun, devnet: Devnet): Promise<void> {
  const { timeoutMs } = run.options;
  const file = writeBlobFile(run.scratchDir, 'large-64m', LARGE_BLOB_BYTES);
  const nginx = await nginxBaseline(run, run.scratchDir, 'large-64m.bin', file.bytes);
  const stored = await storeWithCli(devnet.networkFile, file.path, timeoutMs);
  run.detail('CLI store of a 64 MiB blob', seconds(stored.ms));
  const url = `${devnet.network.aggregatorUrl}/v1/blobs/${stored.blobId}`;
  const nodePids = devnet.network.nodes.map((node) => node.pid);

  await run.settle(devnet, '64 MiB miss');
  const sentBefore = writtenBytesOfAll(nodePids);
  const rssBefore = memoryOf(devnet.workerdPid).rssBytes;
  const missRss = sampleRss(devnet.workerdPid);
  const miss = await timedGet(url, timeoutMs);
  const missPeak = missRss.stop();
  const sent = writtenBytesBetween(sentBefore, writtenBytesOfAll(nodePids));
  log(`64 MiB miss: ${milliseconds(miss.ms)}, status ${miss.status}, ${miss.bytes} bytes`);
  run.detail(
    '64 MiB cache miss: time, first byte',
    `${seconds(miss.ms)}, ${milliseconds(miss.firstByteMs)}`,
  );
  run.detail(
    '64 MiB cache miss: bytes the nodes sent / blob size',
    `${(sent / file.bytes).toFixed(3)}x`,
  );

  const hits: TimedGet[] = [];
  const hitRss = sampleRss(devnet.workerdPid);
  for (let i = 0; i < REPEATED_READS; i++) hits.push(await timedGet(url, timeoutMs));
  const hitPeak = hitRss.stop();
  run.detail(
    `64 MiB reads 2..${REPEATED_READS + 1} (hits once cached)`,
    hits.map((h) => `${throughput(h, file.bytes).value.toFixed(0)} MB/s`).join(', '),
  );
  run.detail(
    'workerd RSS before the 64 MiB miss / peak during it / peak during the hits',
    [rssBefore, missPeak.peakRssBytes, hitPeak.peakRssBytes]
      .map((bytes) => (bytes / MIB).toFixed(0))
      .join(' / ') + ' MiB',
  );
  const allHitsComplete = hits.every((h) => complete(h, file.bytes));
  const hitMeasured: Measured = allHitsComplete
    ? { value: median(hits.map((h) => mbPerS(file.bytes, h.ms))), unit: 'MB/s' }
    : throughput(
        hits.find((h) => !complete(h, file.bytes))!,
        file.bytes,
      );
  const skipped = nginx === undefined ? 'nginx not installed: skipped' : undefined;
  run.add(
    figure(
      LARGE_FIGURES[0].name,
      hitMeasured,
      nginx,
      LARGE_FIGURES[0].goal,
      skipped ?? (allHitsComplete ? `median of ${REPEATED_READS}` : 'a read failed'),
    ),
  );
  run.add(
    figure(
      LARGE_FIGURES[1].name,
      throughput(miss, file.bytes),
      nginx,
      LARGE_FIGURES[1].goal,
      skipped,
    ),
  );

  const digest = await fetchSha256(url, timeoutMs);
  if (digest !== file.sha256)
    throw new Error('the Worker returned other bytes for the 64 MiB blob');
}
