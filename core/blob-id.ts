/**
 * Blob IDs (docs/spec/encoding.md §6.2–6.3): BLAKE2b-256(0x01 ‖ u64le(L) ‖ root_hash), displayed as
 * base64url without padding, carried on chain as a little-endian u256.
 */
import { HASH_BYTES, ENCODING_TYPE_RS2 } from './encoding/config.js';
import { blake2b256 } from './hash/blake2b.js';

/** 32 bytes as unpadded base64url: always 43 characters. */
export const BLOB_ID_TEXT_CHARS = 43;

export class InvalidBlobIdError extends TypeError {
  override name = 'InvalidBlobIdError';
}

export function deriveBlobId(rootHash: Uint8Array, unencodedLength: number | bigint): Uint8Array {
  if (rootHash.length !== HASH_BYTES) throw new RangeError('root hash must be 32 bytes');
  const preimage = new Uint8Array(1 + 8 + HASH_BYTES);
  preimage[0] = ENCODING_TYPE_RS2;
  new DataView(preimage.buffer).setBigUint64(1, BigInt(unencodedLength), true);
  preimage.set(rootHash, 9);
  return blake2b256(preimage);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_VALUE = new Map<string, number>([...BASE64URL].map((c, i) => [c, i]));

/** Unpadded base64url of any bytes (the blob ID's display form). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += BASE64URL[(chunk >>> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Parses unpadded base64url; throws InvalidBlobIdError on any character outside the alphabet. */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1)
    throw new InvalidBlobIdError('base64url text has an impossible length');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const char of text) {
    const value = BASE64URL_VALUE.get(char);
    if (value === undefined)
      throw new InvalidBlobIdError(`invalid base64url character ${JSON.stringify(char)}`);
    acc = ((acc << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

export function blobIdToString(blobId: Uint8Array): string {
  if (blobId.length !== HASH_BYTES) throw new InvalidBlobIdError('a blob ID is 32 bytes');
  return toBase64Url(blobId);
}

/** Parses a displayed blob ID; rejects anything that is not exactly 32 bytes of base64url. */
export function blobIdFromString(text: string): Uint8Array {
  if (text.length !== BLOB_ID_TEXT_CHARS) {
    throw new InvalidBlobIdError(
      `a blob ID is ${BLOB_ID_TEXT_CHARS} base64url characters, got ${text.length}`,
    );
  }
  const bytes = fromBase64Url(text);
  // The last character carries 2 spare bits; canonical IDs have them zero.
  if (toBase64Url(bytes) !== text)
    throw new InvalidBlobIdError('blob ID is not in canonical base64url');
  return bytes;
}

/** The on-chain u256 (BCS little-endian) value of a blob ID or root hash. */
export function blobIdToU256(blobId: Uint8Array): bigint {
  let value = 0n;
  for (let i = blobId.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(blobId[i]);
  return value;
}

export function blobIdFromU256(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new RangeError('u256 out of range');
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}
