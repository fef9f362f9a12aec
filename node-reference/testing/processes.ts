/**
 * Child processes for tests and benchmarks: a storage node from dist (`node-reference/main.js`)
 * whose JSON-lines log is kept and searchable, and the devnet ledger with our package
 * (`devnet/ledger/main.js --package <installer>`, no epoch timer: tests advance epochs). Every
 * process started here is tracked so a test's afterAll can kill what is left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every process this module started that is still running. */
export function killAllProcesses(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}

export interface LogRecord {
  readonly event: string;
  readonly level: string;
  readonly [field: string]: unknown;
}

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly records: () => LogRecord[];
  /** Resolves with the first record (already logged or to come) matching `predicate`. */
  waitFor(predicate: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const WAIT_MS_DEFAULT = 30_000;

/** Starts `node <main> --config <configPath>` and resolves once it logs `node.listening`. */
export function startNodeProcess(
  main: string,
  configPath: string,
  options: { readonly env?: Record<string, string>; readonly timeoutMs?: number } = {},
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [main, '--config', configPath], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let buffered = '';
  let errors = '';
  const records: LogRecord[] = [];
  const waiters = new Set<{
    predicate: (r: LogRecord) => boolean;
    resolve: (r: LogRecord) => void;
  }>();
  child.stderr!.on('data', (chunk) => (errors += chunk));
  child.stdout!.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line.trim() === '') continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        continue;
      }
      records.push(record);
      for (const waiter of [...waiters]) {
        if (!waiter.predicate(record)) continue;
        waiters.delete(waiter);
        waiter.resolve(record);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  const waitFor = (predicate: (record: LogRecord) => boolean, timeoutMs = WAIT_MS_DEFAULT) => {
    const found = records.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<LogRecord>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (record: LogRecord) => {
          clearTimeout(timer);
          resolve(record);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const tail = records
          .slice(-15)
          .map((r) => JSON.stringify(r))
          .join('\n');
        reject(
          new Error(
            `no matching log record within ${timeoutMs} ms; last lines:\n${tail}\n${errors}`,
          ),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  };
  const listening = Promise.race([
    waitFor((r) => r.event === 'node.listening', options.timeoutMs ?? WAIT_MS_DEFAULT),
    exited.then(({ code }) => {
      throw new Error(
        `node exited with ${code}: ${records.map((r) => JSON.stringify(r)).join('\n')}${errors}`,
      );
    }),
  ]);
  return listening.then((record) => ({
    child,
    url: record.url as string,
    records: () => [...records],
    waitFor,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  }));
}

export interface LedgerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly systemObjectId: string;
  stop(): Promise<void>;
}

/**
 * Writes the `--package` installer: our package with the given System parameters, the AdminCap
 * to `admin`; the ledger prints the System ID.
 */
export function writeLedgerInstaller(
  dir: string,
  packageIndex: string,
  admin: string,
  system: { nShards: number; epochDurationMs: number; maxEpochsAhead: number },
): string {
  const path = join(dir, 'install-walrus-edge.mjs');
  const from = JSON.stringify(pathToFileURL(packageIndex).href);
  const options = JSON.stringify({ admin, system });
  writeFileSync(
    path,
    `import { walrusEdgePackage, findSystemId } from ${from};\n` +
      `export default (ledger) => {\n` +
      `  ledger.registerPackage(walrusEdgePackage(${options}));\n` +
      `  process.stdout.write('walrus-edge system ' + findSystemId(ledger) + '\\n');\n` +
      `};\n`,
  );
  return path;
}

export function startLedgerProcess(
  main: string,
  dataDir: string,
  installer: string,
  timeoutMs = WAIT_MS_DEFAULT,
): Promise<LedgerProcess> {
  const child = spawn(
    process.execPath,
    [main, '--port', '0', '--data-dir', dataDir, '--package', installer],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      started.delete(child);
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ledger did not start: ${err}`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const url = /ledger listening on (http:\/\/\S+)/.exec(out);
      const system = /walrus-edge system (0x[0-9a-f]{64})/.exec(out);
      if (url === null || system === null) return;
      clearTimeout(timer);
      resolve({
        child,
        url: url[1],
        systemObjectId: system[1],
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`ledger exited: ${err}`));
    });
  });
}

/** `count` TCP ports that were free a moment ago (bound to port 0, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
