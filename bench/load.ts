/**
 * `npm run bench:load [-- --duration S --uploads N --reads N]`: the devnet under mixed load (issue:
 * faults as first-class tests). For `duration` (default 120 s), `uploads` concurrent upload loops
 * (default 50: a third presigned upload sessions, a third the Worker's publisher, a third the
 * `walrus-edge store` CLI, each a process) run beside `reads` concurrent read loops (default 500)
 * against the Worker's aggregator, over blobs stored beforehand and those the uploads certify.
 *
 * Held to: zero wrong bytes, and no 5xx but 503 with Retry-After (a named cap refusing work, which
 * clients retry). Reports per operation: count, per second, p50/p99 latency and errors by kind.
 * Exits non-zero if either rule broke. Not part of `npm test` (minutes of 2 cores at full load).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Agent, type Response, fetch as undiciFetch } from 'undici';
import { createUploadSession } from '../client/upload-sessions.js';
import { cleanupAll, installCleanupHandlers } from './edge/cleanup.js';
import { cpuShareTable, cpuSnapshot } from './edge/cpu-share.js';
import { runCli, startDevnet, storeWithCli, waitForIdle } from './edge/devnet.js';

const DURATION_S_DEFAULT = 120;
const UPLOADS_DEFAULT = 50;
const READS_DEFAULT = 500;
/** Blobs stored before the load starts, so reads have something to read from the first second. */
const SEED_BLOBS = 12;
/** Upload sizes: small and medium blobs, as media and metadata platforms send them. */
const UPLOAD_BYTES_MIN = 4 * 1024;
const UPLOAD_BYTES_MAX = 512 * 1024;
/** No single operation may take longer than this; past it, it counts as an error. */
const OPERATION_TIMEOUT_MS = 120_000;
const STATUS_POLL_MS = 200;
/**
 * How long the load's HTTP client keeps an idle connection. workerd (kj's HTTP server) closes a
 * connection idle for 5 s; undici keeps one for 4 s by default, so a client whose timers run late
 * on oversubscribed cores may send on a connection the server is closing. 1 s keeps clear of that
 * race; `--keep-alive-ms 4000` is undici's default. (It did not remove the socket errors seen under
 * the full load: workerd, starved of CPU, closes connections before answering; see the README.)
 */
const KEEP_ALIVE_MS_DEFAULT = 1000;

type Kind = 'read (Worker)' | 'upload (session)' | 'upload (publisher)' | 'upload (CLI)';

interface Stat {
  readonly latenciesMs: number[];
  readonly errors: Map<string, number>;
  /** How long failed fetches took, by reason: a server timeout shows as one typical delay. */
  readonly failedAfterMs: Map<string, number[]>;
}

interface Known {
  readonly blobId: string;
  readonly sha256: string;
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function randomBlob(): Uint8Array {
  const size = UPLOAD_BYTES_MIN + Math.floor(Math.random() * (UPLOAD_BYTES_MAX - UPLOAD_BYTES_MIN));
  const out = new Uint8Array(size);
  crypto.getRandomValues(out.subarray(0, Math.min(size, 65_536)));
  for (let at = 65_536; at < size; at += 65_536) out.copyWithin(at, 0, Math.min(65_536, size - at));
  out[size - 1] = Math.floor(Math.random() * 256);
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** What a failed fetch says: undici hides the socket's error code in `cause`. */
function networkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (process.env.LOAD_DEBUG) console.error(error, cause);
  return `network error (${cause?.code ?? cause?.message ?? (error as Error).message})`;
}

/**
 * One funded wallet per CLI upload loop, as separate users have: loops sharing one wallet would
 * race for its gas coin (the ledger refuses a transaction whose coin version moved on), which
 * measures the bench's setup, not the system. Returns each loop's network file.
 */
async function cliWallets(
  networkFile: string,
  ledgerUrl: string,
  loops: number,
  scratch: string,
): Promise<string[]> {
  const base = JSON.parse(readFileSync(networkFile, 'utf8')) as Record<string, unknown>;
  return Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      const wallet = new Ed25519Keypair();
      await requestSuiFromFaucetV2({ host: ledgerUrl, recipient: wallet.toSuiAddress() });
      const keyFile = join(scratch, `wallet-${loop}.key`);
      writeFileSync(keyFile, wallet.getSecretKey() + '\n');
      const file = join(scratch, `network-${loop}.json`);
      writeFileSync(file, JSON.stringify({ ...base, walletKeyFile: keyFile }));
      return file;
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      uploads: { type: 'string' },
      reads: { type: 'string' },
      'keep-alive-ms': { type: 'string' },
    },
  });
  const durationMs = Number(values.duration ?? DURATION_S_DEFAULT) * 1000;
  const uploads = Number(values.uploads ?? UPLOADS_DEFAULT);
  const reads = Number(values.reads ?? READS_DEFAULT);
  const keepAliveMs = Number(values['keep-alive-ms'] ?? KEEP_ALIVE_MS_DEFAULT);
  const dispatcher = new Agent({ keepAliveTimeout: keepAliveMs, keepAliveMaxTimeout: keepAliveMs });
  const fetch: typeof undiciFetch = (input, init) => undiciFetch(input, { ...init, dispatcher });
  installCleanupHandlers();
  const scratch = mkdtempSync(join(tmpdir(), 'walrus-edge-load-'));
  const stats = new Map<Kind, Stat>();
  const stat = (kind: Kind) => {
    let s = stats.get(kind);
    if (s === undefined)
      stats.set(kind, (s = { latenciesMs: [], errors: new Map(), failedAfterMs: new Map() }));
    return s;
  };
  const fail = (kind: Kind, why: string) => {
    const errors = stat(kind).errors;
    errors.set(why, (errors.get(why) ?? 0) + 1);
  };
  let wrongBytes = 0;
  let forbidden5xx = 0;
  try {
    const devnet = await startDevnet({ dataDir: join(scratch, 'net'), nodes: 7, shards: 100 });
    const network = JSON.parse(readFileSync(devnet.networkFile, 'utf8')) as {
      aggregatorUrl: string;
      publisherUrl: string;
      uploadApiKey: string;
      ledgerUrl: string;
    };
    const cliNetworkFiles = await cliWallets(
      devnet.networkFile,
      network.ledgerUrl,
      uploads,
      scratch,
    );
    const known: Known[] = [];
    for (let i = 0; i < SEED_BLOBS; i++) {
      const bytes = randomBlob();
      const file = join(scratch, `seed-${i}.bin`);
      writeFileSync(file, bytes);
      const { blobId } = await storeWithCli(devnet.networkFile, file, OPERATION_TIMEOUT_MS);
      known.push({ blobId, sha256: digest(bytes) });
    }
    await waitForIdle(devnet);
    process.stdout.write(
      `devnet up, ${SEED_BLOBS} blobs stored; ${uploads} upload loops and ${reads} read loops ` +
        `for ${durationMs / 1000} s (client keep-alive ${keepAliveMs} ms)\n`,
    );

    /** A 5xx is allowed only as 503 with Retry-After; anything else breaks the rule. */
    const judge = (kind: Kind, response: Response) => {
      if (response.status < 500) return;
      if (response.status === 503 && response.headers.get('retry-after') !== null) {
        fail(kind, '503 Retry-After');
        return;
      }
      forbidden5xx++;
      fail(kind, `HTTP ${response.status}`);
    };
    const until = Date.now() + durationMs;
    const timed = async (kind: Kind, run: () => Promise<boolean>) => {
      const started = performance.now();
      try {
        if (await run()) stat(kind).latenciesMs.push(performance.now() - started);
      } catch (error) {
        const why = (error as Error).name === 'TimeoutError' ? 'timeout' : networkError(error);
        fail(kind, why);
        const after = stat(kind).failedAfterMs;
        after.set(why, [...(after.get(why) ?? []), performance.now() - started]);
      }
    };

    const readLoop = async () => {
      while (Date.now() < until) {
        const blob = known[Math.floor(Math.random() * known.length)];
        await timed('read (Worker)', async () => {
          const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blob.blobId}`, {
            signal: AbortSignal.timeout(OPERATION_TIMEOUT_MS),
          });
          const bytes = new Uint8Array(await response.arrayBuffer());
          if (response.status !== 200) {
            judge('read (Worker)', response);
            if (response.status < 500) fail('read (Worker)', `HTTP ${response.status}`);
            return false;
          }
          if (digest(bytes) !== blob.sha256) {
            wrongBytes++;
            fail('read (Worker)', 'WRONG BYTES');
            return false;
          }
          return true;
        });
      }
    };

    const sessionUpload = async (bytes: Uint8Array) => {
      const session = await createUploadSession(network.publisherUrl, network.uploadApiKey, {
        epochs: 2,
        maxBytes: bytes.length,
      });
      const put = await fetch(session.uploadEndpoint, {
        method: 'PUT',
        body: bytes as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(OPERATION_TIMEOUT_MS),
      });
      await put.arrayBuffer();
      if (put.status !== 200 && put.status !== 204) {
        judge('upload (session)', put);
        if (put.status < 500) fail('upload (session)', `HTTP ${put.status}`);
        return undefined;
      }
      const deadline = Date.now() + OPERATION_TIMEOUT_MS;
      for (;;) {
        const left = Math.max(1, deadline - Date.now());
        const polled = await fetch(session.statusUrl, { signal: AbortSignal.timeout(left) });
        const status = (await polled.json()) as {
          state: string;
          blobId?: string;
        };
        if (status.state === 'certified') return status.blobId;
        if (status.state === 'failed' || status.state === 'expired' || Date.now() > deadline) {
          fail('upload (session)', `session ${status.state}`);
          return undefined;
        }
        await sleep(STATUS_POLL_MS);
      }
    };
    const publisherUpload = async (bytes: Uint8Array) => {
      const response = await fetch(`${network.publisherUrl}/v1/blobs?epochs=2`, {
        method: 'PUT',
        body: bytes as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(OPERATION_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status !== 200) {
        judge('upload (publisher)', response);
        if (response.status < 500) fail('upload (publisher)', `HTTP ${response.status}`);
        return undefined;
      }
      const result = JSON.parse(text) as {
        newlyCreated?: { blobObject: { blobId: string } };
        alreadyCertified?: { blobId: string };
      };
      return result.newlyCreated?.blobObject.blobId ?? result.alreadyCertified?.blobId;
    };
    const cliUpload = async (bytes: Uint8Array, loop: number) => {
      const file = join(scratch, `cli-${loop}.bin`);
      writeFileSync(file, bytes);
      const run = await runCli(
        cliNetworkFiles[loop],
        ['store', file, '--epochs', '2', '--json'],
        OPERATION_TIMEOUT_MS,
      );
      if (run.error !== undefined) {
        fail('upload (CLI)', run.timedOut ? 'timeout' : `exit: ${run.error.split('\n')[0]}`);
        return undefined;
      }
      return (JSON.parse(run.stdout) as { blobId: string }).blobId;
    };
    const uploadLoop = async (loop: number) => {
      const kind: Kind =
        loop % 3 === 0
          ? 'upload (session)'
          : loop % 3 === 1
            ? 'upload (publisher)'
            : 'upload (CLI)';
      while (Date.now() < until) {
        const bytes = randomBlob();
        await timed(kind, async () => {
          const blobId =
            kind === 'upload (session)'
              ? await sessionUpload(bytes)
              : kind === 'upload (publisher)'
                ? await publisherUpload(bytes)
                : await cliUpload(bytes, loop);
          if (blobId === undefined) return false;
          known.push({ blobId, sha256: digest(bytes) });
          return true;
        });
      }
    };

    const started = performance.now();
    const cpuBefore = cpuSnapshot();
    await Promise.all([
      ...Array.from({ length: reads }, readLoop),
      ...Array.from({ length: uploads }, (_, i) => uploadLoop(i)),
    ]);
    const elapsedS = (performance.now() - started) / 1000;
    const cpuShare = cpuShareTable(cpuBefore, cpuSnapshot(), elapsedS);
    const lines = [
      `| operation | ok | per s | p50 ms | p99 ms | errors |`,
      `|---|---|---|---|---|---|`,
    ];
    for (const [kind, s] of stats) {
      const sorted = [...s.latenciesMs].sort((a, b) => a - b);
      const afterOf = (why: string) => {
        const ms = [...(s.failedAfterMs.get(why) ?? [])].sort((a, b) => a - b);
        return ms.length === 0
          ? ''
          : ` (after p50 ${(percentile(ms, 50) / 1000).toFixed(1)} s, ` +
              `min ${(ms[0] / 1000).toFixed(1)} s)`;
      };
      const errors =
        [...s.errors].map(([why, n]) => `${why}: ${n}${afterOf(why)}`).join('; ') || 'none';
      lines.push(
        `| ${kind} | ${sorted.length} | ${(sorted.length / elapsedS).toFixed(1)} | ` +
          `${percentile(sorted, 50).toFixed(0)} | ${percentile(sorted, 99).toFixed(0)} | ${errors} |`,
      );
    }
    lines.push('', `wrong bytes: ${wrongBytes}; 5xx other than 503 + Retry-After: ${forbidden5xx}`);
    if (cpuShare !== '') lines.push('', 'CPU during the load (2 cores = 2.00):', '', cpuShare);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await dispatcher.close().catch(() => undefined);
    await cleanupAll();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exitCode = wrongBytes > 0 || forbidden5xx > 0 ? 1 : 0;
}

await main();
