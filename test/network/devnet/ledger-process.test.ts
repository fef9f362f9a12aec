/**
 * The ledger as a separate process, built from the compiled dist: state survives a clean
 * restart, a torn record at the end of the commit log is dropped on the next start, and the
 * process stops cleanly on SIGTERM. Every process started here is killed in afterAll.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { COUNTER_PACKAGE_ID as PKG } from '../../../devnet/ledger/testing/counter-package.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const MAIN = join(ROOT, 'dist/devnet/ledger/main.js');
const COUNTER = join(ROOT, 'dist/devnet/ledger/testing/counter-package.js');
const START_TIMEOUT_MS = 20_000;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
}

const children = new Set<ChildProcess>();

function start(dataDir: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [MAIN, '--port', '0', '--data-dir', dataDir, '--package', COUNTER],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => {
    err += chunk;
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ledger did not start: ${err}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /ledger listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveStart({ child, url: match[1], stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ledger exited with ${code}: ${err}`));
    });
  });
}

function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolveStop) => {
    if (running.child.exitCode !== null) {
      resolveStop(running.child.exitCode);
      return;
    }
    running.child.once('exit', (code) => {
      children.delete(running.child);
      resolveStop(code);
    });
    running.child.kill(signal);
  });
}

describe('ledger process: persistence across restarts', () => {
  let dataDir: string;
  const alice = new Ed25519Keypair();
  const bob = new Ed25519Keypair();

  beforeAll(() => {
    // Build only the ledger (and what it imports) so the test does not depend on other folders.
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'devnet/ledger/tsconfig.json'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-process-'));
  });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps objects, balances, transactions and events across a restart and a torn tail', async () => {
    let running = await start(dataDir);
    let client = new SuiJsonRpcClient({ url: running.url, network: 'localnet' });
    await requestSuiFromFaucetV2({ host: running.url, recipient: alice.toSuiAddress() });
    const pay = new Transaction();
    pay.transferObjects([pay.splitCoins(pay.gas, [7_000])], bob.toSuiAddress());
    const paid = await client.signAndExecuteTransaction({ transaction: pay, signer: alice });
    const make = new Transaction();
    make.moveCall({ target: `${PKG}::counter::create` });
    const made = await client.core.signAndExecuteTransaction({
      transaction: make,
      signer: alice,
      include: { effects: true },
    });
    const counterId = made.Transaction!.effects!.changedObjects.find(
      (c) => c.idOperation === 'Created',
    )!.objectId;
    const bump = new Transaction();
    bump.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [bump.object(counterId), bump.pure.u64(3)],
    });
    await client.signAndExecuteTransaction({ transaction: bump, signer: alice });

    const chain = await client.getChainIdentifier();
    const aliceBalance = (await client.getBalance({ owner: alice.toSuiAddress() })).totalBalance;
    const counterBefore = await client.getObject({ id: counterId, options: { showContent: true } });
    expect(await stop(running)).toBe(0);

    running = await start(dataDir);
    client = new SuiJsonRpcClient({ url: running.url, network: 'localnet' });
    expect(await client.getChainIdentifier()).toBe(chain);
    expect((await client.getBalance({ owner: alice.toSuiAddress() })).totalBalance).toBe(
      aliceBalance,
    );
    expect((await client.getBalance({ owner: bob.toSuiAddress() })).totalBalance).toBe('7000');
    expect(await client.getObject({ id: counterId, options: { showContent: true } })).toEqual(
      counterBefore,
    );
    expect((await client.getTransactionBlock({ digest: paid.digest })).digest).toBe(paid.digest);
    const events = await client.queryEvents({
      query: { MoveEventModule: { package: PKG, module: 'counter' } },
    });
    expect(events.data).toHaveLength(1);

    // Objects keep working at their stored versions after the restart.
    const again = new Transaction();
    again.moveCall({
      target: `${PKG}::counter::increment`,
      arguments: [again.object(counterId), again.pure.u64(4)],
    });
    const done = await client.signAndExecuteTransaction({
      transaction: again,
      signer: alice,
      options: { showEffects: true },
    });
    expect(done.effects!.status.status).toBe('success');

    // A crash halfway through an append leaves a partial record; the next start drops it.
    expect(await stop(running, 'SIGKILL')).toBe(null);
    const log = join(dataDir, 'ledger.log');
    const size = statSync(log).size;
    appendFileSync(log, Buffer.from([0x40, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    running = await start(dataDir);
    expect(statSync(log).size).toBe(size);
    expect(running.stderr()).toMatch(/torn record/);
    client = new SuiJsonRpcClient({ url: running.url, network: 'localnet' });
    const counter = await client.getObject({ id: counterId, options: { showContent: true } });
    expect((counter.data!.content as unknown as { fields: { value: string } }).fields.value).toBe(
      '7',
    );
    expect((await client.getBalance({ owner: bob.toSuiAddress() })).totalBalance).toBe('7000');
    expect(await stop(running)).toBe(0);
  });
});
