/**
 * Child processes of the devnet: each one's output goes to its own log file, and all of them are
 * stopped together — SIGTERM, a grace period, then SIGKILL — so Ctrl-C leaves nothing behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** How long a child gets to exit cleanly before it is killed. */
export const STOP_GRACE_MS = 5_000;

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Resolves with the first stdout line matching `pattern` (its match), rejects if the child exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

export class ProcessGroup {
  private readonly children: Child[] = [];

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const lines: string[] = [];
    const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(line + '\n');
      lines.push(line);
      if (lines.length > 200) lines.shift();
      for (const waiter of waiters.slice()) {
        const match = waiter.pattern.exec(line);
        if (match !== null) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    });
    child.stderr!.on('data', (chunk) => log.write(chunk));
    child.on('exit', () => log.end());
    const entry: Child = {
      name,
      process: child,
      logFile,
      waitForLine: (pattern, timeoutMs) =>
        new Promise((resolve, reject) => {
          const seen = lines.map((line) => pattern.exec(line)).find((m) => m !== null);
          if (seen) return resolve(seen);
          const timer = setTimeout(
            () =>
              reject(
                new Error(
                  `${name} did not print ${pattern} within ${timeoutMs} ms (see ${logFile})`,
                ),
              ),
            timeoutMs,
          );
          waiters.push({
            pattern,
            resolve: (match) => {
              clearTimeout(timer);
              resolve(match);
            },
          });
          child.once('exit', (code, signal) => {
            clearTimeout(timer);
            reject(
              new Error(`${name} exited (${signal ?? code}) before it was ready; see ${logFile}`),
            );
          });
        }),
    };
    this.children.push(entry);
    return entry;
  }

  /** Stops every child: SIGTERM, then SIGKILL after the grace period. */
  async stopAll(): Promise<void> {
    const running = this.children.filter(
      (c) => c.process.exitCode === null && c.process.signalCode === null,
    );
    await Promise.all(
      running.map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => c.process.kill('SIGKILL'), STOP_GRACE_MS);
            c.process.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.process.kill('SIGTERM');
          }),
      ),
    );
  }

  /** Last resort on process exit: no waiting possible, so kill outright. */
  killAllNow(): void {
    for (const c of this.children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
  }
}
