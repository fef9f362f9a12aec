/**
 * The disk baseline: Debian's nginx serving a directory from a temporary config on a free
 * 127.0.0.1 port, in the foreground as one process (master_process off: no user switching, so the
 * bench's own temp files are readable, and one pid to stop). Every path nginx writes is in the
 * temp dir, so it runs without root and touches nothing of a system nginx.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { freePort } from '../../devnet/launcher/ports.js';

export const NGINX_BIN = '/usr/sbin/nginx';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

export interface Nginx {
  /** Base URL; files in the served directory are at `${url}/<name>`. */
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

function config(dir: string, root: string, port: number): string {
  const temp = (name: string) => join(dir, name);
  return `daemon off;
master_process off;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  types { application/octet-stream bin; }
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`;
}

/** Starts nginx serving `root`, or returns undefined when nginx is not installed. */
export async function startNginx(dir: string, root: string): Promise<Nginx | undefined> {
  if (!existsSync(NGINX_BIN)) return undefined;
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, config(dir, root, port));
  let stderr = '';
  const child = spawn(NGINX_BIN, ['-p', dir, '-c', configFile, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const stop = onCleanup('nginx', () => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url}`);
    const up = await fetch(`${url}/`, { signal: AbortSignal.timeout(POLL_MS * 10) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { url, version: await nginxVersion(), stop };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // SIGQUIT is nginx's graceful shutdown; SIGTERM its fast one.
    child.kill('SIGTERM');
  });
}

function nginxVersion(): Promise<string> {
  return new Promise((resolve) => {
    // `nginx -v` prints to stderr.
    const child = spawn(NGINX_BIN, ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr!.on('data', (chunk) => (text += chunk));
    child.once('exit', () => resolve(text.trim().replace(/^nginx version: /, '')));
    child.once('error', () => resolve('unknown'));
  });
}
