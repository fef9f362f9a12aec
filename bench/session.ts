/**
 * `npm run bench:session [-- --mib N --client-mib M]`: upload sessions on a devnet started as a user
 * starts one (7 nodes, 100 shards), each figure beside its baseline from the same run:
 *
 *  - one N MiB blob (default: the relay's limit, SESSION_ENCODE_BYTES_LIMIT) through a session
 *    (tus, 8 MiB PATCHes, until `certified`) vs `walrus-edge store` of the same file, MB/s;
 *  - workerd's peak RSS above idle while that session stages, encodes and stores;
 *  - one M MiB blob (default 64) past the relay, through a session with client-side encoding
 *    (uploadClientEncoded: encoded here with the CLI's encoder pool, slivers sent to the nodes, the
 *    session's object registering and certifying) vs `walrus-edge store`, and workerd's peak RSS;
 *  - 20 concurrent 1 MiB sessions (plain PUT each): sessions/s and how many did not certify.
 *
 * Prints markdown; everything started is stopped at the end, on Ctrl-C and on errors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchSessionDescriptor } from '../client/browser/descriptor.js';
import { uploadClientEncoded } from '../client/client-encoding.js';
import { EncoderPool } from '../client/node/encoder-pool.js';
import { createUploadSession } from '../client/upload-sessions.js';
import { SESSION_ENCODE_BYTES_LIMIT } from '../durable-objects/session-store.js';
import { MIB, writeBlobFile } from './edge/blobs.js';
import { cleanupAll, installCleanupHandlers } from './edge/cleanup.js';
import { startDevnet, storeWithCli, waitForIdle } from './edge/devnet.js';
import { memoryOf, sampleRss } from './edge/proc.js';

const NODES = 7;
const SHARDS = 100;
const PATCH_BYTES = 8 * MIB;
const CONCURRENT_SESSIONS = 20;
const CONCURRENT_BYTES = MIB;
const CERTIFIED_TIMEOUT_MS = 10 * 60_000;
const CLI_TIMEOUT_MS = 10 * 60_000;
const TUS = { 'tus-resumable': '1.0.0' };
/** The size for a session upload; past the relay, so it goes by client-side encoding. */
const CLIENT_ENCODED_MIB_DEFAULT = 64;

interface SessionFile {
  readonly publisherUrl: string;
  readonly uploadApiKey: string;
}

async function awaitCertified(statusUrl: string): Promise<{ state: string; error?: string }> {
  const deadline = Date.now() + CERTIFIED_TIMEOUT_MS;
  for (;;) {
    const status = (await (await fetch(statusUrl)).json()) as { state: string; error?: string };
    if (['certified', 'failed', 'expired'].includes(status.state)) return status;
    if (Date.now() > deadline) return { state: 'timeout' };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** tus creation and PATCHes of PATCH_BYTES, then the wait for `certified`; milliseconds. */
async function sessionUpload(network: SessionFile, bytes: Uint8Array): Promise<number> {
  const started = performance.now();
  const session = await createUploadSession(network.publisherUrl, network.uploadApiKey, {
    epochs: 5,
    maxBytes: bytes.length,
  });
  const created = await fetch(session.uploadEndpoint, {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(bytes.length) },
  });
  if (created.status !== 201) throw new Error(`tus creation answered ${created.status}`);
  const uploadUrl = created.headers.get('location')!;
  for (let offset = 0; offset < bytes.length; offset += PATCH_BYTES) {
    const piece = bytes.slice(offset, Math.min(bytes.length, offset + PATCH_BYTES));
    const patched = await fetch(uploadUrl, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body: piece,
    });
    if (patched.status !== 204) throw new Error(`PATCH at ${offset} answered ${patched.status}`);
  }
  const status = await awaitCertified(session.statusUrl);
  if (status.state !== 'certified')
    throw new Error(`the session ended ${status.state}: ${status.error}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { mib: { type: 'string' }, 'client-mib': { type: 'string' } },
  });
  const blobBytes =
    values.mib === undefined ? SESSION_ENCODE_BYTES_LIMIT : Number(values.mib) * MIB;
  const clientBytes = Number(values['client-mib'] ?? CLIENT_ENCODED_MIB_DEFAULT) * MIB;
  installCleanupHandlers();
  const scratch = mkdtempSync(join(tmpdir(), 'walrus-edge-bench-session-'));
  const rows: string[][] = [];
  try {
    const devnet = await startDevnet({
      dataDir: join(scratch, 'net'),
      nodes: NODES,
      shards: SHARDS,
    });
    const network = JSON.parse(readFileSync(devnet.networkFile, 'utf8')) as SessionFile;
    const file = writeBlobFile(scratch, 'session', blobBytes);
    const bytes = new Uint8Array(readFileSync(file.path));
    const mb = (ms: number) => (bytes.length / 1e6 / (ms / 1000)).toFixed(1);

    const cli = await storeWithCli(devnet.networkFile, file.path, CLI_TIMEOUT_MS);
    await waitForIdle(devnet);
    // One small session loads the isolate and the objects' code before the idle RSS is read.
    await sessionUpload(network, new Uint8Array(1000));
    await waitForIdle(devnet);
    const idle = memoryOf(devnet.workerdPid);
    const sampler = sampleRss(devnet.workerdPid);
    const sessionMs = await sessionUpload(network, bytes);
    const peak = sampler.stop();
    rows.push([
      `${blobBytes / MIB} MiB through a session (tus, 8 MiB PATCHes) vs walrus-edge store`,
      `${mb(sessionMs)} MB/s`,
      `${mb(cli.ms)} MB/s`,
      `${(cli.ms / sessionMs).toFixed(2)}×`,
    ]);
    rows.push([
      `workerd peak RSS above idle during that session (idle ${(idle.rssBytes / MIB).toFixed(0)} MiB)`,
      `${((peak.peakRssBytes - idle.rssBytes) / MIB).toFixed(0)} MiB`,
      '128 MiB (Workers limit per isolate)',
      `${((peak.peakRssBytes - idle.rssBytes) / (128 * MIB)).toFixed(2)}×`,
    ]);

    rmSync(file.path);

    // Past the relay: the client encodes and sends the slivers, the session certifies.
    const big = writeBlobFile(scratch, 'client-encoded', clientBytes);
    const bigCli = await storeWithCli(devnet.networkFile, big.path, CLI_TIMEOUT_MS);
    const bigBytes = new Uint8Array(readFileSync(big.path));
    rmSync(big.path);
    await waitForIdle(devnet);
    const pool = new EncoderPool();
    try {
      const bigIdle = memoryOf(devnet.workerdPid);
      const bigSampler = sampleRss(devnet.workerdPid);
      const bigStarted = performance.now();
      const session = await createUploadSession(network.publisherUrl, network.uploadApiKey, {
        epochs: 5,
        maxBytes: bigBytes.length,
      });
      const descriptor = await fetchSessionDescriptor(session.uploadEndpoint);
      await uploadClientEncoded(bigBytes, descriptor, {
        encode: (blob, nShards) => pool.encode(blob, nShards),
      });
      const bigMs = performance.now() - bigStarted;
      const bigPeak = bigSampler.stop();
      const bigMb = (ms: number) => (bigBytes.length / 1e6 / (ms / 1000)).toFixed(1);
      rows.push([
        `${clientBytes / MIB} MiB through a session, client-side encoding vs walrus-edge store`,
        `${bigMb(bigMs)} MB/s`,
        `${bigMb(bigCli.ms)} MB/s`,
        `${(bigCli.ms / bigMs).toFixed(2)}×`,
      ]);
      rows.push([
        'workerd peak RSS above idle during that session',
        `${((bigPeak.peakRssBytes - bigIdle.rssBytes) / MIB).toFixed(0)} MiB`,
        '128 MiB (Workers limit per isolate)',
        `${((bigPeak.peakRssBytes - bigIdle.rssBytes) / (128 * MIB)).toFixed(2)}×`,
      ]);
    } finally {
      await pool.close();
    }

    await waitForIdle(devnet);
    const blobs = Array.from({ length: CONCURRENT_SESSIONS }, (_, i) => {
      const blob = new Uint8Array(CONCURRENT_BYTES);
      for (let j = 0; j < blob.length; j += 4096) blob[j] = (i * 31 + j) & 0xff;
      return blob;
    });
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      blobs.map(async (blob) => {
        const session = await createUploadSession(network.publisherUrl, network.uploadApiKey, {
          epochs: 5,
          maxBytes: blob.length,
        });
        const put = await fetch(session.uploadEndpoint, { method: 'PUT', body: blob });
        if (put.status !== 200) throw new Error(`PUT answered ${put.status}`);
        const status = await awaitCertified(session.statusUrl);
        if (status.state !== 'certified') throw new Error(`${status.state}: ${status.error}`);
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    rows.push([
      `${CONCURRENT_SESSIONS} concurrent 1 MiB sessions (PUT, to certified)`,
      `${(CONCURRENT_SESSIONS / elapsed).toFixed(2)} sessions/s, ${failed.length} failed`,
      'goal: 0 failed',
      failed.length === 0 ? 'met' : `first failure: ${(failed[0] as PromiseRejectedResult).reason}`,
    ]);
  } finally {
    await cleanupAll();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      '| figure | value | baseline | ratio |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n') + '\n',
  );
}

await main();
