/**
 * Fuzzing the devnet ledger's Sui JSON-RPC (served over real HTTP, as test/unit/devnet/
 * ledger-hostile.test.ts, which holds a fixed garbage list; these generate it). Properties: every
 * method answers any parameter list with a result or a JSON-RPC error that is not an internal
 * error (-32603) and logs nothing internal; a signed transaction whose bytes or signature were
 * mutated never executes; afterwards the ledger still serves and executes honest transactions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { toBase64 } from '@mysten/sui/utils';
import { Ledger } from '../../../devnet/ledger/ledger.js';
import { type LedgerServer, serveLedger } from '../../../devnet/ledger/server.js';
import {
  COUNTER_PACKAGE_ID as PKG,
  counterPackage,
} from '../../../devnet/ledger/testing/counter-package.js';
import { fuzzParameters } from '../../helpers/fuzz.js';

const RPC_INTERNAL_ERROR = -32603;
/** Each case is an HTTP round trip into the ledger; enough to cover every method many times. */
const RUNS = 400;

let server: LedgerServer;
let client: SuiJsonRpcClient;
let methods: string[];
const internal: string[] = [];
const alice = new Ed25519Keypair();

async function call(method: string, params: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return { status: response.status, json: await response.json() };
}

beforeAll(async () => {
  const ledger = Ledger.open({ packages: [counterPackage], log: (m) => internal.push(m) });
  server = await serveLedger(ledger, { log: (m) => internal.push(m) });
  client = new SuiJsonRpcClient({ url: server.url, network: 'localnet' });
  await requestSuiFromFaucetV2({ host: server.url, recipient: alice.toSuiAddress() });
  const discover = await call('rpc.discover', []);
  methods = discover.json.result.methods.map((m: { name: string }) => m.name);
});

afterAll(async () => {
  await server?.close();
  server?.ledger.close();
});

/** Values shaped like what Sui RPC parameters hold, and some that are not. */
const suiValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('0x2', '0x6', '0x5', PKG, `${PKG}::counter::Counter`, 'WaitForLocalExecution'),
    fc.stringMatching(/^0x[0-9a-f]{1,64}$/),
    fc.uint8Array({ maxLength: 48 }).map((b) => toBase64(b)),
    fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/), // base58 digests
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'showContent',
        'showBcs',
        'showType',
        'showEffects',
        'MoveEventType',
        'Sender',
        'All',
        'filter',
        'type',
        'value',
        'cursor',
        'limit',
        'txDigest',
        'eventSeq',
        'StructType',
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

describe('fuzz: ledger JSON-RPC', () => {
  it('every method answers any parameters without an internal error', async () => {
    expect(methods.length).toBeGreaterThanOrEqual(20);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.array(suiValue, { maxLength: 5 }),
        async (method, params) => {
          const { status, json } = await call(method, params);
          expect(status, JSON.stringify(json)).toBe(200);
          expect(json.error?.code, `${method} ${JSON.stringify(params)}`).not.toBe(
            RPC_INTERNAL_ERROR,
          );
          expect(internal).toEqual([]);
        },
      ),
      fuzzParameters('ledger-rpc-params', RUNS),
    );
  });

  it('a signed transaction with mutated bytes or signature never executes', async () => {
    const tx = new Transaction();
    tx.setSender(alice.toSuiAddress());
    tx.setGasBudget(20_000_000);
    tx.moveCall({ target: `${PKG}::counter::create` });
    const bytes = await tx.build({ client });
    const signature = (await alice.signTransaction(bytes)).signature;
    const signatureBytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));

    const mutation = fc.record({
      target: fc.constantFrom('bytes', 'signature'),
      at: fc.nat(),
      xor: fc.integer({ min: 1, max: 255 }),
      how: fc.constantFrom('flip', 'cut', 'extend'),
    });
    await fc.assert(
      fc.asyncProperty(
        mutation,
        fc.constantFrom('sui_executeTransactionBlock', 'sui_dryRunTransactionBlock'),
        async (m, method) => {
          const original = m.target === 'bytes' ? bytes : signatureBytes;
          let changed: Uint8Array = original.slice();
          if (m.how === 'flip') changed[m.at % changed.length] ^= m.xor;
          else if (m.how === 'cut') changed = changed.subarray(0, m.at % changed.length);
          else changed = Uint8Array.from([...changed, m.xor]);
          const [txBytes, sig] =
            m.target === 'bytes' ? [changed, signature] : [bytes, toBase64(changed)];
          const params =
            method === 'sui_executeTransactionBlock'
              ? [toBase64(txBytes), [sig], { showEffects: true }]
              : [toBase64(txBytes)];
          const { status, json } = await call(method, params);
          expect(status).toBe(200);
          expect(json.error?.code).not.toBe(RPC_INTERNAL_ERROR);
          // An execution must fail: the signature no longer covers the bytes. (A dry run needs no
          // signature, and mutated bytes may well be another valid transaction.)
          if (method === 'sui_executeTransactionBlock') expect(json.error).toBeDefined();
          expect(internal).toEqual([]);
        },
      ),
      fuzzParameters('ledger-mutated-transaction', RUNS),
    );
    // The honest transaction still executes, once.
    const executed = await client.executeTransactionBlock({
      transactionBlock: bytes,
      signature,
      options: { showEffects: true },
    });
    expect(executed.effects?.status.status).toBe('success');
  });
});
