/**
 * `Chain` over Sui JSON-RPC (`SuiJsonRpcClient` on a timed, caller-supplied fetch). The same code
 * talks to a Sui fullnode and to our local ledger (devnet/ledger); it needs only the methods a
 * minimal server answers (docs/spec/contracts.md §8.5): execute, multi-get objects, query events, plus
 * `suix_getCoins`, `suix_getReferenceGasPrice` and `suix_getOwnedObjects`.
 *
 * Transactions need no client-side resolution (executor.ts): the System goes in as a shared-object
 * reference with its initial shared version, owned objects by reference, arguments as typed pure
 * values. Prices are computed as the Move code computes them (committee.ts) and paid from the gas
 * coin; `coin::destroy_zero` on the payment makes any disagreement abort instead of overpaying.
 *
 * Over 400 lines: one class, one method per Move entry point; the plumbing lives in executor.ts,
 * objects.ts, decode.ts and committee.ts.
 */
import { bcs } from '@mysten/sui/bcs';
import { SuiJsonRpcClient } from '@mysten/sui/jsonRpc';
import {
  type Transaction,
  type TransactionArgument,
  type TransactionObjectArgument,
} from '@mysten/sui/transactions';
import { deriveDynamicFieldID, normalizeSuiAddress } from '@mysten/sui/utils';
import { checkInteger } from '../assert.js';
import { blobIdToU256 } from '../blob-id.js';
import { ENCODING_TYPE_RS2, HASH_BYTES } from '../encoding/config.js';
import { registerCost, storageCostMist } from './committee.js';
import {
  decodeSuiEvent,
  eventCursor,
  parseBlob,
  parseEventCursor,
  parseNodeInfoField,
  parseStorage,
  parseSystem,
  systemState,
  type RawSystem,
} from './decode.js';
import { ChainError, ChainObjectError, ChainRpcError } from './errors.js';
import { changedRef, SUI_TYPE, TransactionExecutor, type Executed } from './executor.js';
import {
  BLOB_ATTRIBUTES_FIELD,
  BLOB_ATTRIBUTES_KEY,
  BLOB_ATTRIBUTES_KEY_TYPE,
  NODE_TABLE_KEY_TYPE,
} from './layouts.js';
import { checkType, fetchObjects, objectOf, OBJECT_OPTIONS } from './objects.js';
import { TimedJsonRpcTransport, type FetchFunction } from './transport.js';
import type {
  BlobHandle,
  CertificateInput,
  Chain,
  ChainBlob,
  ChainEvent,
  ChainSigner,
  DeleteResult,
  EventPage,
  ExtendResult,
  FollowOptions,
  MutatedResult,
  NodeInfo,
  ObjectRef,
  Page,
  RegisterBlobParams,
  RegisterResult,
  StorageResource,
  SystemState,
  TxOptions,
  TxResult,
} from './types.js';

/** How long `readSystem` serves a cached read: prices and committees change at most per epoch. */
export const SYSTEM_CACHE_MS_DEFAULT = 2_000;
const SYSTEM_CACHE_MS_MAX = 3_600_000;
/**
 * Budget reserved from the gas coins per transaction. Sui needs the budget to cover computation
 * plus the gross storage of every written object (rebates come after), and the System object is
 * rewritten by reserve/register/extend: 0.2 SUI covers a System with a few hundred accounting
 * slots. Unused budget is not spent.
 */
export const GAS_BUDGET_MIST_DEFAULT = 200_000_000n;
/** Sui's `QUERY_MAX_RESULT_LIMIT`: the largest page a fullnode returns. */
export const PAGE_SIZE_MAX = 50;
/** A fullnode may serve a read before it has applied the transaction that created the object. */
const READ_AFTER_WRITE_ATTEMPTS = 5;
const READ_AFTER_WRITE_DELAY_MS = 200;
/** `followEvents` backs off after failures up to this wait. */
const FOLLOW_BACKOFF_MS_MAX = 30_000;
const FOLLOW_POLL_MS_DEFAULT = 1_000;
const FOLLOW_POLL_MS_MAX = 3_600_000;
const U32_MAX = 0xffff_ffff;
const CLOCK_ID = '0x6';
/** The clock is shared at version 1 on every Sui network. */
const CLOCK_INITIAL_SHARED_VERSION = 1;

export interface SuiChainOptions {
  /** JSON-RPC endpoint: a Sui fullnode or the local ledger. */
  readonly url: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  /** Transport; defaults to the global fetch. */
  readonly fetch?: FetchFunction;
  /** Per request. */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly systemCacheMs?: number;
  readonly gasBudgetMist?: bigint;
  /** A fixed gas price; otherwise the reference price is read and cached. */
  readonly gasPriceMist?: bigint;
  /** Saves one read when the System's initial shared version is known. */
  readonly systemInitialSharedVersion?: string;
  /** Clock for cache ages (ms). */
  readonly now?: () => number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function checkBytes(name: string, value: Uint8Array, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

function isRef(handle: BlobHandle): handle is ObjectRef {
  return typeof handle === 'object' && !('blobId' in handle);
}

export class SuiChain implements Chain {
  readonly packageId: string;
  readonly systemObjectId: string;
  /** The underlying client, for calls this interface does not cover. */
  readonly client: SuiJsonRpcClient;
  readonly #systemCacheMs: number;
  readonly #now: () => number;
  readonly #executor: TransactionExecutor;
  #systemSharedVersion: string | undefined;
  #systemCache:
    { readonly value: SystemState; readonly raw: RawSystem; readonly atMs: number } | undefined;
  #systemLoading: Promise<SystemState> | undefined;

  constructor(options: SuiChainOptions) {
    this.packageId = normalizeSuiAddress(options.packageId);
    this.systemObjectId = normalizeSuiAddress(options.systemObjectId);
    this.client = new SuiJsonRpcClient({
      network: 'custom',
      transport: new TimedJsonRpcTransport({
        url: options.url,
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        headers: options.headers,
      }),
    });
    this.#systemCacheMs = checkInteger(
      'systemCacheMs',
      options.systemCacheMs ?? SYSTEM_CACHE_MS_DEFAULT,
      0,
      SYSTEM_CACHE_MS_MAX,
    );
    this.#systemSharedVersion = options.systemInitialSharedVersion;
    this.#now = options.now ?? (() => Date.now());
    this.#executor = new TransactionExecutor(this.client, {
      packageId: this.packageId,
      gasBudgetMist: options.gasBudgetMist ?? GAS_BUDGET_MIST_DEFAULT,
      gasPriceMist: options.gasPriceMist,
      now: this.#now,
      decodeEvent: (event) => decodeSuiEvent(event, this.packageId),
    });
  }

  type(module: string, name: string): string {
    return `${this.packageId}::${module}::${name}`;
  }

  // ---- Reads ----

  async readSystem(
    options: { readonly fresh?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<SystemState> {
    const cache = this.#systemCache;
    if (options.fresh !== true) {
      if (cache !== undefined && this.#now() - cache.atMs < this.#systemCacheMs) return cache.value;
      // Concurrent readers share one load; it runs without any one caller's signal.
      if (this.#systemLoading !== undefined) return this.#systemLoading;
    }
    const loading = this.#loadSystem(options.fresh === true ? options.signal : undefined);
    if (options.fresh !== true) this.#systemLoading = loading;
    try {
      return await loading;
    } finally {
      if (this.#systemLoading === loading) this.#systemLoading = undefined;
    }
  }

  async #loadSystem(signal?: AbortSignal): Promise<SystemState> {
    const [object] = await fetchObjects(this.client, [this.systemObjectId], signal);
    checkType(object, this.type('system', 'System'));
    if (object.sharedVersion === null) {
      throw new ChainObjectError(
        object.ref.objectId,
        'not-owned',
        'the System object is not shared',
      );
    }
    this.#systemSharedVersion = object.sharedVersion;
    const raw = parseSystem(object.ref.objectId, object.bytes);
    const fieldIds = raw.memberNodeIds.map((id) => this.#nodeFieldId(raw.nodesTableId, id));
    const fields = await fetchObjects(this.client, fieldIds, signal);
    const nodes = new Map<string, NodeInfo>();
    for (const field of fields) {
      const info = parseNodeInfoField(field.ref.objectId, field.bytes);
      nodes.set(info.nodeId, info);
    }
    const value = systemState(object.ref.objectId, object.ref.version, raw, nodes);
    const cached = this.#systemCache;
    // A slower, older read must not replace a newer one.
    if (cached === undefined || BigInt(cached.value.objectVersion) <= BigInt(value.objectVersion)) {
      this.#systemCache = { value, raw, atMs: this.#now() };
    }
    return value;
  }

  #nodeFieldId(tableId: string, nodeId: string): string {
    return deriveDynamicFieldID(
      tableId,
      NODE_TABLE_KEY_TYPE,
      bcs.Address.serialize(nodeId).toBytes(),
    );
  }

  async readNode(
    nodeId: string,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<NodeInfo> {
    if (this.#systemCache === undefined) await this.readSystem(options);
    const tableId = this.#systemCache!.raw.nodesTableId;
    const [field] = await fetchObjects(
      this.client,
      [this.#nodeFieldId(tableId, normalizeSuiAddress(nodeId))],
      options.signal,
    );
    return parseNodeInfoField(field.ref.objectId, field.bytes);
  }

  async readBlob(
    objectId: string,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ChainBlob> {
    const [object] = await fetchObjects(
      this.client,
      [normalizeSuiAddress(objectId)],
      options.signal,
    );
    checkType(object, this.type('blob', 'Blob'));
    return parseBlob(object.ref, object.owner, object.bytes);
  }

  async readBlobAttributes(
    objectId: string,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ReadonlyMap<string, string>> {
    const fieldId = deriveDynamicFieldID(
      normalizeSuiAddress(objectId),
      BLOB_ATTRIBUTES_KEY_TYPE,
      bcs.vector(bcs.u8()).serialize(BLOB_ATTRIBUTES_KEY).toBytes(),
    );
    let field;
    try {
      [field] = await fetchObjects(this.client, [fieldId], options.signal);
    } catch (error) {
      // No field: the blob has no attributes.
      if (error instanceof ChainObjectError && error.reason === 'not-found') return new Map();
      throw error;
    }
    const parsed = BLOB_ATTRIBUTES_FIELD.parse(field.bytes);
    return new Map(parsed.value.metadata.contents.map((entry) => [entry.key, entry.value]));
  }

  async readStorage(
    objectId: string,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<StorageResource & { readonly ref: ObjectRef }> {
    const [object] = await fetchObjects(
      this.client,
      [normalizeSuiAddress(objectId)],
      options.signal,
    );
    checkType(object, this.type('storage_resource', 'Storage'));
    return parseStorage(object.ref, object.bytes);
  }

  async ownedBlobs(
    owner: string,
    options: {
      readonly cursor?: string | null;
      readonly limit?: number;
      readonly signal?: AbortSignal;
    } = {},
  ): Promise<Page<ChainBlob>> {
    const limit = checkInteger('limit', options.limit ?? PAGE_SIZE_MAX, 1, PAGE_SIZE_MAX);
    const page = await this.client.getOwnedObjects({
      owner: normalizeSuiAddress(owner),
      filter: { StructType: this.type('blob', 'Blob') },
      options: OBJECT_OPTIONS,
      cursor: options.cursor ?? null,
      limit,
      signal: options.signal,
    });
    const data = page.data.map((response) => {
      const object = objectOf(response, response.data?.objectId ?? '(unknown)');
      checkType(object, this.type('blob', 'Blob'));
      return parseBlob(object.ref, object.owner, object.bytes);
    });
    return { data, nextCursor: page.nextCursor ?? null, hasNextPage: page.hasNextPage };
  }

  // ---- Events ----

  async events(
    cursor: string | null,
    limit = PAGE_SIZE_MAX,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<EventPage> {
    checkInteger('limit', limit, 1, PAGE_SIZE_MAX);
    const page = await this.client.queryEvents({
      query: { MoveEventModule: { package: this.packageId, module: 'events' } },
      cursor: cursor === null ? null : parseEventCursor(cursor),
      limit,
      order: 'ascending',
      signal: options.signal,
    });
    if (page.data.length > limit) {
      throw new ChainRpcError(
        `suix_queryEvents: ${page.data.length} events for a page of ${limit}`,
        'suix_queryEvents',
        0,
      );
    }
    const events = page.data.map((event) => decodeSuiEvent(event, this.packageId));
    const last = events[events.length - 1];
    let nextCursor = cursor;
    if (last !== undefined) nextCursor = last.cursor;
    else if (page.nextCursor !== null && page.nextCursor !== undefined) {
      nextCursor = eventCursor(page.nextCursor.txDigest, Number(page.nextCursor.eventSeq));
    }
    return { events, nextCursor, hasNextPage: page.hasNextPage };
  }

  async followEvents(
    cursor: string | null,
    onEvent: (event: ChainEvent) => void | Promise<void>,
    options: FollowOptions = {},
  ): Promise<string | null> {
    const pollMs = checkInteger(
      'pollMs',
      options.pollMs ?? FOLLOW_POLL_MS_DEFAULT,
      1,
      FOLLOW_POLL_MS_MAX,
    );
    const pageSize = checkInteger('pageSize', options.pageSize ?? PAGE_SIZE_MAX, 1, PAGE_SIZE_MAX);
    const signal = options.signal;
    const aborted = () => signal?.aborted === true;
    let failures = 0;
    while (!aborted()) {
      let page: EventPage;
      try {
        page = await this.events(cursor, pageSize, { signal });
        failures = 0;
      } catch (error) {
        if (aborted()) break;
        options.onError?.(error);
        failures += 1;
        await sleep(Math.min(FOLLOW_BACKOFF_MS_MAX, pollMs * 2 ** Math.min(failures, 16)), signal);
        continue;
      }
      for (const event of page.events) {
        await onEvent(event);
        cursor = event.cursor;
        if (aborted()) return cursor;
      }
      cursor = page.nextCursor;
      if (!page.hasNextPage) await sleep(pollMs, signal);
    }
    return cursor;
  }

  // ---- Transactions: blobs ----

  async reserveAndRegister(
    params: RegisterBlobParams,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<RegisterResult> {
    const checked = checkRegisterParams(params);
    const system = options.system ?? (await this.readSystem({ signal: options.signal }));
    const cost = registerCost(system, checked);
    if (cost.encodedLength <= 0n) throw new RangeError('encodedLength must be positive');
    const executed = await this.#run(signer, cost.totalMist, options, (tx, sender) => {
      const sys = this.#systemArg(tx, true);
      const [payment] = tx.splitCoins(tx.gas, [tx.pure.u64(cost.totalMist)]);
      const storage = tx.moveCall({
        target: `${this.packageId}::system::reserve_space`,
        arguments: [sys, tx.pure.u64(cost.encodedLength), tx.pure.u32(checked.epochs), payment],
      });
      const blob = this.#registerCall(tx, sys, storage, checked, payment);
      this.#destroyZero(tx, payment);
      tx.transferObjects([blob], sender);
    });
    return { ...executed, blob: await this.#createdBlob(executed, options.signal), cost };
  }

  /** Registers a blob into Storage the sender already owns (from `deleteBlob`, or split off). */
  async registerWithStorage(
    params: Omit<RegisterBlobParams, 'epochs' | 'encodedLength'>,
    storage: ObjectRef,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<RegisterResult> {
    const checked = checkRegisterParams({ ...params, epochs: 1 });
    const system = options.system ?? (await this.readSystem({ signal: options.signal }));
    const cost = registerCost(system, { size: checked.size, epochs: 0 });
    const executed = await this.#run(signer, cost.writeMist, options, (tx, sender) => {
      const sys = this.#systemArg(tx, true);
      const [payment] = tx.splitCoins(tx.gas, [tx.pure.u64(cost.writeMist)]);
      const blob = this.#registerCall(tx, sys, tx.objectRef(storage), checked, payment);
      this.#destroyZero(tx, payment);
      tx.transferObjects([blob], sender);
    });
    return { ...executed, blob: await this.#createdBlob(executed, options.signal), cost };
  }

  #registerCall(
    tx: Transaction,
    sys: TransactionObjectArgument,
    storage: TransactionObjectArgument,
    params: RegisterBlobParams,
    payment: TransactionObjectArgument,
  ): TransactionObjectArgument {
    return tx.moveCall({
      target: `${this.packageId}::system::register_blob`,
      arguments: [
        sys,
        storage,
        tx.pure.u256(blobIdToU256(params.blobId)),
        tx.pure.u256(blobIdToU256(params.rootHash)),
        tx.pure.u64(params.size),
        tx.pure.u8(ENCODING_TYPE_RS2),
        tx.pure.bool(params.deletable),
        payment,
      ],
    });
  }

  async #createdBlob(executed: Executed, signal?: AbortSignal): Promise<ChainBlob> {
    const ref = changedRef(executed, 'created', this.type('blob', 'Blob'));
    // Read back for the exact on-chain fields; a lagging fullnode may need a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        const blob = await this.readBlob(ref.objectId, { signal });
        if (BigInt(blob.ref.version) >= BigInt(ref.version)) return blob;
      } catch (error) {
        if (!(error instanceof ChainObjectError) || error.reason !== 'not-found') throw error;
        if (attempt >= READ_AFTER_WRITE_ATTEMPTS) throw error;
      }
      if (attempt >= READ_AFTER_WRITE_ATTEMPTS)
        throw new ChainError(`blob ${ref.objectId} did not reach version ${ref.version}`);
      await sleep(READ_AFTER_WRITE_DELAY_MS, signal);
    }
  }

  async certifyBlob(
    blob: BlobHandle,
    certificate: CertificateInput,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    checkBytes('signature', certificate.signature);
    checkBytes('signersBitmap', certificate.signersBitmap);
    checkBytes('message', certificate.message);
    const ref = await this.#blobRef(blob, options.signal);
    const executed = await this.#run(signer, 0n, options, (tx) => {
      tx.moveCall({
        target: `${this.packageId}::system::certify_blob`,
        arguments: [
          this.#systemArg(tx, false),
          tx.objectRef(ref),
          tx.pure.vector('u8', certificate.signature),
          tx.pure.vector('u8', certificate.signersBitmap),
          tx.pure.vector('u8', certificate.message),
        ],
      });
    });
    return {
      ...executed,
      ref: changedRef(executed, 'mutated', this.type('blob', 'Blob'), ref.objectId),
    };
  }

  async extendBlob(
    blob: BlobHandle,
    epochs: number,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<ExtendResult> {
    checkInteger('epochs', epochs, 1, U32_MAX);
    const current =
      typeof blob === 'string' || isRef(blob)
        ? await this.readBlob(typeof blob === 'string' ? blob : blob.objectId, {
            signal: options.signal,
          })
        : blob;
    const system = options.system ?? (await this.readSystem({ signal: options.signal }));
    const costMist = storageCostMist(system, current.storage.storageSize, epochs);
    const executed = await this.#run(signer, costMist, options, (tx) => {
      const [payment] = tx.splitCoins(tx.gas, [tx.pure.u64(costMist)]);
      tx.moveCall({
        target: `${this.packageId}::system::extend_blob`,
        arguments: [
          this.#systemArg(tx, true),
          tx.objectRef(current.ref),
          tx.pure.u32(epochs),
          payment,
        ],
      });
      this.#destroyZero(tx, payment);
    });
    const certified = executed.events.find(
      (e) => e.kind === 'BlobCertified' && e.objectId === current.objectId,
    );
    const endEpoch =
      certified?.kind === 'BlobCertified' ? certified.endEpoch : current.storage.endEpoch + epochs;
    return {
      ...executed,
      ref: changedRef(executed, 'mutated', this.type('blob', 'Blob'), current.objectId),
      endEpoch,
      costMist,
    };
  }

  /**
   * Sets attributes on a Blob object the signer owns (`blob::insert_or_update_metadata_pair`, one
   * call per pair in one PTB): the key/values aggregators turn into headers of by-object-id reads.
   */
  async setBlobAttributes(
    blob: BlobHandle,
    attributes: Readonly<Record<string, string>>,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    const pairs = Object.entries(attributes);
    if (pairs.length === 0) throw new RangeError('no attributes to set');
    const ref = await this.#blobRef(blob, options.signal);
    const executed = await this.#run(signer, 0n, options, (tx) => {
      const object = tx.objectRef(ref);
      for (const [key, value] of pairs) {
        tx.moveCall({
          target: `${this.packageId}::blob::insert_or_update_metadata_pair`,
          arguments: [object, tx.pure.string(key), tx.pure.string(value)],
        });
      }
    });
    return {
      ...executed,
      ref: changedRef(executed, 'mutated', this.type('blob', 'Blob'), ref.objectId),
    };
  }

  async transferBlob(
    blob: BlobHandle,
    recipient: string,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<TxResult> {
    if (!/^0x[0-9a-f]{64}$/.test(recipient)) {
      throw new RangeError('recipient must be a 0x-prefixed 64-digit lowercase hex address');
    }
    const ref = await this.#blobRef(blob, options.signal);
    return this.#run(signer, 0n, options, (tx) => {
      tx.transferObjects([tx.objectRef(ref)], recipient);
    });
  }

  async deleteBlob(
    blob: BlobHandle,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<DeleteResult> {
    const ref = await this.#blobRef(blob, options.signal);
    const executed = await this.#run(signer, 0n, options, (tx, sender) => {
      const storage = tx.moveCall({
        target: `${this.packageId}::system::delete_blob`,
        arguments: [this.#systemArg(tx, false), tx.objectRef(ref)],
      });
      tx.transferObjects([storage], sender);
    });
    return {
      ...executed,
      storage: changedRef(executed, 'created', this.type('storage_resource', 'Storage')),
    };
  }

  /** Submits an invalid-blob-ID certificate (f + 1 weight); anyone may. */
  async invalidateBlobId(
    certificate: CertificateInput,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<TxResult> {
    return this.#run(signer, 0n, options, (tx) => {
      tx.moveCall({
        target: `${this.packageId}::system::invalidate_blob_id`,
        arguments: [
          this.#systemArg(tx, false),
          tx.pure.vector('u8', checkBytes('signature', certificate.signature)),
          tx.pure.vector('u8', checkBytes('signersBitmap', certificate.signersBitmap)),
          tx.pure.vector('u8', checkBytes('message', certificate.message)),
        ],
      });
    });
  }

  // ---- Transactions: storage resources ----

  /** Splits `storage` at `epoch`: it keeps `[start, epoch)`, the new object gets `[epoch, end)`. */
  async splitStorageByEpoch(
    storage: ObjectRef,
    epoch: number,
    signer: ChainSigner,
    options: TxOptions = {},
  ) {
    checkInteger('epoch', epoch, 0, U32_MAX);
    return this.#splitStorage(
      storage,
      'split_by_epoch',
      (tx) => tx.pure.u32(epoch),
      signer,
      options,
    );
  }

  /** Splits `storage` by size: it keeps `size` bytes, the new object gets the rest. */
  async splitStorageBySize(
    storage: ObjectRef,
    size: bigint,
    signer: ChainSigner,
    options: TxOptions = {},
  ) {
    return this.#splitStorage(storage, 'split_by_size', (tx) => tx.pure.u64(size), signer, options);
  }

  async #splitStorage(
    storage: ObjectRef,
    fn: 'split_by_epoch' | 'split_by_size',
    at: (tx: Transaction) => TransactionArgument,
    signer: ChainSigner,
    options: TxOptions,
  ): Promise<MutatedResult & { readonly created: ObjectRef }> {
    const type = this.type('storage_resource', 'Storage');
    const executed = await this.#run(signer, 0n, options, (tx, sender) => {
      const rest = tx.moveCall({
        target: `${this.packageId}::storage_resource::${fn}`,
        arguments: [tx.objectRef(storage), at(tx)],
      });
      tx.transferObjects([rest], sender);
    });
    return {
      ...executed,
      ref: changedRef(executed, 'mutated', type, storage.objectId),
      created: changedRef(executed, 'created', type),
    };
  }

  /** `storage_resource::fuse(first, second)`: same period (sizes add) or adjacent periods. */
  async fuseStorage(
    first: ObjectRef,
    second: ObjectRef,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    const executed = await this.#run(signer, 0n, options, (tx) => {
      tx.moveCall({
        target: `${this.packageId}::storage_resource::fuse`,
        arguments: [tx.objectRef(first), tx.objectRef(second)],
      });
    });
    return {
      ...executed,
      ref: changedRef(
        executed,
        'mutated',
        this.type('storage_resource', 'Storage'),
        first.objectId,
      ),
    };
  }

  // ---- Transactions: nodes and admin (storage nodes, devnet tooling) ----

  /** `register_node`; the proof of possession signs core/messages.ts `proofOfPossessionMessage`. */
  async registerNode(
    params: {
      readonly name: string;
      readonly networkAddress: string;
      readonly blsPublicKey: Uint8Array;
      readonly networkPublicKey: Uint8Array;
      readonly proofOfPossession: Uint8Array;
    },
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<TxResult & { readonly nodeCap: ObjectRef }> {
    const executed = await this.#run(signer, 0n, options, (tx, sender) => {
      const cap = tx.moveCall({
        target: `${this.packageId}::system::register_node`,
        arguments: [
          this.#systemArg(tx, true),
          tx.pure.string(params.name),
          tx.pure.string(params.networkAddress),
          tx.pure.vector('u8', checkBytes('blsPublicKey', params.blsPublicKey)),
          tx.pure.vector('u8', checkBytes('networkPublicKey', params.networkPublicKey)),
          tx.pure.vector('u8', checkBytes('proofOfPossession', params.proofOfPossession)),
        ],
      });
      tx.transferObjects([cap], sender);
    });
    return {
      ...executed,
      nodeCap: changedRef(executed, 'created', this.type('nodes', 'NodeCap')),
    };
  }

  /** `epoch_sync_done`: the node has received its shards for `epoch`. */
  async epochSyncDone(
    nodeCap: ObjectRef,
    epoch: number,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    checkInteger('epoch', epoch, 0, U32_MAX);
    const executed = await this.#run(signer, 0n, options, (tx) => {
      tx.moveCall({
        target: `${this.packageId}::system::epoch_sync_done`,
        arguments: [
          this.#systemArg(tx, true),
          tx.objectRef(nodeCap),
          tx.pure.u32(epoch),
          this.#clockArg(tx),
        ],
      });
    });
    return {
      ...executed,
      ref: changedRef(executed, 'mutated', this.type('nodes', 'NodeCap'), nodeCap.objectId),
    };
  }

  /** Admin: `set_next_committee(node_ids, shard_counts)`. Returns the AdminCap's new ref. */
  async setNextCommittee(
    adminCap: ObjectRef,
    assignment: readonly { readonly nodeId: string; readonly shardCount: number }[],
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    const nodeIds = assignment.map((a) => normalizeSuiAddress(a.nodeId));
    const counts = assignment.map((a) => checkInteger('shardCount', a.shardCount, 0, 0xffff));
    return this.#adminCall(adminCap, signer, options, 'set_next_committee', (tx) => [
      tx.pure.vector('address', nodeIds),
      tx.pure.vector('u16', counts),
    ]);
  }

  /** Admin: `set_prices(storage_price, write_price)`, MIST per 1 MiB unit. */
  async setPrices(
    adminCap: ObjectRef,
    storagePriceMist: bigint,
    writePriceMist: bigint,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    return this.#adminCall(adminCap, signer, options, 'set_prices', (tx) => [
      tx.pure.u64(storagePriceMist),
      tx.pure.u64(writePriceMist),
    ]);
  }

  /** Admin: `set_capacity(total_capacity)`, encoded bytes sellable per epoch. */
  async setCapacity(
    adminCap: ObjectRef,
    totalCapacityBytes: bigint,
    signer: ChainSigner,
    options: TxOptions = {},
  ): Promise<MutatedResult> {
    return this.#adminCall(adminCap, signer, options, 'set_capacity', (tx) => [
      tx.pure.u64(totalCapacityBytes),
    ]);
  }

  async #adminCall(
    adminCap: ObjectRef,
    signer: ChainSigner,
    options: TxOptions,
    fn: string,
    args: (tx: Transaction) => TransactionArgument[],
  ): Promise<MutatedResult> {
    const executed = await this.#run(signer, 0n, options, (tx) => {
      tx.moveCall({
        target: `${this.packageId}::system::${fn}`,
        arguments: [this.#systemArg(tx, true), tx.objectRef(adminCap), ...args(tx)],
      });
    });
    // Sui re-versions every owned input, including one passed by immutable reference.
    const type = this.type('system', 'AdminCap');
    return { ...executed, ref: changedRef(executed, 'mutated', type, adminCap.objectId) };
  }

  /** Permissionless `advance_epoch` (once the next committee is selected and the epoch is due). */
  async advanceEpoch(signer: ChainSigner, options: TxOptions = {}): Promise<TxResult> {
    return this.#run(signer, 0n, options, (tx) => {
      tx.moveCall({
        target: `${this.packageId}::system::advance_epoch`,
        arguments: [this.#systemArg(tx, true), this.#clockArg(tx)],
      });
    });
  }

  // ---- Transaction plumbing ----

  /** Executes through the executor once the System's initial shared version is known. */
  async #run(
    signer: ChainSigner,
    paymentMist: bigint,
    options: TxOptions,
    build: (tx: Transaction, sender: string) => void,
  ): Promise<Executed> {
    if (this.#systemSharedVersion === undefined) await this.readSystem({ signal: options.signal });
    return this.#executor.execute(signer, paymentMist, options, build);
  }

  #systemArg(tx: Transaction, mutable: boolean): TransactionObjectArgument {
    const initialSharedVersion = this.#systemSharedVersion;
    if (initialSharedVersion === undefined)
      throw new ChainError('the System initial shared version is unknown');
    return tx.sharedObjectRef({ objectId: this.systemObjectId, initialSharedVersion, mutable });
  }

  #clockArg(tx: Transaction): TransactionObjectArgument {
    return tx.sharedObjectRef({
      objectId: CLOCK_ID,
      initialSharedVersion: CLOCK_INITIAL_SHARED_VERSION,
      mutable: false,
    });
  }

  #destroyZero(tx: Transaction, coin: TransactionObjectArgument): void {
    // The price was computed as Move computes it; a leftover would mean we over-paid, so abort.
    tx.moveCall({
      target: '0x2::coin::destroy_zero',
      typeArguments: [SUI_TYPE],
      arguments: [coin],
    });
  }

  async #blobRef(blob: BlobHandle, signal?: AbortSignal): Promise<ObjectRef> {
    if (typeof blob === 'string') return (await this.readBlob(blob, { signal })).ref;
    return isRef(blob) ? blob : blob.ref;
  }
}

function checkRegisterParams(params: RegisterBlobParams): RegisterBlobParams {
  checkInteger('size', params.size, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('epochs', params.epochs, 1, U32_MAX);
  checkBytes('blobId', params.blobId, HASH_BYTES);
  checkBytes('rootHash', params.rootHash, HASH_BYTES);
  if (typeof params.deletable !== 'boolean') throw new TypeError('deletable must be a boolean');
  if (
    params.encodedLength !== undefined &&
    (typeof params.encodedLength !== 'bigint' || params.encodedLength <= 0n)
  ) {
    throw new RangeError('encodedLength must be a positive bigint');
  }
  return params;
}
