/**
 * Mirror of `walrus_edge::messages` (move/sources/messages.move): signed message bytes (built by
 * `core/messages.ts`), header and body parsing in Move's check order, and proof-of-possession
 * verification (`core/bls.ts`).
 *
 * Over 400 lines: one module per Move module (messages.move), function for function.
 */
import { bcs } from '@mysten/sui/bcs';
import { blobIdFromU256, blobIdToU256 } from '../../core/blob-id.js';
import { blsVerify } from '../../core/bls.js';
import {
  invalidBlobIdMessage,
  parseHeader,
  proofOfPossessionMessage,
  storageConfirmationMessage,
} from '../../core/messages.js';
import type { CallContext, FunctionDef, ModuleDef } from '../ledger/registry.js';
import {
  bytesToHex,
  ensure,
  hexToBytes,
  ID_TYPE,
  internal,
  recordFunctionOrder,
  returnsReference,
  typeName,
} from './common.js';

const M = 'messages';

// Move: messages abort codes.
export const EIncorrectAppId = 0;
export const EIncorrectEpoch = 1;
export const EInvalidMsgType = 2;
export const EIncorrectIntentVersion = 3;
export const EInvalidKeyLength = 4;
export const EInvalidBlobPersistenceType = 5;
export const EMessageTooShort = 6;

const APP_ID = 3;
const INTENT_VERSION = 0;
export const PROOF_OF_POSSESSION_MSG_TYPE = 0;
export const BLOB_CERT_MSG_TYPE = 1;
export const INVALID_BLOB_ID_MSG_TYPE = 2;
const PERSISTENCE_PERMANENT = 0;
const PERSISTENCE_DELETABLE = 1;
const HEADER_BYTES = 7;
const BLOB_ID_BYTES = 32;
const OBJECT_ID_BYTES = 32;
const BLS_KEY_BYTES = 48;

export const PROOF_OF_POSSESSION_MESSAGE_TYPE = typeName(M, 'ProofOfPossessionMessage');
export const CERTIFIED_MESSAGE_TYPE = typeName(M, 'CertifiedMessage');
export const BLOB_PERSISTENCE_TYPE = typeName(M, 'BlobPersistenceType');
export const CERTIFIED_BLOB_MESSAGE_TYPE = typeName(M, 'CertifiedBlobMessage');
export const CERTIFIED_INVALID_BLOB_ID_TYPE = typeName(M, 'CertifiedInvalidBlobId');

export const PROOF_OF_POSSESSION_MESSAGE = bcs.struct('ProofOfPossessionMessage', {
  intent_type: bcs.u8(),
  intent_version: bcs.u8(),
  intent_app: bcs.u8(),
  epoch: bcs.u32(),
  sui_address: bcs.Address,
  bls_key: bcs.byteVector(),
});
export const CERTIFIED_MESSAGE = bcs.struct('CertifiedMessage', {
  intent_type: bcs.u8(),
  intent_version: bcs.u8(),
  cert_epoch: bcs.u32(),
  stake_support: bcs.u16(),
  message: bcs.byteVector(),
});
/** Enum: 0 Permanent, 1 Deletable { object_id }. */
export const BLOB_PERSISTENCE = bcs.enum('BlobPersistenceType', {
  Permanent: null,
  Deletable: bcs.struct('Deletable', { object_id: bcs.Address }),
});
export const CERTIFIED_BLOB_MESSAGE = bcs.struct('CertifiedBlobMessage', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
  blob_persistence_type: BLOB_PERSISTENCE,
});
export const CERTIFIED_INVALID_BLOB_ID = bcs.struct('CertifiedInvalidBlobId', {
  epoch: bcs.u32(),
  blob_id: bcs.u256(),
});

export interface ProofOfPossessionFields {
  intent_type: number;
  intent_version: number;
  intent_app: number;
  epoch: number;
  sui_address: string;
  bls_key: Uint8Array;
}

export interface CertifiedMessageFields {
  intent_type: number;
  intent_version: number;
  cert_epoch: number;
  stake_support: number;
  /** The body: everything after the 7-byte header. */
  message: Uint8Array;
}

export type BlobPersistenceFields =
  | { Permanent: true | null; $kind?: 'Permanent' }
  | { Deletable: { object_id: string }; $kind?: 'Deletable' };

export interface CertifiedBlobMessageFields {
  epoch: number;
  /** u256 as a decimal string. */
  blob_id: string;
  blob_persistence_type: BlobPersistenceFields;
}

export interface CertifiedInvalidBlobIdFields {
  epoch: number;
  blob_id: string;
}

export function isDeletable(persistence: BlobPersistenceFields): boolean {
  return 'Deletable' in persistence && persistence.Deletable !== undefined;
}

/** The object ID of a deletable persistence, else null. */
export function persistenceObjectId(persistence: BlobPersistenceFields): string | null {
  return 'Deletable' in persistence && persistence.Deletable !== undefined
    ? persistence.Deletable.object_id
    : null;
}

// ---- Proof of possession ----

// Move: walrus_edge::messages::new_proof_of_possession_msg
export function newProofOfPossessionMsg(
  ctx: CallContext,
  epoch: number,
  suiAddress: string,
  blsKey: Uint8Array,
): ProofOfPossessionFields {
  ensure(ctx, blsKey.length === BLS_KEY_BYTES, M, 'new_proof_of_possession_msg', EInvalidKeyLength);
  return {
    intent_type: PROOF_OF_POSSESSION_MSG_TYPE,
    intent_version: INTENT_VERSION,
    intent_app: APP_ID,
    epoch,
    sui_address: suiAddress,
    bls_key: blsKey,
  };
}

// Move: walrus_edge::messages::proof_of_possession_bytes
export function proofOfPossessionBytes(self: ProofOfPossessionFields): Uint8Array {
  // The struct is only built with the constant intent fields, so core's builder gives the bytes;
  // keys of another length (impossible through `new_proof_of_possession_msg`) are appended raw.
  if (self.bls_key.length === BLS_KEY_BYTES) {
    return proofOfPossessionMessage(self.epoch, hexToBytes(self.sui_address), self.bls_key);
  }
  const head = headerBytes(self.intent_type, self.epoch);
  return new Uint8Array([...head, ...hexToBytes(self.sui_address), ...self.bls_key]);
}

// Move: walrus_edge::messages::verify_proof_of_possession
export function verifyProofOfPossession(
  self: ProofOfPossessionFields,
  signature: Uint8Array,
): boolean {
  return blsVerify(signature, self.bls_key, proofOfPossessionBytes(self));
}

// ---- Certified messages ----

// Move: walrus_edge::messages::new_certified_message
export function newCertifiedMessage(
  ctx: CallContext,
  messageBytes: Uint8Array,
  committeeEpoch: number,
  stakeSupport: number,
): CertifiedMessageFields {
  const fn = 'new_certified_message';
  ensure(ctx, messageBytes.length >= HEADER_BYTES, M, fn, EMessageTooShort);
  const header = parseHeader(messageBytes);
  ensure(ctx, header.version === INTENT_VERSION, M, fn, EIncorrectIntentVersion);
  ensure(ctx, header.appId === APP_ID, M, fn, EIncorrectAppId);
  ensure(ctx, header.epoch === committeeEpoch, M, fn, EIncorrectEpoch);
  return {
    intent_type: header.intent,
    intent_version: header.version,
    cert_epoch: header.epoch,
    stake_support: stakeSupport,
    message: messageBytes.slice(HEADER_BYTES),
  };
}

/** The u256 read little-endian from 32 bytes (Move `peel_u256`), as a bigint. */
function peelU256(bytes: Uint8Array, at: number): bigint {
  return blobIdToU256(bytes.subarray(at, at + 32));
}

// Move: walrus_edge::messages::certify_blob_message
export function certifyBlobMessage(
  ctx: CallContext,
  message: CertifiedMessageFields,
): CertifiedBlobMessageFields {
  const fn = 'certify_blob_message';
  ensure(ctx, message.intent_type === BLOB_CERT_MSG_TYPE, M, fn, EInvalidMsgType);
  const body = message.message;
  ensure(ctx, body.length >= BLOB_ID_BYTES + 1, M, fn, EMessageTooShort);
  const blobId = peelU256(body, 0);
  const tag = body[BLOB_ID_BYTES];
  ensure(
    ctx,
    tag === PERSISTENCE_PERMANENT || tag === PERSISTENCE_DELETABLE,
    M,
    fn,
    EInvalidBlobPersistenceType,
  );
  let persistence: BlobPersistenceFields;
  if (tag === PERSISTENCE_PERMANENT) {
    persistence = { Permanent: true };
  } else {
    ensure(ctx, body.length >= BLOB_ID_BYTES + 1 + OBJECT_ID_BYTES, M, fn, EMessageTooShort);
    const objectId = bytesToHex(body.slice(BLOB_ID_BYTES + 1, BLOB_ID_BYTES + 1 + OBJECT_ID_BYTES));
    persistence = { Deletable: { object_id: objectId } };
  }
  return {
    epoch: message.cert_epoch,
    blob_id: blobId.toString(),
    blob_persistence_type: persistence,
  };
}

// Move: walrus_edge::messages::invalid_blob_id_message
export function invalidBlobIdMessageOf(
  ctx: CallContext,
  message: CertifiedMessageFields,
): CertifiedInvalidBlobIdFields {
  const fn = 'invalid_blob_id_message';
  ensure(ctx, message.intent_type === INVALID_BLOB_ID_MSG_TYPE, M, fn, EInvalidMsgType);
  const body = message.message;
  ensure(ctx, body.length >= BLOB_ID_BYTES, M, fn, EMessageTooShort);
  return { epoch: message.cert_epoch, blob_id: peelU256(body, 0).toString() };
}

// ---- Builders ----

// Move: walrus_edge::messages::header_bytes
export function headerBytes(intentType: number, epoch: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out[0] = intentType;
  out[1] = INTENT_VERSION;
  out[2] = APP_ID;
  new DataView(out.buffer).setUint32(3, epoch, true);
  return out;
}

// Move: walrus_edge::messages::blob_cert_message_bytes
export function blobCertMessageBytes(
  epoch: number,
  blobId: bigint,
  persistence: BlobPersistenceFields,
): Uint8Array {
  const objectId = persistenceObjectId(persistence);
  return storageConfirmationMessage(
    epoch,
    blobIdFromU256(blobId),
    objectId === null
      ? { kind: 'permanent' }
      : { kind: 'deletable', objectId: hexToBytes(objectId) },
  );
}

// Move: walrus_edge::messages::invalid_blob_id_message_bytes
export function invalidBlobIdMessageBytes(epoch: number, blobId: bigint): Uint8Array {
  return invalidBlobIdMessage(epoch, blobIdFromU256(blobId));
}

const POP = PROOF_OF_POSSESSION_MESSAGE_TYPE;
const CERT = CERTIFIED_MESSAGE_TYPE;
const PERSIST = BLOB_PERSISTENCE_TYPE;
const CERT_BLOB = CERTIFIED_BLOB_MESSAGE_TYPE;
const CERT_INVALID = CERTIFIED_INVALID_BLOB_ID_TYPE;

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::messages::new_proof_of_possession_msg
  new_proof_of_possession_msg: {
    params: ['u32', 'address', 'vector<u8>'],
    returns: [POP],
    execute: (ctx, [epoch, address, key]: [number, string, Uint8Array]) =>
      newProofOfPossessionMsg(ctx, epoch, address, key),
  },
  // Move: walrus_edge::messages::proof_of_possession_bytes
  proof_of_possession_bytes: {
    params: [`&${POP}`],
    returns: ['vector<u8>'],
    execute: (_ctx, [self]: [ProofOfPossessionFields]) => proofOfPossessionBytes(self),
  },
  // Move: walrus_edge::messages::verify_proof_of_possession
  verify_proof_of_possession: {
    params: [`&${POP}`, 'vector<u8>'],
    returns: ['bool'],
    execute: (_ctx, [self, signature]: [ProofOfPossessionFields, Uint8Array]) =>
      verifyProofOfPossession(self, signature),
  },
  // Move: walrus_edge::messages::new_certified_message (package-only)
  new_certified_message: internal(['vector<u8>', 'u32', 'u16'], [CERT]),
  // Move: walrus_edge::messages::certify_blob_message (package-only)
  certify_blob_message: internal([CERT], [CERT_BLOB]),
  // Move: walrus_edge::messages::invalid_blob_id_message (package-only)
  invalid_blob_id_message: internal([CERT], [CERT_INVALID]),
  // Move: walrus_edge::messages::header_bytes
  header_bytes: {
    params: ['u8', 'u32'],
    returns: ['vector<u8>'],
    execute: (_ctx, [intentType, epoch]: [number, number]) => headerBytes(intentType, epoch),
  },
  // Move: walrus_edge::messages::blob_cert_message_bytes
  blob_cert_message_bytes: {
    params: ['u32', 'u256', PERSIST],
    returns: ['vector<u8>'],
    execute: (_ctx, [epoch, blobId, persistence]: [number, string, BlobPersistenceFields]) =>
      blobCertMessageBytes(epoch, BigInt(blobId), persistence),
  },
  // Move: walrus_edge::messages::invalid_blob_id_message_bytes
  invalid_blob_id_message_bytes: {
    params: ['u32', 'u256'],
    returns: ['vector<u8>'],
    execute: (_ctx, [epoch, blobId]: [number, string]) =>
      invalidBlobIdMessageBytes(epoch, BigInt(blobId)),
  },
  // Move: walrus_edge::messages::permanent
  permanent: { params: [], returns: [PERSIST], execute: () => ({ Permanent: true }) },
  // Move: walrus_edge::messages::deletable
  deletable: {
    params: [ID_TYPE],
    returns: [PERSIST],
    execute: (_ctx, [objectId]: [string]) => ({ Deletable: { object_id: objectId } }),
  },
  // Move: walrus_edge::messages::is_deletable
  is_deletable: {
    params: [`&${PERSIST}`],
    returns: ['bool'],
    execute: (_ctx, [self]: [BlobPersistenceFields]) => isDeletable(self),
  },
  // Move: walrus_edge::messages::object_id
  object_id: {
    params: [`&${PERSIST}`],
    returns: [`0x1::option::Option<${ID_TYPE}>`],
    execute: (_ctx, [self]: [BlobPersistenceFields]) => persistenceObjectId(self),
  },
  // Move: walrus_edge::messages::intent_type
  intent_type: {
    params: [`&${CERT}`],
    returns: ['u8'],
    execute: (_ctx, [self]: [CertifiedMessageFields]) => self.intent_type,
  },
  // Move: walrus_edge::messages::intent_version
  intent_version: {
    params: [`&${CERT}`],
    returns: ['u8'],
    execute: (_ctx, [self]: [CertifiedMessageFields]) => self.intent_version,
  },
  // Move: walrus_edge::messages::cert_epoch
  cert_epoch: {
    params: [`&${CERT}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [CertifiedMessageFields]) => self.cert_epoch,
  },
  // Move: walrus_edge::messages::stake_support
  stake_support: {
    params: [`&${CERT}`],
    returns: ['u16'],
    execute: (_ctx, [self]: [CertifiedMessageFields]) => self.stake_support,
  },
  // Move: walrus_edge::messages::body (returns `&vector<u8>`)
  body: returnsReference([`&${CERT}`], 'vector<u8>'),
  // Move: walrus_edge::messages::certified_epoch
  certified_epoch: {
    params: [`&${CERT_BLOB}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [CertifiedBlobMessageFields]) => self.epoch,
  },
  // Move: walrus_edge::messages::certified_blob_id
  certified_blob_id: {
    params: [`&${CERT_BLOB}`],
    returns: ['u256'],
    execute: (_ctx, [self]: [CertifiedBlobMessageFields]) => self.blob_id,
  },
  // Move: walrus_edge::messages::blob_persistence_type
  blob_persistence_type: {
    params: [`&${CERT_BLOB}`],
    returns: [PERSIST],
    execute: (_ctx, [self]: [CertifiedBlobMessageFields]) => self.blob_persistence_type,
  },
  // Move: walrus_edge::messages::certified_invalid_epoch
  certified_invalid_epoch: {
    params: [`&${CERT_INVALID}`],
    returns: ['u32'],
    execute: (_ctx, [self]: [CertifiedInvalidBlobIdFields]) => self.epoch,
  },
  // Move: walrus_edge::messages::invalid_blob_id
  invalid_blob_id: {
    params: [`&${CERT_INVALID}`],
    returns: ['u256'],
    execute: (_ctx, [self]: [CertifiedInvalidBlobIdFields]) => self.blob_id,
  },
};
recordFunctionOrder(M, functions);

export const messagesModule: ModuleDef = {
  structs: {
    ProofOfPossessionMessage: { abilities: ['copy', 'drop'], layout: PROOF_OF_POSSESSION_MESSAGE },
    CertifiedMessage: { abilities: ['drop'], layout: CERTIFIED_MESSAGE },
    BlobPersistenceType: { abilities: ['copy', 'drop', 'store'], layout: BLOB_PERSISTENCE },
    CertifiedBlobMessage: { abilities: ['drop'], layout: CERTIFIED_BLOB_MESSAGE },
    CertifiedInvalidBlobId: { abilities: ['drop'], layout: CERTIFIED_INVALID_BLOB_ID },
  },
  functions,
};
