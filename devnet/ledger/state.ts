/**
 * The committed state in memory: objects with owner and parent indexes, tombstones, transactions,
 * events and checkpoints. It changes only by applying a {@link CommitRecord}, the same record the
 * commit log stores, so replaying the log rebuilds exactly this state.
 */
import { fromBase64, toBase64 } from '@mysten/sui/utils';
import type { EventRecord } from './effects.js';
import type { ObjectRecord, Owner } from './objects.js';

export interface TxRecord {
  readonly seq: number;
  readonly digest: string;
  /** Base64 `SenderSignedData`. */
  readonly rawTransaction: string;
  readonly sender: string;
  readonly effectsBcs: Uint8Array;
  readonly effects: Record<string, unknown>;
  readonly events: readonly EventRecord[];
  readonly objectChanges: readonly unknown[];
  readonly balanceChanges: readonly unknown[];
  readonly timestampMs: number;
  readonly checkpointDigest: string;
}

/** Everything one committed transaction changes. */
export interface CommitRecord {
  readonly tx: TxRecord;
  readonly writes: readonly ObjectRecord[];
  readonly removals: readonly { id: string; version: bigint; digest: string }[];
  /** Present on the ledger's first transaction. */
  readonly chain?: { readonly seed: Uint8Array; readonly genesisMs: number };
  /** Present on a package's genesis transaction. */
  readonly packageGenesis?: string;
}

export const RECORD_FORMAT_VERSION = 1;

export class LedgerState {
  readonly objects = new Map<string, ObjectRecord>();
  readonly tombstones = new Map<string, { version: bigint; digest: string }>();
  readonly txs = new Map<string, TxRecord>();
  readonly txOrder: string[] = [];
  readonly events: EventRecord[] = [];
  readonly packageGenesis = new Set<string>();
  chain: { seed: Uint8Array; genesisMs: number } | undefined;
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #byParent = new Map<string, Set<string>>();
  readonly #eventIndex = new Map<string, number>();

  apply(record: CommitRecord): void {
    for (const removal of record.removals) {
      this.#unindex(removal.id);
      this.objects.delete(removal.id);
      this.tombstones.set(removal.id, { version: removal.version, digest: removal.digest });
    }
    for (const object of record.writes) {
      this.#unindex(object.id);
      this.objects.set(object.id, object);
      this.tombstones.delete(object.id);
      this.#index(object);
    }
    this.txs.set(record.tx.digest, record.tx);
    this.txOrder.push(record.tx.digest);
    for (const event of record.tx.events) {
      this.#eventIndex.set(eventKey(event.txDigest, event.eventSeq), this.events.length);
      this.events.push(event);
    }
    if (record.chain !== undefined) this.chain = record.chain;
    if (record.packageGenesis !== undefined) this.packageGenesis.add(record.packageGenesis);
  }

  /** Position of an event in the global order, for cursors. */
  eventPosition(txDigest: string, eventSeq: number): number | undefined {
    return this.#eventIndex.get(eventKey(txDigest, eventSeq));
  }

  ownedBy(address: string): ObjectRecord[] {
    return this.#sorted(this.#byOwner.get(address));
  }

  childrenOf(parent: string): ObjectRecord[] {
    return this.#sorted(this.#byParent.get(parent));
  }

  #sorted(ids: Set<string> | undefined): ObjectRecord[] {
    return [...(ids ?? [])].sort().map((id) => this.objects.get(id)!);
  }

  #index(object: ObjectRecord): void {
    const key = indexKey(object.owner);
    if (key === undefined) return;
    const map = object.owner.kind === 'address' ? this.#byOwner : this.#byParent;
    let set = map.get(key);
    if (set === undefined) map.set(key, (set = new Set()));
    set.add(object.id);
  }

  #unindex(id: string): void {
    const previous = this.objects.get(id);
    if (previous === undefined) return;
    const key = indexKey(previous.owner);
    if (key === undefined) return;
    const map = previous.owner.kind === 'address' ? this.#byOwner : this.#byParent;
    map.get(key)?.delete(id);
  }
}

function indexKey(owner: Owner): string | undefined {
  if (owner.kind === 'address') return owner.address;
  if (owner.kind === 'object') return owner.parent;
  return undefined;
}

function eventKey(txDigest: string, eventSeq: number): string {
  return `${txDigest}:${eventSeq}`;
}

// ---- Record (de)serialization: JSON with base64 for bytes and strings for u64s. ----

function ownerOut(owner: Owner): unknown {
  return owner.kind === 'shared'
    ? { kind: 'shared', initialSharedVersion: owner.initialSharedVersion.toString() }
    : owner;
}

function ownerIn(raw: {
  kind: string;
  address?: string;
  parent?: string;
  initialSharedVersion?: string;
}): Owner {
  switch (raw.kind) {
    case 'address':
      return { kind: 'address', address: raw.address! };
    case 'object':
      return { kind: 'object', parent: raw.parent! };
    case 'shared':
      return { kind: 'shared', initialSharedVersion: BigInt(raw.initialSharedVersion!) };
    case 'immutable':
      return { kind: 'immutable' };
    default:
      throw new Error(`unknown owner kind '${raw.kind}' in commit log`);
  }
}

function objectOut(o: ObjectRecord): unknown {
  return {
    id: o.id,
    version: o.version.toString(),
    digest: o.digest,
    owner: ownerOut(o.owner),
    type: o.type,
    contents: toBase64(o.contents),
    hasPublicTransfer: o.hasPublicTransfer,
    previousTransaction: o.previousTransaction,
    storageRebate: o.storageRebate.toString(),
    dynamicField:
      o.dynamicField === undefined
        ? undefined
        : { nameType: o.dynamicField.nameType, name: toBase64(o.dynamicField.name) },
  };
}

// The log is our own output; a record that does not match this shape means a corrupt data dir.
function objectIn(o: any): ObjectRecord {
  return {
    id: o.id,
    version: BigInt(o.version),
    digest: o.digest,
    owner: ownerIn(o.owner),
    type: o.type,
    contents: fromBase64(o.contents),
    hasPublicTransfer: o.hasPublicTransfer,
    previousTransaction: o.previousTransaction,
    storageRebate: BigInt(o.storageRebate),
    dynamicField:
      o.dynamicField === undefined
        ? undefined
        : { nameType: o.dynamicField.nameType, name: fromBase64(o.dynamicField.name) },
  };
}

export function encodeRecord(record: CommitRecord): Uint8Array {
  const { tx } = record;
  const json = {
    v: RECORD_FORMAT_VERSION,
    tx: {
      ...tx,
      effectsBcs: toBase64(tx.effectsBcs),
      events: tx.events.map((e) => ({ ...e, bcs: toBase64(e.bcs) })),
    },
    writes: record.writes.map(objectOut),
    removals: record.removals.map((r) => ({ ...r, version: r.version.toString() })),
    chain:
      record.chain === undefined
        ? undefined
        : { seed: toBase64(record.chain.seed), genesisMs: record.chain.genesisMs },
    packageGenesis: record.packageGenesis,
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

export function decodeRecord(payload: Uint8Array): CommitRecord {
  const json: any = JSON.parse(new TextDecoder().decode(payload));
  if (json.v !== RECORD_FORMAT_VERSION)
    throw new Error(`commit log record version ${json.v} is not supported`);
  return {
    tx: {
      ...json.tx,
      effectsBcs: fromBase64(json.tx.effectsBcs),
      events: json.tx.events.map((e: any) => ({ ...e, bcs: fromBase64(e.bcs) })),
    },
    writes: json.writes.map(objectIn),
    removals: json.removals.map((r: any) => ({
      id: r.id,
      version: BigInt(r.version),
      digest: r.digest,
    })),
    chain:
      json.chain === undefined
        ? undefined
        : { seed: fromBase64(json.chain.seed), genesisMs: json.chain.genesisMs },
    packageGenesis: json.packageGenesis,
  };
}
