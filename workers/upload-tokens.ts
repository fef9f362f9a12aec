/**
 * The capabilities of an upload session, as URL text: its ID, the presigned upload token and the
 * status token. A token is an HMAC-SHA256 (crypto.subtle, the key from the UPLOAD_TOKEN_SECRET
 * secret) over a purpose label, the session ID and (for uploads) the expiry, so it cannot be forged
 * or moved to another session or expiry; `crypto.subtle.verify` compares in constant time. API keys
 * are compared through their SHA-256 digests, also in constant time, so neither a key's length nor
 * its first differing byte shows in the timing.
 */
import {
  fromBase64Url as base64UrlToBytes,
  toBase64Url as bytesToBase64Url,
} from '../core/blob-id.js';

/** 128 random bits: unguessable, and the Durable Object's name. */
export const SESSION_ID_BYTES = 16;
const SESSION_ID = /^[0-9a-f]{32}$/;
const MAC_TEXT = /^[A-Za-z0-9_-]{43}$/;
/** Purposes, so an upload token is never a valid status token or the other way round. */
const UPLOAD_PURPOSE = 'walrus-edge upload v1';
const STATUS_PURPOSE = 'walrus-edge status v1';

export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SESSION_ID_BYTES));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function isSessionId(text: string): boolean {
  return SESSION_ID.test(text);
}

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    keys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, message: string): Promise<string> {
  const signature = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret),
    new TextEncoder().encode(message),
  );
  return bytesToBase64Url(new Uint8Array(signature));
}

async function macVerifies(secret: string, message: string, text: string): Promise<boolean> {
  if (!MAC_TEXT.test(text)) return false;
  // Only the canonical text: the last of 43 characters carries 2 unused bits, and a token whose
  // text differs must not verify.
  const bytes = base64UrlToBytes(text);
  if (bytesToBase64Url(bytes) !== text) return false;
  return crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    bytes as Uint8Array<ArrayBuffer>,
    new TextEncoder().encode(message),
  );
}

/** A decoded upload token: which session, until when (Unix seconds). */
export interface UploadGrant {
  readonly sessionId: string;
  readonly expiresAtS: number;
}

/** `{sessionId}.{expiresAtS}.{mac}`: one path segment of the upload endpoint. */
export async function signUploadToken(secret: string, grant: UploadGrant): Promise<string> {
  const body = `${grant.sessionId}.${grant.expiresAtS}`;
  return `${body}.${await mac(secret, `${UPLOAD_PURPOSE}\n${body}`)}`;
}

/** The grant of a token whose MAC verifies (expired or not), else undefined. */
export async function openUploadToken(
  secret: string,
  token: string,
): Promise<UploadGrant | undefined> {
  const match = /^([0-9a-f]{32})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match === null) return undefined;
  const [, sessionId, expires, signature] = match;
  const verified = await macVerifies(
    secret,
    `${UPLOAD_PURPOSE}\n${sessionId}.${expires}`,
    signature,
  );
  return verified ? { sessionId, expiresAtS: Number(expires) } : undefined;
}

export function signStatusToken(secret: string, sessionId: string): Promise<string> {
  return mac(secret, `${STATUS_PURPOSE}\n${sessionId}`);
}

export function statusTokenVerifies(
  secret: string,
  sessionId: string,
  token: string,
): Promise<boolean> {
  return macVerifies(secret, `${STATUS_PURPOSE}\n${sessionId}`, token);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/**
 * The key's ID (hex SHA-256 prefix, what a session records as its owner) if `presented` is one of
 * `keys`, else undefined. Every key is compared, whole digests, without early exit.
 */
export async function apiKeyId(
  keys: readonly string[],
  presented: string,
): Promise<string | undefined> {
  const digest = await sha256(presented);
  let found: Uint8Array | undefined;
  for (const key of keys) {
    const expected = await sha256(key);
    let difference = 0;
    for (let i = 0; i < expected.length; i++) difference |= expected[i] ^ digest[i];
    if (difference === 0) found = expected;
  }
  if (found === undefined) return undefined;
  return Array.from(found.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
