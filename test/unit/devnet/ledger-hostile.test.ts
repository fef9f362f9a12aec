/**
 * Hostile input: one table of garbage parameters fed to every JSON-RPC method, malformed
 * transactions, and the commit log's torn-tail handling. The server must answer each request
 * with a result or a JSON-RPC error (never an internal error) and keep serving.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Inputs, Transaction } from '@mysten/sui/transactions';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ledger } from '../../../devnet/ledger/ledger.js';
import { serveLedger, type LedgerServer } from '../../../devnet/ledger/server.js';
import { CommitLog, LOG_FILE_NAME } from '../../../devnet/ledger/commit-log.js';
import { PURE_ARG_BYTES_MAX } from '../../../devnet/ledger/limits.js';
import {
  COUNTER_PACKAGE_ID as PKG,
  counterPackage,
} from '../../../devnet/ledger/testing/counter-package.js';

/** Parameters no method should choke on. */
const GARBAGE: unknown[][] = [
  [],
  [null],
  ['x'],
  [123],
  [{}],
  [[]],
  ['0x1', 'x', -1, true],
  [{ a: 1 }, { b: 2 }],
  [['0x2', '0x2']],
  ['0x6', { showContent: 'yes', showBcs: true }],
  [{ MoveEventType: 'not a type' }],
  [{ MoveEventType: '0x2::a::B<' + 'vector<'.repeat(50) }],
  [{ All: [] }, { txDigest: 'nope', eventSeq: '0' }],
  [
    '0x2',
    {
      filter: {
        MatchAll: [
          { MatchAll: [{ MatchAll: [{ MatchAll: [{ MatchAll: [{ MatchAll: [] }] }] }] }] },
        ],
      },
    },
  ],
  ['0x2', { type: 'u64', value: 'not a number' }],
  ['0x2', { type: 'vector<u8>', value: 'abc' }],
  ['a'.repeat(100_000)],
  [Array.from({ length: 1000 }, () => '0x1')],
  ['AAAA', ['AAAA'], {}, 'WaitForLocalExecution'],
  ['99999999999999999999'],
];

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('ledger: hostile input', () => {
  let server: LedgerServer;
  let client: SuiJsonRpcClient;
  const alice = new Ed25519Keypair();
  const internal: string[] = [];

  beforeAll(async () => {
    const ledger = Ledger.open({ packages: [counterPackage], log: (m) => internal.push(m) });
    server = await serveLedger(ledger, { log: (m) => internal.push(m) });
    client = new SuiJsonRpcClient({ url: server.url, network: 'localnet' });
    await requestSuiFromFaucetV2({ host: server.url, recipient: alice.toSuiAddress() });
  });

  afterAll(async () => {
    await server?.close();
    server?.ledger.close();
  });

  it('answers every method and every garbage parameter list without an internal error', async () => {
    const discover = await post(server.url, { jsonrpc: '2.0', id: 0, method: 'rpc.discover' });
    const methods: string[] = discover.json.result.methods.map((m: { name: string }) => m.name);
    expect(methods.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    for (const method of methods) {
      for (const params of GARBAGE) {
        const { status, json } = await post(server.url, { jsonrpc: '2.0', id: 1, method, params });
        if (status !== 200 || json.error?.code === -32603) {
          failures.push(
            `${method} ${JSON.stringify(params).slice(0, 80)} -> ${status} ${JSON.stringify(json).slice(0, 120)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(internal).toEqual([]);
    expect(await client.getReferenceGasPrice()).toBe(1000n);
  });

  it('rejects requests that are not JSON-RPC calls', async () => {
    for (const body of [null, 1, 'x', { jsonrpc: '1.0', method: 'x' }, { jsonrpc: '2.0' }, []]) {
      const { json } = await post(server.url, body);
      expect(json.error.code).toBe(-32600);
    }
    const named = await post(server.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'sui_getObject',
      params: { id: '0x6' },
    });
    expect(named.json.error.code).toBe(-32602);
    const get = await fetch(server.url);
    expect(get.status).toBe(405);
    const faucet = await fetch(`${server.url}/v2/gas`, {
      method: 'POST',
      body: '{"FixedAmountRequest":{"recipient":"bob"}}',
    });
    expect(faucet.status).toBe(400);
    expect((await faucet.json()).status.Failure.internal).toMatch(/recipient/);
  });

  async function signed(
    build: (tx: Transaction) => void,
  ): Promise<{ bytes: Uint8Array; signature: string }> {
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.setGasBudget(20_000_000);
    build(tx);
    const bytes = await tx.build({ client });
    return { bytes, signature: (await alice.signTransaction(bytes)).signature };
  }

  it('refuses malformed transactions before executing them', async () => {
    const created = new Transaction();
    created.moveCall({ target: `${PKG}::counter::create` });
    const made = await client.core.signAndExecuteTransaction({
      transaction: created,
      signer: alice,
      include: { effects: true },
    });
    const counterId = made.Transaction!.effects!.changedObjects.find(
      (c) => c.idOperation === 'Created',
    )!.objectId;

    const pureTooBig = await signed((tx) => {
      tx.moveCall({
        target: `${PKG}::counter::increment`,
        arguments: [tx.object(counterId), tx.pure(new Uint8Array(PURE_ARG_BYTES_MAX + 1))],
      });
    });
    await expect(
      client.executeTransactionBlock({
        transactionBlock: pureTooBig.bytes,
        signature: pureTooBig.signature,
      }),
    ).rejects.toThrow(/pure argument over/);

    const unknownPackage = await signed((tx) => {
      tx.moveCall({ target: '0x1234::nope::nothing', arguments: [tx.pure.u64(1)] });
    });
    await expect(
      client.executeTransactionBlock({
        transactionBlock: unknownPackage.bytes,
        signature: unknownPackage.signature,
      }),
    ).rejects.toThrow(/does not exist/);

    const wrongShared = await signed((tx) => {
      tx.moveCall({
        target: `${PKG}::counter::stamp`,
        arguments: [
          tx.object(
            Inputs.SharedObjectRef({
              objectId: counterId,
              initialSharedVersion: 99,
              mutable: true,
            }),
          ),
          tx.object.clock(),
        ],
      });
    });
    await expect(
      client.executeTransactionBlock({
        transactionBlock: wrongShared.bytes,
        signature: wrongShared.signature,
      }),
    ).rejects.toThrow(/initial shared version/);

    const mutableClock = await signed((tx) => {
      tx.moveCall({
        target: `${PKG}::counter::stamp`,
        arguments: [
          tx.object(counterId),
          tx.object(
            Inputs.SharedObjectRef({ objectId: '0x6', initialSharedVersion: 1, mutable: true }),
          ),
        ],
      });
    });
    await expect(
      client.executeTransactionBlock({
        transactionBlock: mutableClock.bytes,
        signature: mutableClock.signature,
      }),
    ).rejects.toThrow(/immutabl/);

    const tampered = await signed((tx) =>
      tx.transferObjects([tx.splitCoins(tx.gas, [1])], alice.toSuiAddress()),
    );
    const flipped = Uint8Array.from(tampered.bytes);
    // The low byte of the gas budget (the last field before the one-byte expiration).
    flipped[flipped.length - 9] ^= 1;
    await expect(
      client.executeTransactionBlock({ transactionBlock: flipped, signature: tampered.signature }),
    ).rejects.toThrow(/signature/i);
    await expect(
      client.executeTransactionBlock({ transactionBlock: tampered.bytes, signature: [] }),
    ).rejects.toThrow(/signatures/);
    const ok = await client.executeTransactionBlock({
      transactionBlock: tampered.bytes,
      signature: tampered.signature,
      options: { showEffects: true },
    });
    expect(ok.effects!.status.status).toBe('success');
    // Submitting the same transaction again is answered from history, not executed twice.
    const again = await client.executeTransactionBlock({
      transactionBlock: tampered.bytes,
      signature: tampered.signature,
    });
    expect(again.digest).toBe(ok.digest);
  });

  it('reports a type mismatch as a failed transaction with a CommandArgumentError', async () => {
    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [1]);
    tx.moveCall({ target: `${PKG}::counter::increment`, arguments: [coin, tx.pure.u64(1)] });
    tx.transferObjects([coin], alice.toSuiAddress());
    tx.setGasBudget(20_000_000);
    const result = await client.signAndExecuteTransaction({
      transaction: tx,
      signer: alice,
      options: { showEffects: true },
    });
    expect(result.effects!.status.error).toBe(
      'CommandArgumentError { arg_idx: 0, kind: TypeMismatch } in command 1',
    );
  });
});

describe('commit log', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-log-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns complete records and drops a torn or corrupt tail', () => {
    const first = CommitLog.open(dir, { fsync: false });
    expect(first.payloads).toEqual([]);
    first.log.append(new TextEncoder().encode('one'));
    first.log.append(new TextEncoder().encode('two'));
    first.log.close();
    const path = join(dir, LOG_FILE_NAME);
    const good = statSync(path).size;

    appendFileSync(path, Buffer.from([5, 0, 0, 0, 1, 2]));
    let opened = CommitLog.open(dir, { fsync: false });
    expect(opened.payloads.map((p) => new TextDecoder().decode(p))).toEqual(['one', 'two']);
    expect(opened.tornBytes).toBe(6);
    expect(statSync(path).size).toBe(good);
    opened.log.append(new TextEncoder().encode('three'));
    opened.log.close();

    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(path, bytes);
    opened = CommitLog.open(dir, { fsync: false });
    expect(opened.payloads.map((p) => new TextDecoder().decode(p))).toEqual(['one', 'two']);
    opened.log.close();

    appendFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]));
    opened = CommitLog.open(dir, { fsync: false });
    expect(opened.payloads).toHaveLength(2);
    opened.log.close();
  });
});
