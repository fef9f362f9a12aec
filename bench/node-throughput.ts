/**
 * `npm run bench:node`: sliver PUT and GET throughput and latency of one reference storage node
 * process (dist/node-reference/main.js, a file chain holding all n = 100 shards), against a
 * baseline in the same run: a bare node:http process that reads each PUT body and answers each GET
 * with as many bytes, i.e. the cost of HTTP on this machine without verification or storage.
 *
 * Sliver mix at n = 100 (f = 33, n_p = 34, n_s = 67): 16 MiB blobs give 482 KiB primary and
 * 245 KiB secondary slivers; 1 MiB blobs give 30 KiB and 15 KiB ones. Every sliver of every blob is
 * PUT (after its metadata) and then read back, with 8 and then 32 requests in flight, into a fresh
 * data dir per concurrency. Latency is per request, from send to the last body byte.
 *
 * Knobs: BENCH_LARGE_BLOBS (default 2), BENCH_SMALL_BLOBS (default 8).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blobIdToString } from '../core/blob-id.js';
import { encodeBlob } from '../core/encoding/blob-encoder.js';
import { encodeBlobMetadata } from '../core/encoding/metadata.js';
import type { FileChainState } from '../node-reference/testing/file-chain.js';
import { seededBytes } from '../node-reference/testing/harness.js';
import { killAllProcesses, startNodeProcess } from '../node-reference/testing/processes.js';

const N_SHARDS = 100;
const MIB = 1024 * 1024;
const CONCURRENCIES = [8, 32] as const;
const NODE_MAIN = fileURLToPath(new URL('../node-reference/main.js', import.meta.url));

interface SliverRequest {
  readonly path: string;
  readonly body: Uint8Array;
}

interface BlobClass {
  readonly name: string;
  readonly blobBytes: number;
  readonly count: number;
  metadata: SliverRequest[];
  slivers: SliverRequest[];
  blobIds: string[];
}

interface Measurement {
  readonly bytes: number;
  readonly requests: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  readonly failures: number;
}

function envCount(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function prepare(blobClass: BlobClass, seedBase: number): void {
  for (let i = 0; i < blobClass.count; i++) {
    const encoded = encodeBlob(seededBytes(blobClass.blobBytes, seedBase + i), N_SHARDS);
    const id = blobIdToString(encoded.blobId);
    blobClass.blobIds.push(id);
    blobClass.metadata.push({
      path: `/v1/blobs/${id}/metadata`,
      body: encodeBlobMetadata(encoded.metadata),
    });
    for (let pair = 0; pair < N_SHARDS; pair++) {
      blobClass.slivers.push({
        path: `/v1/blobs/${id}/slivers/${pair}/primary`,
        body: encoded.primarySliverBcs(pair),
      });
      blobClass.slivers.push({
        path: `/v1/blobs/${id}/slivers/${pair}/secondary`,
        body: encoded.secondarySliverBcs(N_SHARDS - 1 - pair),
      });
    }
  }
}

/** Runs every request with `lanes` in flight; the body is drained before a request counts. */
async function run(
  base: string,
  requests: readonly SliverRequest[],
  lanes: number,
  method: 'PUT' | 'GET',
  query = (_request: SliverRequest) => '',
): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let bytes = 0;
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      const sent = performance.now();
      const response = await fetch(`${base}${request.path}${query(request)}`, {
        method,
        body: method === 'PUT' ? (request.body as Uint8Array<ArrayBuffer>) : undefined,
        headers: method === 'PUT' ? { 'content-type': 'application/octet-stream' } : {},
      });
      const body = new Uint8Array(await response.arrayBuffer());
      latenciesMs.push(performance.now() - sent);
      if (!response.ok) failures++;
      bytes += method === 'PUT' ? request.body.length : body.length;
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return {
    bytes,
    requests: requests.length,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    failures,
  };
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The baseline: node:http, reading PUT bodies, answering GETs with `?bytes=` bytes. */
const BASELINE_SCRIPT = `
const http = require('node:http');
const pool = Buffer.alloc(1 << 20, 7);
const stored = '{"success":{"code":201,"data":"stored"}}';
const server = http.createServer((req, res) => {
  if (req.method === 'PUT') {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(stored);
    });
    return;
  }
  const bytes = Number(new URL(req.url, 'http://x').searchParams.get('bytes') ?? 0);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
  for (let sent = 0; sent < bytes; sent += pool.length)
    res.write(pool.subarray(0, Math.min(pool.length, bytes - sent)));
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('listening ' + server.address().port + '\\n');
});
`;

function startBaseline(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', BASELINE_SCRIPT], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(String(chunk));
      if (match !== null) resolve({ child, url: `http://127.0.0.1:${match[1]}` });
    });
  });
}

function writeNodeFiles(dir: string, classes: readonly BlobClass[], concurrency: number): string {
  mkdirSync(dir, { recursive: true });
  const state: FileChainState = {
    nShards: N_SHARDS,
    epoch: 1,
    shards: Array.from({ length: N_SHARDS }, (_, i) => i),
    blobs: classes
      .flatMap((c) => c.blobIds)
      .map((blobId, i) => ({
        blobId,
        objects: [
          {
            objectId: `0x${(i + 1).toString(16)}`,
            deletable: false,
            registeredEpoch: 1,
            endEpoch: 50,
            certifiedEpoch: null,
            deleted: false,
          },
        ],
      })),
  };
  writeFileSync(join(dir, 'chain.json'), JSON.stringify(state));
  const configPath = join(dir, 'node.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      listen: '127.0.0.1:0',
      dataDir: './data',
      chain: { stateFile: './chain.json' },
      logLevel: 'info',
      limits: { sliverPutsInFlightMax: concurrency * 2 },
    }),
  );
  return configPath;
}

interface Row {
  readonly op: string;
  readonly blobClass: BlobClass;
  readonly concurrency: number;
  readonly node: Measurement;
  readonly baseline: Measurement;
}

const mbPerSecond = (m: Measurement) => m.bytes / 1e6 / m.seconds;

function printTable(rows: readonly Row[]): void {
  const header = ['op', 'blobs', 'sliver sizes (KiB)', 'in flight', 'node MB/s', 'node req/s']
    .concat(['p50 ms', 'p99 ms', 'baseline MB/s', 'baseline p50 ms', 'node / baseline'])
    .join(' | ');
  console.log(`| ${header} |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const sizes = [...new Set(row.blobClass.slivers.map((s) => s.body.length))]
      .sort((a, b) => b - a)
      .map((b) => (b / 1024).toFixed(0))
      .join(' / ');
    const cells = [
      row.op,
      `${row.blobClass.count} × ${row.blobClass.name}`,
      sizes,
      row.concurrency,
      mbPerSecond(row.node).toFixed(1),
      (row.node.requests / row.node.seconds).toFixed(0),
      percentile(row.node.latenciesMs, 50).toFixed(1),
      percentile(row.node.latenciesMs, 99).toFixed(1),
      mbPerSecond(row.baseline).toFixed(1),
      percentile(row.baseline.latenciesMs, 50).toFixed(1),
      (mbPerSecond(row.node) / mbPerSecond(row.baseline)).toFixed(2),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  if (!existsSync(NODE_MAIN))
    throw new Error(`${NODE_MAIN} is missing: run npx tsc -p tsconfig.build.json`);
  const classes: BlobClass[] = [
    {
      name: '16 MiB',
      blobBytes: 16 * MIB,
      count: envCount('BENCH_LARGE_BLOBS', 2),
      metadata: [],
      slivers: [],
      blobIds: [],
    },
    {
      name: '1 MiB',
      blobBytes: 1 * MIB,
      count: envCount('BENCH_SMALL_BLOBS', 8),
      metadata: [],
      slivers: [],
      blobIds: [],
    },
  ];
  classes.forEach((c, i) => prepare(c, 1_000 * (i + 1)));
  const root = mkdtempSync(join(tmpdir(), 'walrus-bench-node-'));
  const baseline = await startBaseline();
  const rows: Row[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      const dir = join(root, `c${concurrency}`);
      const node = await startNodeProcess(NODE_MAIN, writeNodeFiles(dir, classes, concurrency));
      try {
        for (const blobClass of classes) {
          const metadata = await run(node.url, blobClass.metadata, 4, 'PUT');
          if (metadata.failures > 0) throw new Error(`${metadata.failures} metadata PUTs failed`);
          const put = await run(node.url, blobClass.slivers, concurrency, 'PUT');
          const putBase = await run(baseline.url, blobClass.slivers, concurrency, 'PUT');
          const get = await run(node.url, blobClass.slivers, concurrency, 'GET');
          const bytesQuery = (request: SliverRequest) => `?bytes=${request.body.length}`;
          const getBase = await run(
            baseline.url,
            blobClass.slivers,
            concurrency,
            'GET',
            bytesQuery,
          );
          for (const m of [put, get])
            if (m.failures > 0) throw new Error(`${m.failures} requests failed`);
          rows.push({ op: 'PUT', blobClass, concurrency, node: put, baseline: putBase });
          rows.push({ op: 'GET', blobClass, concurrency, node: get, baseline: getBase });
        }
      } finally {
        await node.stop();
      }
    }
  } finally {
    baseline.child.kill('SIGTERM');
    killAllProcesses();
    rmSync(root, { recursive: true, force: true });
  }
  console.log(
    `one node, n = ${N_SHARDS} shards, all held; every sliver verified on PUT and on GET\n`,
  );
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  killAllProcesses();
  process.exit(1);
});
