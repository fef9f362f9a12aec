/**
 * walrus_edge on the ledger, part 3: the devnet entry (`devnet/ledger-main.ts startDevnet`),
 * publishing without a System (InitCap → `create_system` with its aborts), the epoch timer that
 * calls the permissionless `advance_epoch` once it is due, a restart on the same data dir, and
 * Sui's refusals for functions a PTB cannot call (package-only, reference-returning).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bcs } from '@mysten/sui/bcs';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { encodedBlobLength } from '../../../core/encoding/config.js';
import { startDevnet, type Devnet } from '../../../devnet/ledger-main.js';
import { advanceEpochIfDue, readSystem } from '../../../devnet/package/index.js';
import {
  abortPattern,
  createdIds,
  Decode,
  eventsOf,
  fund,
  newTestNode,
  objectBcs,
  PKG,
  proofOfPossession,
  readSystemBcs,
  run,
  statusOf,
} from '../../../devnet/package/testing.js';

const EPOCH_MS = 30_000;

describe('walrus_edge devnet: publish, create_system, epoch timer, restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'walrus-edge-devnet-'));
  const admin = new Ed25519Keypair();
  const clock = { nowMs: 1_800_000_000_000 };
  let devnet: Devnet;
  let client: SuiJsonRpcClient;
  let systemId = '';
  let adminCapId = '';
  const node = newTestNode('solo');

  beforeAll(async () => {
    devnet = await startDevnet({
      admin: admin.toSuiAddress(),
      dataDir,
      port: 0,
      system: null,
      now: () => clock.nowMs,
      log: (message) => console.error(message),
    });
    client = new SuiJsonRpcClient({ url: devnet.url, network: 'localnet' });
    await fund(devnet.url, admin);
    await fund(devnet.url, node.operator);
  });

  afterAll(async () => {
    await devnet?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function createSystem(initCapId: string, args: [number, number, number, bigint, bigint, bigint]) {
    return run(client, admin, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::create_system`,
        arguments: [
          tx.object(initCapId),
          tx.pure.u16(args[0]),
          tx.pure.u64(args[1]),
          tx.pure.u32(args[2]),
          tx.pure.u64(args[3]),
          tx.pure.u64(args[4]),
          tx.pure.u64(args[5]),
        ],
      });
    });
  }

  it('publishes without a System: the admin holds the InitCap and calls create_system', async () => {
    expect(devnet.packageId).toBe(PKG);
    expect(devnet.systemId()).toBeUndefined();
    const owned = await client.getOwnedObjects({
      owner: admin.toSuiAddress(),
      filter: { StructType: `${PKG}::system::InitCap` },
    });
    expect(owned.data).toHaveLength(1);
    const initCapId = owned.data[0].data!.objectId;
    expect(Decode.InitCap.parse(await objectBcs(client, initCapId)).id.id).toBe(initCapId);

    expect(statusOf(await createSystem(initCapId, [3, EPOCH_MS, 10, 1n << 30n, 1n, 1n]))).toMatch(
      abortPattern('system', 12, 'create_system'),
    );
    expect(statusOf(await createSystem(initCapId, [4, EPOCH_MS, 0, 1n << 30n, 1n, 1n]))).toMatch(
      abortPattern('system', 13, 'create_system'),
    );
    expect(statusOf(await createSystem(initCapId, [4, EPOCH_MS, 1001, 1n << 30n, 1n, 1n]))).toMatch(
      abortPattern('system', 13, 'create_system'),
    );
    expect(statusOf(await createSystem(initCapId, [4, 0, 10, 1n << 30n, 1n, 1n]))).toMatch(
      abortPattern('system', 14, 'create_system'),
    );

    const created = await createSystem(initCapId, [4, EPOCH_MS, 10, 1n << 30n, 7n, 9n]);
    expect(statusOf(created)).toBe('success');
    [systemId] = createdIds(created, 'system::System');
    [adminCapId] = createdIds(created, 'system::AdminCap');
    expect(devnet.systemId()).toBe(systemId);
    expect(created.effects!.deleted?.map((ref) => ref.objectId)).toEqual([initCapId]);
    const cap = await client.getObject({ id: adminCapId, options: { showOwner: true } });
    expect(cap.data!.owner).toEqual({ AddressOwner: admin.toSuiAddress() });
    const system = await readSystemBcs(client, systemId);
    expect(system).toMatchObject({
      version: '1',
      n_shards: 4,
      epoch_duration_ms: String(EPOCH_MS),
      max_epochs_ahead: 10,
      storage_price: '7',
      write_price: '9',
    });
    expect(system.accounting).toHaveLength(10);
  });

  it('the epoch timer advances epochs only when advance_epoch is due', async () => {
    const ledger = devnet.ledger;
    const tick = (ms: number) => {
      clock.nowMs += ms;
      ledger.tick();
    };
    tick(1000);
    expect(readSystem(ledger, systemId).committee.epoch).toBe(0); // nothing selected: no call

    const registered = await run(client, node.operator, (tx) => {
      const [cap] = tx.moveCall({
        target: `${PKG}::system::register_node`,
        arguments: [
          tx.object(systemId),
          tx.pure.string(node.name),
          tx.pure.string('solo.walrus.test:9185'),
          tx.pure.vector('u8', node.blsPublic),
          tx.pure.vector('u8', node.networkPublicKey),
          tx.pure.vector('u8', proofOfPossession(node, 0)),
        ],
      });
      tx.transferObjects([cap], node.operator.toSuiAddress());
    });
    expect(statusOf(registered)).toBe('success');
    [node.nodeId] = createdIds(registered, 'nodes::NodeCap');
    const select = () =>
      run(client, admin, (tx) => {
        tx.moveCall({
          target: `${PKG}::system::set_next_committee`,
          arguments: [
            tx.object(systemId),
            tx.object(adminCapId),
            tx.pure.vector('address', [node.nodeId]),
            tx.pure.vector('u16', [4]),
          ],
        });
      });
    expect(statusOf(await select())).toBe('success');

    // Epoch 0 → 1 is due at once.
    tick(1000);
    expect(readSystem(ledger, systemId).committee.epoch).toBe(1);
    const starts = await eventsOf(client, 'EpochChangeStart');
    expect(starts.map((e) => e.parsedJson)).toEqual([{ epoch: 1 }]);
    expect(starts[0].sender).toBe(normalizeSuiAddress('0x0'));

    const synced = await run(client, node.operator, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::epoch_sync_done`,
        arguments: [tx.object(systemId), tx.object(node.nodeId), tx.pure.u32(1), tx.object.clock()],
      });
    });
    expect(synced.events!.map((e) => e.type)).toEqual([
      `${PKG}::events::ShardsReceived`,
      `${PKG}::events::EpochChangeDone`,
    ]);
    const doneAt = clock.nowMs;
    expect(statusOf(await select())).toBe('success');
    const transactions = ledger.state.txOrder.length;
    tick(EPOCH_MS - 1000);
    expect(readSystem(ledger, systemId).committee.epoch).toBe(1);
    expect(advanceEpochIfDue(ledger, systemId)).toBeUndefined();
    expect(ledger.state.txOrder.length).toBe(transactions); // no failing calls recorded
    tick(1000);
    expect(clock.nowMs).toBe(doneAt + EPOCH_MS);
    expect(readSystem(ledger, systemId).committee.epoch).toBe(2);
    expect(readSystem(ledger, systemId).epoch_state).toMatchObject({ Sync: 0 });
  });

  it('refuses calls Sui refuses: package-only and reference-returning functions', async () => {
    const inspect = async (build: (tx: Transaction) => void) => {
      const tx = new Transaction();
      build(tx);
      const result = await client.devInspectTransactionBlock({
        sender: admin.toSuiAddress(),
        transactionBlock: tx,
      });
      return result;
    };
    const internal = await inspect((tx) =>
      tx.moveCall({ target: `${PKG}::bls_aggregate::empty_committee` }),
    );
    expect(internal.effects.status.error).toMatch(/^NonEntryFunctionInvoked/);
    const reference = await inspect((tx) =>
      tx.moveCall({ target: `${PKG}::system::committee`, arguments: [tx.object(systemId)] }),
    );
    expect(reference.effects.status.error).toMatch(/^InvalidPublicFunctionReturnType \{ idx: 0 \}/);

    const values = await inspect((tx) => {
      tx.moveCall({ target: `${PKG}::system::epoch`, arguments: [tx.object(systemId)] });
      tx.moveCall({
        target: `${PKG}::system::committee_members`,
        arguments: [tx.object(systemId)],
      });
      for (const [size, n] of [
        [0, 4],
        [1000, 10],
        [123_456, 1000],
      ]) {
        tx.moveCall({
          target: `${PKG}::encoding::encoded_blob_length`,
          arguments: [tx.pure.u64(size), tx.pure.u8(1), tx.pure.u16(n)],
        });
      }
    });
    expect(values.effects.status.status).toBe('success');
    const returned = values.results!.map((r) => Uint8Array.from(r.returnValues![0][0]));
    expect(bcs.u32().parse(returned[0])).toBe(2);
    expect(
      bcs
        .struct('VecMap', {
          contents: bcs.vector(bcs.struct('Entry', { key: bcs.Address, value: bcs.u16() })),
        })
        .parse(returned[1]),
    ).toEqual({ contents: [{ key: node.nodeId, value: 4 }] });
    expect(returned.slice(2).map((bytes) => bcs.u64().parse(bytes))).toEqual(
      [
        [0, 4],
        [1000, 10],
        [123_456, 1000],
      ].map(([size, n]) => String(encodedBlobLength(size, n))),
    );
    const tooLarge = await inspect((tx) =>
      tx.moveCall({
        target: `${PKG}::encoding::encoded_blob_length`,
        arguments: [tx.pure.u64(10n ** 18n), tx.pure.u8(1), tx.pure.u16(4)],
      }),
    );
    expect(tooLarge.effects.status.error).toMatch(abortPattern('encoding', 2, 'symbol_size'));
    const noShards = await inspect((tx) =>
      tx.moveCall({
        target: `${PKG}::encoding::encoded_blob_length`,
        arguments: [tx.pure.u64(1), tx.pure.u8(1), tx.pure.u16(0)],
      }),
    );
    expect(noShards.effects.status.error).toMatch(
      abortPattern('encoding', 1, 'encoded_blob_length'),
    );
  });

  it('keeps its state across a restart of the same data dir (genesis runs once)', async () => {
    await devnet.close();
    devnet = await startDevnet({
      admin: new Ed25519Keypair().toSuiAddress(),
      dataDir,
      port: 0,
      now: () => clock.nowMs,
      log: (message) => console.error(message),
    });
    client = new SuiJsonRpcClient({ url: devnet.url, network: 'localnet' });
    // `system: undefined` would create a System on a fresh dir; this one already ran genesis.
    expect(devnet.systemId()).toBe(systemId);
    expect((await readSystemBcs(client, systemId)).committee.epoch).toBe(2);
    const caps = await client.getOwnedObjects({
      owner: admin.toSuiAddress(),
      filter: { StructType: `${PKG}::system::AdminCap` },
    });
    expect(caps.data.map((c) => c.data!.objectId)).toEqual([adminCapId]);
  });
});
