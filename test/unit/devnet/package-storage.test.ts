/**
 * walrus_edge on the ledger, part 1: the package ID and genesis (System + AdminCap as publish +
 * create_system leave them), `reserve_space` with its aborts and accounting, and the owner's
 * Storage operations (split by epoch/size, fuse periods/amount, destroy) with their aborts.
 * Driven over JSON-RPC by the stock SDK; objects are read back as BCS and decoded with layouts
 * written from move/README.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blake2b } from '@noble/hashes/blake2.js';
import { bcs } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { normalizeSuiAddress, toHex } from '@mysten/sui/utils';
import { WALRUS_EDGE_PACKAGE_ID, WALRUS_EDGE_PACKAGE_SEED } from '../../../devnet/package/index.js';
import {
  abortPattern,
  createdIds,
  Decode,
  fund,
  objectBcs,
  PKG,
  readSystemBcs,
  run,
  startHarness,
  statusOf,
  type Harness,
} from '../../../devnet/package/testing.js';

const MIB = 1_048_576n;
const STORAGE_PRICE = 1_000n;
const TOTAL_CAPACITY = 10n * MIB;
const MAX_EPOCHS_AHEAD = 5;

describe('walrus_edge package: genesis and storage resources', () => {
  let h: Harness;
  const user = new Ed25519Keypair();

  beforeAll(async () => {
    h = await startHarness({
      system: {
        nShards: 7,
        epochDurationMs: 60_000,
        maxEpochsAhead: MAX_EPOCHS_AHEAD,
        totalCapacity: TOTAL_CAPACITY,
        storagePrice: STORAGE_PRICE,
        writePrice: 3_000n,
      },
    });
    await fund(h.server.url, user, 2);
  });

  afterAll(async () => {
    await h?.close();
  });

  async function reserve(amount: bigint, epochs: number, pay?: bigint) {
    return run(h.client, user, (tx) => {
      const coin = pay === undefined ? tx.gas : tx.splitCoins(tx.gas, [pay])[0];
      const [storage] = tx.moveCall({
        target: `${PKG}::system::reserve_space`,
        arguments: [tx.object(h.systemId), tx.pure.u64(amount), tx.pure.u32(epochs), coin],
      });
      tx.transferObjects(pay === undefined ? [storage] : [storage, coin], user.toSuiAddress());
    });
  }

  async function storageOf(id: string) {
    return Decode.Storage.parse(await objectBcs(h.client, id));
  }

  it('has the documented package ID', () => {
    const derived = `0x${toHex(blake2b(new TextEncoder().encode(WALRUS_EDGE_PACKAGE_SEED), { dkLen: 32 }))}`;
    expect(WALRUS_EDGE_PACKAGE_ID).toBe(derived);
    expect(PKG).toBe(normalizeSuiAddress(PKG));
  });

  it('genesis shares the System in epoch 0 and sends the AdminCap to the admin', async () => {
    expect(h.systemId).toMatch(/^0x[0-9a-f]{64}$/);
    const object = await h.client.getObject({
      id: h.systemId,
      options: { showOwner: true, showType: true },
    });
    expect(object.data!.type).toBe(`${PKG}::system::System`);
    expect(object.data!.owner).toHaveProperty('Shared');

    const system = await readSystemBcs(h.client, h.systemId);
    expect(system.id.id).toBe(h.systemId);
    expect(system.version).toBe('1');
    expect(system.committee).toEqual({
      members: [],
      n_shards: 0,
      epoch: 0,
      total_aggregated_key: { bytes: [0xc0, ...new Array(47).fill(0)] },
    });
    expect(system.shards.pos0.contents).toEqual([]);
    expect(system.next_shards).toBeNull();
    expect(system.epoch_state.$kind).toBe('Done');
    expect(system.epoch_state.Done).toBe('0');
    expect(system.n_shards).toBe(7);
    expect(system.epoch_duration_ms).toBe('60000');
    expect(system.total_capacity).toBe(TOTAL_CAPACITY.toString());
    expect(system.used_capacity).toBe('0');
    expect(system.storage_price).toBe('1000');
    expect(system.write_price).toBe('3000');
    expect(system.max_epochs_ahead).toBe(MAX_EPOCHS_AHEAD);
    expect(system.accounting).toEqual(new Array(MAX_EPOCHS_AHEAD).fill({ used: '0', fees: '0' }));
    expect(system.nodes.size).toBe('0');

    const owned = await h.client.getOwnedObjects({
      owner: h.admin.toSuiAddress(),
      filter: { StructType: `${PKG}::system::AdminCap` },
    });
    expect(owned.data).toHaveLength(1);
    const capId = owned.data[0].data!.objectId;
    expect(Decode.AdminCap.parse(await objectBcs(h.client, capId)).id.id).toBe(capId);
  });

  it('reserve_space sells capacity for the covered epochs and charges units × price × epochs', async () => {
    const before = await readSystemBcs(h.client, h.systemId);
    const amount = 3n * MIB + 1n; // 4 units
    const result = await reserve(amount, 3);
    expect(statusOf(result)).toBe('success');
    const [storageId] = createdIds(result, 'storage_resource::Storage');
    const storage = await storageOf(storageId);
    expect(storage).toEqual({
      id: { id: storageId },
      start_epoch: 0,
      end_epoch: 3,
      storage_size: amount.toString(),
    });
    const after = await readSystemBcs(h.client, h.systemId);
    const price = 4n * STORAGE_PRICE;
    for (let i = 0; i < MAX_EPOCHS_AHEAD; i++) {
      const covered = i < 3;
      expect(BigInt(after.accounting[i].used)).toBe(
        BigInt(before.accounting[i].used) + (covered ? amount : 0n),
      );
      expect(BigInt(after.accounting[i].fees)).toBe(
        BigInt(before.accounting[i].fees) + (covered ? price : 0n),
      );
    }
    expect(after.used_capacity).toBe(after.accounting[0].used);
  });

  it('reserve_space takes exactly the price from a &mut coin and leaves the rest', async () => {
    const result = await reserve(MIB, 2, 10_000n);
    expect(statusOf(result)).toBe('success');
    const coins = createdIds(result, 'coin::Coin<0x2::sui::SUI>');
    expect(coins).toHaveLength(1);
    const coin = Decode.Coin.parse(await objectBcs(h.client, coins[0]));
    expect(coin.balance).toBe(String(10_000n - 2n * STORAGE_PRICE));
  });

  it('reserve_space aborts: epochs ahead, zero size, capacity, payment', async () => {
    expect(statusOf(await reserve(MIB, 0))).toMatch(abortPattern('system', 1, 'reserve_space'));
    expect(statusOf(await reserve(MIB, MAX_EPOCHS_AHEAD + 1))).toMatch(
      abortPattern('system', 1, 'reserve_space'),
    );
    expect(statusOf(await reserve(0n, 1))).toMatch(abortPattern('system', 2, 'reserve_space'));
    // Epoch 0 has 4 MiB + 1 + 1 MiB sold of 10 MiB; epoch 4 has nothing sold.
    expect(statusOf(await reserve(6n * MIB, 5))).toMatch(
      abortPattern('system', 3, 'sell_capacity'),
    );
    // Short payment: 2 units × 1000 × 2 epochs = 4000 > 3999, checked before any split.
    expect(statusOf(await reserve(2n * MIB, 2, 3_999n))).toMatch(
      abortPattern('system', 4, 'sell_capacity'),
    );
    expect(statusOf(await reserve(2n * MIB, 2, 4_000n))).toBe('success');
  });

  it('split_by_epoch and split_by_size, then fuse_periods, fuse_amount and fuse put them back', async () => {
    const reserved = await reserve(1000n, 4);
    const [id] = createdIds(reserved, 'storage_resource::Storage');

    const split = await run(h.client, user, (tx) => {
      const [later] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_epoch`,
        arguments: [tx.object(id), tx.pure.u32(2)],
      });
      const [smaller] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_size`,
        arguments: [later, tx.pure.u64(300)],
      });
      tx.transferObjects([later, smaller], user.toSuiAddress());
    });
    expect(statusOf(split)).toBe('success');
    const pieces = await Promise.all(
      createdIds(split, 'storage_resource::Storage').map((piece) => storageOf(piece)),
    );
    pieces.sort((a, b) => Number(a.storage_size) - Number(b.storage_size));
    // `later` kept 300 bytes; the piece split off it holds the other 700.
    const [later, smaller] = pieces;
    const laterId = later.id.id;
    const smallerId = smaller.id.id;
    expect(await storageOf(id)).toMatchObject({
      start_epoch: 0,
      end_epoch: 2,
      storage_size: '1000',
    });
    expect(later).toMatchObject({ start_epoch: 2, end_epoch: 4, storage_size: '300' });
    expect(smaller).toMatchObject({ start_epoch: 2, end_epoch: 4, storage_size: '700' });

    // fuse (same start) is fuse_amount; then fuse_periods appends [2, 4) to [0, 2).
    const fused = await run(h.client, user, (tx) => {
      tx.moveCall({
        target: `${PKG}::storage_resource::fuse`,
        arguments: [tx.object(laterId), tx.object(smallerId)],
      });
      tx.moveCall({
        target: `${PKG}::storage_resource::fuse_periods`,
        arguments: [tx.object(id), tx.object(laterId)],
      });
    });
    expect(statusOf(fused)).toBe('success');
    expect(await storageOf(id)).toEqual({
      id: { id },
      start_epoch: 0,
      end_epoch: 4,
      storage_size: '1000',
    });
    const deleted = fused.effects!.deleted!.map((ref) => ref.objectId).sort();
    expect(deleted).toEqual([laterId, smallerId].sort());

    // fuse_periods also prepends: [2, 4) then [0, 2) onto it.
    const again = await run(h.client, user, (tx) => {
      const [later] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_epoch`,
        arguments: [tx.object(id), tx.pure.u32(2)],
      });
      tx.moveCall({
        target: `${PKG}::storage_resource::fuse_periods`,
        arguments: [later, tx.object(id)],
      });
      tx.moveCall({
        target: `${PKG}::storage_resource::fuse_amount`,
        arguments: [
          later,
          tx.moveCall({
            target: `${PKG}::storage_resource::split_by_size`,
            arguments: [later, tx.pure.u64(600)],
          })[0],
        ],
      });
      tx.transferObjects([later], user.toSuiAddress());
    });
    expect(statusOf(again)).toBe('success');
    const [merged] = createdIds(again, 'storage_resource::Storage');
    expect(await storageOf(merged)).toMatchObject({
      start_epoch: 0,
      end_epoch: 4,
      storage_size: '1000',
    });
  });

  it('storage operations abort with storage_resource codes', async () => {
    const reserved = await reserve(1000n, 4);
    const [id] = createdIds(reserved, 'storage_resource::Storage');
    const other = await reserve(500n, 2);
    const [otherId] = createdIds(other, 'storage_resource::Storage');

    const splitAt = async (epoch: number) =>
      statusOf(
        await run(h.client, user, (tx) => {
          const [piece] = tx.moveCall({
            target: `${PKG}::storage_resource::split_by_epoch`,
            arguments: [tx.object(id), tx.pure.u32(epoch)],
          });
          tx.transferObjects([piece], user.toSuiAddress());
        }),
      );
    for (const epoch of [0, 4, 9]) {
      expect(await splitAt(epoch)).toMatch(abortPattern('storage_resource', 0, 'split_by_epoch'));
    }
    const splitSize = await run(h.client, user, (tx) => {
      const [piece] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_size`,
        arguments: [tx.object(id), tx.pure.u64(1001)],
      });
      tx.transferObjects([piece], user.toSuiAddress());
    });
    expect(statusOf(splitSize)).toMatch(abortPattern('storage_resource', 2, 'split_by_size'));

    const fuse = async (fn: string) =>
      statusOf(
        await run(h.client, user, (tx) => {
          tx.moveCall({
            target: `${PKG}::storage_resource::${fn}`,
            arguments: [tx.object(id), tx.object(otherId)],
          });
        }),
      );
    // Sizes differ (1000 vs 500): fuse_periods checks the amount first.
    expect(await fuse('fuse_periods')).toMatch(abortPattern('storage_resource', 2, 'fuse_periods'));
    // Same start, different end: fuse → fuse_amount → EIncompatibleEpochs.
    expect(await fuse('fuse')).toMatch(abortPattern('storage_resource', 1, 'fuse_amount'));
    expect(await fuse('fuse_amount')).toMatch(abortPattern('storage_resource', 1, 'fuse_amount'));

    // Equal sizes, neither adjacent: [0, 2) and [3, 4).
    const pieces = await run(h.client, user, (tx) => {
      const [tail] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_epoch`,
        arguments: [tx.object(id), tx.pure.u32(2)],
      });
      const [last] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_epoch`,
        arguments: [tail, tx.pure.u32(3)],
      });
      tx.moveCall({ target: `${PKG}::storage_resource::destroy`, arguments: [tail] });
      tx.transferObjects([last], user.toSuiAddress());
    });
    expect(statusOf(pieces)).toBe('success');
    const [lastId] = createdIds(pieces, 'storage_resource::Storage');
    expect(await storageOf(lastId)).toMatchObject({ start_epoch: 3, end_epoch: 4 });
    const notAdjacent = await run(h.client, user, (tx) => {
      tx.moveCall({
        target: `${PKG}::storage_resource::fuse_periods`,
        arguments: [tx.object(id), tx.object(lastId)],
      });
    });
    expect(statusOf(notAdjacent)).toMatch(abortPattern('storage_resource', 1, 'fuse_periods'));
  });

  it('destroy deletes a reservation without returning capacity', async () => {
    const reserved = await reserve(MIB, 1);
    const [id] = createdIds(reserved, 'storage_resource::Storage');
    const before = await readSystemBcs(h.client, h.systemId);
    const destroyed = await run(h.client, user, (tx) => {
      tx.moveCall({ target: `${PKG}::storage_resource::destroy`, arguments: [tx.object(id)] });
    });
    expect(statusOf(destroyed)).toBe('success');
    expect((await h.client.getObject({ id })).error?.code).toBe('deleted');
    expect((await readSystemBcs(h.client, h.systemId)).accounting).toEqual(before.accounting);
  });

  it('getters answer through dev-inspect', async () => {
    const reserved = await reserve(MIB, 1);
    const [id] = createdIds(reserved, 'storage_resource::Storage');
    const { Transaction } = await import('@mysten/sui/transactions');
    const tx = new Transaction();
    for (const fn of ['start_epoch', 'end_epoch', 'size', 'storage_size']) {
      tx.moveCall({ target: `${PKG}::storage_resource::${fn}`, arguments: [tx.object(id)] });
    }
    tx.moveCall({
      target: `${PKG}::system::storage_cost`,
      arguments: [tx.object(h.systemId), tx.pure.u64(3n * MIB), tx.pure.u32(2)],
    });
    tx.moveCall({ target: `${PKG}::system::storage_units`, arguments: [tx.pure.u64(MIB + 1n)] });
    const inspected = await h.client.devInspectTransactionBlock({
      sender: user.toSuiAddress(),
      transactionBlock: tx,
    });
    expect(inspected.effects.status.status).toBe('success');
    const values = inspected.results!.map((r) => Uint8Array.from(r.returnValues![0][0]));
    expect(bcs.u32().parse(values[0])).toBe(0);
    expect(bcs.u32().parse(values[1])).toBe(1);
    expect(bcs.u64().parse(values[2])).toBe(MIB.toString());
    expect(bcs.u64().parse(values[3])).toBe(MIB.toString());
    expect(bcs.u64().parse(values[4])).toBe(String(3n * STORAGE_PRICE * 2n));
    expect(bcs.u64().parse(values[5])).toBe('2');
  });
});
