/**
 * The local ledger: admits and executes transactions atomically, commits them to the log and the
 * in-memory state, runs system transactions (genesis, faucet, timers) and answers reads.
 *
 * Execution is synchronous after signature checks, so transactions are totally ordered and one
 * checkpoint holds exactly one transaction. Durability: a transaction's record is fsynced to the
 * commit log before it changes memory or is acknowledged (see commit-log.ts).
 *
 * Over 400 lines because user transactions, system transactions, genesis and timers share one
 * private commit path (record → log → state) that should not be reachable from outside.
 */
import { randomBytes } from 'node:crypto';
import { bcs } from '@mysten/sui/bcs';
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import {
  isValidSuiAddress,
  normalizeSuiAddress,
  toBase58,
  toBase64,
  toHex,
} from '@mysten/sui/utils';
import { assert } from '../../core/assert.js';
import {
  checkExpiration,
  checkGasData,
  loadGas,
  loadInputs,
  parseTransaction,
  verifySignatures,
  type ParsedTransaction,
} from './admission.js';
import { CommitLog } from './commit-log.js';
import { SystemFrame, type TxEnvironment } from './context.js';
import { classifyChanges, finalize, storageCharges, type GasCost } from './effects.js';
import {
  ExecutionFailure,
  MoveAbortSignal,
  moveAbort,
  PackageBug,
  simpleFailure,
} from './errors.js';
import { MOVE_STDLIB_PACKAGE, SUI_FRAMEWORK_PACKAGE } from './framework.js';
import { hashTyped } from './hashing.js';
import { Layouts } from './layouts.js';
import {
  FAUCET_AMOUNT_MIST_DEFAULT,
  FAUCET_AMOUNT_MIST_MAX,
  GAS_BUDGET_MAX_MIST,
  GAS_PRICE_REFERENCE_MIST,
  GAS_UNITS_BASE,
  GAS_UNITS_PER_COMMAND,
  SUI_EPOCH_DURATION_MS_DEFAULT,
  WALRUS_EPOCH_DURATION_MS_DEFAULT,
} from './limits.js';
import { formatType, GAS_COIN_TYPE, parseType } from './move-types.js';
import { withDigest, ZERO_ADDRESS, type ObjectRecord } from './objects.js';
import { coinBalance, coinContents, PtbExecutor, type ReturnedValue, type Value } from './ptb.js';
import { Registry, type PackageDef, type SystemContext } from './registry.js';
import { invalidParams, txRejected } from './request-errors.js';
import {
  decodeRecord,
  encodeRecord,
  LedgerState,
  type CommitRecord,
  type TxRecord,
} from './state.js';
import { WorkingSet } from './working-set.js';

export const CLOCK_ID = normalizeSuiAddress('0x6');
const CLOCK_TYPE =
  '0x0000000000000000000000000000000000000000000000000000000000000002::clock::Clock';

export interface LedgerOptions {
  /** Where the commit log lives; without it the ledger is in memory only. */
  readonly dataDir?: string;
  /** Milliseconds since the Unix epoch; inject to drive time in tests. */
  readonly now?: () => number;
  readonly packages?: readonly PackageDef[];
  readonly suiEpochDurationMs?: number;
  /** Default interval of timers: the package layer's (Walrus) epoch. Ten minutes if unset. */
  readonly epochTimerMs?: number;
  readonly faucetAmountMist?: bigint;
  /** Fixes the chain identifier of a new data dir (random otherwise). */
  readonly chainSeed?: Uint8Array;
  /** Defaults to true; tests that do not test durability may skip fsync. */
  readonly fsync?: boolean;
  readonly log?: (message: string) => void;
}

/** A periodic hook, e.g. the package layer advancing Walrus epochs. */
export interface TimerSpec {
  readonly name: string;
  readonly intervalMs?: number;
  /**
   * Runs on the first tick after start and whenever `now` crosses an interval boundary (counted
   * from genesis). Runs are not replayed after downtime, so the hook must decide from on-chain
   * state and the clock what is due, which keeps it idempotent.
   */
  run(ledger: Ledger, info: { readonly index: number; readonly nowMs: number }): void;
}

export interface ExecuteResult {
  readonly record: TxRecord;
  /** False for a dry run, and for a repeated submission answered from history. */
  readonly committed: boolean;
}

/** Arguments of {@link Ledger.systemMoveCall}: object IDs or pre-encoded pure values. */
export type SystemArg =
  { readonly object: string; readonly mutable?: boolean } | { readonly pure: Uint8Array };

export class Ledger {
  readonly registry = new Registry();
  readonly layouts = new Layouts(this.registry);
  readonly state = new LedgerState();
  readonly now: () => number;
  readonly suiEpochDurationMs: number;
  readonly epochTimerMs: number;
  readonly faucetAmountMist: bigint;
  readonly #log: CommitLog | undefined;
  readonly #say: (message: string) => void;
  readonly #timers: { spec: TimerSpec; lastIndex: number | undefined }[] = [];
  /** The chain being created while the genesis transaction runs. */
  #pendingChain: { seed: Uint8Array; genesisMs: number } | undefined;

  private constructor(options: LedgerOptions, log: CommitLog | undefined) {
    this.now = options.now ?? Date.now;
    this.suiEpochDurationMs = options.suiEpochDurationMs ?? SUI_EPOCH_DURATION_MS_DEFAULT;
    this.epochTimerMs = options.epochTimerMs ?? WALRUS_EPOCH_DURATION_MS_DEFAULT;
    for (const [name, value] of [
      ['suiEpochDurationMs', this.suiEpochDurationMs],
      ['epochTimerMs', this.epochTimerMs],
    ] as const) {
      if (!Number.isSafeInteger(value) || value <= 0)
        throw new RangeError(`${name} must be a positive integer`);
    }
    this.faucetAmountMist = options.faucetAmountMist ?? FAUCET_AMOUNT_MIST_DEFAULT;
    if (this.faucetAmountMist <= 0n || this.faucetAmountMist > FAUCET_AMOUNT_MIST_MAX) {
      throw new RangeError(`faucet amount must be in (0, ${FAUCET_AMOUNT_MIST_MAX}] MIST`);
    }
    this.#log = log;
    this.#say = options.log ?? ((message) => process.stderr.write(`[ledger] ${message}\n`));
    this.registry.registerPackage(MOVE_STDLIB_PACKAGE);
    this.registry.registerPackage(SUI_FRAMEWORK_PACKAGE);
  }

  /** Opens (or creates) a ledger: replays the commit log, then runs any pending genesis. */
  static open(options: LedgerOptions = {}): Ledger {
    let log: CommitLog | undefined;
    let payloads: Uint8Array[] = [];
    if (options.dataDir !== undefined) {
      const opened = CommitLog.open(options.dataDir, { fsync: options.fsync });
      log = opened.log;
      payloads = opened.payloads;
      if (opened.tornBytes > 0) {
        (options.log ?? console.warn)(
          `dropped a torn record (${opened.tornBytes} bytes) at the end of the commit log`,
        );
      }
    }
    const ledger = new Ledger(options, log);
    for (const payload of payloads) ledger.state.apply(decodeRecord(payload));
    if (ledger.state.chain === undefined) ledger.#genesis(options.chainSeed ?? randomBytes(32));
    for (const pkg of options.packages ?? []) ledger.registerPackage(pkg);
    return ledger;
  }

  close(): void {
    this.#log?.close();
  }

  /** Registers a package and, the first time this data dir sees it, runs its genesis. */
  registerPackage(def: PackageDef): void {
    this.registry.registerPackage(def);
    const packageId = normalizeSuiAddress(def.packageId);
    if (def.genesis === undefined || this.state.packageGenesis.has(packageId)) return;
    const record = this.runSystem(`genesis:${packageId}`, def.genesis, {
      packageId,
      moduleName: Object.keys(def.modules)[0] ?? 'genesis',
      packageGenesis: packageId,
    });
    const status = record.effects.status as { status: string; error?: string };
    if (status.status !== 'success')
      throw new Error(`genesis of ${packageId} failed: ${status.error}`);
  }

  // ---- Time and chain identity ----

  get genesisMs(): number {
    return (this.state.chain ?? this.#pendingChain!).genesisMs;
  }

  suiEpoch(nowMs = this.now()): bigint {
    return BigInt(Math.max(0, Math.floor((nowMs - this.genesisMs) / this.suiEpochDurationMs)));
  }

  epochStartMs(epoch: bigint): number {
    return this.genesisMs + Number(epoch) * this.suiEpochDurationMs;
  }

  /** Base58 digest of checkpoint 0. */
  get chainDigest(): string {
    return this.state.txs.get(this.state.txOrder[0])!.checkpointDigest;
  }

  /** Sui's chain identifier: the first 4 bytes of the genesis checkpoint digest, hex. */
  get chainIdentifier(): string {
    return toHex(bs58Bytes(this.chainDigest).subarray(0, 4));
  }

  // ---- Reads ----

  /** The committed object; the clock's timestamp follows `now()`. */
  getObject(id: string, nowMs = this.now()): ObjectRecord | undefined {
    const record = this.state.objects.get(id);
    if (record === undefined || id !== CLOCK_ID) return record;
    const contents = new Uint8Array(40);
    contents.set(record.contents.subarray(0, 32));
    new DataView(contents.buffer).setBigUint64(32, BigInt(Math.max(0, nowMs)), true);
    return withDigest({ ...record, contents });
  }

  getTransaction(digest: string): TxRecord | undefined {
    return this.state.txs.get(digest);
  }

  // ---- User transactions ----

  /**
   * Executes a signed transaction (or dry-runs an unsigned one). Refusals throw RequestError;
   * a transaction that runs and fails returns a record whose effects say `failure`.
   */
  async execute(
    txBytes: unknown,
    signatures: unknown,
    options: { dryRun?: boolean } = {},
  ): Promise<ExecuteResult> {
    const dryRun = options.dryRun === true;
    const tx = parseTransaction(txBytes);
    const known = this.state.txs.get(tx.digest);
    if (known !== undefined && !dryRun) return { record: known, committed: false };
    if (!dryRun) await verifySignatures(tx, signatures);
    const again = this.state.txs.get(tx.digest);
    if (again !== undefined && !dryRun) return { record: again, committed: false };
    const mode = dryRun ? 'dryRun' : 'execute';
    const { commit } = this.#runUserTransaction(tx, mode, dryRun ? [] : (signatures as string[]));
    if (!dryRun) this.#commit(commit);
    return { record: commit.tx, committed: !dryRun };
  }

  #environment(ws: WorkingSet, sender: string, nowMs: number): TxEnvironment {
    const epoch = this.suiEpoch(nowMs);
    return {
      ws,
      layouts: this.layouts,
      registry: this.registry,
      sender,
      epoch,
      epochTimestampMs: BigInt(this.epochStartMs(epoch)),
      nowMs: BigInt(nowMs),
    };
  }

  #reader(nowMs: number) {
    return (id: string) => this.getObject(id, nowMs);
  }

  /**
   * Admits and runs a user transaction on a working set. `dryRun` and `devInspect` never commit;
   * dev-inspect also lifts the ownership check (Sui lets it read anyone's objects).
   */
  #runUserTransaction(
    tx: ParsedTransaction,
    mode: 'execute' | 'dryRun' | 'devInspect',
    signatures: string[],
  ): { commit: CommitRecord; returned?: ReturnedValue[][] } {
    const simulated = mode !== 'execute';
    const nowMs = this.now();
    const epoch = this.suiEpoch(nowMs);
    checkExpiration(tx.expiration, { epoch, nowMs, chainDigest: this.chainDigest });
    const { price, budget } = checkGasData(tx.gasData, simulated);
    const prepare = () => {
      const ws = new WorkingSet(tx.digest, this.#reader(nowMs));
      const inputs = loadInputs(ws, tx.pt, tx.sender, this.registry, mode === 'devInspect');
      const gas = loadGas(ws, tx.gasData, budget, simulated);
      return { ws, inputs, gas };
    };
    let run = prepare();
    const computationCost =
      price * (GAS_UNITS_BASE + GAS_UNITS_PER_COMMAND * BigInt(tx.pt.commands.length));
    let failure: ExecutionFailure | undefined;
    let returned: ReturnedValue[][] | undefined;
    try {
      const env = this.#environment(run.ws, tx.sender, nowMs);
      const executor = new PtbExecutor(env, run.inputs, run.gas.gasId, this.#bug);
      executor.run(tx.pt.commands);
      returned = executor.returned;
    } catch (error) {
      failure = this.#asFailure(error);
    }
    const skip = run.gas.mock ? run.gas.gasId : undefined;
    let charges = storageCharges(classifyChanges(run.ws, skip));
    // The budget must cover the net charge (computation plus storage minus rebates), which is
    // what the SDK's budget estimate (computeGasBudget) provides for.
    const net = computationCost + charges.storageCost - charges.storageRebate;
    if (failure === undefined && net > budget) failure = simpleFailure('InsufficientGas');
    if (failure !== undefined) {
      // A failed transaction keeps nothing but the gas charge and the version bumps of its
      // owned and mutable shared inputs, so it is replayed on pristine inputs.
      returned = undefined;
      run = prepare();
      charges = storageCharges(classifyChanges(run.ws, skip));
    }
    const gas = settleGas(run.ws, run.gas.gasId, budget, computationCost, charges, failure);
    const commit = this.#record({
      ws: run.ws,
      digest: tx.digest,
      sender: tx.sender,
      nowMs,
      gasId: run.gas.mock ? undefined : run.gas.gasId,
      skipId: skip,
      gas,
      failure,
      rawTransaction: senderSignedData(tx.bytes, signatures),
    });
    return { commit, returned };
  }

  /**
   * `sui_devInspectTransactionBlock`: runs a transaction kind as `sender` without gas or
   * signatures and reports each command's return values. Nothing is committed.
   */
  devInspect(
    sender: string,
    kindBytes: Uint8Array,
  ): { record: TxRecord; returned: ReturnedValue[][] | undefined } {
    let kind: ReturnType<typeof bcs.TransactionKind.parse>;
    try {
      kind = bcs.TransactionKind.parse(kindBytes);
    } catch (error) {
      throw invalidParams(`tx_bytes is not a BCS TransactionKind (${(error as Error).message})`);
    }
    if (kind.ProgrammableTransaction === undefined) {
      throw invalidParams('only programmable transactions can be inspected');
    }
    const bytes = bcs.TransactionData.serialize({
      V1: {
        kind,
        sender,
        gasData: {
          payment: [],
          owner: sender,
          price: GAS_PRICE_REFERENCE_MIST,
          budget: GAS_BUDGET_MAX_MIST,
        },
        expiration: { None: true },
      },
    } as never).toBytes();
    const tx = parseTransaction(toBase64(bytes));
    const { commit, returned } = this.#runUserTransaction(tx, 'devInspect', []);
    return { record: commit.tx, returned };
  }

  #bug = (message: string, error: unknown): void => {
    const detail =
      error instanceof Error && !(error instanceof PackageBug) ? `\n${error.stack}` : '';
    this.#say(`package bug: ${message}${detail}`);
  };

  #asFailure(error: unknown): ExecutionFailure {
    if (error instanceof ExecutionFailure) return error;
    if (error instanceof MoveAbortSignal) return moveAbort(error.info);
    if (error instanceof PackageBug) {
      this.#bug(error.message, error);
      return new ExecutionFailure(
        { InvariantViolation: true },
        `InvariantViolation (package bug: ${error.message})`,
      );
    }
    this.#bug('system transaction threw', error);
    return new ExecutionFailure({ InvariantViolation: true }, 'InvariantViolation');
  }

  #record(input: {
    ws: WorkingSet;
    digest: string;
    sender: string;
    nowMs: number;
    gasId: string | undefined;
    skipId?: string;
    gas: GasCost;
    failure: ExecutionFailure | undefined;
    rawTransaction: Uint8Array;
    chain?: CommitRecord['chain'];
    packageGenesis?: string;
  }): CommitRecord {
    const changes = classifyChanges(input.ws, input.skipId);
    const epoch = this.suiEpoch(input.nowMs);
    const done = finalize({
      ws: input.ws,
      changes,
      txDigest: input.digest,
      sender: input.sender,
      epoch,
      timestampMs: input.nowMs,
      gasId: input.gasId,
      gas: input.gas,
      failure: input.failure,
    });
    const seq = this.state.txOrder.length;
    const previous =
      seq === 0 ? undefined : this.state.txs.get(this.state.txOrder[seq - 1])!.checkpointDigest;
    return {
      tx: {
        seq,
        digest: input.digest,
        rawTransaction: toBase64(input.rawTransaction),
        sender: input.sender,
        effectsBcs: done.effectsBcs,
        effects: done.effectsJson,
        events: done.events,
        objectChanges: done.objectChanges,
        balanceChanges: done.balanceChanges,
        timestampMs: input.nowMs,
        checkpointDigest: checkpointDigest(seq, epoch, input.digest, previous, input.nowMs),
      },
      writes: done.writes,
      removals: done.removals,
      chain: input.chain,
      packageGenesis: input.packageGenesis,
    };
  }

  /** Write-ahead: the record is durable before memory changes. */
  #commit(record: CommitRecord): void {
    this.#log?.append(encodeRecord(record));
    this.state.apply(record);
  }

  // ---- System transactions ----

  /**
   * Runs `body` as one atomic transaction from address 0x0 without gas. Used for genesis, the
   * faucet and timers; it may load any object (`ctx.object(id)`). A failure is recorded too.
   */
  runSystem(
    label: string,
    body: (ctx: SystemContext) => void,
    options: {
      packageId?: string;
      moduleName?: string;
      packageGenesis?: string;
      chain?: CommitRecord['chain'];
    } = {},
  ): TxRecord {
    const nowMs = this.now();
    const seed = (this.state.chain ?? this.#pendingChain!).seed;
    const bytes = systemTransactionBytes(label, this.state.txOrder.length, nowMs, seed, [], []);
    const digest = TransactionDataBuilder.getDigestFromBytes(bytes);
    let ws = new WorkingSet(digest, this.#reader(nowMs));
    let failure: ExecutionFailure | undefined;
    try {
      const frame = new SystemFrame(this.#environment(ws, ZERO_ADDRESS, nowMs), {
        packageId: normalizeSuiAddress(options.packageId ?? '0x2'),
        moduleName: options.moduleName ?? 'ledger',
        functionName: label.replace(/[^A-Za-z0-9_]/g, '_'),
        functionIndex: 0,
        typeArgs: [],
      });
      body(frame);
      for (const object of ws.objects.values()) {
        if (object.status === 'live' && object.owner === null) {
          throw new PackageBug(`${label} left object ${object.id} without an owner`);
        }
      }
    } catch (error) {
      failure = this.#asFailure(error);
      ws = new WorkingSet(digest, this.#reader(nowMs));
    }
    const record = this.#record({
      ws,
      digest,
      sender: ZERO_ADDRESS,
      nowMs,
      gasId: undefined,
      gas: NO_GAS,
      failure,
      rawTransaction: senderSignedData(bytes, []),
      chain: options.chain,
      // A failed genesis is recorded but not marked done, so the next start tries again.
      packageGenesis: failure === undefined ? options.packageGenesis : undefined,
    });
    this.#commit(record);
    return record.tx;
  }

  /**
   * Calls a registered function as a system transaction (sender 0x0, no gas), e.g. the epoch
   * timer calling `system::advance_epoch(system, clock)`. Objects must be shared or immutable.
   */
  systemMoveCall(
    target: string,
    args: readonly SystemArg[],
    typeArgs: readonly string[] = [],
  ): TxRecord {
    const [pkg, moduleName, functionName, ...rest] = target.split('::');
    if (functionName === undefined || rest.length > 0) {
      throw invalidParams(`target '${target}' is not package::module::function`);
    }
    const nowMs = this.now();
    const inputs = args.map((arg) => {
      if ('pure' in arg) return { Pure: { bytes: arg.pure } };
      const id = normalizeSuiAddress(arg.object);
      const record = this.getObject(id, nowMs);
      if (record === undefined) throw invalidParams(`object ${id} does not exist`);
      if (record.owner.kind === 'shared') {
        return {
          Object: {
            SharedObject: {
              objectId: id,
              initialSharedVersion: record.owner.initialSharedVersion,
              // The clock can only be read; everything else defaults to `&mut`.
              mutable: arg.mutable ?? id !== CLOCK_ID,
            },
          },
        };
      }
      if (record.owner.kind !== 'immutable')
        throw txRejected(`system calls take shared or immutable objects, ${id} is owned`);
      return {
        Object: {
          ImmOrOwnedObject: { objectId: id, version: record.version, digest: record.digest },
        },
      };
    });
    const command = {
      MoveCall: {
        package: pkg,
        module: moduleName,
        function: functionName,
        typeArguments: typeArgs.map((t) => formatType(parseType(t))),
        arguments: args.map((_, i) => ({ Input: i })),
      },
    };
    const bytes = systemTransactionBytes(
      `call:${target}`,
      this.state.txOrder.length,
      nowMs,
      this.state.chain!.seed,
      inputs,
      [command],
    );
    const tx = parseTransaction(toBase64(bytes));
    const ws = new WorkingSet(tx.digest, this.#reader(nowMs));
    const values: Value[] = loadInputs(ws, tx.pt, ZERO_ADDRESS, this.registry);
    let failure: ExecutionFailure | undefined;
    try {
      new PtbExecutor(this.#environment(ws, ZERO_ADDRESS, nowMs), values, undefined, this.#bug).run(
        tx.pt.commands,
      );
    } catch (error) {
      failure = this.#asFailure(error);
    }
    let finalWs = ws;
    if (failure !== undefined) {
      finalWs = new WorkingSet(tx.digest, this.#reader(nowMs));
      loadInputs(finalWs, tx.pt, ZERO_ADDRESS, this.registry);
    }
    const record = this.#record({
      ws: finalWs,
      digest: tx.digest,
      sender: ZERO_ADDRESS,
      nowMs,
      gasId: undefined,
      gas: NO_GAS,
      failure,
      rawTransaction: senderSignedData(bytes, []),
    });
    this.#commit(record);
    return record.tx;
  }

  /** Sends a fresh SUI coin to `recipient`. */
  faucet(
    recipient: string,
    amountMist: bigint = this.faucetAmountMist,
  ): { coinId: string; digest: string; amount: bigint } {
    if (amountMist <= 0n || amountMist > FAUCET_AMOUNT_MIST_MAX)
      throw invalidParams('faucet amount out of range');
    if (!isValidSuiAddress(normalizeSuiAddress(recipient)))
      throw invalidParams(`recipient '${recipient}' is not an address`);
    let coinId = '';
    const record = this.runSystem(
      'faucet',
      (ctx) => {
        const coin = ctx.newObject(formatType(GAS_COIN_TYPE), { balance: amountMist.toString() });
        ctx.transfer(coin, recipient);
        coinId = coin.id;
      },
      { moduleName: 'coin' },
    );
    assert(coinId !== '', 'the faucet created a coin');
    return { coinId, digest: record.digest, amount: amountMist };
  }

  #genesis(seed: Uint8Array): void {
    const genesisMs = this.now();
    this.#pendingChain = { seed, genesisMs };
    this.runSystem(
      'genesis',
      (ctx) => {
        // The clock is the one object with a fixed ID; its timestamp is filled in on every read.
        const frame = ctx as SystemFrame;
        const contents = new Uint8Array(40);
        contents.set(addressBytes(CLOCK_ID), 0);
        const clock = frame.env.ws.addNew(CLOCK_ID, parseType(CLOCK_TYPE), contents, false, {
          createdHere: true,
        });
        clock.owner = { kind: 'shared', initialSharedVersion: 0n };
      },
      { chain: { seed, genesisMs } },
    );
  }

  // ---- Timers ----

  addTimer(spec: TimerSpec): void {
    const intervalMs = spec.intervalMs ?? this.epochTimerMs;
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0)
      throw new RangeError('timer interval must be a positive integer');
    this.#timers.push({ spec: { ...spec, intervalMs }, lastIndex: undefined });
  }

  /** Runs the timers that are due; the server calls it every TIMER_TICK_MS, tests directly. */
  tick(): void {
    const nowMs = this.now();
    for (const timer of this.#timers) {
      const index = Math.floor((nowMs - this.genesisMs) / timer.spec.intervalMs!);
      if (index === timer.lastIndex) continue;
      timer.lastIndex = index;
      try {
        timer.spec.run(this, { index, nowMs });
      } catch (error) {
        this.#say(`timer ${timer.spec.name} failed: ${(error as Error).stack ?? error}`);
      }
    }
  }
}

const NO_GAS: GasCost = { computationCost: 0n, storageCost: 0n, storageRebate: 0n };

/**
 * Charges the gas coin: it held `balance - budget` during execution (Sui's reservation), and
 * gets back the budget minus the net charge. Running out of gas costs the whole budget.
 */
function settleGas(
  ws: WorkingSet,
  gasId: string,
  budget: bigint,
  computationCost: bigint,
  charges: { storageCost: bigint; storageRebate: bigint },
  failure: ExecutionFailure | undefined,
): GasCost {
  const storageNet = charges.storageCost - charges.storageRebate;
  const outOfGas = failure?.debugText === 'InsufficientGas';
  const computation = !outOfGas ? computationCost : budget > storageNet ? budget - storageNet : 0n;
  const coin = ws.get(gasId)!;
  const reserved = coinBalance(coin.contents);
  const refund = budget - (computation + storageNet);
  ws.setContents(coin, coinContents(coin.id, reserved + refund));
  return { computationCost: computation, ...charges };
}

function bs58Bytes(digest: string): Uint8Array {
  return bcs.ObjectDigest.serialize(digest).toBytes().subarray(1);
}

function addressBytes(id: string): Uint8Array {
  return Uint8Array.from(
    id
      .slice(2)
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  );
}

/**
 * A system transaction is a real (unsigned) `TransactionData`, so the SDK can parse it back. A
 * pure input carrying the label, sequence number, time and chain seed makes its digest unique.
 */
function systemTransactionBytes(
  label: string,
  seq: number,
  nowMs: number,
  seed: Uint8Array,
  inputs: unknown[],
  commands: unknown[],
): Uint8Array {
  const nonce = new TextEncoder().encode(`walrus-edge:${label}:${seq}:${nowMs}:${toHex(seed)}`);
  return bcs.TransactionData.serialize({
    V1: {
      kind: {
        ProgrammableTransaction: { inputs: [...inputs, { Pure: { bytes: nonce } }], commands },
      },
      sender: ZERO_ADDRESS,
      gasData: { payment: [], owner: ZERO_ADDRESS, price: 0, budget: 0 },
      expiration: { None: true },
    },
  } as never).toBytes();
}

function senderSignedData(txBytes: Uint8Array, signatures: string[]): Uint8Array {
  return bcs.SenderSignedData.serialize([
    {
      intentMessage: {
        intent: { scope: { TransactionData: true }, version: { V0: true }, appId: { Sui: true } },
        value: bcs.TransactionData.parse(txBytes),
      },
      txSignatures: signatures,
    },
  ] as never).toBytes();
}

const CHECKPOINT = bcs.struct('CheckpointSummaryLite', {
  epoch: bcs.u64(),
  sequenceNumber: bcs.u64(),
  transaction: bcs.ObjectDigest,
  previousDigest: bcs.option(bcs.ObjectDigest),
  timestampMs: bcs.u64(),
});

/** Our checkpoints hold one transaction each; the digest chains them like Sui's. */
function checkpointDigest(
  seq: number,
  epoch: bigint,
  txDigest: string,
  previous: string | undefined,
  nowMs: number,
): string {
  const bytes = CHECKPOINT.serialize({
    epoch,
    sequenceNumber: seq,
    transaction: txDigest,
    previousDigest: previous ?? null,
    timestampMs: nowMs,
  }).toBytes();
  return toBase58(hashTyped('CheckpointSummary', bytes));
}
