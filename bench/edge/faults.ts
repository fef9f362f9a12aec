/**
 * Reads when storage nodes misbehave, each against a healthy read of a same-size fresh blob:
 *  - hung: one node alive with its sockets open but never answering (SIGSTOP, then SIGCONT),
 *    through the Worker and through the CLI, 8 MiB blobs, all cache misses;
 *  - f shards down: two nodes stopped for good (SIGTERM) whose shards add up to at most f, so the
 *    network must still serve, chosen to hold the most of the blob's systematic slivers; time
 *    against a healthy miss of another fresh 64 MiB blob read just before, and the bytes all
 *    nodes sent against the blob's size.
 * A read cut off by the timeout counts as the timeout (a lower bound: "≥").
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobIdFromString } from '../../core/blob-id.js';
import { blobLayout } from '../../core/encoding/blob-layout.js';
import { shardForPair } from '../../core/encoding/mapping.js';
import { MIB, writeBlobFile, type BlobFile } from './blobs.js';
import { type BenchRun, type ExpectedFigure, log, milliseconds, seconds } from './context.js';
import { type Devnet, type NetworkFile, runCli, storeWithCli } from './devnet.js';
import { type TimedGet, complete, fetchSha256, timedGet, whyFailed } from './http.js';
import { LARGE_BLOB_BYTES } from './large.js';
import { isAlive, writtenBytesBetween, writtenBytesOfAll } from './proc.js';
import { type Measured, figure } from './report.js';

export const HUNG_BLOB_BYTES = 8 * MIB;
/** A node stopped with SIGTERM exits within the launcher's grace; give it that and more. */
const NODE_EXIT_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

export const HUNG_FIGURES = [
  { name: '8 MiB Worker read, one node hung / healthy', goal: { op: '<=', ratio: 1.5 } },
  { name: '8 MiB CLI read, one node hung / healthy', goal: { op: '<=', ratio: 1.5 } },
] as const satisfies readonly ExpectedFigure[];

export const F_DOWN_FIGURES = [
  {
    name: '64 MiB Worker read, f shards down: time / healthy',
    goal: { op: '<=', ratio: 1.5 },
  },
  {
    name: '64 MiB Worker read, f shards down: bytes nodes sent / blob size',
    goal: { op: '<=', ratio: 1.1 },
  },
] as const satisfies readonly ExpectedFigure[];

const MS_PER_S = 1000;
const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function timeOf(get: TimedGet, bytes: number): Measured {
  return complete(get, bytes)
    ? { value: get.ms / MS_PER_S, unit: 's' }
    : {
        value: get.ms / MS_PER_S,
        unit: 's',
        bound: '≥',
        what: `${get.timedOut ? 'timed out' : 'failed'} after ${get.bytes} bytes`,
      };
}

interface StoredBlob {
  readonly file: BlobFile;
  readonly blobId: string;
}

async function cliRead(run: BenchRun, devnet: Devnet, blob: StoredBlob): Promise<Measured> {
  const out = join(run.scratchDir, `${blob.file.label}.out`);
  const read = await runCli(
    devnet.networkFile,
    ['read', blob.blobId, '--out', out],
    run.options.timeoutMs,
  );
  if (read.error === undefined && sha256Of(out) !== blob.file.sha256)
    throw new Error(`the CLI read other bytes for ${blob.file.label}`);
  const value = read.ms / MS_PER_S;
  if (read.error === undefined) return { value, unit: 's' };
  return { value, unit: 's', bound: '≥', what: read.timedOut ? 'timed out' : read.error };
}

/** The sample with the median value (the upper one of an even count: the slower, for times). */
function median(samples: readonly Measured[]): Measured {
  return [...samples].sort((a, b) => a.value - b.value)[Math.floor(samples.length / 2)];
}

async function storeFresh(run: BenchRun, devnet: Devnet, label: string) {
  const file = writeBlobFile(run.scratchDir, label, HUNG_BLOB_BYTES);
  const stored = await storeWithCli(devnet.networkFile, file.path, run.options.timeoutMs);
  return { file, blobId: stored.blobId };
}

/** Worker and CLI reads of fresh blobs (one per read: every Worker read is a cache miss). */
async function readSamples(
  run: BenchRun,
  devnet: Devnet,
  blobs: { worker: StoredBlob[]; cli: StoredBlob[] },
) {
  const worker: Measured[] = [];
  const cli: Measured[] = [];
  for (const blob of blobs.worker) {
    const url = `${devnet.network.aggregatorUrl}/v1/blobs/${blob.blobId}`;
    const get = await timedGet(url, run.options.timeoutMs);
    worker.push(timeOf(get, HUNG_BLOB_BYTES));
    if (!complete(get, HUNG_BLOB_BYTES))
      run.detail('failed 8 MiB Worker read', await whyFailed(url, run.options.timeoutMs));
  }
  for (const blob of blobs.cli) cli.push(await cliRead(run, devnet, blob));
  return { worker, cli };
}

const listed = (samples: readonly Measured[]) =>
  samples.map((m) => `${m.bound ?? ''}${m.value.toFixed(2)} s`).join(', ');

export async function hungNodeReads(run: BenchRun, devnet: Devnet): Promise<void> {
  const n = run.options.faultSamples;
  const fresh = async (label: string) => {
    const stored: StoredBlob[] = [];
    for (let i = 0; i < n; i++) stored.push(await storeFresh(run, devnet, `${label}-${i}`));
    return stored;
  };
  const healthyBlobs = {
    worker: await fresh('hung-worker-healthy'),
    cli: await fresh('hung-cli-healthy'),
  };
  const hungBlobs = { worker: await fresh('hung-worker-hung'), cli: await fresh('hung-cli-hung') };
  // The committee's first member: also the first asked for blob status by the 2026-12 Worker.
  const hung = devnet.network.nodes[0];
  run.detail('hung node', `${hung.name} (${hung.shards.length} shards), SIGSTOP during the reads`);
  await run.settle(devnet, '8 MiB reads');
  const healthy = await readSamples(run, devnet, healthyBlobs);
  let stalled: Awaited<ReturnType<typeof readSamples>>;
  process.kill(hung.pid, 'SIGSTOP');
  try {
    stalled = await readSamples(run, devnet, hungBlobs);
  } finally {
    process.kill(hung.pid, 'SIGCONT');
  }
  log(`Worker reads, ${hung.name} hung: ${listed(stalled.worker)}`);
  for (const [who, index] of [
    ['Worker', 0],
    ['CLI', 1],
  ] as const) {
    const side = index === 0 ? 'worker' : 'cli';
    run.detail(
      `8 MiB ${who} reads healthy / hung (each a fresh blob)`,
      `${listed(healthy[side])} / ${listed(stalled[side])}`,
    );
    run.add(
      figure(
        HUNG_FIGURES[index].name,
        median(stalled[side]),
        { ...median(healthy[side]), what: `healthy, median of ${n}` },
        HUNG_FIGURES[index].goal,
        `median of ${n}`,
      ),
    );
  }
}

/**
 * The two nodes to stop for a blob: together at most f = ⌊(n−1)/3⌋ shards (so the blob stays
 * readable), and among such pairs the one holding the most of its systematic primary slivers (the
 * ones a healthy read streams), so the read must really go without them: the figure then does not
 * depend on where the blob's rotation happens to put its slivers. Ties go to more shards.
 */
export function nodesToStop(network: NetworkFile, blobId: string, blobBytes: number) {
  const nShards = network.nShards;
  const f = Math.floor((nShards - 1) / 3);
  const id = blobIdFromString(blobId);
  const owner = new Map<number, number>();
  network.nodes.forEach((node, index) => node.shards.forEach((shard) => owner.set(shard, index)));
  const systematic = new Array<number>(network.nodes.length).fill(0);
  for (let pair = 0; pair < blobLayout(blobBytes, nShards).params.nPrimary; pair++) {
    systematic[owner.get(shardForPair(pair, id, nShards))!]++;
  }
  let best: { nodes: [number, number]; systematic: number; shards: number } | undefined;
  for (let i = 0; i < network.nodes.length; i++) {
    for (let j = i + 1; j < network.nodes.length; j++) {
      const shards = network.nodes[i].shards.length + network.nodes[j].shards.length;
      const lost = systematic[i] + systematic[j];
      if (shards > f) continue;
      if (
        best === undefined ||
        lost > best.systematic ||
        (lost === best.systematic && shards > best.shards)
      ) {
        best = { nodes: [i, j], systematic: lost, shards };
      }
    }
  }
  if (best === undefined) throw new Error(`no two nodes hold at most f = ${f} shards between them`);
  return { f, ...best, nodes: best.nodes.map((i) => network.nodes[i]) };
}

async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + NODE_EXIT_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`node ${pid} did not exit after SIGTERM`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A timed Worker read and the bytes every storage node wrote meanwhile. */
async function readCountingNodeBytes(devnet: Devnet, blobId: string, timeoutMs: number) {
  const nodePids = devnet.network.nodes.map((node) => node.pid);
  const before = writtenBytesOfAll(nodePids);
  const get = await timedGet(`${devnet.network.aggregatorUrl}/v1/blobs/${blobId}`, timeoutMs);
  return { get, sentBytes: writtenBytesBetween(before, writtenBytesOfAll(nodePids)) };
}

/**
 * Stops two nodes for good, so it runs last on a devnet. The healthy read it compares with is of
 * another fresh blob of the same size, read just before the nodes stop (same machine load).
 */
export async function fShardsDownRead(run: BenchRun, devnet: Devnet): Promise<void> {
  const { timeoutMs } = run.options;
  const blobs: { file: BlobFile; blobId: string }[] = [];
  for (const label of ['f-down-healthy-64m', 'f-down-64m']) {
    const file = writeBlobFile(run.scratchDir, label, LARGE_BLOB_BYTES);
    blobs.push({
      file,
      blobId: (await storeWithCli(devnet.networkFile, file.path, timeoutMs)).blobId,
    });
  }
  const bytes = LARGE_BLOB_BYTES;
  await run.settle(devnet, 'healthy 64 MiB read');
  const healthy = await readCountingNodeBytes(devnet, blobs[0].blobId, timeoutMs);
  const choice = nodesToStop(devnet.network, blobs[1].blobId, bytes);
  const stopped = choice.nodes;
  run.detail(
    'f shards down',
    `${stopped.map((n) => n.name).join(' and ')} stopped (SIGTERM): ${choice.shards} of ` +
      `${devnet.network.nShards} shards (f = ${choice.f}), holding ${choice.systematic} of the ` +
      `blob's systematic slivers`,
  );
  for (const node of stopped) process.kill(node.pid, 'SIGTERM');
  for (const node of stopped) await waitForExit(node.pid);
  await run.settle(devnet, 'f-down 64 MiB read');
  const down = await readCountingNodeBytes(devnet, blobs[1].blobId, timeoutMs);
  const url = `${devnet.network.aggregatorUrl}/v1/blobs/${blobs[1].blobId}`;
  if (!complete(down.get, bytes)) run.detail('failed f-down read', await whyFailed(url, timeoutMs));
  for (const [name, read] of [
    ['healthy', healthy],
    ['f shards down', down],
  ] as const) {
    run.detail(
      `64 MiB Worker read (cache miss), ${name}: time, first byte, node bytes / blob size`,
      `${seconds(read.get.ms)}, ${milliseconds(read.get.firstByteMs)}, ` +
        `${(read.sentBytes / bytes).toFixed(3)}x`,
    );
  }
  run.add(
    figure(
      F_DOWN_FIGURES[0].name,
      timeOf(down.get, bytes),
      { ...timeOf(healthy.get, bytes), what: 'healthy miss, same size' },
      F_DOWN_FIGURES[0].goal,
      complete(healthy.get, bytes) ? undefined : 'the healthy read did not complete',
    ),
  );
  run.add(
    figure(
      F_DOWN_FIGURES[1].name,
      {
        value: down.sentBytes / 1e6,
        unit: 'MB',
        ...(complete(down.get, bytes) ? {} : { bound: '≥' as const }),
      },
      { value: bytes / 1e6, unit: 'MB', what: 'blob size' },
      F_DOWN_FIGURES[1].goal,
      complete(down.get, bytes) ? undefined : 'the read did not complete',
    ),
  );
  if (complete(down.get, bytes) && (await fetchSha256(url, timeoutMs)) !== blobs[1].file.sha256) {
    throw new Error('the Worker returned other bytes with f shards down');
  }
}
