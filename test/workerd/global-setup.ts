/**
 * globalSetup of the vitest `workers` project (vitest.config.ts). Runs in Node, not in workerd.
 * Starts three whole devnets with the launcher (`npm start`, from dist/) in parallel, each in a
 * temp data dir, waits for their network.json, and provides their values as `inject('devnet')`,
 * `inject('devnetNodeDown')` and `inject('devnetFaults')`. In the second, one storage node is
 * stopped before the tests start; the third is for tests that stop and continue nodes while they
 * run (worker-faults.test.ts). Separate networks, so no fault overlaps the requests of other files.
 *
 * Fault control: workerd tests cannot signal processes, so a small node:http server on 127.0.0.1
 * (`inject('faultControlUrl')`) does it for them: `POST /devnets/{label}/nodes/{name}/{action}`,
 * where `stop` is SIGSTOP (the node keeps its sockets open and answers nothing: a hung node),
 * `cont` is SIGCONT and `term` is SIGTERM (the node is gone: connections are refused). Each answers
 * once the process has reached that state, with `{"pid", "state"}`.
 * vitest-pool-workers 0.15 passes the provided context into workerd (tests call `inject`), and
 * vitest.config.ts also turns `devnet` into the Miniflare bindings of `env` / `exports.default`.
 *
 * Teardown: the fault control server closes; every storage node gets SIGCONT (a stopped process
 * does not act on SIGTERM); then SIGTERM to each launcher, which stops its children (ledger, nodes,
 * its own Miniflare); if it has not exited within the grace period, SIGKILL to its whole process
 * group (it was started detached, so that group holds only the devnet's processes). Then the temp
 * dir is removed. If vitest exits without a teardown (Ctrl-C), an exit hook SIGKILLs the groups
 * (SIGKILL ends stopped processes too) and removes the dirs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import type { TestProject } from 'vitest/node';
import type { DevnetValues, NodeAction } from './devnet-values.js';

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
/** A signalled process reaches its new state within milliseconds; this bounds the wait for it. */
const SIGNAL_SETTLE_MS_MAX = 5_000;
const SIGNAL_POLL_MS = 10;

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

/**
 * The process's state letter from /proc (`T`: stopped, `Z`: exited but not yet reaped), or
 * undefined when it is gone (Linux only, as the devnets are).
 */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state …`: comm may hold spaces and parentheses, so read after the last `)`.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

async function waitUntil(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, SIGNAL_POLL_MS));
  }
}

/** Signals one node and waits until the process shows it: stopped, running again, or reaped. */
async function signalNode(pid: number, action: NodeAction): Promise<string> {
  const label = `pid ${pid}`;
  switch (action) {
    case 'stop':
      process.kill(pid, 'SIGSTOP');
      await waitUntil(
        `${label} did not stop`,
        SIGNAL_SETTLE_MS_MAX,
        () => processState(pid) === 'T',
      );
      break;
    case 'cont':
      process.kill(pid, 'SIGCONT');
      await waitUntil(
        `${label} did not continue`,
        SIGNAL_SETTLE_MS_MAX,
        () => processState(pid) !== 'T',
      );
      break;
    case 'term':
      // A stopped process would hold the SIGTERM until it is continued.
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGTERM');
      // Gone once its parent, the launcher, has reaped it; the node shuts down cleanly first.
      await waitUntil(`${label} did not exit`, STOP_GRACE_MS, () => processGone(pid));
      break;
  }
  return processState(pid) ?? 'gone';
}

interface RunningDevnet {
  readonly values: DevnetValues;
  /** Storage node pids by name (network.json). */
  readonly nodePids: ReadonlyMap<string, number>;
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

  /** Known once network.json is read; continued before the launcher is asked to stop them. */
  let nodePids: readonly number[] = [];
  cleanups.push(async () => {
    for (const nodePid of nodePids) {
      try {
        process.kill(nodePid, 'SIGCONT');
      } catch {
        // Already gone (a test terminated it).
      }
    }
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
      uploadApiKey: string;
      nodes: { name: string; url: string; shards: number[]; pid: number }[];
    };
    const uploadSecrets = JSON.parse(
      readFileSync(join(dataDir, 'keys', 'upload-secrets.json'), 'utf8'),
    ) as { tokenSecret: string };
    nodePids = network.nodes.map((n) => n.pid);
    const extraWallets = await Promise.all(
      Array.from({ length: wallets - 1 }, () => fundedWallet(network.ledgerUrl)),
    );
    return {
      values: {
        label,
        dataDir,
        nShards: network.nShards,
        ledgerUrl: network.ledgerUrl,
        packageId: network.packageId,
        systemObjectId: network.systemObjectId,
        aggregatorUrl: network.aggregatorUrl,
        publisherSecretKeys: [readFileSync(network.walletKeyFile, 'utf8').trim(), ...extraWallets],
        nodes: network.nodes.map((n) => ({ name: n.name, url: n.url, shards: n.shards })),
        uploadApiKey: network.uploadApiKey,
        uploadTokenSecret: uploadSecrets.tokenSecret,
        stoppedNodes: [],
      },
      nodePids: new Map(network.nodes.map((n) => [n.name, n.pid])),
    };
  } catch (error) {
    const logs = output.split('\n').slice(-30).join('\n');
    throw new Error(`devnet ${label}: ${(error as Error).message}; launcher output:\n${logs}`);
  }
}

const NODE_ACTION_PATH = /^\/devnets\/([\w-]+)\/nodes\/([\w.-]+)\/(stop|cont|term)$/;

/** The fault control server (see the header); answers JSON, errors as `{"error"}`. */
function faultControl(devnets: ReadonlyMap<string, RunningDevnet>) {
  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const match = NODE_ACTION_PATH.exec(request.url ?? '');
    if (request.method !== 'POST' || match === null) {
      return answer(response, 404, { error: `no route ${request.method} ${request.url}` });
    }
    const [, label, name, action] = match;
    const pid = devnets.get(label)?.nodePids.get(name);
    if (pid === undefined) return answer(response, 404, { error: `no node ${label}/${name}` });
    try {
      const state = await signalNode(pid, action as NodeAction);
      answer(response, 200, { pid, state });
    } catch (error) {
      answer(response, 500, { error: (error as Error).message });
    }
  };
  return createServer((request, response) => {
    request.resume();
    void handle(request, response);
  });
}

async function startFaultControl(
  devnets: ReadonlyMap<string, RunningDevnet>,
  cleanups: (() => Promise<void>)[],
): Promise<string> {
  const server = faultControl(devnets);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  // Closed at teardown, alongside the devnets' own cleanups (which continue every node first).
  cleanups.unshift(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    const [main, degraded, faults] = await Promise.all([
      // One wallet per test file that publishes on the devnet (see DevnetValues): main serves
      // worker-unit, worker-integration, worker-http, worker-chain and worker-quilt; node-down
      // serves worker-node-down and worker-quilt.
      startDevnet('main', 5, cleanups),
      startDevnet('node-down', 2, cleanups),
      startDevnet('faults', 1, cleanups),
    ]);
    const devnets = new Map([main, degraded, faults].map((d) => [d.values.label, d]));
    const faultControlUrl = await startFaultControl(devnets, cleanups);
    // Stop the node listed first (every node holds 4 of the 16 shards, within f = 5): the aggregator
    // asks the first three members for a blob's status, so its fallback is exercised too.
    const victim = degraded.values.nodes[0].name;
    await signalNode(degraded.nodePids.get(victim)!, 'term');
    project.provide('devnet', main.values);
    project.provide('devnetNodeDown', { ...degraded.values, stoppedNodes: [victim] });
    project.provide('devnetFaults', faults.values);
    project.provide('faultControlUrl', faultControlUrl);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
