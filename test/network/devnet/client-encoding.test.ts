/**
 * Client-side encoding of upload sessions (issue 11) in Node against a devnet's Worker (4 nodes,
 * 16 shards) whose relay takes at most 256 KiB (`--worker-var UPLOAD_RELAY_BYTES_MAX`): a 1 MiB
 * file goes through `uploadClientEncoded` (the client encodes, sends slivers to the nodes, the
 * session's Durable Object registers and certifies) and the relay refuses it; the session's
 * `maxBytes` is enforced at register with nothing on chain; hostile register bodies, forged,
 * foreign and too few confirmations are refused and leave the session uncertified; a session is
 * registered once; a node stopped (SIGSTOP) while slivers go out does not hold up certification.
 * Every certified blob has the ID `walrus-edge blob-id` computes and the aggregator serves its bytes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, startDevnet } from '../../../bench/edge/devnet.js';
import { ClientEncodingError, uploadClientEncoded } from '../../../client/client-encoding.js';
import type { RegisterAnswer } from '../../../client/encoded-wire.js';
import type { SessionDescriptor, UploadProgress } from '../../../client/session-descriptor.js';
import { type StoreCommittee, storeOnMember } from '../../../client/store.js';
import { createUploadSession } from '../../../client/upload-sessions.js';
import { base64ToBytes, bytesToBase64 } from '../../../core/base64.js';
import { blobIdToString } from '../../../core/blob-id.js';
import { blsRandomSecretKey, blsSign } from '../../../core/bls.js';
import { SuiChain } from '../../../core/chain/sui-chain.js';
import { computeBlobMetadata, encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { encodeBlobMetadata } from '../../../core/encoding/metadata.js';
import { hexToBytes } from '../../../core/hex.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import { registerBodyBytesMax } from '../../../durable-objects/client-encoded.js';
import { randomBytes } from '../../helpers/random.js';

const run = promisify(execFile);
const BIN = new URL('../../../bin/walrus-edge.js', import.meta.url).pathname;
const N_SHARDS = 16;
const RELAY_BYTES_MAX = 256 * 1024;
const SESSION_BYTES = 4 * 1024 * 1024;
const MIB = 1024 * 1024;
const TUS = { 'tus-resumable': '1.0.0' };

interface Network {
  aggregatorUrl: string;
  publisherUrl: string;
  uploadApiKey: string;
  ledgerUrl: string;
  packageId: string;
  systemObjectId: string;
  walletAddress: string;
}

let root: string;
let devnet: Devnet;
let network: Network;
let chain: SuiChain;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'walrus-edge-client-encoding-'));
  devnet = await startDevnet({
    dataDir: join(root, 'net'),
    nodes: 4,
    shards: N_SHARDS,
    workerVars: { UPLOAD_RELAY_BYTES_MAX: String(RELAY_BYTES_MAX) },
  });
  network = JSON.parse(readFileSync(devnet.networkFile, 'utf8')) as Network;
  chain = new SuiChain({
    url: network.ledgerUrl,
    packageId: network.packageId,
    systemObjectId: network.systemObjectId,
  });
}, 300_000);

afterAll(async () => {
  const left = (await devnet?.stop()) ?? [];
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 60_000);

/** A session and its descriptor (GET {uploadEndpoint}/session). */
async function session(maxBytes = SESSION_BYTES): Promise<SessionDescriptor> {
  const created = await createUploadSession(network.publisherUrl, network.uploadApiKey, {
    epochs: 2,
    maxBytes,
  });
  const response = await fetch(`${created.uploadEndpoint}/session`);
  expect(response.status).toBe(200);
  return (await response.json()) as SessionDescriptor;
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectRefused(response: Response, status: number, reason: string): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const error = (JSON.parse(text) as { error: { message: string; details: { reason: string }[] } })
    .error;
  expect(error.details[0].reason, text).toBe(reason);
  return error.message;
}

async function state(s: SessionDescriptor): Promise<{ state: string; blobId?: string }> {
  return (await (await fetch(s.statusUrl)).json()) as { state: string; blobId?: string };
}

async function blobIdOf(bytes: Uint8Array): Promise<string> {
  const file = join(root, `file-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(file, bytes);
  const { stdout } = await run('node', [BIN, 'blob-id', file, '--n-shards', '16', '--json']);
  return (JSON.parse(stdout) as { blobId: string }).blobId;
}

async function expectServed(blobId: string, bytes: Uint8Array): Promise<void> {
  const response = await fetch(`${network.aggregatorUrl}/v1/blobs/${blobId}`);
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
}

/** Blob IDs of every Blob object the publisher wallet owns. */
async function walletBlobIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await chain.ownedBlobs(network.walletAddress, { cursor });
    ids.push(...page.data.map((blob) => blobIdToString(blob.blobId)));
    if (!page.hasNextPage) return ids;
    cursor = page.nextCursor;
  }
}

function registerBody(bytes: Uint8Array, nShards = N_SHARDS) {
  const { metadata, blobId } = computeBlobMetadata(bytes, nShards);
  return {
    unencodedLength: bytes.length,
    metadata: bytesToBase64(encodeBlobMetadata(metadata)),
    blobId: blobIdToString(blobId),
  };
}

describe('client-side encoding through an upload session', () => {
  it('stores a 1 MiB file past the relay: encoded here, certified by the session', async () => {
    const bytes = randomBytes(MIB, 301);
    const s = await session();
    expect(s.relayBytesMax).toBe(RELAY_BYTES_MAX);
    expect(s.maxBytes).toBe(SESSION_BYTES);
    expect(s.nShards).toBe(N_SHARDS);
    expect(s.aggregatorUrl).toBe(new URL(network.publisherUrl).origin);
    expect(s.encodedEndpoint).toBe(`${s.uploadEndpoint}/encoded`);
    expect(s.status.state).toBe('created');
    // A browser on another origin may read it.
    const cors = await fetch(`${s.uploadEndpoint}/session`, {
      headers: { origin: 'https://dapp.example' },
    });
    expect(cors.headers.get('access-control-allow-origin')).not.toBeNull();

    const progress: UploadProgress[] = [];
    const result = await uploadClientEncoded(bytes, s, { onProgress: (p) => progress.push(p) });
    const stages = [...new Set(progress.map((p) => p.stage))];
    expect(stages).toEqual(['encoding', 'uploading', 'storing', 'certified']);
    const uploading = progress.filter((p) => p.stage === 'uploading');
    expect(uploading.at(-1)!.bytesDone).toBeGreaterThan(MIB);
    expect(uploading.every((p, i) => i === 0 || p.bytesDone >= uploading[i - 1].bytesDone)).toBe(
      true,
    );

    expect(result.blobId).toBe(await blobIdOf(bytes));
    const status = (await (await fetch(s.statusUrl)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      state: 'certified',
      blobId: result.blobId,
      blobObjectId: result.blobObjectId,
      certifiedEpoch: result.certifiedEpoch,
      uploadLength: bytes.length,
    });
    const object = await chain.readBlob(result.blobObjectId);
    expect(blobIdToString(object.blobId)).toBe(result.blobId);
    expect(object.certifiedEpoch).toBe(result.certifiedEpoch);
    await expectServed(result.blobId, bytes);

    // One upload per session: not a second register, not a tus upload, not a second certify.
    await expectRefused(
      await post(`${s.encodedEndpoint}/register`, registerBody(bytes)),
      403,
      'UPLOAD_ENDPOINT_USED',
    );
    const tus = await fetch(s.uploadEndpoint, {
      method: 'POST',
      headers: { ...TUS, 'upload-length': '10' },
    });
    expect(tus.status).toBe(403);
    await expectRefused(
      await post(`${s.encodedEndpoint}/certify`, { confirmations: [] }),
      409,
      'ALREADY_CERTIFIED',
    );
  }, 120_000);

  it('the relay refuses a file past its limit with a 413 that says to encode on the client', async () => {
    const s = await session();
    const options = await fetch(s.uploadEndpoint, { method: 'OPTIONS', headers: TUS });
    expect(options.headers.get('tus-max-size')).toBe(String(RELAY_BYTES_MAX));
    const created = await fetch(s.uploadEndpoint, {
      method: 'POST',
      headers: { ...TUS, 'upload-length': String(MIB) },
    });
    const message = await expectRefused(created, 413, 'USE_CLIENT_ENCODING');
    expect(message).toMatch(/client/);
    const put = await fetch(s.uploadEndpoint, {
      method: 'PUT',
      body: randomBytes(RELAY_BYTES_MAX + 1, 302) as Uint8Array<ArrayBuffer>,
    });
    expect(put.status).toBe(413);
    expect((await state(s)).state).toBe('created');
  });

  it('refuses to register more than maxBytes, and nothing reaches the chain', async () => {
    const bytes = randomBytes(SESSION_BYTES + 1, 303);
    const s = await session();
    const before = await walletBlobIds();
    const body = registerBody(bytes);
    const message = await expectRefused(
      await post(`${s.encodedEndpoint}/register`, body),
      413,
      'UPLOAD_TOO_LARGE',
    );
    expect(message).toMatch(/maxBytes/);
    await expect(uploadClientEncoded(bytes, s)).rejects.toBeInstanceOf(ClientEncodingError);
    const after = await walletBlobIds();
    expect(after.length).toBe(before.length);
    expect(after).not.toContain(body.blobId);
    expect((await state(s)).state).toBe('created');
  }, 60_000);

  it('answers hostile register bodies with 4xx and keeps the session unused', async () => {
    const bytes = randomBytes(100_000, 304);
    const s = await session();
    const good = registerBody(bytes);
    const metadataBytes = base64ToBytes(good.metadata);
    const trailing = bytesToBase64(Uint8Array.from([...metadataBytes, 0]));
    const cases: [unknown, number, string][] = [
      ['not json', 400, 'INVALID_ENCODED_REQUEST'],
      [[1, 2], 400, 'INVALID_ENCODED_REQUEST'],
      [{ metadata: good.metadata }, 400, 'INVALID_ENCODED_REQUEST'],
      [{ ...good, unencodedLength: -1 }, 400, 'INVALID_ENCODED_REQUEST'],
      [{ ...good, colour: 'red' }, 400, 'INVALID_ENCODED_REQUEST'],
      [{ ...good, metadata: '@@@@' }, 400, 'INVALID_METADATA'],
      [{ ...good, metadata: good.metadata.slice(0, -1) }, 400, 'INVALID_METADATA'],
      [{ ...good, metadata: bytesToBase64(randomBytes(200, 305)) }, 400, 'INVALID_METADATA'],
      [{ ...good, metadata: trailing }, 400, 'INVALID_METADATA'],
      [{ ...good, unencodedLength: bytes.length + 1 }, 400, 'INVALID_METADATA'],
      [registerBody(bytes, 10), 400, 'INVALID_METADATA'],
      [{ ...good, blobId: registerBody(randomBytes(10, 306)).blobId }, 400, 'BLOB_ID_MISMATCH'],
      [{ ...good, blobId: 'not a blob id' }, 400, 'BLOB_ID_MISMATCH'],
      ['x'.repeat(registerBodyBytesMax(N_SHARDS) + 1), 413, 'REGISTER_BODY_TOO_LARGE'],
    ];
    for (const [body, status, reason] of cases) {
      // A body refused unread (413) ends its connection on workerd's side: it must not go back to
      // the pool, or the next request races the close and dies with ECONNRESET.
      const headers: Record<string, string> = status === 413 ? { connection: 'close' } : {};
      const refused = await post(`${s.encodedEndpoint}/register`, body, headers);
      await expectRefused(refused, status, reason);
    }
    const tampered = s.uploadEndpoint.slice(0, -1) + (s.uploadEndpoint.at(-1) === 'A' ? 'B' : 'A');
    expect((await fetch(`${tampered}/session`)).status).toBe(401);
    // Refused before its body is read, like the 413 above: on a connection of its own.
    const close = { connection: 'close' };
    expect((await post(`${tampered}/encoded/register`, good, close)).status).toBe(401);
    await expectRefused(
      await post(`${s.encodedEndpoint}/certify`, { confirmations: [] }, close),
      409,
      'NOT_REGISTERED',
    );
    expect((await state(s)).state).toBe('created');
    // Still good for its one upload.
    const result = await uploadClientEncoded(bytes, s);
    expect(result.blobId).toBe(good.blobId);
  }, 60_000);

  it('refuses forged, foreign and too few confirmations; certifies with a quorum', async () => {
    const bytes = randomBytes(200_000, 307);
    const s = await session();
    const registered = (await (
      await post(`${s.encodedEndpoint}/register`, registerBody(bytes))
    ).json()) as RegisterAnswer;
    expect(registered.committee.length).toBe(4);
    expect((await state(s)).state).toBe('storing');
    const certify = (confirmations: unknown) =>
      post(`${s.encodedEndpoint}/certify`, { confirmations });
    const message = storageConfirmationMessage(
      registered.epoch,
      computeBlobMetadata(bytes, N_SHARDS).blobId,
      { kind: 'deletable', objectId: hexToBytes(registered.blobObjectId, 32) },
    );
    const foreignKey = blsRandomSecretKey();
    const forged = registered.committee.map((m) => ({
      memberIndex: m.memberIndex,
      signature: bytesToBase64(blsSign(foreignKey, message)),
    }));
    const garbage = registered.committee.map((m) => ({
      memberIndex: m.memberIndex,
      signature: bytesToBase64(randomBytes(96, 308 + m.memberIndex)),
    }));
    const refusal = await expectRefused(await certify(forged), 409, 'NOT_ENOUGH_CONFIRMATIONS');
    expect(refusal).toMatch(/member 0 .*does not verify/);
    await expectRefused(await certify(garbage), 409, 'NOT_ENOUGH_CONFIRMATIONS');
    await expectRefused(
      await certify([
        { memberIndex: 9, signature: forged[0].signature },
        { memberIndex: 1, signature: 'not base64!' },
      ]),
      409,
      'NOT_ENOUGH_CONFIRMATIONS',
    );
    await expectRefused(await certify('x'), 400, 'INVALID_ENCODED_REQUEST');
    await expectRefused(await certify([...forged, forged[0]]), 400, 'INVALID_ENCODED_REQUEST');

    // Real confirmations, sent by this test as the client would.
    const encoded = encodeBlob(bytes, N_SHARDS);
    const committee: StoreCommittee = {
      nShards: N_SHARDS,
      members: registered.committee.map((m) => ({
        name: m.name,
        networkAddress: m.nodeUrl,
        blsPublicKey: base64ToBytes(m.publicKey),
        weight: m.weight,
        shards: m.shards,
      })),
    };
    const persistence = {
      kind: 'deletable' as const,
      objectId: hexToBytes(registered.blobObjectId, 32),
    };
    const real = await Promise.all(
      committee.members.map((_, i) =>
        storeOnMember(encoded, committee, i, persistence, message, {}, () => {}),
      ),
    );
    const wire = real.map((c) => ({
      memberIndex: c.memberIndex,
      signature: bytesToBase64(c.signature),
    }));
    // Two members of four hold 8 of 16 shards: not a quorum (3w ≥ 2n + 1 needs 11).
    const few = await expectRefused(
      await certify(wire.slice(0, 2)),
      409,
      'NOT_ENOUGH_CONFIRMATIONS',
    );
    expect(few).toMatch(/weigh 8 of 16/);
    // A member's real confirmation twice counts once.
    await expectRefused(
      await certify([wire[0], wire[0], wire[1]]),
      409,
      'NOT_ENOUGH_CONFIRMATIONS',
    );
    expect((await state(s)).state).toBe('storing');

    // Three real ones and a forged one: the forged one is ignored, the quorum certifies.
    const done = await certify([forged[0], ...wire.slice(1)]);
    expect(done.status, await done.clone().text()).toBe(200);
    const status = (await done.json()) as { state: string; blobId: string };
    expect(status.state).toBe('certified');
    expect(status.blobId).toBe(await blobIdOf(bytes));
    await expectServed(status.blobId, bytes);
  }, 120_000);

  it('certifies with a storage node stopped (SIGSTOP) while slivers go out', async () => {
    const bytes = randomBytes(MIB - 4321, 309);
    const s = await session();
    const stopped = devnet.network.nodes[0];
    let stop = false;
    try {
      const result = await uploadClientEncoded(bytes, s, {
        onProgress: (p) => {
          if (p.stage === 'uploading' && !stop) {
            stop = true;
            process.kill(stopped.pid, 'SIGSTOP');
          }
        },
      });
      expect(stop).toBe(true);
      expect(result.blobId).toBe(await blobIdOf(bytes));
      expect((await state(s)).state).toBe('certified');
    } finally {
      process.kill(stopped.pid, 'SIGCONT');
    }
    await expectServed((await state(s)).blobId!, bytes);
  }, 120_000);
});
