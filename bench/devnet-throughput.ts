/**
 * `npm run bench:devnet`: store and read a 64 MiB file on a fresh `npm start` devnet (7 nodes,
 * 100 shards, all on this machine) — CLI store, CLI read, Worker read — next to writing (with
 * fsync) and reading the same file on local disk. Whole processes, wall-clock time, MB = 10^6 B.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BLOB_BYTES = 64 * 1024 * 1024;
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'walrus-edge.js');

function seconds(run: () => void): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

async function startDevnet(dir: string): Promise<ChildProcess> {
  const launcher = spawn(
    process.execPath,
    [join(ROOT, 'dist', 'devnet', 'launcher', 'main.js'), '--data-dir', dir, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  launcher.stdout!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 180_000;
  while (!output.includes('Ctrl-C stops everything.')) {
    if (launcher.exitCode !== null || Date.now() > deadline)
      throw new Error(`devnet did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return launcher;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-bench-'));
  const launcher = await startDevnet(join(dir, 'net'));
  try {
    const networkFile = join(dir, 'net', 'network.json');
    const network = JSON.parse(readFileSync(networkFile, 'utf8')) as { aggregatorUrl: string };
    const file = join(dir, 'blob.bin');
    const blob = new Uint8Array(BLOB_BYTES);
    for (let o = 0; o < blob.length; o += 65_536) randomFillSync(blob.subarray(o, o + 65_536));
    writeFileSync(file, blob);
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [BIN, ...args, '--network', networkFile], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        env: { ...process.env, WALRUS_EDGE_NO_PROGRESS: '1' },
      });
    let blobId = '';
    const store = seconds(
      () => (blobId = JSON.parse(cli('store', file, '--epochs', '1', '--json')).blobId),
    );
    const read = seconds(() => cli('read', blobId, '--out', join(dir, 'read.bin')));
    if (!readFileSync(join(dir, 'read.bin')).equals(blob))
      throw new Error('CLI read returned other bytes');
    const workerStart = performance.now();
    const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`);
    const viaWorker = new Uint8Array(await response.arrayBuffer());
    const worker = (performance.now() - workerStart) / 1000;
    if (!Buffer.from(viaWorker).equals(blob)) throw new Error('Worker read returned other bytes');
    const diskWrite = seconds(() => {
      const fd = openSync(join(dir, 'disk.bin'), 'w');
      writeSync(fd, blob);
      fsyncSync(fd);
      closeSync(fd);
    });
    const diskRead = seconds(() => readFileSync(join(dir, 'disk.bin')));
    const mbps = (s: number) => (BLOB_BYTES / 1e6 / s).toFixed(1);
    console.log(
      `64 MiB on the npm start devnet (7 nodes, 100 shards, one 2-core machine; ${process.version})`,
    );
    console.log('| operation | seconds | MB/s |');
    console.log('|---|---|---|');
    for (const [name, s] of [
      ['CLI store (encode, register, upload 2×100 slivers, certify)', store],
      ['CLI read (verify 34 slivers, decode)', read],
      ['Worker read (GET /v1/blobs/{id}, streamed)', worker],
      ['local disk write + fsync', diskWrite],
      ['local disk read (page cache)', diskRead],
    ] as [string, number][]) {
      console.log(`| ${name} | ${s.toFixed(2)} | ${mbps(s)} |`);
    }
  } finally {
    launcher.kill('SIGINT');
    await new Promise((resolve) => launcher.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
