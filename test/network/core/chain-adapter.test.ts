/**
 * core/chain against the real local ledger running our package (devnet/package) as a child
 * process: nodes register with proofs of possession, the admin selects a committee, then a client
 * registers, certifies (real BLS aggregate certificates over real blob IDs), extends and deletes
 * blobs through `SuiChain`; aborts arrive as ChainAbortError with Move's module and code; events
 * come back in order from any cursor; a restarted ledger serves the same state and events.
 *
 * The child runs the compiled dist (as test/network/devnet/ledger-process.test.ts does; scripts/test.sh builds
 * first). Every process started here is killed in afterAll.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { fromHex, toHex } from '@mysten/sui/utils';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { blsAggregateSignatures, blsPublicKey, blsSign, signersBitmap } from '../../../core/bls.js';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { encodedBlobLength, storageUnits } from '../../../core/encoding/config.js';
import {
  proofOfPossessionMessage,
  storageConfirmationMessage,
  type BlobPersistence,
} from '../../../core/messages.js';
import {
  ChainAbortError,
  ChainNetworkError,
  ChainRpcError,
  PACKAGE_ABORTS,
  SuiChain,
  executionError,
  memberWeight,
  parseEventCursor,
  registerCost,
  shardOwners,
  TimedJsonRpcTransport,
  type ChainBlob,
  type ChainEvent,
  type ObjectRef,
  type SystemState,
} from '../../../core/chain/index.js';
import { randomBytes } from '../../helpers/random.js';
import { compatibilityDate } from '../../helpers/wrangler.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const MAIN = join(ROOT, 'dist/devnet/ledger/main.js');
const PACKAGE_INDEX = join(ROOT, 'dist/devnet/package/index.js');
const START_TIMEOUT_MS = 20_000;
const PACKAGE_ID = '0x26039ddf44c182957c6b1955d8df6156565385d183ed69a89243dd2a63f51e9f';
const N_SHARDS = 10;
/** 3 + 3 + 2 + 2 = 10 shards; quorum needs 3w >= 21, so weight 7. */
const SHARD_COUNTS = [3, 3, 2, 2];
const STORAGE_PRICE = 1_000n;
const WRITE_PRICE = 2_000n;

// ---- The ledger child process ----

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly systemId: string;
}

const children = new Set<ChildProcess>();

function start(dataDir: string, installer: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [MAIN, '--port', '0', '--data-dir', dataDir, '--package', installer],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ledger did not start: ${err}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const url = /ledger listening on (http:\/\/\S+)/.exec(out);
      const system = /walrus-edge system (0x[0-9a-f]{64})/.exec(out);
      if (url && system) {
        clearTimeout(timer);
        resolveStart({ child, url: url[1], systemId: system[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ledger exited with ${code}: ${err}`));
    });
  });
}

function stop(running: Running): Promise<void> {
  return new Promise((resolveStop) => {
    children.delete(running.child);
    if (running.child.exitCode !== null) return resolveStop();
    running.child.once('exit', () => resolveStop());
    running.child.kill('SIGTERM');
  });
}

/** `--package` module: registers our package (admin gets the AdminCap) and prints the System. */
function writeInstaller(dir: string, admin: string): string {
  const path = join(dir, 'install-walrus-edge.mjs');
  const system = { nShards: N_SHARDS, epochDurationMs: 3_600_000, maxEpochsAhead: 20 };
  writeFileSync(
    path,
    `import { walrusEdgePackage, findSystemId } from ${JSON.stringify(pathToFileURL(PACKAGE_INDEX).href)};\n` +
      `export default (ledger) => {\n` +
      `  ledger.registerPackage(walrusEdgePackage({ admin: ${JSON.stringify(admin)}, system: {\n` +
      `    ...${JSON.stringify(system)}, storagePrice: ${STORAGE_PRICE}n, writePrice: ${WRITE_PRICE}n } }));\n` +
      `  process.stdout.write('walrus-edge system ' + findSystemId(ledger) + '\\n');\n` +
      `};\n`,
  );
  return path;
}

// ---- Actors ----

function keypair(seed: number): Ed25519Keypair {
  return Ed25519Keypair.fromSecretKey(randomBytes(32, seed));
}

interface StorageNode {
  readonly keypair: Ed25519Keypair;
  readonly blsSecret: Uint8Array;
  readonly blsKey: Uint8Array;
  cap?: ObjectRef;
  nodeId?: string;
}

function blsSecret(i: number): Uint8Array {
  const secret = new Uint8Array(32);
  secret[0] = 0x11;
  secret[31] = i + 1;
  return secret;
}

const admin = keypair(1);
const client = keypair(2);
const nodes: StorageNode[] = SHARD_COUNTS.map((_, i) => {
  const secret = blsSecret(i);
  return { keypair: keypair(100 + i), blsSecret: secret, blsKey: blsPublicKey(secret) };
});

/** A certificate from the members at `signers` (indices in `system.members`). */
function certificate(system: SystemState, signers: readonly number[], message: Uint8Array) {
  const byKey = new Map(nodes.map((n) => [n.nodeId!, n]));
  const signatures = signers.map((i) =>
    blsSign(byKey.get(system.members[i].nodeId)!.blsSecret, message),
  );
  return {
    signature: blsAggregateSignatures(signatures),
    signersBitmap: signersBitmap(signers, system.members.length),
    message,
  };
}

function blobInput(seed: number, size: number, deletable: boolean) {
  const encoded = encodeBlob(randomBytes(size, seed), N_SHARDS);
  return { size, blobId: encoded.blobId, rootHash: encoded.rootHash, deletable };
}

function confirmation(system: SystemState, blob: ChainBlob): Uint8Array {
  const persistence: BlobPersistence = blob.deletable
    ? { kind: 'deletable', objectId: fromHex(blob.objectId) }
    : { kind: 'permanent' };
  return storageConfirmationMessage(system.epoch, blob.blobId, persistence);
}

async function expectAbort(
  promise: Promise<unknown>,
  module: string,
  abortName: string,
): Promise<ChainAbortError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChainAbortError);
  const abort = error as ChainAbortError;
  expect({ module: abort.module, abortName: abort.abortName, address: abort.address }).toEqual({
    module,
    abortName,
    address: PACKAGE_ID,
  });
  const code = Object.entries(PACKAGE_ABORTS[module]).find(([, name]) => name === abortName)![0];
  expect(abort.code).toBe(Number(code));
  expect(abort.digest).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
  return abort;
}

// ---- Pure parts: no ledger ----

describe('chain adapter: abort table, failure texts, transport', () => {
  it('has every abort code of move/sources', () => {
    const dir = join(ROOT, 'move/sources');
    const fromSources: Record<string, Record<number, string>> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.move'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const codes: Record<number, string> = {};
      for (const m of text.matchAll(/^const (E[A-Za-z]+): u64 = (\d+);/gm))
        codes[Number(m[2])] = m[1];
      if (Object.keys(codes).length > 0) fromSources[file.replace(/\.move$/, '')] = codes;
    }
    expect(PACKAGE_ABORTS).toEqual(fromSources);
  });

  it('parses Sui MoveAbort texts into module, code and name', () => {
    const text =
      'MoveAbort(MoveLocation { module: ModuleId { address: 26039ddf44c182957c6b1955d8df6156565385d183ed69a89243dd2a63f51e9f, ' +
      'name: Identifier("system") }, function: 14, instruction: 37, function_name: Some("reserve_space") }, 4) in command 1';
    const error = executionError('9xDigest', text, [PACKAGE_ID]);
    expect(error).toBeInstanceOf(ChainAbortError);
    expect(error).toMatchObject({
      module: 'system',
      code: 4,
      abortName: 'EInsufficientPayment',
      functionName: 'reserve_space',
      command: 1,
    });
    const framework = executionError(
      'd',
      'MoveAbort(MoveLocation { module: ModuleId { address: 0000000000000000000000000000000000000000000000000000000000000002, name: Identifier("balance") }, function: 9, instruction: 5, function_name: Some("destroy_zero") }, 0) in command 3',
      [PACKAGE_ID],
    );
    expect(framework).toMatchObject({
      module: 'balance',
      abortName: 'ENonZero',
      address: `0x${'0'.repeat(63)}2`,
    });
    // Another package's abort keeps its code but gets no name from our table.
    const other = executionError('d', text.replace('26039ddf', '36039ddf'), [PACKAGE_ID]);
    expect(other).toMatchObject({ code: 4, abortName: undefined });
    const gas = executionError('d', 'InsufficientGas', [PACKAGE_ID]);
    expect(gas).not.toBeInstanceOf(ChainAbortError);
    expect(gas.status).toBe('InsufficientGas');
  });

  it('times out a request that gets no answer, and types RPC errors', async () => {
    const hanging = (_url: string, init: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init.signal!.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const slow = new TimedJsonRpcTransport({
      url: 'http://127.0.0.1:9',
      fetch: hanging,
      timeoutMs: 50,
    });
    const timedOut = await slow
      .request({ method: 'sui_getObject', params: [] })
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(ChainNetworkError);
    expect((timedOut as ChainNetworkError).timedOut).toBe(true);

    const refusing = new TimedJsonRpcTransport({
      url: 'http://x',
      fetch: async () =>
        Response.json({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } }),
    });
    const rpc = await refusing.request({ method: 'm', params: [] }).catch((e: unknown) => e);
    expect(rpc).toBeInstanceOf(ChainRpcError);
    expect((rpc as ChainRpcError).code).toBe(-32602);

    const huge = new TimedJsonRpcTransport({
      url: 'http://x',
      fetch: async () => new Response('{}', { headers: { 'content-length': String(1 << 30) } }),
    });
    await expect(huge.request({ method: 'm', params: [] })).rejects.toBeInstanceOf(
      ChainNetworkError,
    );

    const caller = new AbortController();
    caller.abort(new Error('caller gave up'));
    await expect(slow.request({ method: 'm', params: [], signal: caller.signal })).rejects.toThrow(
      'caller gave up',
    );
  });

  it('sends a read again when its connection broke, never an execution', async () => {
    let calls = 0;
    const flaky = (failures: number) =>
      new TimedJsonRpcTransport({
        url: 'http://x',
        fetch: async () => {
          if (++calls <= failures) throw new Error('Network connection lost.');
          return Response.json({ jsonrpc: '2.0', id: 1, result: 'fine' });
        },
      });
    expect(await flaky(2).request({ method: 'sui_getObject', params: [] })).toBe('fine');
    expect(calls).toBe(3);
    calls = 0;
    await expect(flaky(3).request({ method: 'sui_getObject', params: [] })).rejects.toThrow(
      'Network connection lost.',
    );
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      flaky(1).request({ method: 'sui_executeTransactionBlock', params: [] }),
    ).rejects.toBeInstanceOf(ChainNetworkError);
    expect(calls).toBe(1);
  });

  it('round-trips event cursors and refuses malformed ones', () => {
    const digest = '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi';
    expect(parseEventCursor(`${digest}:7`)).toEqual({ txDigest: digest, eventSeq: '7' });
    for (const bad of ['', digest, `${digest}:`, `${digest}:-1`, `0OIl:1`, `${digest}:1e3`]) {
      expect(() => parseEventCursor(bad)).toThrow(TypeError);
    }
  });
});

// ---- Against the ledger ----

describe('chain adapter against the local ledger with walrus_edge', () => {
  let dir: string;
  let installer: string;
  let ledger: Running;
  let chain: SuiChain;
  let adminCap: ObjectRef;

  async function fund(address: string): Promise<void> {
    await requestSuiFromFaucetV2({ host: ledger.url, recipient: address });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chain-adapter-'));
    installer = writeInstaller(dir, admin.toSuiAddress());
    ledger = await start(join(dir, 'data'), installer);
    chain = new SuiChain({
      url: ledger.url,
      packageId: PACKAGE_ID,
      systemObjectId: ledger.systemId,
      timeoutMs: 20_000,
    });
    for (const address of [admin, client, ...nodes.map((n) => n.keypair)].map((k) =>
      k.toSuiAddress(),
    )) {
      await fund(address);
    }
    const caps = await chain.client.getOwnedObjects({
      owner: admin.toSuiAddress(),
      filter: { StructType: `${PACKAGE_ID}::system::AdminCap` },
    });
    const cap = caps.data[0].data!;
    adminCap = { objectId: cap.objectId, version: cap.version, digest: cap.digest };
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the epoch-0 System', async () => {
    const system = await chain.readSystem();
    expect(system).toMatchObject({
      objectId: ledger.systemId,
      epoch: 0,
      epochState: { kind: 'done', completedMs: 0 },
      nShards: N_SHARDS,
      members: [],
      nextShards: null,
      storagePricePerUnitMist: STORAGE_PRICE,
      writePricePerUnitMist: WRITE_PRICE,
      usedCapacityBytes: 0n,
      maxEpochsAhead: 20,
    });
    expect(shardOwners(system)).toEqual([]);
    // Cached: the same object until it ages out or a fresh read is asked for.
    expect(await chain.readSystem()).toBe(system);
    expect(await chain.readSystem({ fresh: true })).not.toBe(system);
  });

  it('registers nodes, selects a committee and completes the epoch change', async () => {
    for (const [i, node] of nodes.entries()) {
      const sender = node.keypair.toSuiAddress();
      const pop = blsSign(
        node.blsSecret,
        proofOfPossessionMessage(0, fromHex(sender), node.blsKey),
      );
      const { nodeCap } = await chain.registerNode(
        {
          name: `node-${i}`,
          networkAddress: `http://127.0.0.1:${7000 + i}`,
          blsPublicKey: node.blsKey,
          networkPublicKey: randomBytes(33, 200 + i),
          proofOfPossession: pop,
        },
        node.keypair,
      );
      node.cap = nodeCap;
      node.nodeId = nodeCap.objectId;
      expect((await chain.readNode(node.nodeId)).blsPublicKey).toEqual(node.blsKey);
    }
    // A PoP for another sender is refused.
    const thief = nodes[0];
    const stolen = blsSign(
      thief.blsSecret,
      proofOfPossessionMessage(0, fromHex(admin.toSuiAddress()), thief.blsKey),
    );
    await expectAbort(
      chain.registerNode(
        {
          name: 'x',
          networkAddress: 'http://x',
          blsPublicKey: thief.blsKey,
          networkPublicKey: new Uint8Array(33),
          proofOfPossession: stolen,
        },
        client,
      ),
      'nodes',
      'EInvalidProofOfPossession',
    );

    const selected = await chain.setNextCommittee(
      adminCap,
      nodes.map((n, i) => ({ nodeId: n.nodeId!, shardCount: SHARD_COUNTS[i] })),
      admin,
    );
    adminCap = selected.ref;
    await chain.advanceEpoch(client);
    let system = await chain.readSystem({ fresh: true });
    expect(system.epoch).toBe(1);
    expect(system.epochState).toEqual({ kind: 'sync', syncedWeight: 0 });
    for (const node of nodes) {
      const { ref } = await chain.epochSyncDone(node.cap!, 1, node.keypair);
      node.cap = ref;
    }
    system = await chain.readSystem({ fresh: true });
    expect(system.epochState.kind).toBe('done');

    // Members come in node-id order with the registered names, URLs and keys.
    const sorted = [...nodes].sort((a, b) => (BigInt(a.nodeId!) < BigInt(b.nodeId!) ? -1 : 1));
    expect(system.members.map((m) => m.nodeId)).toEqual(sorted.map((n) => n.nodeId));
    for (const member of system.members) {
      const i = nodes.findIndex((n) => n.nodeId === member.nodeId);
      expect(member).toMatchObject({
        name: `node-${i}`,
        networkAddress: `http://127.0.0.1:${7000 + i}`,
        weight: SHARD_COUNTS[i],
      });
      expect(member.blsPublicKey).toEqual(nodes[i].blsKey);
      expect(memberWeight(system, member.nodeId)).toBe(SHARD_COUNTS[i]);
    }
    // The first committee gets shards 0..n-1 sequentially in node-id order.
    const owners = shardOwners(system);
    expect(owners.map((m) => m.index)).toEqual(
      system.members.flatMap((m) => m.shards.map(() => m.index)),
    );
    expect(owners.flatMap((m, shard) => (m.shards.includes(shard) ? [] : [shard]))).toEqual([]);
  });

  let permanent: ChainBlob;
  let deletable: ChainBlob;

  it('reserves and registers in one PTB at the Move price', async () => {
    const system = await chain.readSystem({ fresh: true });
    const input = blobInput(11, 5_000, false);
    const before = BigInt(
      (await chain.client.getBalance({ owner: client.toSuiAddress() })).totalBalance,
    );
    const result = await chain.reserveAndRegister({ ...input, epochs: 3 }, client);
    const units = BigInt(storageUnits(5_000, N_SHARDS));
    expect(result.cost).toEqual({
      encodedLength: BigInt(encodedBlobLength(5_000, N_SHARDS)),
      storageMist: units * STORAGE_PRICE * 3n,
      writeMist: units * WRITE_PRICE,
      totalMist: units * (STORAGE_PRICE * 3n + WRITE_PRICE),
    });
    const after = BigInt(
      (await chain.client.getBalance({ owner: client.toSuiAddress() })).totalBalance,
    );
    expect(before - after).toBe(result.cost.totalMist + result.gasUsedMist);
    permanent = result.blob;
    expect(permanent).toMatchObject({
      registeredEpoch: system.epoch,
      size: 5_000,
      encodingType: 1,
      certifiedEpoch: null,
      deletable: false,
      owner: client.toSuiAddress(),
      storage: { startEpoch: 1, endEpoch: 4, storageSize: result.cost.encodedLength },
    });
    expect(permanent.blobId).toEqual(input.blobId);
    expect(result.events).toMatchObject([
      {
        kind: 'BlobRegistered',
        epoch: 1,
        size: 5_000,
        endEpoch: 4,
        deletable: false,
        objectId: permanent.objectId,
      },
    ]);
    expect(await chain.readBlob(permanent.objectId)).toEqual(permanent);
    const storage = await chain.readSystem({ fresh: true });
    expect(storage.usedCapacityBytes).toBe(result.cost.encodedLength);
  });

  it('certifies with a quorum certificate and refuses a second certification', async () => {
    const system = await chain.readSystem();
    const cert = certificate(
      system,
      system.members.map((m) => m.index),
      confirmation(system, permanent),
    );
    const certified = await chain.certifyBlob(permanent, cert, client);
    expect(certified.events).toMatchObject([
      { kind: 'BlobCertified', epoch: 1, isExtension: false, objectId: permanent.objectId },
    ]);
    permanent = await chain.readBlob(permanent.objectId);
    expect(permanent.certifiedEpoch).toBe(1);
    expect(permanent.ref).toEqual(certified.ref);
    await expectAbort(chain.certifyBlob(permanent, cert, client), 'blob', 'EAlreadyCertified');
    permanent = await chain.readBlob(permanent.objectId); // the failed transaction re-versioned it
  });

  it('refuses a certificate with too little weight, then certifies a deletable blob', async () => {
    const system = await chain.readSystem();
    deletable = (
      await chain.reserveAndRegister({ ...blobInput(12, 70_000, true), epochs: 2 }, client)
    ).blob;
    const message = confirmation(system, deletable);
    // The two lightest members hold 4 of 10 shards; a quorum needs 7.
    const light = [...system.members]
      .sort((a, b) => a.weight - b.weight)
      .slice(0, 2)
      .map((m) => m.index);
    await expectAbort(
      chain.certifyBlob(deletable.objectId, certificate(system, light, message), client),
      'bls_aggregate',
      'ENotEnoughStake',
    );
    // A permanent message does not certify a deletable blob.
    const all = system.members.map((m) => m.index);
    const wrongKind = storageConfirmationMessage(system.epoch, deletable.blobId, {
      kind: 'permanent',
    });
    await expectAbort(
      chain.certifyBlob(deletable.objectId, certificate(system, all, wrongKind), client),
      'blob',
      'EInvalidBlobPersistenceType',
    );
    const heavy = [...system.members]
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 3)
      .map((m) => m.index);
    await chain.certifyBlob(deletable.objectId, certificate(system, heavy, message), client);
    deletable = await chain.readBlob(deletable.objectId);
    expect(deletable.certifiedEpoch).toBe(1);
  });

  it('extends a certified blob at the storage price', async () => {
    const extended = await chain.extendBlob(permanent, 2, client);
    const units = BigInt(storageUnits(5_000, N_SHARDS));
    expect(extended.costMist).toBe(units * STORAGE_PRICE * 2n);
    expect(extended.endEpoch).toBe(6);
    expect(extended.events).toMatchObject([
      { kind: 'BlobCertified', epoch: 1, endEpoch: 6, isExtension: true },
    ]);
    permanent = await chain.readBlob(permanent.objectId);
    expect(permanent.storage.endEpoch).toBe(6);
    expect(permanent.ref).toEqual(extended.ref);
  });

  it("sets and reads a Blob object's attributes (by-object-id headers)", async () => {
    expect([...(await chain.readBlobAttributes(permanent.objectId))]).toEqual([]);
    await chain.setBlobAttributes(
      permanent,
      { 'content-type': 'image/png', 'content-disposition': 'inline; filename="a.png"' },
      client,
    );
    await chain.setBlobAttributes(permanent.objectId, { 'content-type': 'image/webp' }, client);
    // Insertion order kept; an update replaces the value in place.
    expect([...(await chain.readBlobAttributes(permanent.objectId))]).toEqual([
      ['content-type', 'image/webp'],
      ['content-disposition', 'inline; filename="a.png"'],
    ]);
    permanent = await chain.readBlob(permanent.objectId);
  });

  it('deletes only deletable blobs and hands the storage back for reuse', async () => {
    await expectAbort(chain.deleteBlob(permanent.objectId, client), 'blob', 'EBlobNotDeletable');
    permanent = await chain.readBlob(permanent.objectId); // the failed transaction re-versioned it
    const deleted = await chain.deleteBlob(deletable.objectId, client);
    expect(deleted.events).toMatchObject([
      {
        kind: 'BlobDeleted',
        epoch: 1,
        endEpoch: 3,
        wasCertified: true,
        objectId: deletable.objectId,
      },
    ]);
    const storage = await chain.readStorage(deleted.storage.objectId);
    expect(storage).toMatchObject({
      startEpoch: 1,
      endEpoch: 3,
      storageSize: deletable.storage.storageSize,
    });
    const reused = await chain.registerWithStorage(blobInput(13, 1_000, true), storage.ref, client);
    expect(reused.blob.storage.objectId).toBe(storage.objectId);
    expect(reused.cost.storageMist).toBe(0n);
    const owned = await chain.ownedBlobs(client.toSuiAddress());
    expect(owned.data.map((b) => b.objectId).sort()).toEqual(
      [permanent.objectId, reused.blob.objectId].sort(),
    );
  });

  it('surfaces a payment short of a raised price as EInsufficientPayment', async () => {
    const stale = await chain.readSystem({ fresh: true });
    adminCap = (await chain.setPrices(adminCap, STORAGE_PRICE * 10n, WRITE_PRICE, admin)).ref;
    const input = { ...blobInput(14, 2_000, false), epochs: 1 };
    await expectAbort(
      chain.reserveAndRegister(input, client, { system: stale }),
      'system',
      'EInsufficientPayment',
    );
    const fresh = await chain.readSystem({ fresh: true });
    expect(fresh.storagePricePerUnitMist).toBe(STORAGE_PRICE * 10n);
    const ok = await chain.reserveAndRegister(input, client);
    expect(ok.cost).toEqual(registerCost(fresh, { size: 2_000, epochs: 1 }));
  });

  let allEvents: ChainEvent[];

  it('pages events in order and resumes from any cursor', async () => {
    allEvents = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await chain.events(cursor, 3);
      expect(page.events.length).toBeLessThanOrEqual(3);
      allEvents.push(...page.events);
      cursor = page.nextCursor;
      if (!page.hasNextPage) break;
    }
    expect(allEvents.map((e) => e.kind)).toEqual([
      'EpochParametersSelected',
      'EpochChangeStart',
      'ShardsReceived',
      'ShardsReceived',
      'ShardsReceived', // quorum (7 of 10) is reached with the third report...
      'EpochChangeDone',
      'ShardsReceived', // ...and the fourth node still reports
      'BlobRegistered',
      'BlobCertified',
      'BlobRegistered',
      'BlobCertified',
      'BlobCertified',
      'BlobDeleted',
      'BlobRegistered',
      'BlobRegistered',
    ]);
    expect(allEvents[1]).toMatchObject({ kind: 'EpochChangeStart', epoch: 1 });
    const received = allEvents
      .filter((e) => e.kind === 'ShardsReceived')
      .flatMap((e) => (e.kind === 'ShardsReceived' ? e.shards : []));
    expect([...received].sort((a, b) => a - b)).toEqual([...Array(N_SHARDS).keys()]);
    // Resuming in the middle gives exactly the rest; at the end, nothing and the same cursor.
    const middle = allEvents[6];
    const rest = await chain.events(middle.cursor, 50);
    expect(rest.events).toEqual(allEvents.slice(7));
    const end = await chain.events(allEvents.at(-1)!.cursor);
    expect(end).toEqual({ events: [], nextCursor: allEvents.at(-1)!.cursor, hasNextPage: false });
  });

  it('follows events until aborted', async () => {
    const controller = new AbortController();
    const seen: ChainEvent[] = [];
    const last = await chain.followEvents(
      allEvents[9].cursor,
      (event) => {
        seen.push(event);
        if (seen.length === allEvents.length - 10) controller.abort();
      },
      { pollMs: 20, pageSize: 2, signal: controller.signal },
    );
    expect(seen).toEqual(allEvents.slice(10));
    expect(last).toBe(allEvents.at(-1)!.cursor);
  });

  it('serves the same state and events after a ledger restart', async () => {
    const system = await chain.readSystem({ fresh: true });
    await stop(ledger);
    ledger = await start(join(dir, 'data'), installer);
    const again = new SuiChain({
      url: ledger.url,
      packageId: PACKAGE_ID,
      systemObjectId: ledger.systemId,
    });
    expect(ledger.systemId).toBe(system.objectId);
    expect(await again.readSystem()).toEqual(system);
    expect(await again.readBlob(permanent.objectId)).toEqual(permanent);
    expect((await again.events(null, 50)).events).toEqual(allEvents);
    expect((await again.events(allEvents[4].cursor, 50)).events).toEqual(allEvents.slice(5));
    // And it keeps working: a new registration appends after the old events.
    const more = await again.reserveAndRegister(
      { ...blobInput(15, 100, false), epochs: 1 },
      client,
    );
    const tail = await again.events(allEvents.at(-1)!.cursor);
    expect(tail.events).toMatchObject([{ kind: 'BlobRegistered', objectId: more.blob.objectId }]);
    allEvents.push(...tail.events);
    chain = again;
  });

  it('runs inside workerd: reads, signs and executes over fetch alone', async () => {
    // The worker bundles core/chain for the browser/workerd conditions: a Node built-in would fail
    // the bundle or the load. It gets the blob's IDs from here (encoding needs wasm from bytes).
    const entry = `
      import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
      import { fromHex } from '@mysten/sui/utils';
      import { SuiChain } from './core/chain/index.js';
      export default {
        async fetch(request) {
          const input = await request.json();
          const chain = new SuiChain({ url: input.url, packageId: input.packageId, systemObjectId: input.systemId });
          const system = await chain.readSystem();
          const signer = Ed25519Keypair.fromSecretKey(input.secret);
          const result = await chain.reserveAndRegister(
            { size: input.size, epochs: 2, blobId: fromHex(input.blobId), rootHash: fromHex(input.rootHash), deletable: false },
            signer,
          );
          const page = await chain.events(input.cursor, 10);
          return Response.json({
            epoch: system.epoch,
            members: system.members.length,
            objectId: result.blob.objectId,
            totalMist: String(result.cost.totalMist),
            events: page.events.map((e) => e.kind + ':' + ('objectId' in e ? e.objectId : '')),
          });
        },
      };`;
    const bundled = await build({
      stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'chain-worker.js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      write: false,
      logLevel: 'silent',
    });
    const worker = new Miniflare({
      modules: true,
      script: bundled.outputFiles[0].text,
      compatibilityDate: compatibilityDate(),
    });
    try {
      const input = blobInput(16, 3_000, false);
      const cursor = allEvents.at(-1)!.cursor;
      const response = await worker.dispatchFetch('http://worker/', {
        method: 'POST',
        body: JSON.stringify({
          url: ledger.url,
          packageId: PACKAGE_ID,
          systemId: ledger.systemId,
          secret: client.getSecretKey(),
          size: input.size,
          blobId: toHex(input.blobId),
          rootHash: toHex(input.rootHash),
          cursor,
        }),
      });
      const body = (await response.json()) as {
        epoch: number;
        members: number;
        objectId: string;
        totalMist: string;
        events: string[];
      };
      const system = await chain.readSystem({ fresh: true });
      expect(body).toMatchObject({
        epoch: 1,
        members: SHARD_COUNTS.length,
        events: [`BlobRegistered:${body.objectId}`],
      });
      expect(BigInt(body.totalMist)).toBe(
        registerCost(system, { size: 3_000, epochs: 2 }).totalMist,
      );
      const blob = await chain.readBlob(body.objectId);
      expect(blob.blobId).toEqual(input.blobId);
    } finally {
      await worker.dispose();
    }
  });

  // Last: its registrations would change the event history the tests above compare.
  it('two adapters spending one key at once (two isolates): a coin the other spent is picked again', async () => {
    const twin = new Ed25519Keypair();
    await fund(twin.toSuiAddress());
    const other = new SuiChain({
      url: ledger.url,
      packageId: PACKAGE_ID,
      systemObjectId: ledger.systemId,
      timeoutMs: 20_000,
    });
    // Each adapter runs its own transactions one at a time; the two together race for the coin.
    const results = await Promise.allSettled(
      [0, 1, 2, 3].map((i) =>
        (i % 2 === 0 ? chain : other).reserveAndRegister(
          { ...blobInput(40 + i, 1_000, false), epochs: 1 },
          twin,
        ),
      ),
    );
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
  });
});
