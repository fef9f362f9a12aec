/**
 * A devnet started as a user starts one (`npm start`'s launcher in its own process group), and the
 * CLI run as a user runs it. Stopping is the launcher's own Ctrl-C path first, then SIGKILL to the
 * whole process group for anything it left, then a check that nothing mentioning the data dir or
 * belonging to the group still runs.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import { commandNameOf, cpuSecondsOf, descendantsOf, isAlive, pidsMentioning } from './proc.js';

/**
 * dist/ of the build: this module runs from there (the benches), or from the sources under vitest
 * (tests that start a devnet the bench's way), whose built launcher is in dist/ beside them.
 */
const HERE = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = existsSync(join(HERE, 'devnet', 'launcher', 'main.js'))
  ? HERE
  : join(HERE, 'dist');
const LAUNCHER_MAIN = join(DIST, 'devnet', 'launcher', 'main.js');
const CLI_BIN = join(DIST, '..', 'bin', 'walrus-edge.js');
const READY_LINE = 'Ctrl-C stops everything.';
/** 1,000 shards take longer to assign and register than 100; both start in well under this. */
const START_TIMEOUT_MS = 300_000;
/** The launcher stops its children with SIGTERM and a 5 s grace each, in parallel. */
const LAUNCHER_STOP_MS = 20_000;
const POLL_MS = 100;
/** Enough of the launcher's output to show why it failed (its error line and what led to it). */
const LAUNCHER_OUTPUT_TAIL_CHARS = 4096;
/**
 * An idle devnet (nodes following the chain, the ledger's timer) uses ~5% of one core; work left
 * over from a store (uploads still finishing, a node recovering slivers) uses far more.
 */
const IDLE_CPU_FRACTION_MAX = 0.2;
const IDLE_WINDOW_MS = 1000;
/** Past this the measurement goes ahead anyway, and the wait says so. */
export const SETTLE_TIMEOUT_MS_DEFAULT = 120_000;
/** The CLI prints one JSON object; a megabyte is far more than it ever needs. */
const CLI_OUTPUT_BYTES_MAX = 1 << 20;

/** The fields of `<data-dir>/network.json` the bench uses (written by the launcher). */
export interface NetworkFile {
  readonly nShards: number;
  readonly aggregatorUrl: string;
  readonly nodes: readonly { name: string; url: string; shards: number[]; pid: number }[];
}

export interface DevnetOptions {
  readonly dataDir: string;
  readonly nodes: number;
  readonly shards: number;
  /** The Worker's variables to set (the launcher's `--worker-var NAME=VALUE`). */
  readonly workerVars?: Readonly<Record<string, string>>;
  /** Opens workerd's inspector on this port (WALRUS_EDGE_INSPECTOR_PORT); it slows the isolate. */
  readonly inspectorPort?: number;
}

export interface Devnet {
  readonly dataDir: string;
  readonly networkFile: string;
  readonly network: NetworkFile;
  /** From spawning the launcher to its "ready" line. */
  readonly readyMs: number;
  readonly launcherPid: number;
  /** The workerd process running the Worker (a child of the launcher's worker process). */
  readonly workerdPid: number;
  /** Stops everything; resolves with a description of each process still alive afterwards. */
  stop(): Promise<string[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function waitForReady(launcher: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    // The temp dir (and the log in it) is gone after the run: failures carry the output's tail.
    let output = '';
    const fail = (why: string) =>
      reject(new Error(`${why}; its output ended:\n${output.trimEnd()}`));
    const timer = setTimeout(
      () => fail(`the devnet was not ready in ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-LAUNCHER_OUTPUT_TAIL_CHARS);
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    launcher.stdout!.on('data', keep);
    launcher.stderr!.on('data', keep);
    launcher.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`the launcher exited (${signal ?? code}) before it was ready`);
    });
  });
}

export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const logFile = `${options.dataDir}.launcher.log`;
  const log = createWriteStream(logFile);
  const startedAt = performance.now();
  // Its own process group, so one signal reaches every process it starts (workerd included).
  const launcher = spawn(
    process.execPath,
    [
      LAUNCHER_MAIN,
      ...['--data-dir', options.dataDir, '--port', '0'],
      ...['--nodes', String(options.nodes), '--shards', String(options.shards)],
      ...Object.entries(options.workerVars ?? {}).flatMap(([name, value]) => [
        '--worker-var',
        `${name}=${value}`,
      ]),
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env:
        options.inspectorPort === undefined
          ? process.env
          : { ...process.env, WALRUS_EDGE_INSPECTOR_PORT: String(options.inspectorPort) },
    },
  );
  launcher.stdout!.pipe(log);
  launcher.stderr!.pipe(log);
  const launcherPid = launcher.pid!;
  let nodePids: number[] = [];
  const stop = onCleanup(`devnet ${options.dataDir}`, () => stopGroup(launcher, nodePids));
  await waitForReady(launcher);
  const readyMs = performance.now() - startedAt;
  const networkFile = join(options.dataDir, 'network.json');
  const network = JSON.parse(readFileSync(networkFile, 'utf8')) as NetworkFile;
  nodePids = network.nodes.map((node) => node.pid);
  const workerdPid = descendantsOf(launcherPid).find((pid) => commandNameOf(pid) === 'workerd');
  if (workerdPid === undefined) throw new Error('no workerd process under the launcher');
  return {
    dataDir: options.dataDir,
    networkFile,
    network,
    readyMs,
    launcherPid,
    workerdPid,
    stop: async () => {
      const group = [launcherPid, ...descendantsOf(launcherPid)];
      await stop();
      return leftovers(options.dataDir, group);
    },
  };
}

async function stopGroup(launcher: ChildProcess, nodePids: readonly number[]): Promise<void> {
  // A node left hung (SIGSTOP) would sit out its SIGTERM until the launcher's SIGKILL.
  for (const pid of nodePids) signal(pid, 'SIGCONT');
  if (launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGINT');
    await waitUntil(
      () => launcher.exitCode !== null || launcher.signalCode !== null,
      LAUNCHER_STOP_MS,
    );
  }
  signal(-launcher.pid!, 'SIGKILL');
  await waitUntil(() => !groupAlive(launcher.pid!), LAUNCHER_STOP_MS);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function leftovers(dataDir: string, group: readonly number[]): string[] {
  const pids = new Set([...pidsMentioning(dataDir), ...group.filter(isAlive)]);
  return [...pids].map((pid) => `${pid} (${commandNameOf(pid) ?? 'gone'})`);
}

export interface Settled {
  readonly ms: number;
  /** False when the devnet was still busy at the timeout. */
  readonly idle: boolean;
}

/**
 * Waits until the devnet's processes (nodes, ledger, Worker) together stay below
 * IDLE_CPU_FRACTION_MAX of one core for IDLE_WINDOW_MS, so a read measures the read and not the
 * tail of the store before it. Other load on the machine does not count.
 */
export async function waitForIdle(
  devnet: Devnet,
  timeoutMs = SETTLE_TIMEOUT_MS_DEFAULT,
): Promise<Settled> {
  const startedAt = performance.now();
  const cpuSeconds = () =>
    [devnet.launcherPid, ...descendantsOf(devnet.launcherPid)].reduce(
      (sum, pid) => sum + cpuSecondsOf(pid),
      0,
    );
  for (;;) {
    const before = cpuSeconds();
    await sleep(IDLE_WINDOW_MS);
    const busy = (cpuSeconds() - before) / (IDLE_WINDOW_MS / 1000);
    const ms = performance.now() - startedAt;
    if (busy < IDLE_CPU_FRACTION_MAX) return { ms, idle: true };
    if (ms > timeoutMs) return { ms, idle: false };
  }
}

export interface CliRun {
  readonly ms: number;
  readonly stdout: string;
  /** Killed at the timeout rather than finished. */
  readonly timedOut: boolean;
  readonly error?: string;
}

/** Runs `walrus-edge <args> --network <file>` as its own process, killed after `timeoutMs`. */
export function runCli(networkFile: string, args: readonly string[], timeoutMs: number) {
  const startedAt = performance.now();
  return new Promise<CliRun>((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args, '--network', networkFile],
      {
        encoding: 'utf8',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: CLI_OUTPUT_BYTES_MAX,
        env: { ...process.env, WALRUS_EDGE_NO_PROGRESS: '1' },
      },
      (error, stdout, stderr) => {
        const ms = performance.now() - startedAt;
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
        resolve({
          ms,
          stdout,
          timedOut,
          ...(error === null ? {} : { error: stderr.trim() || error.message }),
        });
      },
    );
  });
}

/** Stores `file` with the CLI; returns its blob ID and how long the store took. */
export async function storeWithCli(
  networkFile: string,
  file: string,
  timeoutMs: number,
): Promise<{ blobId: string; ms: number }> {
  const run = await runCli(networkFile, ['store', file, '--epochs', '5', '--json'], timeoutMs);
  if (run.error !== undefined) throw new Error(`walrus-edge store ${file} failed: ${run.error}`);
  return { blobId: (JSON.parse(run.stdout) as { blobId: string }).blobId, ms: run.ms };
}
