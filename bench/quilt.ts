/**
 * `npm run bench:quilt [-- --sample N | --all] [--lanes N] [--reads N]`: an NFT collection of 600
 * files (JSON of ~1 KiB, images of 10–60 KiB) on a devnet of 7 nodes and 1,000 shards (a quilt
 * holds at most n_s − 1 = 666 files there), through the SDK:
 *
 *  - stored as one quilt vs as 600 blobs: time, chain transactions, encoded bytes (what is
 *    registered and paid for). Storing 600 blobs at n = 1000 takes tens of seconds each on a
 *    loaded 2-core machine, so by default a spread sample of them is stored (in parallel lanes,
 *    as a client would) and the time scaled to 600; transactions and encoded bytes are counted on
 *    the sample and computed exactly for all 600 (`--all` stores every one);
 *  - a cold read of one image patch vs a standalone blob of the same bytes: time, and the bytes
 *    the storage nodes sent (counted at the SDK's fetch), against the patch's columns;
 *  - the same through the devnet's Worker (quilt/worker-reads.ts): cold patch reads vs the blobs
 *    (medians), and the cached patch under load vs the Worker's static route.
 *
 * Figures print as markdown and go to bench/results/quilt-<date>.json. Everything started stops at
 * the end, on Ctrl-C and on errors (edge/cleanup.ts), and the bench checks nothing is left.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { WalrusEdgeClient } from '../client/index.js';
import { inLanes } from '../client/lanes.js';
import { EncoderPool } from '../client/node/encoder-pool.js';
import type { StoreResult } from '../client/store.js';
import { registerCost } from '../core/chain/committee.js';
import { SuiChain } from '../core/chain/sui-chain.js';
import type { Chain } from '../core/chain/types.js';
import { encodedBlobLength } from '../core/encoding/config.js';
import { cleanupAll, installCleanupHandlers, onCleanup } from './edge/cleanup.js';
import { startDevnet, waitForIdle } from './edge/devnet.js';
import { type Detail, type Figure, figure, markdownTable, writeResults } from './edge/report.js';
import { type CollectionFile, nftCollection } from './quilt/collection.js';
import { workerReads } from './quilt/worker-reads.js';
import { coldReads } from './quilt/cold-reads.js';
import { countingFetch, emptyTraffic } from './quilt/node-traffic.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const FILES = 600;
const NODES = 7;
const SHARDS = 1000;
/** Cached patch reads under load: the same settings as bench:edge's 48 KiB figure. */
const WORKER_LOAD_CONNECTIONS = 30;
const WORKER_LOAD_WARMUP_MS = 2_000;
const WORKER_LOAD_DURATION_MS = 10_000;
const WORKER_READ_TIMEOUT_MS = 60_000;
const EPOCHS = 2;
const MS_PER_S = 1000;
/** Chain methods that each execute one transaction. */
const TX_METHODS = new Set([
  'reserveAndRegister',
  'certifyBlob',
  'setBlobAttributes',
  'extendBlob',
  'deleteBlob',
  'registerWithStorage',
]);

const USAGE = `Usage: npm run bench:quilt -- [--sample N | --all] [--lanes N] [--reads N]

  --sample N  standalone blobs actually stored, spread over the 600 (default 24); time is scaled
  --all       store all 600 as standalone blobs (about an hour on a loaded 2-core machine)
  --lanes N   standalone blobs stored in parallel (default 4)
  --reads N   cold reads of each kind; the median is the figure (default 5)`;

interface Options {
  readonly sample: number;
  readonly lanes: number;
  readonly reads: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sample: { type: 'string', default: '24' },
      all: { type: 'boolean', default: false },
      lanes: { type: 'string', default: '4' },
      reads: { type: 'string', default: '5' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const int = (name: string, text: string, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new RangeError(`--${name} must be an integer from 1 to ${max}\n${USAGE}`);
    return value;
  };
  return {
    sample: values.all ? FILES : int('sample', values.sample, FILES),
    lanes: int('lanes', values.lanes, 64),
    reads: int('reads', values.reads, 100),
  };
}

const log = (line: string) => process.stderr.write(`[bench:quilt] ${line}\n`);
const seconds = (ms: number) => `${(ms / MS_PER_S).toFixed(2)} s`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The chain, counting the transactions executed through it. */
function countingChain(chain: Chain, counter: { transactions: number }): Chain {
  return new Proxy(chain, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof property === 'string' && TX_METHODS.has(property)) counter.transactions++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** `count` indices spread evenly over [0, total), always including `must`. */
function spread(total: number, count: number, must: number): number[] {
  const picked = new Set(Array.from({ length: count }, (_, k) => Math.floor((k * total) / count)));
  if (!picked.has(must)) {
    picked.delete([...picked].find((i) => files[i].kind === files[must].kind) ?? [...picked][0]);
    picked.add(must);
  }
  return [...picked].sort((a, b) => a - b);
}

const files: CollectionFile[] = nftCollection(FILES);

async function bench(options: Options, scratchDir: string, figures: Figure[], details: Detail[]) {
  const readyStart = performance.now();
  const devnet = await startDevnet({
    dataDir: join(scratchDir, 'net'),
    nodes: NODES,
    shards: SHARDS,
  });
  details.push({
    name: 'devnet start (7 nodes, 1000 shards)',
    value: seconds(performance.now() - readyStart),
  });
  const net = JSON.parse(readFileSync(devnet.networkFile, 'utf8')) as {
    ledgerUrl: string;
    packageId: string;
    systemObjectId: string;
    walletKeyFile: string;
  };
  const counter = { transactions: 0 };
  const chain = countingChain(
    new SuiChain({
      url: net.ledgerUrl,
      packageId: net.packageId,
      systemObjectId: net.systemObjectId,
    }),
    counter,
  );
  const signer = Ed25519Keypair.fromSecretKey(
    decodeSuiPrivateKey(readFileSync(net.walletKeyFile, 'utf8').trim()).secretKey,
  );
  const pool = new EncoderPool();
  onCleanup('encoder pool', () => pool.close());
  const encode = (bytes: Uint8Array, nShards: number) => pool.encode(bytes, nShards);
  const settle = async (what: string) => {
    const settled = await waitForIdle(devnet);
    details.push({
      name: `waited for an idle devnet before ${what}`,
      value: `${seconds(settled.ms)}${settled.idle ? '' : ' (still busy)'}`,
    });
  };

  try {
    // ---- One quilt.
    await settle('the quilt store');
    const quiltTraffic = emptyTraffic();
    const storing = new WalrusEdgeClient({
      chain,
      nodeOptions: { fetch: countingFetch(quiltTraffic) },
    });
    let started = performance.now();
    let before = counter.transactions;
    log(`storing ${FILES} files as one quilt…`);
    const quilt = await storing.storeQuilt(files, {
      epochs: EPOCHS,
      deletable: true,
      signer,
      encode,
    });
    const quiltMs = performance.now() - started;
    const quiltTransactions = counter.transactions - before;
    log(`quilt ${quilt.blobId}: ${seconds(quiltMs)}, ${quiltTransactions} transactions`);

    // ---- Standalone blobs: a spread sample (the image read below among them).
    const images = files
      .map((file, i) => ({ file, i }))
      .filter(({ file }) => file.kind === 'image');
    const byImageSize = [...images].sort((a, b) => a.file.data.length - b.file.data.length);
    const readImage = byImageSize[Math.floor(byImageSize.length / 2)];
    const sample = spread(FILES, options.sample, readImage.i);
    await settle('the standalone blobs');
    const blobTraffic = emptyTraffic();
    const blobClient = new WalrusEdgeClient({
      chain,
      nodeOptions: { fetch: countingFetch(blobTraffic) },
    });
    const storedBlobs = new Map<number, StoreResult>();
    log(
      `storing ${sample.length} of the ${FILES} files as standalone blobs, ${options.lanes} at a time…`,
    );
    started = performance.now();
    before = counter.transactions;
    await inLanes(sample, options.lanes, async (i) => {
      storedBlobs.set(
        i,
        await blobClient.store(files[i].data, { epochs: EPOCHS, deletable: true, signer, encode }),
      );
    });
    const sampleMs = performance.now() - started;
    const sampleTransactions = counter.transactions - before;
    const blobsMs = (sampleMs * FILES) / sample.length;
    const blobsTransactions = (sampleTransactions * FILES) / sample.length;
    for (const i of sample) {
      if (storedBlobs.get(i)!.encodedSize !== encodedBlobLength(files[i].data.length, SHARDS))
        throw new Error(`blob ${i}'s encoded size differs from encodedBlobLength`);
    }
    const system = await chain.readSystem();
    const blobsEncoded = files.reduce(
      (sum, f) => sum + encodedBlobLength(f.data.length, SHARDS),
      0,
    );
    const blobsCost = files.reduce(
      (sum, f) => sum + registerCost(system, { size: f.data.length, epochs: EPOCHS }).totalMist,
      0n,
    );
    const scaled =
      sample.length === FILES ? 'measured' : `${sample.length} stored, ×${FILES}/${sample.length}`;

    figures.push(
      figure(
        'store 600 files: time, one quilt / 600 blobs',
        { value: quiltMs / MS_PER_S, unit: 's' },
        { value: blobsMs / MS_PER_S, unit: 's', what: scaled },
        { op: '<', ratio: 1 },
      ),
      figure(
        'store 600 files: chain transactions, one quilt / 600 blobs',
        { value: quiltTransactions, unit: 'tx' },
        {
          value: blobsTransactions,
          unit: 'tx',
          what: `${sampleTransactions} for ${sample.length}`,
        },
        { op: '<', ratio: 1 },
      ),
      figure(
        'store 600 files: encoded bytes registered, one quilt / 600 blobs',
        { value: quilt.encodedSize / 2 ** 20, unit: 'MiB' },
        {
          value: blobsEncoded / 2 ** 20,
          unit: 'MiB',
          what: 'computed for all 600, equal on the sample',
        },
        { op: '<', ratio: 1 },
      ),
    );
    details.push(
      {
        name: 'collection',
        value: `${FILES} files, ${(files.reduce((s, f) => s + f.data.length, 0) / 2 ** 20).toFixed(2)} MiB (JSON ~1 KiB, images 10–60 KiB)`,
      },
      {
        name: 'quilt',
        value: `${kib(quilt.size)} quilt blob, ${quilt.storedQuiltBlobs.length} patches, ${kib(quiltTraffic.sent)} sent to nodes, cost ${quilt.cost.totalMist} MIST`,
      },
      {
        name: 'standalone blobs',
        value: `${sample.length} stored in ${seconds(sampleMs)} (${options.lanes} lanes; ${seconds(sampleMs / sample.length)} per blob), ${kib(blobTraffic.sent / sample.length)} sent to nodes per blob; cost of all 600 ${blobsCost} MIST`,
      },
    );

    // ---- Cold reads: the median-size image as a patch and as a blob.
    await settle('the cold reads');
    const read = await coldReads(chain, options.reads, {
      image: readImage.file,
      patch: quilt.storedQuiltBlobs.find((p) => p.identifier === readImage.file.identifier)!,
      quiltBytes: quilt.size,
      blobId: storedBlobs.get(readImage.i)!.blobId,
      nShards: SHARDS,
    });
    figures.push(...read.figures);
    details.push(...read.details);

    // ---- Through the Worker: cold patch vs blob, then cached patch vs the static route.
    await settle('the Worker reads');
    // Images stored both ways: the one the SDK read first, then others of the sample.
    const readTargets = [readImage, ...byImageSize.filter((image) => image !== readImage)]
      .filter(({ i }) => storedBlobs.has(i))
      .slice(0, options.reads)
      .map(({ file, i }) => ({
        patchId: quilt.storedQuiltBlobs.find((p) => p.identifier === file.identifier)!.quiltPatchId,
        blobId: storedBlobs.get(i)!.blobId,
        bytes: file.data.length,
      }));
    const edge = await workerReads(
      devnet.network.aggregatorUrl,
      readTargets,
      {
        connections: WORKER_LOAD_CONNECTIONS,
        warmupMs: WORKER_LOAD_WARMUP_MS,
        durationMs: WORKER_LOAD_DURATION_MS,
        timeoutMs: WORKER_READ_TIMEOUT_MS,
      },
      scratchDir,
    );
    figures.push(...edge.figures);
    details.push(...edge.details);
  } finally {
    const left = await devnet.stop();
    details.push({
      name: 'devnet: processes left after stop',
      value: left.length === 0 ? 'none' : left.join(', '),
    });
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  installCleanupHandlers();
  const startedAt = new Date();
  const scratchDir = mkdtempSync(join(tmpdir(), 'walrus-edge-bench-quilt-'));
  onCleanup('temp dir', () => rmSync(scratchDir, { recursive: true, force: true }));
  const figures: Figure[] = [];
  const details: Detail[] = [];
  const loadAtStart = uptime();
  log(`scratch ${scratchDir}; ${loadAtStart}`);
  let failed: string | undefined;
  try {
    await bench(options, scratchDir, figures, details);
  } catch (error) {
    failed = (error as Error).stack ?? String(error);
    log(`failed: ${failed}`);
  } finally {
    await cleanupAll();
  }
  details.push({
    name: 'machine',
    value: `${cpus().length} cores, Node ${process.version}; at start: ${loadAtStart}; at end: ${uptime()}`,
  });
  details.push({ name: 'whole bench', value: seconds(Date.now() - startedAt.getTime()) });
  process.stdout.write(`\n${markdownTable(figures, details)}\n\n`);
  const path = writeResults(
    RESULTS_DIR,
    startedAt,
    { startedAt: startedAt.toISOString(), options, figures, details, failed },
    'quilt',
  );
  process.stdout.write(`results: ${path}\n`);
  return failed === undefined ? 0 : 1;
}

process.exitCode = await main();
