/**
 * From BCS bytes to the typed values of types.ts: System, NodeInfo, Blob, Storage and events.
 * Decoding distrusts its input: a wrong length or a value outside its range is a
 * ChainObjectError, never a silently wrong number.
 */
import type { SuiEvent } from '@mysten/sui/jsonRpc';
import { fromBase58, fromBase64, normalizeSuiAddress, parseStructTag } from '@mysten/sui/utils';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { blobIdFromU256 } from '../blob-id.js';
import { bytesToHex } from '../hex.js';
import { ChainObjectError } from './errors.js';
import { BLOB, EVENT_LAYOUTS, NODE_INFO_FIELD, STORAGE, SYSTEM } from './layouts.js';
import type {
  ChainBlob,
  ChainEvent,
  ChainEventBody,
  CommitteeMember,
  EpochState,
  NodeInfo,
  ObjectRef,
  StorageResource,
  SystemState,
} from './types.js';

/** Compressed keys cached by their uncompressed hex: decompression checks the curve (~1 ms). */
const KEY_CACHE_ENTRIES_MAX = 4096;
const keyCache = new Map<string, Uint8Array>();

/** `Element<UncompressedG1>` (96 bytes) or a compressed key (48) → 48-byte compressed G1. */
export function compressedBlsKey(objectId: string, bytes: Uint8Array): Uint8Array {
  const hex = bytesToHex(bytes);
  const cached = keyCache.get(hex);
  if (cached !== undefined) return cached;
  let compressed: Uint8Array;
  try {
    compressed = bls12_381.G1.Point.fromBytes(bytes).toBytes(true);
  } catch (error) {
    throw new ChainObjectError(
      objectId,
      'malformed',
      `BLS key is not a G1 point: ${(error as Error).message}`,
    );
  }
  if (keyCache.size >= KEY_CACHE_ENTRIES_MAX) keyCache.clear();
  keyCache.set(hex, compressed);
  return compressed;
}

function safeNumber(objectId: string, field: string, value: string | bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number))
    throw new ChainObjectError(objectId, 'malformed', `${field} ${value} is too large`);
  return number;
}

function parse<T>(objectId: string, what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ChainObjectError) throw error;
    throw new ChainObjectError(
      objectId,
      'malformed',
      `${what} does not decode: ${(error as Error).message}`,
    );
  }
}

export interface RawSystem {
  readonly parsed: ReturnType<typeof SYSTEM.parse>;
  /** The `nodes` table's UID: parent of the NodeInfo dynamic fields. */
  readonly nodesTableId: string;
  readonly memberNodeIds: readonly string[];
}

export function parseSystem(objectId: string, bytes: Uint8Array): RawSystem {
  const parsed = parse(objectId, 'System', () => SYSTEM.parse(bytes));
  return {
    parsed,
    nodesTableId: parsed.nodes.id,
    memberNodeIds: parsed.committee.members.map((member) => member.node_id),
  };
}

function epochState(objectId: string, state: RawSystem['parsed']['epoch_state']): EpochState {
  if (state.$kind === 'Sync') return { kind: 'sync', syncedWeight: state.Sync };
  if (state.$kind === 'Done')
    return { kind: 'done', completedMs: safeNumber(objectId, 'completed_ms', state.Done) };
  return {
    kind: 'nextSelected',
    completedMs: safeNumber(objectId, 'completed_ms', state.NextSelected),
  };
}

/** The typed System; `nodes` holds the NodeInfo of every committee member. */
export function systemState(
  objectId: string,
  objectVersion: string,
  raw: RawSystem,
  nodes: ReadonlyMap<string, NodeInfo>,
): SystemState {
  const s = raw.parsed;
  const shardsOf = new Map(s.shards.contents.map((entry) => [entry.key, entry.value]));
  const members: CommitteeMember[] = s.committee.members.map((member, index) => {
    const info = nodes.get(member.node_id);
    if (info === undefined) {
      throw new ChainObjectError(
        objectId,
        'malformed',
        `committee member ${member.node_id} is not a registered node`,
      );
    }
    const shards = shardsOf.get(member.node_id) ?? [];
    if (shards.length !== member.weight) {
      throw new ChainObjectError(
        objectId,
        'malformed',
        `member ${member.node_id} has weight ${member.weight} but ${shards.length} shards`,
      );
    }
    return Object.freeze({
      index,
      nodeId: member.node_id,
      name: info.name,
      networkAddress: info.networkAddress,
      blsPublicKey: compressedBlsKey(objectId, Uint8Array.from(member.public_key.bytes)),
      networkPublicKey: info.networkPublicKey,
      weight: member.weight,
      shards: Object.freeze([...shards]),
    });
  });
  const next = s.next_shards;
  return Object.freeze({
    objectId,
    objectVersion,
    epoch: s.committee.epoch,
    epochState: epochState(objectId, s.epoch_state),
    nShards: s.n_shards,
    epochDurationMs: safeNumber(objectId, 'epoch_duration_ms', s.epoch_duration_ms),
    members: Object.freeze(members),
    nextShards:
      next === null || next === undefined
        ? null
        : Object.freeze(
            next.contents.map((entry) =>
              Object.freeze({ nodeId: entry.key, shards: Object.freeze([...entry.value]) }),
            ),
          ),
    storagePricePerUnitMist: BigInt(s.storage_price),
    writePricePerUnitMist: BigInt(s.write_price),
    totalCapacityBytes: BigInt(s.total_capacity),
    usedCapacityBytes: BigInt(s.used_capacity),
    maxEpochsAhead: s.max_epochs_ahead,
  });
}

export function parseNodeInfoField(objectId: string, bytes: Uint8Array): NodeInfo {
  const field = parse(objectId, 'NodeInfo field', () => NODE_INFO_FIELD.parse(bytes));
  const info = field.value;
  return Object.freeze({
    nodeId: info.node_id,
    name: info.name,
    networkAddress: info.network_address,
    blsPublicKey: compressedBlsKey(objectId, Uint8Array.from(info.bls_key.bytes)),
    nextBlsPublicKey:
      info.next_bls_key === null || info.next_bls_key === undefined
        ? null
        : compressedBlsKey(objectId, Uint8Array.from(info.next_bls_key.bytes)),
    networkPublicKey: Uint8Array.from(info.network_public_key),
    rewardsMist: BigInt(info.rewards.value),
  });
}

function storageOf(raw: ReturnType<typeof STORAGE.parse>): StorageResource {
  return Object.freeze({
    objectId: raw.id,
    startEpoch: raw.start_epoch,
    endEpoch: raw.end_epoch,
    storageSize: BigInt(raw.storage_size),
  });
}

export function parseStorage(
  ref: ObjectRef,
  bytes: Uint8Array,
): StorageResource & { readonly ref: ObjectRef } {
  const raw = parse(ref.objectId, 'Storage', () => STORAGE.parse(bytes));
  return Object.freeze({ ...storageOf(raw), ref });
}

export function parseBlob(ref: ObjectRef, owner: string | null, bytes: Uint8Array): ChainBlob {
  const raw = parse(ref.objectId, 'Blob', () => BLOB.parse(bytes));
  return Object.freeze({
    ref,
    objectId: raw.id,
    registeredEpoch: raw.registered_epoch,
    blobId: blobIdFromU256(BigInt(raw.blob_id)),
    size: safeNumber(ref.objectId, 'size', raw.size),
    encodingType: raw.encoding_type,
    certifiedEpoch: raw.certified_epoch ?? null,
    storage: storageOf(raw.storage),
    deletable: raw.deletable,
    owner,
  });
}

/** Decodes one event of our `events` module by its struct name; unknown names stay opaque. */
export function decodeEventBody(
  txDigest: string,
  name: string,
  moveType: string,
  bytes: Uint8Array,
): ChainEventBody {
  const where = `event ${name} of ${txDigest}`;
  const blobId = (value: string) => blobIdFromU256(BigInt(value));
  switch (name) {
    case 'BlobRegistered': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS.BlobRegistered.parse(bytes));
      return {
        kind: name,
        epoch: e.epoch,
        blobId: blobId(e.blob_id),
        size: safeNumber(txDigest, 'size', e.size),
        encodingType: e.encoding_type,
        endEpoch: e.end_epoch,
        deletable: e.deletable,
        objectId: e.object_id,
      };
    }
    case 'BlobCertified': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS.BlobCertified.parse(bytes));
      return {
        kind: name,
        epoch: e.epoch,
        blobId: blobId(e.blob_id),
        endEpoch: e.end_epoch,
        deletable: e.deletable,
        objectId: e.object_id,
        isExtension: e.is_extension,
      };
    }
    case 'BlobDeleted': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS.BlobDeleted.parse(bytes));
      return {
        kind: name,
        epoch: e.epoch,
        blobId: blobId(e.blob_id),
        endEpoch: e.end_epoch,
        objectId: e.object_id,
        wasCertified: e.was_certified,
      };
    }
    case 'InvalidBlobID': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS.InvalidBlobID.parse(bytes));
      return { kind: name, epoch: e.epoch, blobId: blobId(e.blob_id) };
    }
    case 'EpochChangeStart':
    case 'EpochChangeDone': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS[name].parse(bytes));
      return { kind: name, epoch: e.epoch };
    }
    case 'ShardsReceived': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS.ShardsReceived.parse(bytes));
      return { kind: name, epoch: e.epoch, shards: Object.freeze([...e.shards]) };
    }
    case 'EpochParametersSelected': {
      const e = parse(txDigest, where, () => EVENT_LAYOUTS.EpochParametersSelected.parse(bytes));
      return { kind: name, nextEpoch: e.next_epoch };
    }
    default:
      return { kind: 'Unknown', moveType };
  }
}

// ---- Event cursors: `<txDigest>:<eventSeq>`, Sui's EventID as one opaque string ----

const DIGEST_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const EVENT_SEQ_MAX = 1_000_000;

export function eventCursor(txDigest: string, eventSeq: number): string {
  return `${txDigest}:${eventSeq}`;
}

export function parseEventCursor(cursor: string): { txDigest: string; eventSeq: string } {
  const at = cursor.lastIndexOf(':');
  const txDigest = cursor.slice(0, at);
  const seq = cursor.slice(at + 1);
  if (
    at < 0 ||
    !DIGEST_PATTERN.test(txDigest) ||
    !/^[0-9]{1,7}$/.test(seq) ||
    Number(seq) > EVENT_SEQ_MAX
  ) {
    throw new TypeError(`event cursor ${JSON.stringify(cursor)} is not <digest>:<sequence>`);
  }
  return { txDigest, eventSeq: String(Number(seq)) };
}

/** A JSON-RPC event as a typed event; types outside `packageId::events` stay opaque. */
export function decodeSuiEvent(event: SuiEvent, packageId: string): ChainEvent {
  const eventSeq = Number(event.id.eventSeq);
  const base = {
    cursor: eventCursor(event.id.txDigest, eventSeq),
    txDigest: event.id.txDigest,
    eventSeq,
    timestampMs:
      event.timestampMs === null || event.timestampMs === undefined
        ? null
        : Number(event.timestampMs),
  };
  const tag = parseStructTag(event.type);
  if (normalizeSuiAddress(tag.address) !== packageId || tag.module !== 'events') {
    return { ...base, kind: 'Unknown', moveType: event.type };
  }
  // Fullnodes from before `bcsEncoding` existed send base58.
  const encoding = (event as { bcsEncoding?: string }).bcsEncoding;
  const bytes = encoding === 'base64' ? fromBase64(event.bcs) : fromBase58(event.bcs);
  return { ...base, ...decodeEventBody(event.id.txDigest, tag.name, event.type, bytes) };
}
