/**
 * From a finished working set to what Sui reports: the classified object changes, the storage
 * charge, the new object records (Lamport version, digests), BCS `TransactionEffects::V2`, the
 * JSON-RPC effects, `objectChanges`, `balanceChanges` and events.
 *
 * Over 400 lines because the BCS and JSON renderings must come from the same classified changes.
 */
import { bcs } from '@mysten/sui/bcs';
import { toBase58, toBase64 } from '@mysten/sui/utils';
import { assert } from '../../core/assert.js';
import type { ExecutionFailure } from './errors.js';
import { hashTyped } from './hashing.js';
import { STORAGE_MIST_PER_BYTE } from './limits.js';
import { coinInnerType, formatType, parseType, typeTagOf } from './move-types.js';
import {
  DELETED_DIGEST,
  objectBcs,
  ownerToBcs,
  ownerToJson,
  withDigest,
  WRAPPED_DIGEST,
  ZERO_ADDRESS,
  ZERO_DIGEST,
  type ObjectRecord,
  type Owner,
} from './objects.js';
import { coinBalance } from './ptb.js';
import type { WorkingObject, WorkingSet } from './working-set.js';

export type ChangeKind =
  'created' | 'mutated' | 'unwrapped' | 'deleted' | 'wrapped' | 'unwrappedThenDeleted';

export interface Change {
  readonly object: WorkingObject;
  readonly kind: ChangeKind;
}

export interface GasCost {
  readonly computationCost: bigint;
  readonly storageCost: bigint;
  readonly storageRebate: bigint;
}

export interface EventRecord {
  readonly txDigest: string;
  readonly eventSeq: number;
  readonly packageId: string;
  readonly module: string;
  readonly sender: string;
  /** Canonical struct tag. */
  readonly type: string;
  readonly bcs: Uint8Array;
  readonly json: unknown;
  readonly timestampMs: number;
}

const ALWAYS_WRITTEN = new Set(['owned-input', 'shared-mut-input', 'gas']);

/** Classifies every touched object; `skipId` (a dry run's mock gas coin) is left out. */
export function classifyChanges(ws: WorkingSet, skipId?: string): Change[] {
  const changes: Change[] = [];
  for (const object of ws.objects.values()) {
    if (object.id === skipId) continue;
    const live = object.status === 'live';
    let kind: ChangeKind | undefined;
    if (object.before !== undefined) {
      if (live) kind = ALWAYS_WRITTEN.has(object.role) || object.dirty ? 'mutated' : undefined;
      else kind = object.status === 'deleted' ? 'deleted' : 'wrapped';
    } else if (object.createdHere) {
      kind = live ? 'created' : undefined;
    } else if (live) {
      kind = 'unwrapped';
    } else {
      kind = object.status === 'deleted' ? 'unwrappedThenDeleted' : undefined;
    }
    if (kind !== undefined) changes.push({ object, kind });
  }
  return changes.sort((a, b) =>
    a.object.id < b.object.id ? -1 : a.object.id > b.object.id ? 1 : 0,
  );
}

function isWrite(kind: ChangeKind): boolean {
  return kind === 'created' || kind === 'mutated' || kind === 'unwrapped';
}

/** Storage charge: the BCS size of every written object, at Sui's per-byte storage price. */
function storageCostOf(object: WorkingObject): bigint {
  const size = objectBcs({
    id: object.id,
    version: 0n,
    owner: object.owner ?? { kind: 'immutable' },
    type: formatType(object.type),
    contents: object.contents,
    hasPublicTransfer: object.hasPublicTransfer,
    previousTransaction: ZERO_DIGEST,
    storageRebate: 0n,
  }).length;
  return BigInt(size) * STORAGE_MIST_PER_BYTE;
}

/** Storage paid for what this transaction writes, and rebated for what it overwrites or removes. */
export function storageCharges(changes: readonly Change[]): {
  storageCost: bigint;
  storageRebate: bigint;
} {
  let storageCost = 0n;
  let storageRebate = 0n;
  for (const { object, kind } of changes) {
    if (isWrite(kind)) storageCost += storageCostOf(object);
    if (object.before !== undefined) storageRebate += object.before.storageRebate;
  }
  return { storageCost, storageRebate };
}

export interface Finalized {
  readonly lamport: bigint;
  readonly writes: readonly ObjectRecord[];
  /** Deleted or wrapped objects, with the version and marker digest Sui reports for them. */
  readonly removals: readonly { id: string; version: bigint; digest: string }[];
  readonly effectsBcs: Uint8Array;
  readonly effectsJson: Record<string, unknown>;
  readonly objectChanges: readonly unknown[];
  readonly balanceChanges: readonly unknown[];
  readonly events: readonly EventRecord[];
}

export interface FinalizeInput {
  readonly ws: WorkingSet;
  readonly changes: readonly Change[];
  readonly txDigest: string;
  readonly sender: string;
  readonly epoch: bigint;
  readonly timestampMs: number;
  /** The real gas coin; undefined for system transactions and gasless dry runs. */
  readonly gasId: string | undefined;
  readonly gas: GasCost;
  readonly failure: ExecutionFailure | undefined;
}

export function finalize(input: FinalizeInput): Finalized {
  const { ws, changes, txDigest } = input;
  let maxVersion = 0n;
  for (const object of ws.objects.values()) {
    if (object.before !== undefined && object.before.version > maxVersion)
      maxVersion = object.before.version;
  }
  const lamport = maxVersion + 1n;
  const writes: ObjectRecord[] = [];
  const removals: { id: string; version: bigint; digest: string }[] = [];
  for (const { object, kind } of changes) {
    if (isWrite(kind)) {
      assert(object.owner !== null, 'a written object has an owner');
      let owner: Owner = object.owner;
      if (owner.kind === 'shared' && object.before === undefined) {
        owner = { kind: 'shared', initialSharedVersion: lamport };
        object.owner = owner;
      }
      writes.push(
        withDigest({
          id: object.id,
          version: lamport,
          owner,
          type: formatType(object.type),
          contents: object.contents,
          hasPublicTransfer: object.hasPublicTransfer,
          previousTransaction: txDigest,
          storageRebate: storageCostOf(object),
          dynamicField: object.dynamicField,
        }),
      );
    } else {
      removals.push({
        id: object.id,
        version: lamport,
        digest: kind === 'wrapped' ? WRAPPED_DIGEST : DELETED_DIGEST,
      });
    }
  }
  const events = input.ws.events.map((event, eventSeq): EventRecord => ({
    txDigest,
    eventSeq,
    packageId: event.packageId,
    module: event.module,
    sender: input.sender,
    type: formatType(event.type),
    bcs: event.bcs,
    json: event.json,
    timestampMs: input.timestampMs,
  }));
  const eventsDigest = events.length === 0 ? null : digestEvents(events);
  const written = new Map(writes.map((record) => [record.id, record]));
  const effectsBcs = encodeEffects(input, lamport, written, eventsDigest);
  return {
    lamport,
    writes,
    removals,
    effectsBcs,
    effectsJson: effectsJson(input, lamport, written, removals, eventsDigest),
    objectChanges: objectChanges(input, written, lamport),
    balanceChanges: balanceChanges(changes),
    events,
  };
}

const EVENT = bcs.struct('Event', {
  packageId: bcs.Address,
  transactionModule: bcs.string(),
  sender: bcs.Address,
  type: bcs.StructTag,
  contents: bcs.byteVector(),
});
const TRANSACTION_EVENTS = bcs.struct('TransactionEvents', { data: bcs.vector(EVENT) });

/** Sui's events digest: `"TransactionEvents::" ‖ BCS(TransactionEvents)`. */
function digestEvents(events: readonly EventRecord[]): string {
  const bytes = TRANSACTION_EVENTS.serialize({
    data: events.map((event) => {
      const tag = typeTagOf(parseType(event.type)) as {
        struct: Parameters<typeof bcs.StructTag.serialize>[0];
      };
      return {
        packageId: event.packageId,
        transactionModule: event.module,
        sender: event.sender,
        type: tag.struct,
        contents: event.bcs,
      };
    }),
  }).toBytes();
  return toBase58(hashTyped('TransactionEvents', bytes));
}

function dependencies(ws: WorkingSet, txDigest: string): string[] {
  const set = new Set<string>();
  for (const object of ws.objects.values()) {
    const previous = object.before?.previousTransaction;
    if (previous !== undefined && previous !== txDigest && previous !== ZERO_DIGEST)
      set.add(previous);
  }
  return [...set].sort();
}

function statusBcs(failure: ExecutionFailure | undefined): unknown {
  if (failure === undefined) return { Success: true };
  return { Failure: { error: failure.status, command: failure.command ?? null } };
}

function encodeEffects(
  input: FinalizeInput,
  lamport: bigint,
  written: Map<string, ObjectRecord>,
  eventsDigest: string | null,
): Uint8Array {
  const changed = input.changes.map(({ object, kind }) => {
    const before = object.before;
    const record = written.get(object.id);
    return [
      object.id,
      {
        inputState:
          before === undefined
            ? { NotExist: true }
            : { Exist: [[before.version, before.digest], ownerToBcs(before.owner)] },
        outputState:
          record === undefined
            ? { NotExist: true }
            : { ObjectWrite: [record.digest, ownerToBcs(record.owner)] },
        idOperation:
          kind === 'created'
            ? { Created: true }
            : kind === 'deleted' || kind === 'unwrappedThenDeleted'
              ? { Deleted: true }
              : { None: true },
      },
    ];
  });
  const gasIndex =
    input.gasId === undefined ? -1 : input.changes.findIndex((c) => c.object.id === input.gasId);
  const unchanged = [...input.ws.objects.values()]
    .filter((object) => object.role === 'shared-imm-input' && object.before !== undefined)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((object) => [
      object.id,
      { ReadOnlyRoot: [object.before!.version, object.before!.digest] },
    ]);
  return bcs.TransactionEffects.serialize({
    V2: {
      status: statusBcs(input.failure),
      executedEpoch: input.epoch,
      gasUsed: { ...input.gas, nonRefundableStorageFee: 0n },
      transactionDigest: input.txDigest,
      gasObjectIndex: gasIndex < 0 ? null : gasIndex,
      eventsDigest,
      dependencies: dependencies(input.ws, input.txDigest),
      lamportVersion: lamport,
      changedObjects: changed,
      unchangedConsensusObjects: unchanged,
      auxDataDigest: null,
    },
  } as never).toBytes();
}

function ref(id: string, version: bigint, digest: string) {
  return { objectId: id, version: version.toString(), digest };
}

function ownedRef(record: ObjectRecord) {
  return {
    owner: ownerToJson(record.owner),
    reference: ref(record.id, record.version, record.digest),
  };
}

function effectsJson(
  input: FinalizeInput,
  lamport: bigint,
  written: Map<string, ObjectRecord>,
  removals: readonly { id: string; version: bigint; digest: string }[],
  eventsDigest: string | null,
) {
  const pick = (kind: ChangeKind) => input.changes.filter((c) => c.kind === kind);
  const removed = new Map(removals.map((r) => [r.id, r]));
  const removedRef = (c: Change) => {
    const r = removed.get(c.object.id)!;
    return ref(r.id, r.version, r.digest);
  };
  const gasRecord = input.gasId === undefined ? undefined : written.get(input.gasId);
  const shared = [...input.ws.objects.values()].filter(
    (o) => o.role === 'shared-mut-input' || o.role === 'shared-imm-input',
  );
  const failure = input.failure;
  return {
    messageVersion: 'v1',
    status:
      failure === undefined
        ? { status: 'success' }
        : { status: 'failure', error: failure.statusText },
    executedEpoch: input.epoch.toString(),
    gasUsed: {
      computationCost: input.gas.computationCost.toString(),
      storageCost: input.gas.storageCost.toString(),
      storageRebate: input.gas.storageRebate.toString(),
      nonRefundableStorageFee: '0',
    },
    modifiedAtVersions: input.changes
      .filter((c) => c.object.before !== undefined)
      .map((c) => ({
        objectId: c.object.id,
        sequenceNumber: c.object.before!.version.toString(),
      })),
    sharedObjects: shared.map((o) => ref(o.id, o.before!.version, o.before!.digest)),
    transactionDigest: input.txDigest,
    created: pick('created').map((c) => ownedRef(written.get(c.object.id)!)),
    mutated: pick('mutated').map((c) => ownedRef(written.get(c.object.id)!)),
    unwrapped: pick('unwrapped').map((c) => ownedRef(written.get(c.object.id)!)),
    deleted: pick('deleted').map(removedRef),
    unwrappedThenDeleted: pick('unwrappedThenDeleted').map(removedRef),
    wrapped: pick('wrapped').map(removedRef),
    gasObject:
      gasRecord === undefined
        ? { owner: { AddressOwner: ZERO_ADDRESS }, reference: ref(ZERO_ADDRESS, 0n, ZERO_DIGEST) }
        : ownedRef(gasRecord),
    ...(eventsDigest === null ? {} : { eventsDigest }),
    dependencies: dependencies(input.ws, input.txDigest),
    ...(failure?.abort === undefined
      ? {}
      : {
          abortError: {
            module_id: `${failure.abort.packageId}::${failure.abort.module}`,
            function: failure.abort.functionName,
            error_code: failure.abort.code.toString(),
          },
        }),
    lamportVersion: lamport.toString(),
  };
}

function objectChanges(
  input: FinalizeInput,
  written: Map<string, ObjectRecord>,
  lamport: bigint,
): unknown[] {
  return input.changes.map(({ object, kind }) => {
    const base = {
      sender: input.sender,
      objectType: formatType(object.type, true),
      objectId: object.id,
    };
    const record = written.get(object.id);
    switch (kind) {
      case 'created':
      case 'unwrapped':
        return {
          type: 'created',
          ...base,
          owner: ownerToJson(record!.owner),
          version: record!.version.toString(),
          digest: record!.digest,
        };
      case 'mutated':
        return {
          type: 'mutated',
          ...base,
          owner: ownerToJson(record!.owner),
          version: record!.version.toString(),
          previousVersion: object.before!.version.toString(),
          digest: record!.digest,
        };
      case 'wrapped':
        return { type: 'wrapped', ...base, version: lamport.toString() };
      default:
        return { type: 'deleted', ...base, version: lamport.toString() };
    }
  });
}

/** Net coin movements per owner and coin type, as Sui's `balanceChanges`. */
function balanceChanges(changes: readonly Change[]): unknown[] {
  const totals = new Map<string, { owner: Owner; coinType: string; amount: bigint }>();
  const add = (owner: Owner | null | undefined, type: string, amount: bigint) => {
    if (owner === null || owner === undefined || amount === 0n) return;
    const key = `${JSON.stringify(ownerToJson(owner))}|${type}`;
    const entry = totals.get(key) ?? { owner, coinType: type, amount: 0n };
    entry.amount += amount;
    totals.set(key, entry);
  };
  for (const { object } of changes) {
    const inner = coinInnerType(object.type);
    if (inner === undefined) continue;
    const coinType = formatType(inner, true);
    if (object.before !== undefined)
      add(object.before.owner, coinType, -coinBalance(object.before.contents));
    if (object.status === 'live') add(object.owner, coinType, coinBalance(object.contents));
  }
  return [...totals.values()]
    .filter((t) => t.amount !== 0n)
    .map((t) => ({
      owner: ownerToJson(t.owner),
      coinType: t.coinType,
      amount: t.amount.toString(),
    }));
}

export function eventJson(event: EventRecord): Record<string, unknown> {
  return {
    id: { txDigest: event.txDigest, eventSeq: String(event.eventSeq) },
    packageId: event.packageId,
    transactionModule: event.module,
    sender: event.sender,
    type: formatType(parseType(event.type), true),
    parsedJson: event.json,
    bcsEncoding: 'base64',
    bcs: toBase64(event.bcs),
    timestampMs: String(event.timestampMs),
  };
}
