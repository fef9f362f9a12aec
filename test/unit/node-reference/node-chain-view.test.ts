/**
 * `SuiChainView` (node-reference/chain/sui-chain-view.ts) against a scripted chain: how package
 * events become the node's blob snapshots and epoch changes, when it reads a Blob object, how it
 * resumes from a stored cursor and snapshot, and which cursors it refuses. The end-to-end run on
 * the ledger is test/network/node-reference/node-chain.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ChainObjectError } from '../../../core/chain/errors.js';
import type {
  ChainBlob,
  ChainEvent,
  ChainEventBody,
  CommitteeMember,
  EventPage,
  SystemState,
} from '../../../core/chain/types.js';
import { bytesToHex } from '../../../core/hex.js';
import type { BlobRegistration, ChainChange } from '../../../node-reference/chain-view.js';
import {
  type ChainReader,
  ForeignCursorError,
  SuiChainView,
} from '../../../node-reference/chain/sui-chain-view.js';
import { silentLogger } from '../../../node-reference/log.js';

const SYSTEM_ID = `0x${'5a'.repeat(32)}`;
const NODE = `0x${'01'.repeat(32)}`;
const OTHER = `0x${'02'.repeat(32)}`;
const BLOB_ID = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const OBJECT = `0x${'0b'.repeat(32)}`;
const OBJECT_2 = `0x${'0c'.repeat(32)}`;
const DIGEST = '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi';

function member(nodeId: string, index: number, shards: number[]): CommitteeMember {
  return {
    index,
    nodeId,
    name: `n${index}`,
    networkAddress: `http://127.0.0.1:${9000 + index}`,
    blsPublicKey: new Uint8Array(48),
    networkPublicKey: new Uint8Array(33),
    weight: shards.length,
    shards,
  };
}

function systemAt(epoch: number, members: CommitteeMember[]): SystemState {
  return {
    objectId: SYSTEM_ID,
    objectVersion: String(epoch + 1),
    epoch,
    epochState: { kind: 'done', completedMs: 0 },
    nShards: 4,
    epochDurationMs: 1_000,
    members,
    nextShards: null,
    storagePricePerUnitMist: 1n,
    writePricePerUnitMist: 1n,
    totalCapacityBytes: 1n << 30n,
    usedCapacityBytes: 0n,
    maxEpochsAhead: 10,
  };
}

/** A chain whose events, System and Blob objects the test scripts. */
class ScriptedChain implements ChainReader {
  readonly systemObjectId = SYSTEM_ID;
  readonly log: ChainEvent[] = [];
  readonly blobs = new Map<string, ChainBlob>();
  blobReads = 0;
  constructor(public state: SystemState) {}

  emit(body: ChainEventBody): ChainEvent {
    const seq = this.log.length;
    const event = {
      ...body,
      cursor: `${DIGEST}:${seq}`,
      txDigest: DIGEST,
      eventSeq: seq,
      timestampMs: null,
    };
    this.log.push(event as ChainEvent);
    return event as ChainEvent;
  }

  async readSystem(): Promise<SystemState> {
    return this.state;
  }

  async readBlob(objectId: string): Promise<ChainBlob> {
    this.blobReads++;
    const blob = this.blobs.get(objectId);
    if (blob === undefined) throw new ChainObjectError(objectId, 'not-found', 'no such object');
    return blob;
  }

  async events(cursor: string | null, limit = 50): Promise<EventPage> {
    const start = cursor === null ? 0 : this.log.findIndex((e) => e.cursor === cursor) + 1;
    const events = this.log.slice(start, start + limit);
    return {
      events,
      nextCursor: events.at(-1)?.cursor ?? cursor,
      hasNextPage: start + limit < this.log.length,
    };
  }
}

const registered = (objectId = OBJECT, endEpoch = 5): ChainEventBody => ({
  kind: 'BlobRegistered',
  epoch: 1,
  blobId: BLOB_ID,
  size: 100,
  encodingType: 1,
  endEpoch,
  deletable: true,
  objectId,
});
const certified = (objectId = OBJECT, endEpoch = 5): ChainEventBody => ({
  kind: 'BlobCertified',
  epoch: 2,
  blobId: BLOB_ID,
  endEpoch,
  deletable: true,
  objectId,
  isExtension: false,
});

/** Subscribes and collects changes; `settled()` waits until the view has caught up. */
function follow(
  view: SuiChainView,
  after: string | null = null,
  stored?: Map<string, BlobRegistration>,
) {
  const changes: ChainChange[] = [];
  let caughtUp = 0;
  let resolveCaughtUp!: () => void;
  const firstCatchUp = new Promise<void>((r) => (resolveCaughtUp = r));
  const subscription = view.subscribe(
    after,
    async (change) => {
      changes.push(change);
      if (change.kind === 'blob')
        stored?.set(bytesToHex(change.registration.blobId), change.registration);
    },
    {
      stored: (blobId) => stored?.get(bytesToHex(blobId)) ?? null,
      onCaughtUp: () => {
        caughtUp++;
        resolveCaughtUp();
      },
    },
  );
  return { changes, subscription, firstCatchUp, caughtUpCount: () => caughtUp };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(chain: ScriptedChain, nodeId: string | null = NODE, pollMs = 5) {
  return SuiChainView.open({
    chain,
    nodeId,
    logger: silentLogger,
    pollMs,
    systemRefreshMs: 60_000,
  });
}

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !probe(); i++) await sleep(5);
  expect(probe()).toBe(true);
}

describe('SuiChainView', () => {
  it('turns blob events into snapshots with cursors, reading a Blob only if needed', async () => {
    const chain = new ScriptedChain(
      systemAt(2, [member(NODE, 0, [0, 1]), member(OTHER, 1, [2, 3])]),
    );
    chain.emit(registered());
    chain.emit(certified());
    chain.emit({
      kind: 'BlobDeleted',
      epoch: 2,
      blobId: BLOB_ID,
      endEpoch: 5,
      objectId: OBJECT,
      wasCertified: true,
    });
    // A certification for an object whose registration the stream never showed: read it.
    chain.blobs.set(OBJECT_2, {
      objectId: OBJECT_2,
      registeredEpoch: 0,
      deletable: false,
      certifiedEpoch: 2,
      storage: { objectId: `0x${'dd'.repeat(32)}`, startEpoch: 0, endEpoch: 9, storageSize: 1n },
    } as unknown as ChainBlob);
    chain.emit(certified(OBJECT_2, 9));
    chain.emit({ kind: 'InvalidBlobID', epoch: 2, blobId: BLOB_ID });
    const view = await open(chain);
    const run = follow(view);
    await run.firstCatchUp;
    run.subscription.close();
    const blobChanges = run.changes.filter((c) => c.kind === 'blob');
    expect(blobChanges.map((c) => c.cursor)).toEqual(
      chain.log.map((e) => `${SYSTEM_ID}/${e.cursor}`),
    );
    const [afterRegister, afterCertify, afterDelete, afterForeign, afterInvalid] = blobChanges.map(
      (c) => (c.kind === 'blob' ? c.registration : null)!,
    );
    expect(afterRegister.objects).toMatchObject([
      { deletable: true, registeredEpoch: 1, endEpoch: 5, certifiedEpoch: null, deleted: false },
    ]);
    expect(afterRegister.objects[0].event).toEqual({ txDigest: DIGEST, eventSeq: '0' });
    expect(afterCertify.objects).toMatchObject([{ certifiedEpoch: 2, deleted: false }]);
    expect(afterDelete.objects).toMatchObject([{ certifiedEpoch: 2, deleted: true }]);
    expect(afterForeign.objects).toHaveLength(2);
    expect(afterForeign.objects[1]).toMatchObject({
      deletable: false,
      registeredEpoch: 0,
      endEpoch: 9,
      certifiedEpoch: 2,
    });
    expect(chain.blobReads).toBe(1);
    expect(afterInvalid.invalidEvent).toEqual({ txDigest: DIGEST, eventSeq: '4' });
    expect(await view.blobRegistration(BLOB_ID)).toBe(afterInvalid);
  });

  it('describes a certified object that is already gone from the event alone', async () => {
    const chain = new ScriptedChain(systemAt(2, [member(NODE, 0, [0, 1, 2, 3])]));
    chain.emit(certified());
    const view = await open(chain);
    const run = follow(view);
    await run.firstCatchUp;
    run.subscription.close();
    const change = run.changes.find((c) => c.kind === 'blob');
    expect(change?.kind === 'blob' && change.registration.objects).toMatchObject([
      { deletable: true, registeredEpoch: 2, certifiedEpoch: 2, endEpoch: 5, deleted: false },
    ]);
  });

  it('resumes after a restart from the stored cursor and the stored snapshot', async () => {
    const chain = new ScriptedChain(systemAt(1, [member(NODE, 0, [0, 1, 2, 3])]));
    chain.emit(registered(OBJECT));
    chain.emit(registered(OBJECT_2));
    const stored = new Map<string, BlobRegistration>();
    const first = follow(await open(chain), null, stored);
    await first.firstCatchUp;
    first.subscription.close();
    const cursor = first.changes.at(-1)!.cursor;
    // While the node is down the first object is deleted.
    chain.emit({
      kind: 'BlobDeleted',
      epoch: 1,
      blobId: BLOB_ID,
      endEpoch: 5,
      objectId: OBJECT,
      wasCertified: false,
    });
    const second = follow(await open(chain), cursor, stored); // a fresh view: no memory of its own
    await second.firstCatchUp;
    second.subscription.close();
    expect(second.changes).toHaveLength(1);
    const change = second.changes[0];
    expect(
      change.kind === 'blob' &&
        change.registration.objects.map((o) => [bytesToHex(o.objectId), o.deleted]),
    ).toEqual([
      ['0c'.repeat(32), false],
      ['0b'.repeat(32), true],
    ]);
  });

  it("delivers an epoch change when the epoch or this node's shards change, once", async () => {
    const chain = new ScriptedChain(systemAt(0, []));
    const view = await open(chain, null);
    const run = follow(view);
    await run.firstCatchUp;
    expect(view.shardsHeld()).toEqual([]);
    chain.state = systemAt(1, [member(NODE, 0, [3, 1]), member(OTHER, 1, [0, 2])]);
    chain.emit({ kind: 'EpochParametersSelected', nextEpoch: 1 });
    chain.emit({ kind: 'EpochChangeStart', epoch: 1 });
    chain.emit({ kind: 'ShardsReceived', epoch: 1, shards: [0, 2] });
    chain.emit({ kind: 'EpochChangeDone', epoch: 1 });
    // Not yet registered: epoch 1 arrives, with no shards.
    await until(() => run.changes.length === 1);
    expect(run.changes[0]).toMatchObject({ kind: 'epoch', epoch: 1, shards: [] });
    expect(run.changes[0].cursor).toBe(`${SYSTEM_ID}/${chain.log[1].cursor}`);
    // The node learns its ID: the view re-reads the System and delivers its shards, in order.
    view.setNodeId(NODE);
    await until(() => run.changes.length === 2);
    expect(run.changes[1]).toMatchObject({ kind: 'epoch', epoch: 1, shards: [1, 3] });
    expect(view.peers()).toEqual([{ url: 'http://127.0.0.1:9001', shards: [0, 2] }]);
    await sleep(30); // more polls: nothing new to deliver
    expect(run.changes).toHaveLength(2);
    expect(run.caughtUpCount()).toBe(1);
    run.subscription.close();
  });

  it('waits one poll round for a blob it has not seen before answering null', async () => {
    const chain = new ScriptedChain(systemAt(1, [member(NODE, 0, [0, 1, 2, 3])]));
    const view = await open(chain, NODE, 60_000); // it would not poll again by itself
    const run = follow(view);
    await run.firstCatchUp;
    chain.emit(registered());
    const registration = await view.blobRegistration(BLOB_ID);
    expect(registration?.objects).toHaveLength(1);
    expect(run.changes.filter((c) => c.kind === 'blob')).toHaveLength(1);
    run.subscription.close();
  });

  it('refuses a cursor of another System; an unknown cursor form replays all', async () => {
    const chain = new ScriptedChain(systemAt(1, [member(NODE, 0, [0, 1, 2, 3])]));
    chain.emit(registered());
    const view = await open(chain);
    expect(() => view.subscribe(`0x${'77'.repeat(32)}/${DIGEST}:0`, async () => {})).toThrow(
      ForeignCursorError,
    );
    const run = follow(view, 'file:12');
    await run.firstCatchUp;
    run.subscription.close();
    expect(run.changes.filter((c) => c.kind === 'blob')).toHaveLength(1);
  });
});
