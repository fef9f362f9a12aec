/**
 * The local ledger served in-process, driven by the stock Sui SDK: coins through the faucet and
 * native PTB commands, balances, signatures, and the JSON-RPC error paths.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { bcs } from '@mysten/sui/bcs';
import { Ledger } from '../../../devnet/ledger/ledger.js';
import { serveLedger, type LedgerServer } from '../../../devnet/ledger/server.js';
import { FAUCET_AMOUNT_MIST_DEFAULT, RPC_BODY_BYTES_MAX } from '../../../devnet/ledger/limits.js';

const SUI = '0x2::sui::SUI';

async function rpc(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('ledger: coins, balances, signatures (in-process server)', () => {
  let dir: string;
  let server: LedgerServer;
  let client: SuiJsonRpcClient;
  const alice = new Ed25519Keypair();
  const bob = new Ed25519Keypair();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-test-'));
    const ledger = Ledger.open({ dataDir: dir, fsync: false, log: () => {} });
    server = await serveLedger(ledger, { log: () => {} });
    client = new SuiJsonRpcClient({ url: server.url, network: 'localnet' });
  });

  afterAll(async () => {
    await server?.close();
    server?.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('funds an account through the faucet endpoint', async () => {
    const reply = await requestSuiFromFaucetV2({
      host: server.url,
      recipient: alice.toSuiAddress(),
    });
    expect(reply.status).toBe('Success');
    expect(reply.coins_sent).toHaveLength(1);
    const balance = await client.getBalance({ owner: alice.toSuiAddress() });
    expect(BigInt(balance.totalBalance)).toBe(FAUCET_AMOUNT_MIST_DEFAULT);
    const coins = await client.core.listCoins({ owner: alice.toSuiAddress(), coinType: SUI });
    expect(coins.objects.map((c) => c.objectId)).toEqual([reply.coins_sent![0].id]);
  });

  it('splits and transfers with automatic gas selection and budget', async () => {
    const tx = new Transaction();
    const [a, b] = tx.splitCoins(tx.gas, [1_000, 2_000]);
    tx.transferObjects([a, b], bob.toSuiAddress());
    const result = await client.core.signAndExecuteTransaction({
      transaction: tx,
      signer: alice,
      include: { effects: true, objectTypes: true, balanceChanges: true },
    });
    expect(result.$kind).toBe('Transaction');
    const done = result.Transaction!;
    expect(done.status.success).toBe(true);
    const created = done.effects!.changedObjects.filter((c) => c.idOperation === 'Created');
    expect(created).toHaveLength(2);
    for (const c of created)
      expect(done.objectTypes![c.objectId]).toMatch(/::coin::Coin<.*::sui::SUI>$/);
    const bobBalance = await client.getBalance({ owner: bob.toSuiAddress() });
    expect(bobBalance.totalBalance).toBe('3000');
    expect(bobBalance.coinObjectCount).toBe(2);
    const gasUsed = done.effects!.gasUsed;
    const fee =
      BigInt(gasUsed.computationCost) + BigInt(gasUsed.storageCost) - BigInt(gasUsed.storageRebate);
    const aliceBalance = await client.getBalance({ owner: alice.toSuiAddress() });
    expect(BigInt(aliceBalance.totalBalance)).toBe(FAUCET_AMOUNT_MIST_DEFAULT - 3000n - fee);
  });

  it('merges coins and waits for the transaction', async () => {
    await requestSuiFromFaucetV2({ host: server.url, recipient: bob.toSuiAddress() });
    const coins = await client.getCoins({ owner: bob.toSuiAddress() });
    expect(coins.data).toHaveLength(3);
    const small = coins.data.filter((c) => BigInt(c.balance) < 10_000n);
    const tx = new Transaction();
    tx.mergeCoins(
      tx.gas,
      small.map((c) => tx.object(c.coinObjectId)),
    );
    const result = await client.signAndExecuteTransaction({
      transaction: tx,
      signer: bob,
      options: { showEffects: true },
    });
    expect(result.effects?.status.status).toBe('success');
    const waited = await client.core.waitForTransaction({
      digest: result.digest,
      include: { effects: true },
    });
    expect(waited.Transaction?.digest).toBe(result.digest);
    const after = await client.getCoins({ owner: bob.toSuiAddress() });
    expect(after.data).toHaveLength(1);
  });

  it('rejects a transaction signed by someone else, and the state is unchanged', async () => {
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.transferObjects([tx.splitCoins(tx.gas, [5])], bob.toSuiAddress());
    const bytes = await tx.build({ client });
    const { signature } = await bob.signTransaction(bytes);
    const before = await client.getBalance({ owner: alice.toSuiAddress() });
    await expect(
      client.executeTransactionBlock({ transactionBlock: bytes, signature }),
    ).rejects.toThrow(/signature/i);
    const after = await client.getBalance({ owner: alice.toSuiAddress() });
    expect(after.totalBalance).toBe(before.totalBalance);
  });

  it('rejects a stale object reference', async () => {
    const [coin] = (await client.getCoins({ owner: alice.toSuiAddress() })).data;
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.setGasPayment([
      {
        objectId: coin.coinObjectId,
        version: String(BigInt(coin.version) - 1n),
        digest: coin.digest,
      },
    ]);
    tx.setGasPrice(1000);
    tx.setGasBudget(10_000_000);
    tx.transferObjects([tx.splitCoins(tx.gas, [5])], bob.toSuiAddress());
    const bytes = await tx.build();
    const { signature } = await alice.signTransaction(bytes);
    await expect(
      client.executeTransactionBlock({ transactionBlock: bytes, signature }),
    ).rejects.toThrow(/not available for consumption/);
  });

  it('answers malformed JSON, unknown methods, bad params, oversized bodies and batches', async () => {
    const parse = await rpc(server.url, '{"jsonrpc":');
    expect(parse.json.error.code).toBe(-32700);
    const unknown = await rpc(server.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'sui_nope',
      params: [],
    });
    expect(unknown.json.error.code).toBe(-32601);
    const bad = await rpc(server.url, {
      jsonrpc: '2.0',
      id: 2,
      method: 'sui_getObject',
      params: ['zz'],
    });
    expect(bad.json.error.code).toBe(-32602);
    const badTx = await rpc(server.url, {
      jsonrpc: '2.0',
      id: 3,
      method: 'sui_executeTransactionBlock',
      params: ['AAAA', []],
    });
    expect(badTx.json.error.code).toBe(-32602);
    const big = await rpc(
      server.url,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 4,
        method: 'x',
        params: ['a'.repeat(RPC_BODY_BYTES_MAX)],
      }),
    );
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe(-32701);
    const batch = await rpc(server.url, [
      { jsonrpc: '2.0', id: 5, method: 'suix_getReferenceGasPrice', params: [] },
      { jsonrpc: '2.0', id: 6, method: 'sui_getChainIdentifier' },
    ]);
    expect(batch.json.map((r: any) => r.id)).toEqual([5, 6]);
    expect(batch.json[0].result).toBe('1000');
    expect(batch.json[1].result).toMatch(/^[0-9a-f]{8}$/);
    const tooMany = await rpc(
      server.url,
      Array.from({ length: 51 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'rpc.discover' })),
    );
    expect(tooMany.json.error.code).toBe(-32600);
    // Still serving.
    expect(await client.getReferenceGasPrice()).toBe(1000n);
  });

  it('reports checkpoints, chain identity and system state', async () => {
    const chain = await client.core.getChainIdentifier();
    const checkpoint = await client.getCheckpoint({ id: '0' });
    expect(chain.chainIdentifier).toBe(checkpoint.digest);
    const latest = await client.getLatestCheckpointSequenceNumber();
    expect(Number(latest)).toBeGreaterThan(3);
    const state = await client.core.getCurrentSystemState();
    expect(state.systemState.epoch).toBe('0');
    expect(state.systemState.referenceGasPrice).toBe('1000');
    const raw = bcs.TransactionEffects.parse(
      Uint8Array.from(
        (
          await client.getTransactionBlock({
            digest: checkpoint.transactions[0],
            options: { showRawEffects: true },
          })
        ).rawEffects!,
      ),
    );
    expect(raw.V2?.status.$kind).toBe('Success');
  });
});
