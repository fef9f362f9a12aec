/**
 * Red Stuff encoding on every core (Node only: worker_threads and SharedArrayBuffer).
 *
 * core/encoding splits the work into stages over index ranges; this pool hands the ranges of each
 * stage to worker threads and to the calling thread, all working on the same shared buffers, and
 * waits for a stage to finish before starting the next. The result is the same EncodedBlob the
 * single-threaded `encodeBlob` returns, byte for byte.
 *
 * Workers start on first use, or earlier with `start()`: a worker costs tens of milliseconds of a
 * core to boot Node, load the encoder and compile its kernels, which it does as soon as it starts,
 * so a caller that starts the pool before reading its input overlaps the two. Encodings too small
 * to repay that (POOL_HASH_BLOCKS_MIN) run in the calling thread and never start a worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkInteger } from '../../core/assert.js';
import type {
  BlobEncodingJob,
  EncodedBlob,
  EncodedMetadata,
} from '../../core/encoding/blob-encoder.js';
import {
  allocateEncodingBuffers,
  blobLayout,
  encodingHashBlocks,
} from '../../core/encoding/blob-layout.js';
import {
  type EncoderStage,
  type EncoderWorkerReply,
  type EncoderWorkerRequest,
  runStageRange,
} from './encoder-stages.js';

/** More threads than this gains nothing on the machines we target and costs memory per isolate. */
export const ENCODER_THREADS_MAX = 64;
/** Ranges per thread and stage: enough to balance uneven ranges, few enough to keep messages cheap. */
const RANGES_PER_THREAD = 8;
/**
 * Encodings of fewer BLAKE2b blocks than this (see encodingHashBlocks; ~0.1 µs each) run in the
 * calling thread: about 0.1 s of one core, a few times what starting a worker costs. Every blob at
 * n = 1000 is above it (3·10^6 blocks for one byte); at n = 100 blobs from ~10 MB are.
 */
export const POOL_HASH_BLOCKS_MIN = 1_000_000;

export interface EncoderPoolOptions {
  /** Overrides POOL_HASH_BLOCKS_MIN (tests use 0 to send every encoding through the workers). */
  readonly poolHashBlocksMin?: number;
}

/**
 * The encoder is loaded on first use, not with this module: a caller can construct the pool and
 * start() its workers first, so they boot while this thread loads the encoder.
 */
function loadEncoder(): Promise<typeof import('../../core/encoding/blob-encoder.js')> {
  return import('../../core/encoding/blob-encoder.js');
}

/** A Uint8Array over a SharedArrayBuffer, so worker threads can see the same bytes. */
export function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

function isShared(bytes: Uint8Array): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer;
}

/**
 * Where the compiled worker lives. Under vitest this module runs from source (.ts) while workers
 * need JavaScript, so it points at the build output (`npm run build` produces it).
 */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/client/node/encoder-worker.js', import.meta.url)
    : new URL('./encoder-worker.js', import.meta.url);
}

interface PendingTask {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class EncoderPool {
  readonly threads: number;
  private readonly poolHashBlocksMin: number;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, PendingTask>();
  private nextTaskId = 1;
  private closed = false;
  /**
   * The last job on the workers: each worker holds one job at a time (encoder-worker.ts), so jobs
   * run one after another — each already uses every core — however many callers encode at once.
   */
  private lastJob: Promise<unknown> = Promise.resolve();

  /** `threads` counts the calling thread: up to threads − 1 workers are started. */
  constructor(threads: number = availableParallelism(), options: EncoderPoolOptions = {}) {
    this.threads = checkInteger('threads', threads, 1, ENCODER_THREADS_MAX);
    this.poolHashBlocksMin = checkInteger(
      'poolHashBlocksMin',
      options.poolHashBlocksMin ?? POOL_HASH_BLOCKS_MIN,
      0,
      Number.MAX_SAFE_INTEGER,
    );
  }

  /**
   * Whether encoding `blobBytes` for `nShards` uses the worker threads: a caller that knows its
   * input size can `start()` them before reading the input.
   */
  usesWorkers(blobBytes: number, nShards: number): boolean {
    if (this.threads === 1) return false;
    return encodingHashBlocks(blobLayout(blobBytes, nShards)) >= this.poolHashBlocksMin;
  }

  /** Starts the worker threads now (idempotent); they get ready while the caller does other work. */
  start(): void {
    if (this.closed) throw new Error('the encoder pool is closed');
    for (let i = this.workers.length + 1; i < this.threads; i++) {
      const worker = new Worker(workerUrl());
      worker.on('message', (reply: EncoderWorkerReply) => this.settle(reply));
      worker.on('error', (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
    }
  }

  private settle(reply: EncoderWorkerReply): void {
    const task = this.pending.get(reply.taskId);
    if (task === undefined) return;
    this.pending.delete(reply.taskId);
    if (reply.error === undefined) task.resolve();
    else task.reject(new Error(`encoder worker failed: ${reply.error}`));
  }

  private failAll(error: Error): void {
    for (const task of this.pending.values()) task.reject(error);
    this.pending.clear();
  }

  private send(worker: Worker, message: EncoderWorkerRequest): Promise<void> {
    const taskId = this.nextTaskId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(taskId, { resolve, reject });
      worker.postMessage({ ...message, taskId });
    });
  }

  /**
   * Encodes `blob` for `nShards`. A blob already in a SharedArrayBuffer (see `sharedBytes`) is used
   * in place; any other is copied once.
   */
  async encode(blob: Uint8Array, nShards: number): Promise<EncodedBlob> {
    return (await this.run(blob, nShards, true)).finish();
  }

  /** The metadata and blob ID of `blob` (core computeBlobMetadata): no slivers are kept. */
  async computeMetadata(blob: Uint8Array, nShards: number): Promise<EncodedMetadata> {
    return (await this.run(blob, nShards, false)).finishMetadata();
  }

  /** Runs every stage of the encoding job, on the workers when it pays. */
  private async run(blob: Uint8Array, nShards: number, slivers: boolean) {
    if (this.closed) throw new Error('the encoder pool is closed');
    const layout = blobLayout(blob.length, nShards);
    const { BlobEncodingJob } = await loadEncoder();
    if (!this.usesWorkers(blob.length, nShards)) {
      const local = allocateEncodingBuffers(layout, undefined, slivers);
      const job = new BlobEncodingJob(layout, blob, local);
      job.runStages();
      return job;
    }
    const turn = this.lastJob.then(() => this.runOnWorkers(blob, nShards, slivers));
    this.lastJob = turn.catch(() => {});
    return turn;
  }

  private async runOnWorkers(blob: Uint8Array, nShards: number, slivers: boolean) {
    if (this.closed) throw new Error('the encoder pool is closed');
    const layout = blobLayout(blob.length, nShards);
    const { BlobEncodingJob } = await loadEncoder();
    this.start();
    let shared = blob;
    if (!isShared(blob)) {
      shared = sharedBytes(blob.length);
      shared.set(blob);
    }
    const buffers = allocateEncodingBuffers(layout, sharedBytes, slivers);
    const job = new BlobEncodingJob(layout, shared, buffers);
    // Idle workers must not keep the process alive, busy ones must: replies are all we wait for.
    for (const worker of this.workers) worker.ref();
    const setup = {
      kind: 'setup' as const,
      blobBytes: layout.blobBytes,
      nShards,
      blob: shared,
      buffers,
    };
    // Not awaited: this thread starts at once, and each worker joins when it has booted.
    const ready = this.workers.map((worker) => this.send(worker, setup));
    try {
      await this.runStage(job, ready, 'rows', layout.params.nPrimary);
      await this.runStage(job, ready, 'columns', job.chunking.chunkCount);
      await this.runStage(job, ready, 'pairs', nShards);
    } finally {
      // Messages are handled in order, so a worker still booting drops the job after setting it
      // up; nothing waits for that.
      for (const worker of this.workers) {
        this.send(worker, { kind: 'release' }).catch(() => {});
        worker.unref();
      }
    }
    return job;
  }

  /**
   * Splits [0, count) into ranges that this thread and every ready worker take from one queue.
   * The stage is done when every range is: a worker that is still booting takes none.
   */
  private runStage(
    job: BlobEncodingJob,
    ready: readonly Promise<void>[],
    stage: EncoderStage,
    count: number,
  ): Promise<void> {
    const rangeCount = Math.min(count, this.threads * RANGES_PER_THREAD);
    const ranges: [number, number][] = [];
    for (let i = 0; i < rangeCount; i++) {
      ranges.push([
        Math.floor((i * count) / rangeCount),
        Math.floor(((i + 1) * count) / rangeCount),
      ]);
    }
    let next = 0;
    let running = 0;
    const take = () => (next < ranges.length ? ranges[next++] : undefined);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (!settled) reject(error);
        settled = true;
      };
      const finishIfDone = () => {
        if (settled || next < ranges.length || running > 0) return;
        settled = true;
        resolve();
      };
      const workerLoop = async (worker: Worker) => {
        for (let range = take(); range !== undefined && !settled; range = take()) {
          running++;
          await this.send(worker, { kind: 'run', stage, start: range[0], end: range[1] });
          running--;
        }
        finishIfDone();
      };
      const localLoop = async () => {
        for (let range = take(); range !== undefined && !settled; range = take()) {
          running++;
          runStageRange(job, stage, range[0], range[1]);
          running--;
          // Let worker replies be handled between our own ranges, so workers are fed promptly.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        finishIfDone();
      };
      this.workers.forEach((worker, i) => {
        ready[i].then(() => workerLoop(worker)).catch(fail);
      });
      localLoop().catch(fail);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.workers.length = 0;
  }
}
