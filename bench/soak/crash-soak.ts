/**
 * The crash soak (issue: faults as first-class tests): on a running devnet, storage nodes are
 * killed with SIGKILL — as a power cut would — and restarted at random, at most `downMax` at a
 * time (within f), while a writer stores blobs and a reader reads back certified ones. Afterwards,
 * with every node back, every certified blob must read back byte for byte, and every node must
 * hold every sliver of its shards for each of them (stored before the crash, or recovered): no
 * confirmed sliver is lost. Used by `npm run bench:soak` (long, `--duration`) and by a short run in
 * `npm test` (test/network/devnet/crash-soak.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { WalrusEdgeClient } from '../../client/index.js';
import { DIST } from '../edge/devnet.js';
import { StorageNodeClient } from '../../client/storage-node-client.js';
import { blobIdFromString } from '../../core/blob-id.js';
import { SuiChain } from '../../core/chain/sui-chain.js';
import { blobLayout } from '../../core/encoding/blob-layout.js';
import { pairForShard } from '../../core/encoding/mapping.js';

const NODE_MAIN = join(DIST, 'node-reference', 'main.js');
/** Blob sizes the writer picks from: small and medium, so many stores fit in a short soak. */
const BLOB_BYTES_MIN = 1_000;
const BLOB_BYTES_MAX = 1_500_000;
/** A killed node stays down this long (random within), then restarts on its data dir. */
const DOWN_MS_MIN = 500;
const DOWN_MS_MAX = 4_000;
/** Time between one crash and the next. */
const CRASH_INTERVAL_MS = 2_500;
/** A node that exited on its own is started again after this. */
const RESTART_AFTER_EXIT_MS = 500;
/** After the soak: how long the nodes get to recover what they missed. */
const RECOVERY_DEADLINE_MS = 120_000;
const POLL_MS = 1_000;

export interface SoakNetwork {
  readonly dataDir: string;
  readonly ledgerUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  readonly walletKeyFile: string;
  readonly nShards: number;
  readonly nodes: readonly { name: string; url: string; shards: number[]; pid: number }[];
}

export interface CrashSoakOptions {
  readonly durationMs: number;
  /** Nodes down at once; their shards must stay within f. */
  readonly downMax: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface CrashSoakReport {
  readonly durationMs: number;
  readonly crashes: number;
  readonly stores: number;
  readonly storeFailures: number;
  readonly reads: number;
  readonly readFailures: number;
  /** Reads that returned bytes other than the blob's: must be 0. */
  readonly wrongBytes: number;
  /** Certified blobs that did not read back exactly after the soak: must be 0. */
  readonly lostBlobs: number;
  /** Slivers a node should hold after recovery and does not: must be 0. */
  readonly missingSlivers: number;
  readonly recoveryMs: number;
  /** Restarted nodes that exited without being killed (each was started again): must be none. */
  readonly unexpectedExits: readonly string[];
}

interface Stored {
  readonly blobId: string;
  readonly sha256: string;
  readonly size: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** xorshift32: the soak's choices replay from its seed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function blobBytes(size: number, next: () => number): Uint8Array {
  const out = new Uint8Array(size);
  let word = 0;
  for (let i = 0; i < size; i++) {
    if ((i & 3) === 0) word = Math.floor(next() * 2 ** 32);
    out[i] = (word >>> ((i & 3) * 8)) & 0xff;
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readSoakNetwork(dataDir: string): SoakNetwork {
  return { dataDir, ...JSON.parse(readFileSync(join(dataDir, 'network.json'), 'utf8')) };
}

/**
 * Runs the soak on the devnet in `network.dataDir`. Nodes it restarts are its own children; it
 * leaves every node running (restarted ones included) and returns a stop for those.
 */
export async function runCrashSoak(
  network: SoakNetwork,
  options: CrashSoakOptions,
): Promise<{ report: CrashSoakReport; stopRestarted: () => Promise<void> }> {
  const log = options.log ?? (() => {});
  const next = random(options.seed ?? Date.now());
  const chain = new SuiChain({
    url: network.ledgerUrl,
    packageId: network.packageId,
    systemObjectId: network.systemObjectId,
  });
  const client = new WalrusEdgeClient({ chain });
  const signer = Ed25519Keypair.fromSecretKey(
    decodeSuiPrivateKey(readFileSync(network.walletKeyFile, 'utf8').trim()).secretKey,
  );
  const pids = network.nodes.map((node) => node.pid);
  const restarted = new Set<ChildProcess>();
  const down = new Set<number>();
  const stored: Stored[] = [];
  const counts = { crashes: 0, stores: 0, storeFailures: 0, reads: 0, readFailures: 0, wrong: 0 };
  const until = Date.now() + options.durationMs;

  const unexpectedExits: string[] = [];
  let soaking = true;
  /**
   * Starts node `index` again on its data dir, its output appended to the devnet's log of it. A
   * restarted node that exits on its own (not killed here) is a finding: it is recorded, and
   * started again, as an operator's supervisor would.
   */
  const restart = (index: number) => {
    // network.json lists members in committee order; each one's directory is named after it.
    const name = network.nodes[index].name;
    const nodeDir = join(network.dataDir, 'nodes', name);
    const logFile = join(network.dataDir, 'logs', `${name}.soak.log`);
    const out = openSync(logFile, 'a');
    const child = spawn(process.execPath, [NODE_MAIN, '--config', join(nodeDir, 'config.json')], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    restarted.add(child);
    pids[index] = child.pid!;
    child.once('exit', (code, signal) => {
      restarted.delete(child);
      if (signal === 'SIGKILL' || signal === 'SIGTERM' || !soaking) return;
      const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-3).join(' | ');
      unexpectedExits.push(`${network.nodes[index].name} exited (${signal ?? code}): ${tail}`);
      log(`${network.nodes[index].name} exited on its own (${signal ?? code}); restarting`);
      setTimeout(() => restart(index), RESTART_AFTER_EXIT_MS);
    });
  };

  const crasher = async () => {
    while (Date.now() < until) {
      await sleep(CRASH_INTERVAL_MS * (0.5 + next()));
      if (down.size >= options.downMax || Date.now() >= until) continue;
      const up = pids.map((_, i) => i).filter((i) => !down.has(i));
      const victim = up[Math.floor(next() * up.length)];
      if (!alive(pids[victim])) continue; // between an exit of its own and its restart
      process.kill(pids[victim], 'SIGKILL');
      down.add(victim);
      counts.crashes++;
      log(`killed ${network.nodes[victim].name}`);
      const downMs = DOWN_MS_MIN + next() * (DOWN_MS_MAX - DOWN_MS_MIN);
      void sleep(downMs).then(() => {
        restart(victim);
        down.delete(victim);
        log(`restarted ${network.nodes[victim].name} after ${Math.round(downMs)} ms`);
      });
    }
  };

  const writer = async () => {
    while (Date.now() < until) {
      const size = BLOB_BYTES_MIN + Math.floor(next() * (BLOB_BYTES_MAX - BLOB_BYTES_MIN));
      const bytes = blobBytes(size, next);
      try {
        const result = await client.store(bytes, { epochs: 2, deletable: false, signer });
        stored.push({ blobId: result.blobId, sha256: digest(bytes), size });
        counts.stores++;
      } catch (error) {
        counts.storeFailures++;
        log(`store failed: ${(error as Error).message}`);
      }
    }
  };

  const reader = async () => {
    while (Date.now() < until) {
      if (stored.length === 0) {
        await sleep(200);
        continue;
      }
      const blob = stored[Math.floor(next() * stored.length)];
      try {
        const bytes = await client.read(blob.blobId);
        counts.reads++;
        if (digest(bytes) !== blob.sha256) {
          counts.wrong++;
          log(`WRONG BYTES for ${blob.blobId}`);
        }
      } catch (error) {
        counts.readFailures++;
        log(`read failed: ${(error as Error).message}`);
      }
    }
  };

  const started = Date.now();
  await Promise.all([crasher(), writer(), reader()]);
  // Every node back up before the checks (a restart still pending finishes first).
  while (down.size > 0) await sleep(100);
  const durationMs = Date.now() - started;
  soaking = false;
  log(`soak over: ${counts.stores} stores, ${counts.reads} reads, ${counts.crashes} crashes`);

  const recoveryStarted = Date.now();
  let lostBlobs = 0;
  for (const blob of stored) {
    const bytes = await client.read(blob.blobId).catch(() => undefined);
    if (bytes === undefined || digest(bytes) !== blob.sha256) lostBlobs++;
  }
  let missingSlivers = await missingSliversOf(network, stored);
  while (missingSlivers > 0 && Date.now() - recoveryStarted < RECOVERY_DEADLINE_MS) {
    await sleep(POLL_MS);
    missingSlivers = await missingSliversOf(network, stored);
  }
  return {
    report: {
      durationMs,
      crashes: counts.crashes,
      stores: counts.stores,
      storeFailures: counts.storeFailures,
      reads: counts.reads,
      readFailures: counts.readFailures,
      wrongBytes: counts.wrong,
      lostBlobs,
      missingSlivers,
      recoveryMs: Date.now() - recoveryStarted,
      unexpectedExits,
    },
    stopRestarted: async () => {
      for (const child of restarted) child.kill('SIGTERM');
      const deadline = Date.now() + 10_000;
      while ([...restarted].some((c) => alive(c.pid!)) && Date.now() < deadline) await sleep(100);
      for (const child of restarted) if (alive(child.pid!)) child.kill('SIGKILL');
    },
  };
}

/** Slivers (both axes) of its shards that a node cannot serve, over every certified blob. */
async function missingSliversOf(network: SoakNetwork, stored: readonly Stored[]): Promise<number> {
  let missing = 0;
  for (const node of network.nodes) {
    const client = new StorageNodeClient(node.url, { timeoutMs: 10_000 });
    for (const blob of stored) {
      const blobId = blobIdFromString(blob.blobId);
      const pairs = node.shards.map((shard) => pairForShard(shard, blobId, network.nShards));
      const layout = blobLayout(blob.size, network.nShards);
      for (const axis of ['primary', 'secondary'] as const) {
        const sliverBytes =
          axis === 'primary' ? layout.primarySliverBytes : layout.secondarySliverBytes;
        try {
          const batch = await client.getSliverBatch(blobId, axis, pairs, { sliverBytes });
          let served = 0;
          for await (const entry of batch) if (entry.sliver !== null) served++;
          missing += pairs.length - served;
        } catch {
          missing += pairs.length;
        }
      }
    }
  }
  return missing;
}
