/**
 * A whole devnet for network tests, started as a user starts one: `npm start`'s launcher (from
 * dist/) in its own process group, in a temp data dir. Nodes can be hung (SIGSTOP: sockets open,
 * nothing answered), continued, or taken down (SIGTERM). Stopping continues every node (a stopped
 * process does not act on SIGTERM), asks the launcher to stop (SIGINT, its Ctrl-C path), then
 * SIGKILLs the group if anything is left, removes the dir, and reports what was still alive.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAUNCHER = join(ROOT, 'dist', 'devnet', 'launcher', 'main.js');
export const CLI_BIN = join(ROOT, 'bin', 'walrus-edge.js');
const READY_LINE = 'Ctrl-C stops everything.';
/** 1,000 shards take longer to assign and register than 100. */
const READY_TIMEOUT_MS = 240_000;
/** The launcher gives each child 5 s after SIGTERM, in parallel. */
const STOP_TIMEOUT_MS = 20_000;
const POLL_MS = 50;
const OUTPUT_TAIL_CHARS = 4096;

export interface DevnetNode {
  readonly name: string;
  readonly url: string;
  readonly shards: readonly number[];
  readonly pid: number;
}

export interface DevnetNetwork {
  readonly nShards: number;
  readonly ledgerUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  readonly aggregatorUrl: string;
  readonly walletKeyFile: string;
  readonly nodes: readonly DevnetNode[];
}

export interface TestDevnet {
  readonly dir: string;
  readonly networkFile: string;
  readonly network: DevnetNetwork;
  /** SIGSTOP, SIGCONT or SIGTERM to one node; resolves once it is in that state. */
  signalNode(node: DevnetNode, signal: 'SIGSTOP' | 'SIGCONT' | 'SIGTERM'): Promise<void>;
  /** Stops everything; resolves with the processes still alive afterwards (should be none). */
  stop(): Promise<number[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process state letter from /proc (T = stopped), or undefined once it is gone. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function waitForReady(launcher: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`devnet not ready in ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    launcher.stdout!.on('data', keep);
    launcher.stderr!.on('data', keep);
    launcher.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
}

export async function startTestDevnet(
  options: { nodes?: number; shards?: number } = {},
): Promise<TestDevnet> {
  const root = mkdtempSync(join(tmpdir(), 'walrus-edge-test-devnet-'));
  const dir = join(root, 'net');
  const launcher = spawn(
    process.execPath,
    [
      LAUNCHER,
      ...['--data-dir', dir, '--port', '0'],
      ...['--nodes', String(options.nodes ?? 7), '--shards', String(options.shards ?? 100)],
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const group = launcher.pid!;
  let nodePids: number[] = [];
  const stop = async (): Promise<number[]> => {
    for (const pid of nodePids) if (alive(pid)) process.kill(pid, 'SIGCONT');
    if (launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGINT');
      await until(
        () => launcher.exitCode !== null || launcher.signalCode !== null,
        STOP_TIMEOUT_MS,
      );
    }
    const left = [group, ...nodePids].filter(alive);
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // The group is empty: everything stopped.
    }
    for (const pid of left) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
    return left;
  };
  try {
    await waitForReady(launcher);
  } catch (error) {
    await stop();
    throw error;
  }
  const networkFile = join(dir, 'network.json');
  const network = JSON.parse(readFileSync(networkFile, 'utf8')) as DevnetNetwork;
  nodePids = network.nodes.map((node) => node.pid);
  return {
    dir,
    networkFile,
    network,
    async signalNode(node, signal) {
      process.kill(node.pid, signal);
      const reached =
        signal === 'SIGSTOP'
          ? () => stateOf(node.pid) === 'T'
          : signal === 'SIGCONT'
            ? () => stateOf(node.pid) !== 'T'
            : () => !alive(node.pid) || stateOf(node.pid) === 'Z';
      if (!(await until(reached, STOP_TIMEOUT_MS)))
        throw new Error(`node ${node.name} did not reach the state of ${signal}`);
    },
    stop,
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs the real CLI (`bin/walrus-edge.js`, dist/) against the devnet's network file. */
export function runCli(
  devnet: TestDevnet,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args, '--network', devnet.networkFile],
      {
        encoding: 'buffer',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 << 20,
        env: { ...process.env, WALRUS_EDGE_NO_PROGRESS: '1' },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr: stderr.toString() });
      },
    );
  });
}
