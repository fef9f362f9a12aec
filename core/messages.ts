/**
 * Signed protocol messages, byte-compatible with Walrus (docs/spec/api.md §2.1, docs/spec/contracts.md §6):
 * a 7-byte header `intent type ‖ intent version 0 ‖ app id 3 ‖ epoch u32le` and a body without a
 * length prefix. Move parses the same bytes in move/sources/messages.move (keep in sync).
 */
import { HASH_BYTES } from './encoding/config.js';

export const INTENT_VERSION = 0;
/** Walrus's app id for storage messages. */
export const APP_ID_STORAGE = 3;
export const MESSAGE_HEADER_BYTES = 7;
export const SUI_ADDRESS_BYTES = 32;
export const BLS_PUBLIC_KEY_BYTES = 48;

export const IntentType = {
  PROOF_OF_POSSESSION: 0,
  BLOB_CERT: 1,
  INVALID_BLOB_ID: 2,
} as const;
export type IntentTypeValue = (typeof IntentType)[keyof typeof IntentType];

export type BlobPersistence = { kind: 'permanent' } | { kind: 'deletable'; objectId: Uint8Array };

export class MessageFormatError extends Error {
  override name = 'MessageFormatError';
}

function header(intent: IntentTypeValue, epoch: number, bodyBytes: number): Uint8Array {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff)
    throw new RangeError(`epoch ${epoch} is not a u32`);
  const out = new Uint8Array(MESSAGE_HEADER_BYTES + bodyBytes);
  out[0] = intent;
  out[1] = INTENT_VERSION;
  out[2] = APP_ID_STORAGE;
  new DataView(out.buffer).setUint32(3, epoch, true);
  return out;
}

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length)
    throw new RangeError(`${name} must be ${length} bytes, got ${bytes.length}`);
}

/** The storage confirmation a node signs: 40 bytes (permanent) or 72 bytes (deletable). */
export function storageConfirmationMessage(
  epoch: number,
  blobId: Uint8Array,
  persistence: BlobPersistence,
): Uint8Array {
  checkLength('blob ID', blobId, HASH_BYTES);
  const deletable = persistence.kind === 'deletable';
  const out = header(IntentType.BLOB_CERT, epoch, HASH_BYTES + 1 + (deletable ? HASH_BYTES : 0));
  out.set(blobId, MESSAGE_HEADER_BYTES);
  out[MESSAGE_HEADER_BYTES + HASH_BYTES] = deletable ? 1 : 0;
  if (deletable) {
    checkLength('object ID', persistence.objectId, HASH_BYTES);
    out.set(persistence.objectId, MESSAGE_HEADER_BYTES + HASH_BYTES + 1);
  }
  return out;
}

/** The invalid-blob-ID attestation (39 bytes); f + 1 shards' weight invalidates the blob ID. */
export function invalidBlobIdMessage(epoch: number, blobId: Uint8Array): Uint8Array {
  checkLength('blob ID', blobId, HASH_BYTES);
  const out = header(IntentType.INVALID_BLOB_ID, epoch, HASH_BYTES);
  out.set(blobId, MESSAGE_HEADER_BYTES);
  return out;
}

/** Proof of possession (87 bytes): binds a BLS key to the registering Sui address and epoch. */
export function proofOfPossessionMessage(
  epoch: number,
  suiAddress: Uint8Array,
  publicKey: Uint8Array,
): Uint8Array {
  checkLength('Sui address', suiAddress, SUI_ADDRESS_BYTES);
  checkLength('BLS public key', publicKey, BLS_PUBLIC_KEY_BYTES);
  const out = header(
    IntentType.PROOF_OF_POSSESSION,
    epoch,
    SUI_ADDRESS_BYTES + BLS_PUBLIC_KEY_BYTES,
  );
  out.set(suiAddress, MESSAGE_HEADER_BYTES);
  out.set(publicKey, MESSAGE_HEADER_BYTES + SUI_ADDRESS_BYTES);
  return out;
}

export interface MessageHeader {
  readonly intent: number;
  readonly version: number;
  readonly appId: number;
  readonly epoch: number;
}

export function parseHeader(message: Uint8Array): MessageHeader {
  if (message.length < MESSAGE_HEADER_BYTES)
    throw new MessageFormatError('message shorter than its header');
  return {
    intent: message[0],
    version: message[1],
    appId: message[2],
    epoch: new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(3, true),
  };
}

export interface ParsedConfirmation {
  readonly epoch: number;
  readonly blobId: Uint8Array;
  readonly persistence: BlobPersistence;
}

/** Parses a BLOB_CERT message as Move does (trailing bytes after the body are tolerated). */
export function parseStorageConfirmation(message: Uint8Array): ParsedConfirmation {
  const head = parseHeader(message);
  if (head.intent !== IntentType.BLOB_CERT)
    throw new MessageFormatError(`intent ${head.intent} is not BLOB_CERT`);
  if (head.version !== INTENT_VERSION)
    throw new MessageFormatError(`intent version ${head.version}`);
  if (head.appId !== APP_ID_STORAGE) throw new MessageFormatError(`app id ${head.appId}`);
  const body = message.subarray(MESSAGE_HEADER_BYTES);
  if (body.length < HASH_BYTES + 1) throw new MessageFormatError('confirmation body too short');
  const blobId = body.slice(0, HASH_BYTES);
  const tag = body[HASH_BYTES];
  if (tag === 0) return { epoch: head.epoch, blobId, persistence: { kind: 'permanent' } };
  if (tag !== 1) throw new MessageFormatError(`persistence tag ${tag}`);
  if (body.length < 2 * HASH_BYTES + 1)
    throw new MessageFormatError('deletable confirmation lacks its object ID');
  return {
    epoch: head.epoch,
    blobId,
    persistence: { kind: 'deletable', objectId: body.slice(HASH_BYTES + 1, 2 * HASH_BYTES + 1) },
  };
}
