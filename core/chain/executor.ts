/**
 * Builds, signs and executes one transaction without client-side resolution: explicit gas price
 * (the reference price, cached), budget and payment coins (the sender's largest SUI coins), no
 * expiration. Transactions of one sender run one at a time, because each spends and re-versions
 * that sender's gas coins. A failed execution becomes a typed error (errors.ts).
 */
import type { SuiEvent, SuiJsonRpcClient, SuiObjectChange } from '@mysten/sui/jsonRpc';
import { Transaction } from '@mysten/sui/transactions';
import { normalizeStructTag, normalizeSuiAddress, parseStructTag } from '@mysten/sui/utils';
import { ChainError, ChainRpcError, executionError } from './errors.js';
import type { ChainEvent, ChainSigner, ObjectRef, TxOptions, TxResult } from './types.js';

/** The reference gas price changes at Sui epoch boundaries (a day); re-read it hourly. */
export const GAS_PRICE_CACHE_MS = 60 * 60_000;
/** Coin pages (of 50) read when gathering gas payment. */
const GAS_COIN_PAGES_MAX = 4;
/** Sui allows 256 payment coins; 200 keeps the transaction small. */
const GAS_COINS_MAX = 200;
const COIN_PAGE_SIZE = 50;
export const SUI_TYPE = '0x2::sui::SUI';
/**
 * Tries per transaction when its gas coin was spent meanwhile by someone else holding the key
 * (Sui refuses such a transaction before executing it: "… is not available for consumption").
 */
export const GAS_CONFLICT_ATTEMPTS = 3;
const GAS_CONFLICT = /not available for consumption/i;

export interface Executed extends TxResult {
  readonly changes: readonly SuiObjectChange[];
}

export interface ExecutorOptions {
  readonly packageId: string;
  readonly gasBudgetMist: bigint;
  readonly gasPriceMist?: bigint;
  readonly now: () => number;
  readonly decodeEvent: (event: SuiEvent) => ChainEvent;
}

export class TransactionExecutor {
  readonly #client: SuiJsonRpcClient;
  readonly #options: ExecutorOptions;
  #gasPriceCache: { readonly value: bigint; readonly atMs: number } | undefined;
  readonly #senderQueues = new Map<string, Promise<unknown>>();

  constructor(client: SuiJsonRpcClient, options: ExecutorOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** Runs `build` into a fresh PTB whose gas coins also hold `paymentMist` for `tx.gas` splits. */
  async execute(
    signer: ChainSigner,
    paymentMist: bigint,
    options: TxOptions,
    build: (tx: Transaction, sender: string) => void,
  ): Promise<Executed> {
    const sender = normalizeSuiAddress(signer.toSuiAddress());
    const signal = options.signal;
    const budget = options.gasBudgetMist ?? this.#options.gasBudgetMist;
    return this.#serialized(sender, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#executeOnce(sender, signer, paymentMist, budget, signal, build);
        } catch (error) {
          // Another process spent one of the coins we picked (another isolate with the same key):
          // the transaction was refused before it executed, so picking coins again is safe.
          if (attempt >= GAS_CONFLICT_ATTEMPTS || !GAS_CONFLICT.test((error as Error).message))
            throw error;
        }
      }
    });
  }

  async #executeOnce(
    sender: string,
    signer: ChainSigner,
    paymentMist: bigint,
    budget: bigint,
    signal: AbortSignal | undefined,
    build: (tx: Transaction, sender: string) => void,
  ): Promise<Executed> {
    // One attempt: fresh gas coins, build, sign, execute.
    const [price, payment] = await Promise.all([
      this.#gasPrice(signal),
      this.#gasCoins(sender, budget + paymentMist, signal),
    ]);
    const tx = new Transaction();
    tx.setSender(sender);
    tx.setGasOwner(sender);
    tx.setGasPrice(price);
    tx.setGasBudget(budget);
    tx.setGasPayment(payment);
    tx.setExpiration({ None: true });
    build(tx, sender);
    const bytes = await tx.build();
    const { signature } = await signer.signTransaction(bytes);
    const response = await this.#client.executeTransactionBlock({
      transactionBlock: bytes,
      signature,
      options: { showEffects: true, showEvents: true, showObjectChanges: true },
      signal,
    });
    const effects = response.effects;
    if (effects === undefined || effects === null) {
      throw new ChainRpcError(
        `transaction ${response.digest}: the answer has no effects`,
        'sui_executeTransactionBlock',
        0,
      );
    }
    if (effects.status.status !== 'success') {
      const status = effects.status.error ?? 'failure';
      throw executionError(response.digest, status, [this.#options.packageId]);
    }
    const gas = effects.gasUsed;
    const gasUsedMist =
      BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    const events = (response.events ?? [])
      .filter(
        (e) => normalizeSuiAddress(parseStructTag(e.type).address) === this.#options.packageId,
      )
      .map(this.#options.decodeEvent);
    return {
      digest: response.digest,
      gasUsedMist,
      events,
      changes: response.objectChanges ?? [],
    };
  }

  async #gasPrice(signal?: AbortSignal): Promise<bigint> {
    if (this.#options.gasPriceMist !== undefined) return this.#options.gasPriceMist;
    const cached = this.#gasPriceCache;
    const now = this.#options.now();
    if (cached !== undefined && now - cached.atMs < GAS_PRICE_CACHE_MS) return cached.value;
    const value = BigInt(await this.#client.getReferenceGasPrice({ signal }));
    this.#gasPriceCache = { value, atMs: now };
    return value;
  }

  /** The sender's largest SUI coins, until they hold `neededMist`. */
  async #gasCoins(owner: string, neededMist: bigint, signal?: AbortSignal): Promise<ObjectRef[]> {
    const coins: { ref: ObjectRef; balance: bigint }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < GAS_COIN_PAGES_MAX; page++) {
      const result = await this.#client.getCoins({
        owner,
        coinType: SUI_TYPE,
        cursor,
        limit: COIN_PAGE_SIZE,
        signal,
      });
      for (const coin of result.data) {
        coins.push({
          ref: { objectId: coin.coinObjectId, version: String(coin.version), digest: coin.digest },
          balance: BigInt(coin.balance),
        });
      }
      if (!result.hasNextPage || typeof result.nextCursor !== 'string') break;
      cursor = result.nextCursor;
    }
    coins.sort((a, b) => (a.balance === b.balance ? 0 : a.balance > b.balance ? -1 : 1));
    const chosen: ObjectRef[] = [];
    let total = 0n;
    for (const coin of coins) {
      if (total >= neededMist || chosen.length >= GAS_COINS_MAX) break;
      chosen.push(coin.ref);
      total += coin.balance;
    }
    if (total < neededMist || chosen.length === 0) {
      throw new ChainError(
        `${owner} holds ${total} MIST in its largest coins; ` +
          `the transaction needs ${neededMist} (gas budget + payment)`,
      );
    }
    return chosen;
  }

  async #serialized<T>(sender: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#senderQueues.get(sender) ?? Promise.resolve();
    const result = previous.then(run, run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#senderQueues.set(sender, tail);
    try {
      return await result;
    } finally {
      if (this.#senderQueues.get(sender) === tail) this.#senderQueues.delete(sender);
    }
  }
}

/** The reference of the object of `type` that the transaction created or mutated. */
export function changedRef(
  executed: Executed,
  kind: 'created' | 'mutated',
  type: string,
  objectId?: string,
): ObjectRef {
  const wanted = normalizeStructTag(type);
  for (const change of executed.changes) {
    if (change.type !== 'created' && change.type !== 'mutated') continue;
    if (change.type !== kind) continue;
    if (normalizeStructTag(change.objectType) !== wanted) continue;
    const id = normalizeSuiAddress(change.objectId);
    if (objectId !== undefined && id !== normalizeSuiAddress(objectId)) continue;
    return { objectId: id, version: String(change.version), digest: change.digest };
  }
  throw new ChainError(`transaction ${executed.digest} ${kind} no ${type}`);
}
