/**
 * On-disk forms of the node-level records: keys and the JSON form of blob registrations. Byte
 * fields are hex in JSON so the records stay readable with lmdb tools.
 */
import type { SliverAxis } from '../../core/encoding/mapping.js';
import { HASH_BYTES } from '../../core/encoding/config.js';
import type { BlobRegistration, ChainEventId } from '../chain-view.js';

export interface RegistrationRecord {
  readonly blobId: string;
  readonly invalidEvent: ChainEventId | null;
  readonly objects: readonly {
    readonly objectId: string;
    readonly deletable: boolean;
    readonly registeredEpoch: number;
    readonly endEpoch: number;
    readonly certifiedEpoch: number | null;
    readonly deleted: boolean;
    readonly event: ChainEventId;
  }[];
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

export function registrationToRecord(registration: BlobRegistration): RegistrationRecord {
  return {
    blobId: hex(registration.blobId),
    invalidEvent: registration.invalidEvent,
    objects: registration.objects.map((object) => ({ ...object, objectId: hex(object.objectId) })),
  };
}

export function registrationFromRecord(record: RegistrationRecord): BlobRegistration {
  return {
    blobId: unhex(record.blobId),
    invalidEvent: record.invalidEvent,
    objects: record.objects.map((object) => ({ ...object, objectId: unhex(object.objectId) })),
  };
}

/** Blob keys are the raw 32-byte blob ID. */
export function blobKey(blobId: Uint8Array): Buffer {
  if (blobId.length !== HASH_BYTES) throw new RangeError('a blob ID is 32 bytes');
  return Buffer.from(blobId);
}

const AXIS_BYTE: Record<SliverAxis, number> = { primary: 0, secondary: 1 };

/** Sliver keys within a shard: blob ID ‖ axis byte (a shard holds one pair per blob). */
export function sliverKey(blobId: Uint8Array, axis: SliverAxis): Buffer {
  const key = Buffer.alloc(HASH_BYTES + 1);
  key.set(blobKey(blobId), 0);
  key[HASH_BYTES] = AXIS_BYTE[axis];
  return key;
}

/** Marks the key of a sliver's checksum (CRC-32 of its stored bytes) beside the sliver's. */
const DIGEST_KEY_FLAG = 0x10;

export function sliverDigestKey(blobId: Uint8Array, axis: SliverAxis): Buffer {
  const key = sliverKey(blobId, axis);
  key[HASH_BYTES] |= DIGEST_KEY_FLAG;
  return key;
}

/**
 * Marks the key of a sliver's leaf hashes (its expanded form's n Merkle leaves, kept from when it
 * was verified) beside the sliver's: recovery symbols are served without expanding the sliver.
 */
const LEAF_HASHES_KEY_FLAG = 0x20;

export function sliverLeafHashesKey(blobId: Uint8Array, axis: SliverAxis): Buffer {
  const key = sliverKey(blobId, axis);
  key[HASH_BYTES] |= LEAF_HASHES_KEY_FLAG;
  return key;
}
