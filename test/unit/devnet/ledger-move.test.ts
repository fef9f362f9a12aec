/**
 * MoveCall dispatch through the registry, using the test counter package: created objects at
 * Sui-derived IDs, shared-object mutation, events with cursors, aborts that keep only the gas
 * charge, dynamic fields, the clock, values returned into the PTB, dry runs and timers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { blake2b } from '@noble/hashes/blake2.js';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { bcs } from '@mysten/sui/bcs';
import { fromBase58, normalizeStructTag, normalizeSuiAddress, toHex } from '@mysten/sui/utils';
import { CLOCK_ID, Ledger } from '../../../devnet/ledger/ledger.js';
import { serveLedger, type LedgerServer } from '../../../devnet/ledger/server.js';
import {
  COUNTER_PACKAGE_ID as PKG,
  COUNTER_TYPE,
  counterPackage,
  E_TOO_BIG,
  INCREMENTED_TYPE,
} from '../../../devnet/ledger/testing/counter-package.js';

/** Sui's `ObjectID::derive_id`, written out independently of the ledger. */
function deriveId(txDigest: string, creationNum: number): string {
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(creationNum), true);
  const input = new Uint8Array([0xf1, ...fromBase58(txDigest), ...counter]);
  return `0x${toHex(blake2b(input, { dkLen: 32 }))}`;
}

describe('ledger: Move calls through the registry', () => {
  let now = 1_700_000_000_000;
  let server: LedgerServer;
  let ledger: Ledger;
  let client: SuiJsonRpcClient;
  const alice = new Ed25519Keypair();
  let counterId = '';

  async function run(build: (tx: Transaction) => void, signer = alice) {
    const tx = new Transaction();
    build(tx);
    const result = await client.core.signAndExecuteTransaction({
      transaction: tx,
      signer,
      include: { effects: true, events: true, objectTypes: true },
    });
    return (result.Transaction ?? result.FailedTransaction)!;
  }

  async function counterValue(id = counterId): Promise<{ value: string; version: string }> {
    const object = await client.getObject({ id, options: { showContent: true } });
    const fields = (object.data!.content as unknown as { fields: { value: string } }).fields;
    return { value: fields.value, version: object.data!.version };
  }

  beforeAll(async () => {
    ledger = Ledger.open({
      now: () => now,
      packages: [counterPackage],
      log: (m) => console.error(m),
    });
    server = await serveLedger(ledger, { log: (m) => console.error(m) });
    client = new SuiJsonRpcClient({ url: server.url, network: 'localnet' });
    await requestSuiFromFaucetV2({ host: server.url, recipient: alice.toSuiAddress() });
  });

  afterAll(async () => {
    await server?.close();
    ledger?.close();
  });

  it('ran the package genesis, which shared a counter', () => {
    const counters = [...ledger.state.objects.values()].filter(
      (o) => o.type === normalizeType(COUNTER_TYPE),
    );
    expect(counters).toHaveLength(1);
    expect(counters[0].owner.kind).toBe('shared');
  });

  it('creates a shared object at the Sui-derived ID', async () => {
    const done = await run((tx) => tx.moveCall({ target: `${PKG}::counter::create` }));
    expect(done.status.success).toBe(true);
    const created = done.effects!.changedObjects.filter((c) => c.idOperation === 'Created');
    expect(created).toHaveLength(1);
    counterId = created[0].objectId;
    expect(counterId).toBe(deriveId(done.digest, 0));
    expect(done.objectTypes![counterId]).toBe(normalizeType(COUNTER_TYPE));
    const object = await client.core.getObject({ objectId: counterId });
    expect(object.object.owner.$kind).toBe('Shared');
    expect(String(object.object.owner.Shared?.initialSharedVersion)).toBe(object.object.version);
  });

  it('mutates the shared object and emits events found by type with cursors', async () => {
    for (const by of [1, 2, 3, 4, 5]) {
      const done = await run((tx) =>
        tx.moveCall({
          target: `${PKG}::counter::increment`,
          arguments: [tx.object(counterId), tx.pure.u64(by)],
        }),
      );
      expect(done.status.success).toBe(true);
      expect(done.events).toHaveLength(1);
      expect(normalizeStructTag(done.events![0].eventType)).toBe(normalizeType(INCREMENTED_TYPE));
    }
    expect((await counterValue()).value).toBe('15');

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const result = await client.core.listEvents({
        filter: { eventType: INCREMENTED_TYPE },
        limit: 2,
        after: cursor ?? undefined,
      });
      seen.push(...result.events.map((e) => (e.json as { value: string }).value));
      cursor = result.endCursor;
      if (!result.hasNextPage) break;
    }
    expect(seen).toEqual(['1', '3', '6', '10', '15']);

    const raw = await client.queryEvents({
      query: { MoveEventType: INCREMENTED_TYPE },
      order: 'descending',
      limit: 3,
    });
    expect(raw.data.map((e) => (e.parsedJson as { by: string }).by)).toEqual(['5', '4', '3']);
    expect(raw.hasNextPage).toBe(true);
    const decoded = bcs
      .struct('Incremented', { counter_id: bcs.Address, value: bcs.u64(), by: bcs.u64() })
      .parse(Uint8Array.from(Buffer.from(raw.data[0].bcs, 'base64')));
    expect(decoded).toEqual({ counter_id: counterId, value: '15', by: '5' });
    const byModule = await client.queryEvents({
      query: { MoveEventModule: { package: PKG, module: 'counter' } },
    });
    expect(byModule.data).toHaveLength(5);
  });

  it('an abort fails the transaction in Sui style and keeps only the gas charge', async () => {
    const before = await counterValue();
    const balanceBefore = BigInt(
      (await client.getBalance({ owner: alice.toSuiAddress() })).totalBalance,
    );
    const tx = new Transaction();
    tx.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [tx.object(counterId), tx.pure.u64(1)],
    });
    tx.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [tx.object(counterId), tx.pure.u64(101)],
    });
    tx.setGasBudget(50_000_000);
    const result = await client.signAndExecuteTransaction({
      transaction: tx,
      signer: alice,
      options: { showEffects: true, showEvents: true, showObjectChanges: true },
    });
    expect(result.effects!.status.status).toBe('failure');
    const address = normalizeSuiAddress(PKG).slice(2);
    expect(result.effects!.status.error).toBe(
      `MoveAbort(MoveLocation { module: ModuleId { address: ${address}, name: Identifier("counter") }, ` +
        `function: 2, instruction: 0, function_name: Some("increment") }, ${E_TOO_BIG}) in command 1`,
    );
    expect(result.events).toEqual([]);
    const after = await counterValue();
    expect(after.value).toBe(before.value);
    expect(BigInt(after.version)).toBeGreaterThan(BigInt(before.version));
    const gas = result.effects!.gasUsed;
    const fee = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect(fee).toBeGreaterThan(0n);
    const balanceAfter = BigInt(
      (await client.getBalance({ owner: alice.toSuiAddress() })).totalBalance,
    );
    expect(balanceAfter).toBe(balanceBefore - fee);

    const parsed = await client.core.getTransaction({
      digest: result.digest,
      include: { effects: true },
    });
    const failed = parsed.FailedTransaction!;
    expect(failed.status.error?.$kind).toBe('MoveAbort');
    expect(failed.status.error?.MoveAbort?.abortCode).toBe(String(E_TOO_BIG));
    expect(failed.status.error?.MoveAbort?.location?.functionName).toBe('increment');
    expect(failed.effects!.status.success).toBe(false);
  });

  it('the SDK refuses to build a transaction whose dry run aborts', async () => {
    const tx = new Transaction();
    tx.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [tx.object(counterId), tx.pure.u64(500)],
    });
    await expect(
      client.core.signAndExecuteTransaction({ transaction: tx, signer: alice }),
    ).rejects.toThrow(/MoveAbort/);
  });

  it('returns an object into the PTB, and refuses to leave it unused', async () => {
    const kept = await run((tx) => {
      const [counter] = tx.moveCall({ target: `${PKG}::counter::new_owned` });
      tx.moveCall({ target: `${PKG}::counter::increment`, arguments: [counter, tx.pure.u64(9)] });
      tx.transferObjects([counter], alice.toSuiAddress());
    });
    expect(kept.status.success).toBe(true);
    const owned = await client.getOwnedObjects({
      owner: alice.toSuiAddress(),
      filter: { StructType: COUNTER_TYPE },
    });
    expect(owned.data).toHaveLength(1);
    const ownedId = owned.data[0].data!.objectId;
    expect((await counterValue(ownedId)).value).toBe('9');

    const dropped = new Transaction();
    dropped.moveCall({ target: `${PKG}::counter::new_owned` });
    dropped.setGasBudget(50_000_000);
    const result = await client.signAndExecuteTransaction({
      transaction: dropped,
      signer: alice,
      options: { showEffects: true },
    });
    expect(result.effects!.status.error).toMatch(
      /^UnusedValueWithoutDrop \{ result_idx: 0, secondary_idx: 0 \}/,
    );

    const destroyed = await run((tx) =>
      tx.moveCall({ target: `${PKG}::counter::destroy`, arguments: [tx.object(ownedId)] }),
    );
    expect(destroyed.status.success).toBe(true);
    expect(destroyed.effects!.changedObjects.find((c) => c.objectId === ownedId)?.idOperation).toBe(
      'Deleted',
    );
    const gone = await client.getObject({ id: ownedId });
    expect(gone.error?.code).toBe('deleted');
  });

  it('stores a note as a dynamic field that the SDK can list and read', async () => {
    const done = await run((tx) =>
      tx.moveCall({
        target: `${PKG}::counter::set_note`,
        arguments: [tx.object(counterId), tx.pure.string('hello')],
      }),
    );
    expect(done.status.success).toBe(true);
    const fields = await client.core.listDynamicFields({ parentId: counterId });
    expect(fields.dynamicFields).toHaveLength(1);
    const name = bcs
      .vector(bcs.u8())
      .serialize([...new TextEncoder().encode('note')])
      .toBytes();
    const field = await client.core.getDynamicField({
      parentId: counterId,
      name: { type: 'vector<u8>', bcs: name },
    });
    expect(field.dynamicField.fieldId).toBe(fields.dynamicFields[0].fieldId);
    expect(bcs.string().parse(field.dynamicField.value.bcs)).toBe('hello');
    const viaRpc = await client.getDynamicFieldObject({
      parentId: counterId,
      name: { type: 'vector<u8>', value: [...new TextEncoder().encode('note')] },
    });
    expect((viaRpc.data!.content as unknown as { fields: { value: string } }).fields.value).toBe(
      'hello',
    );

    await run((tx) =>
      tx.moveCall({
        target: `${PKG}::counter::set_note`,
        arguments: [tx.object(counterId), tx.pure.string('again')],
      }),
    );
    const updated = await client.core.getDynamicField({
      parentId: counterId,
      name: { type: 'vector<u8>', bcs: name },
    });
    expect(bcs.string().parse(updated.dynamicField.value.bcs)).toBe('again');

    const cleared = await run((tx) => {
      tx.moveCall({ target: `${PKG}::counter::clear_note`, arguments: [tx.object(counterId)] });
    });
    expect(cleared.status.success).toBe(true);
    expect(
      (await client.core.listDynamicFields({ parentId: counterId })).dynamicFields,
    ).toHaveLength(0);
  });

  it('reads the injected clock, which follows now()', async () => {
    now += 12_345;
    const done = await run((tx) =>
      tx.moveCall({
        target: `${PKG}::counter::stamp`,
        arguments: [tx.object(counterId), tx.object.clock()],
      }),
    );
    expect(done.status.success).toBe(true);
    expect((await counterValue()).value).toBe(String(now));
    const clock = await client.getObject({ id: '0x6', options: { showContent: true } });
    expect(
      (clock.data!.content as unknown as { fields: { timestamp_ms: string } }).fields.timestamp_ms,
    ).toBe(String(now));
  });

  it('charges a fee from a coin passed by &mut, and aborts like balance::split when short', async () => {
    const ok = await run((tx) => {
      const [fee] = tx.splitCoins(tx.gas, [1_000]);
      tx.moveCall({
        target: `${PKG}::counter::pay`,
        arguments: [tx.object(counterId), fee, tx.pure.u64(1_000)],
      });
      tx.moveCall({
        target: '0x2::coin::destroy_zero',
        typeArguments: ['0x2::sui::SUI'],
        arguments: [fee],
      });
    });
    expect(ok.status.success).toBe(true);

    const short = new Transaction();
    const [fee] = short.splitCoins(short.gas, [10]);
    short.moveCall({
      target: `${PKG}::counter::pay`,
      arguments: [short.object(counterId), fee, short.pure.u64(11)],
    });
    short.transferObjects([fee], alice.toSuiAddress());
    short.setGasBudget(50_000_000);
    const result = await client.signAndExecuteTransaction({
      transaction: short,
      signer: alice,
      options: { showEffects: true },
    });
    expect(result.effects!.status.error).toMatch(
      /name: Identifier\("balance"\).*function_name: Some\("split"\) \}, 2\) in command 1$/,
    );
  });

  it('passes a non-object value by &mut between commands', async () => {
    const tx = new Transaction();
    const value = tx.pure.u64(21);
    tx.moveCall({ target: `${PKG}::counter::double`, arguments: [value] });
    tx.moveCall({ target: `${PKG}::counter::increment`, arguments: [tx.object(counterId), value] });
    const before = BigInt((await counterValue()).value);
    const result = await client.core.signAndExecuteTransaction({
      transaction: tx,
      signer: alice,
      include: { events: true },
    });
    expect(result.Transaction?.status.success).toBe(true);
    expect(BigInt((await counterValue()).value)).toBe(before + 42n);
  });

  it('dev-inspects a getter through simulateTransaction, without committing', async () => {
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.moveCall({ target: `${PKG}::counter::value`, arguments: [tx.object(counterId)] });
    tx.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [tx.object(counterId), tx.pure.u64(1)],
    });
    const before = await counterValue();
    const simulated = await client.core.simulateTransaction({
      transaction: tx,
      include: { commandResults: true, effects: true },
    });
    expect(simulated.$kind).toBe('Transaction');
    const [value] = simulated.commandResults![0].returnValues;
    expect(bcs.u64().parse(value.bcs)).toBe(before.value);
    expect(simulated.commandResults![1].returnValues).toEqual([]);
    expect(await counterValue()).toEqual(before);
  });

  it('dry-runs without committing', async () => {
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [tx.object(counterId), tx.pure.u64(1)],
    });
    const bytes = await tx.build({ client });
    const before = await counterValue();
    const dry = await client.dryRunTransactionBlock({ transactionBlock: bytes });
    expect(dry.effects.status.status).toBe('success');
    expect(dry.events).toHaveLength(1);
    expect(await counterValue()).toEqual(before);
  });

  it('runs timers when now() crosses an interval, and system calls mutate shared objects', () => {
    const seen: number[] = [];
    ledger.addTimer({
      name: 'test-epoch',
      intervalMs: 60_000,
      run: (l, info) => {
        seen.push(info.index);
        l.systemMoveCall(`${PKG}::counter::increment`, [
          { object: counterId },
          { pure: bcs.u64().serialize(1).toBytes() },
        ]);
        l.systemMoveCall(`${PKG}::counter::add_stamp`, [
          { object: counterId },
          { object: CLOCK_ID },
        ]);
      },
    });
    const start = ledger.getObject(counterId)!;
    ledger.tick();
    ledger.tick();
    now += 60_000;
    ledger.tick();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0] + 1);
    const after = ledger.getObject(counterId)!;
    expect(after.version).toBeGreaterThan(start.version);
    const events = ledger.state.events.filter((e) => e.sender === normalizeSuiAddress('0x0'));
    expect(events).toHaveLength(4);
    expect(events.map((e) => (e.json as { by: string }).by)).toEqual([
      '1',
      String(now - 60_000),
      '1',
      String(now),
    ]);
  });

  it('fails with InsufficientGas and charges the whole budget when the budget is too small', async () => {
    const tx = new Transaction();
    tx.moveCall({ target: `${PKG}::counter::create` });
    tx.setGasBudget(1_000_000);
    const before = BigInt((await client.getBalance({ owner: alice.toSuiAddress() })).totalBalance);
    const result = await client.signAndExecuteTransaction({
      transaction: tx,
      signer: alice,
      options: { showEffects: true },
    });
    expect(result.effects!.status.error).toBe('InsufficientGas');
    expect(result.effects!.created ?? []).toEqual([]);
    const after = BigInt((await client.getBalance({ owner: alice.toSuiAddress() })).totalBalance);
    const gas = result.effects!.gasUsed;
    const fee = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect(fee).toBe(1_000_000n);
    expect(after).toBe(before - fee);
  });
});

function normalizeType(type: string): string {
  const [address, ...rest] = type.split('::');
  return [normalizeSuiAddress(address), ...rest].join('::');
}
