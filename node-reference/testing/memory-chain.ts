/**
 * An in-process chain that tests drive directly: register, certify, delete and invalidate blobs,
 * assign shards and advance epochs. It serves one ChainView per storage node (by name) and keeps
 * the whole change log, so a node that restarts resumes from its stored cursor. Every mutation
 * resolves once every subscribed node has applied the change, which keeps tests deterministic.
 */
import { assert } from '../../core/assert.js';
import { checkInteger } from '../../core/assert.js';
import { bytesEqual } from '../../core/bytes.js';
import type {
  BlobObjectRegistration,
  BlobRegistration,
  ChainChange,
  ChainEventId,
  ChainSubscription,
  ChainView,
  SubscribeOptions,
} from '../chain-view.js';

type LogEntry =
  | { readonly kind: 'blob'; readonly registration: BlobRegistration }
  | {
      readonly kind: 'epoch';
      readonly epoch: number;
      readonly assignments: ReadonlyMap<string, readonly number[]>;
    };

interface Subscriber {
  readonly node: string;
  readonly listener: (change: ChainChange) => Promise<void>;
  next: number;
  closed: boolean;
  pumping: Promise<void> | null;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A deterministic, base58-looking transaction digest for log entry `seq`. */
function digestOf(seq: number): string {
  let out = '';
  let x = seq * 2654435761 + 97;
  for (let i = 0; i < 44; i++) {
    out += BASE58[x % 58];
    x = Math.floor(x / 58) + (i + 1) * 7919 + seq;
  }
  return out;
}

export interface RegisterBlobOptions {
  readonly blobId: Uint8Array;
  readonly deletable?: boolean;
  /** Storage end epoch (exclusive); default current epoch + 10. */
  readonly endEpoch?: number;
  /** Default: a fresh object ID. */
  readonly objectId?: Uint8Array;
}

export class MemoryChain {
  readonly nShards: number;
  private epoch: number;
  private assignments = new Map<string, readonly number[]>();
  private readonly blobs = new Map<string, BlobRegistration>();
  private readonly log: LogEntry[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private objectCounter = 0;

  constructor(options: { readonly nShards: number; readonly epoch?: number }) {
    this.nShards = checkInteger('nShards', options.nShards, 1, 0xffff);
    this.epoch = options.epoch ?? 1;
  }

  currentEpoch(): number {
    return this.epoch;
  }

  /** Sets a node's shards for the current epoch (before its node starts). */
  assignShards(node: string, shards: readonly number[]): void {
    for (const shard of shards) checkInteger('shard', shard, 0, this.nShards - 1);
    this.assignments.set(
      node,
      [...shards].sort((a, b) => a - b),
    );
  }

  shardsOf(node: string): readonly number[] {
    return this.assignments.get(node) ?? [];
  }

  view(node: string): ChainView {
    return {
      nShards: this.nShards,
      currentEpoch: () => this.epoch,
      shardsHeld: () => this.shardsOf(node),
      blobRegistration: async (blobId) =>
        this.blobs.get(Buffer.from(blobId).toString('hex')) ?? null,
      subscribe: (after, listener, options) => this.subscribe(node, after, listener, options),
    };
  }

  registration(blobId: Uint8Array): BlobRegistration | null {
    return this.blobs.get(Buffer.from(blobId).toString('hex')) ?? null;
  }

  private eventId(): ChainEventId {
    return { txDigest: digestOf(this.log.length), eventSeq: '0' };
  }

  private freshObjectId(): Uint8Array {
    const id = new Uint8Array(32);
    new DataView(id.buffer).setUint32(28, ++this.objectCounter, false);
    id[0] = 0x0b;
    return id;
  }

  async registerBlob(options: RegisterBlobOptions): Promise<Uint8Array> {
    const objectId = options.objectId ?? this.freshObjectId();
    const object: BlobObjectRegistration = {
      objectId,
      deletable: options.deletable ?? false,
      registeredEpoch: this.epoch,
      endEpoch: options.endEpoch ?? this.epoch + 10,
      certifiedEpoch: null,
      deleted: false,
      event: this.eventId(),
    };
    const current = this.registration(options.blobId);
    await this.publishBlob({
      blobId: Uint8Array.from(options.blobId),
      invalidEvent: current?.invalidEvent ?? null,
      objects: [...(current?.objects ?? []), object],
    });
    return objectId;
  }

  private async updateObject(
    blobId: Uint8Array,
    objectId: Uint8Array,
    update: (object: BlobObjectRegistration) => BlobObjectRegistration,
  ): Promise<void> {
    const current = this.registration(blobId);
    assert(current !== null, 'the blob is not registered');
    let found = false;
    const objects = current.objects.map((object) => {
      if (!bytesEqual(object.objectId, objectId)) return object;
      found = true;
      return { ...update(object), event: this.eventId() };
    });
    assert(found, 'no such blob object');
    await this.publishBlob({ ...current, objects });
  }

  certifyBlob(blobId: Uint8Array, objectId: Uint8Array): Promise<void> {
    return this.updateObject(blobId, objectId, (object) => ({
      ...object,
      certifiedEpoch: this.epoch,
    }));
  }

  deleteBlob(blobId: Uint8Array, objectId: Uint8Array): Promise<void> {
    return this.updateObject(blobId, objectId, (object) => {
      assert(object.deletable, 'only deletable blobs can be deleted');
      return { ...object, deleted: true };
    });
  }

  async invalidateBlob(blobId: Uint8Array): Promise<void> {
    const current = this.registration(blobId) ?? {
      blobId: Uint8Array.from(blobId),
      invalidEvent: null,
      objects: [],
    };
    await this.publishBlob({ ...current, invalidEvent: this.eventId() });
  }

  /** Moves to the next epoch, optionally with new shard assignments. */
  async advanceEpoch(assignments?: ReadonlyMap<string, readonly number[]>): Promise<void> {
    this.epoch++;
    if (assignments !== undefined)
      for (const [node, shards] of assignments) this.assignShards(node, shards);
    await this.append({ kind: 'epoch', epoch: this.epoch, assignments: new Map(this.assignments) });
  }

  private async publishBlob(registration: BlobRegistration): Promise<void> {
    this.blobs.set(Buffer.from(registration.blobId).toString('hex'), registration);
    await this.append({ kind: 'blob', registration });
  }

  private async append(entry: LogEntry): Promise<void> {
    this.log.push(entry);
    await Promise.all([...this.subscribers].map((subscriber) => this.pump(subscriber)));
  }

  private changeFor(subscriber: Subscriber, seq: number): ChainChange {
    const entry = this.log[seq];
    const cursor = String(seq);
    if (entry.kind === 'blob') return { kind: 'blob', cursor, registration: entry.registration };
    return {
      kind: 'epoch',
      cursor,
      epoch: entry.epoch,
      shards: entry.assignments.get(subscriber.node) ?? [],
    };
  }

  /** Delivers everything the subscriber has not seen, one change at a time. */
  private pump(subscriber: Subscriber): Promise<void> {
    if (subscriber.pumping !== null) {
      // A pump is running; chain another round so entries appended meanwhile are delivered too.
      subscriber.pumping = subscriber.pumping.then(() => this.pumpOnce(subscriber));
      return subscriber.pumping;
    }
    subscriber.pumping = this.pumpOnce(subscriber);
    return subscriber.pumping;
  }

  private async pumpOnce(subscriber: Subscriber): Promise<void> {
    while (!subscriber.closed && subscriber.next < this.log.length) {
      const seq = subscriber.next++;
      try {
        await subscriber.listener(this.changeFor(subscriber, seq));
      } catch {
        // The node logs its own failures; the chain moves on as a real event stream would.
      }
    }
  }

  private subscribe(
    node: string,
    after: string | null,
    listener: (change: ChainChange) => Promise<void>,
    options?: SubscribeOptions,
  ): ChainSubscription {
    const subscriber: Subscriber = {
      node,
      listener,
      next: after === null ? 0 : Number(after) + 1,
      closed: false,
      pumping: null,
    };
    this.subscribers.add(subscriber);
    void this.pump(subscriber).then(() => options?.onCaughtUp?.());
    return {
      close: () => {
        subscriber.closed = true;
        this.subscribers.delete(subscriber);
      },
    };
  }
}
