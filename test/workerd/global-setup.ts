/**
 * globalSetup of the vitest `workers` project (vitest.config.ts). Runs in Node, not in workerd.
 * Starts two whole devnets with the launcher (`npm start`, from dist/) in parallel, each in a temp
 * data dir, waits for their network.json, and provides their values as `inject('devnet')` and
 * `inject('devnetNodeDown')`. In the second, one storage node is stopped before the tests start:
 * a separate network, so the fault never overlaps the requests of the other test files.
 * vitest-pool-workers 0.15 passes the provided context into workerd (tests call `inject`), and
 * vitest.config.ts also turns `devnet` into the Miniflare bindings of `env` / `exports.default`.
 *
 * Teardown: SIGTERM to each launcher, which stops its children (ledger, nodes, its own Miniflare);
 * if it has not exited within the grace period, SIGKILL to its whole process group (it was started
 * detached, so that group holds only the devnet's processes). Then the temp dir is removed. If
 * vitest exits without a teardown (Ctrl-C), an exit hook SIGKILLs the groups and removes the dirs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import type { TestProject } from 'vitest/node';
import type { DevnetValues } from './devnet-values.js';

/**
 * Small and quick, yet big enough for the ~3 MB test blob: 16 shards give n_p·n_s = 6·11 symbols of
 * up to 65 534 bytes (4.3 MB; 10 shards stop at 1.83 MB), and tolerate f = 5 faulty shards, more
 * than the 4 that any one of the 4 nodes holds: one node may be down.
 */
const DEVNET_NODES = 4;
const DEVNET_SHARDS = 16;
/** The launcher is up in ~7 s on 2 idle cores; leave room for a loaded machine. */
const START_TIMEOUT_MS = 90_000;
/** The launcher gives each child 5 s after SIGTERM (devnet/launcher/processes.ts STOP_GRACE_MS). */
const STOP_GRACE_MS = 10_000;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const LAUNCHER = join(ROOT, 'dist', 'devnet', 'launcher', 'main.js');

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Funds a fresh wallet from the ledger's faucet; returns its `suiprivkey…`. */
async function fundedWallet(ledgerUrl: string): Promise<string> {
  const keypair = Ed25519Keypair.generate();
  await requestSuiFromFaucetV2({ host: ledgerUrl, recipient: keypair.toSuiAddress() });
  return keypair.getSecretKey();
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

interface RunningDevnet {
  readonly values: DevnetValues;
  /** Stops one storage node (SIGTERM, then waits until its parent, the launcher, has reaped it). */
  stopNode(name: string): Promise<void>;
}

/**
 * Starts one devnet; `cleanups` gets its teardown as soon as the process exists, so a failure
 * anywhere later still stops it.
 */
async function startDevnet(
  label: string,
  wallets: number,
  cleanups: (() => Promise<void>)[],
): Promise<RunningDevnet> {
  const dataDir = mkdtempSync(join(tmpdir(), `walrus-edge-workers-test-${label}-`));
  const child = spawn(
    process.execPath,
    [
      LAUNCHER,
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--nodes',
      String(DEVNET_NODES),
      '--shards',
      String(DEVNET_SHARDS),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const pid = child.pid!;
  // If vitest exits without running the teardown (Ctrl-C, say), take the devnet with it.
  const onExit = () => {
    killGroup(pid, 'SIGKILL');
    try {
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: nothing can wait here.
    }
  };
  process.once('exit', onExit);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  cleanups.push(async () => {
    if (!exited(child)) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        killGroup(pid, 'SIGKILL');
        await waitForExit(child, 2_000);
      }
    }
    // The launcher waits for its children before it exits; anything still in its group (it was
    // killed, say) goes now.
    killGroup(pid, 'SIGKILL');
    process.off('exit', onExit);
    rmSync(dataDir, { recursive: true, force: true });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      child.stdout!.on('data', () => {
        if (
          output.includes('Ctrl-C stops everything.') &&
          existsSync(join(dataDir, 'network.json'))
        ) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the launcher exited (${signal ?? code}) before it was ready`));
      });
    });
    const network = JSON.parse(readFileSync(join(dataDir, 'network.json'), 'utf8')) as {
      nShards: number;
      ledgerUrl: string;
      packageId: string;
      systemObjectId: string;
      aggregatorUrl: string;
      walletKeyFile: string;
      nodes: { name: string; url: string; shards: number[]; pid: number }[];
    };
    const extraWallets = await Promise.all(
      Array.from({ length: wallets - 1 }, () => fundedWallet(network.ledgerUrl)),
    );
    return {
      values: {
        dataDir,
        nShards: network.nShards,
        ledgerUrl: network.ledgerUrl,
        packageId: network.packageId,
        systemObjectId: network.systemObjectId,
        aggregatorUrl: network.aggregatorUrl,
        publisherSecretKeys: [readFileSync(network.walletKeyFile, 'utf8').trim(), ...extraWallets],
        nodes: network.nodes.map((n) => ({ name: n.name, url: n.url, shards: n.shards })),
        stoppedNodes: [],
      },
      async stopNode(name) {
        const node = network.nodes.find((n) => n.name === name)!;
        process.kill(node.pid, 'SIGTERM');
        const deadline = Date.now() + STOP_GRACE_MS;
        while (!processGone(node.pid)) {
          if (Date.now() > deadline) throw new Error(`${name} (pid ${node.pid}) did not stop`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
    };
  } catch (error) {
    const logs = output.split('\n').slice(-30).join('\n');
    throw new Error(`devnet ${label}: ${(error as Error).message}; launcher output:\n${logs}`);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(LAUNCHER)) {
    throw new Error(
      `workers tests need the devnet launcher ${LAUNCHER}, which is missing: run \`npm run build\` first (scripts/test.sh does)`,
    );
  }
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  };
  try {
    const [main, degraded] = await Promise.all([
      // Two wallets: one per test file that publishes on this devnet (see DevnetValues).
      startDevnet('main', 2, cleanups),
      startDevnet('node-down', 1, cleanups),
    ]);
    // Stop the node listed first (every node holds 4 of the 16 shards, within f = 5): the aggregator
    // asks the first three members for a blob's status, so its fallback is exercised too.
    const victim = degraded.values.nodes[0].name;
    await degraded.stopNode(victim);
    project.provide('devnet', main.values);
    project.provide('devnetNodeDown', { ...degraded.values, stoppedNodes: [victim] });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
