/**
 * A chain view read from a JSON state file — for running the node as a process (main.ts) before
 * the Sui adapter exists, and for tests that spawn it. Development only: the file is trusted. It
 * is polled for changes; each poll that finds a different file delivers the changed blobs (as full
 * snapshots) and any epoch or shard change. Removing a blob from the file changes nothing on the
 * node: mark its objects deleted (or the blob invalid) instead, as the chain would.
 *
 * File format:
 *   { "nShards": 10, "epoch": 1, "shards": [0, 3],
 *     "blobs": [ { "blobId": "<base64url>", "invalid": false,
 *                  "objects": [ { "objectId": "0x…", "deletable": false, "registeredEpoch": 1,
 *                                 "endEpoch": 50, "certifiedEpoch": null, "deleted": false } ] } ] }
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { blobIdFromString } from '../../core/blob-id.js';
import type {
  BlobRegistration,
  ChainChange,
  ChainSubscription,
  ChainView,
  SubscribeOptions,
} from '../chain-view.js';

export interface FileChainState {
  readonly nShards: number;
  readonly epoch: number;
  readonly shards: readonly number[];
  readonly blobs: readonly {
    readonly blobId: string;
    readonly invalid?: boolean;
    readonly objects: readonly {
      readonly objectId: string;
      readonly deletable: boolean;
      readonly registeredEpoch: number;
      readonly endEpoch: number;
      readonly certifiedEpoch: number | null;
      readonly deleted: boolean;
    }[];
  }[];
}

/** Blobs in one state file; the file is trusted, but a runaway file must not exhaust memory. */
const FILE_BLOBS_MAX = 100_000;
const POLL_INTERVAL_MS = 250;
const FILE_EVENT = { txDigest: '11111111111111111111111111111111', eventSeq: '0' };

function toRegistration(blob: FileChainState['blobs'][number]): BlobRegistration {
  return {
    blobId: blobIdFromString(blob.blobId),
    invalidEvent: blob.invalid === true ? FILE_EVENT : null,
    objects: blob.objects.map((object) => ({
      ...object,
      objectId: new Uint8Array(
        Buffer.from(object.objectId.replace(/^0x/, '').padStart(64, '0'), 'hex'),
      ),
      event: FILE_EVENT,
    })),
  };
}

function readState(path: string): FileChainState {
  const state = JSON.parse(readFileSync(path, 'utf8')) as FileChainState;
  if (
    !Number.isInteger(state.nShards) ||
    !Number.isInteger(state.epoch) ||
    !Array.isArray(state.shards)
  ) {
    throw new Error(`${path}: nShards, epoch and shards are required`);
  }
  if (!Array.isArray(state.blobs) || state.blobs.length > FILE_BLOBS_MAX)
    throw new Error(`${path}: invalid blobs list`);
  return state;
}

export class FileChainView implements ChainView {
  readonly nShards: number;
  private state: FileChainState;
  private blobs = new Map<string, { json: string; registration: BlobRegistration }>();
  private version = 0;
  private readonly listeners = new Set<(change: ChainChange) => Promise<void>>();
  private delivering: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {
    this.state = readState(path);
    this.nShards = this.state.nShards;
    this.blobs = this.index(this.state);
  }

  private index(state: FileChainState) {
    const blobs = new Map<string, { json: string; registration: BlobRegistration }>();
    for (const blob of state.blobs) {
      const registration = toRegistration(blob);
      blobs.set(Buffer.from(registration.blobId).toString('hex'), {
        json: JSON.stringify(blob),
        registration,
      });
    }
    return blobs;
  }

  currentEpoch(): number {
    return this.state.epoch;
  }

  shardsHeld(): readonly number[] {
    return [...this.state.shards].sort((a, b) => a - b);
  }

  async blobRegistration(blobId: Uint8Array): Promise<BlobRegistration | null> {
    return this.blobs.get(Buffer.from(blobId).toString('hex'))?.registration ?? null;
  }

  private deliver(change: ChainChange): void {
    for (const listener of this.listeners) {
      this.delivering = this.delivering.then(() => listener(change)).catch(() => {});
    }
  }

  private reload(): void {
    let state: FileChainState;
    try {
      state = readState(this.path);
    } catch {
      return; // A half-written file; the next poll sees the whole one.
    }
    const blobs = this.index(state);
    const epochChanged =
      state.epoch !== this.state.epoch ||
      JSON.stringify(state.shards) !== JSON.stringify(this.state.shards);
    const changed = [...blobs].filter(([key, value]) => this.blobs.get(key)?.json !== value.json);
    this.state = state;
    this.blobs = blobs;
    if (epochChanged)
      this.deliver({
        kind: 'epoch',
        cursor: `file:${++this.version}`,
        epoch: state.epoch,
        shards: this.shardsHeld(),
      });
    for (const [, value] of changed)
      this.deliver({
        kind: 'blob',
        cursor: `file:${++this.version}`,
        registration: value.registration,
      });
  }

  /** Replays every blob in the file (snapshots are idempotent), then follows the file. */
  subscribe(
    _after: string | null,
    listener: (change: ChainChange) => Promise<void>,
    options?: SubscribeOptions,
  ): ChainSubscription {
    this.listeners.add(listener);
    for (const { registration } of this.blobs.values()) {
      const change: ChainChange = { kind: 'blob', cursor: `file:${++this.version}`, registration };
      this.delivering = this.delivering.then(() => listener(change)).catch(() => {});
    }
    void this.delivering.then(() => options?.onCaughtUp?.());
    const onChange = () => this.reload();
    if (this.listeners.size === 1)
      watchFile(this.path, { interval: POLL_INTERVAL_MS, persistent: false }, onChange);
    return {
      close: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) unwatchFile(this.path);
      },
    };
  }
}
