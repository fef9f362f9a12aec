/**
 * Standard base64 (RFC 4648 §4, padded) for bytes carried in JSON: the metadata and confirmation
 * signatures of client-side encoding. Decoding is strict, as the input is hostile: `atob` alone
 * skips whitespace and accepts missing padding, so the text is checked first.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Characters per `String.fromCharCode` call: far below engines' argument limits. */
const CHARS_PER_CALL = 0x2000;

export class Base64Error extends Error {
  override name = 'Base64Error';
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += CHARS_PER_CALL) {
    binary += String.fromCharCode(...bytes.subarray(at, at + CHARS_PER_CALL));
  }
  return btoa(binary);
}

/** The bytes of padded base64 text; Base64Error for anything else. */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new Base64Error('not padded base64 (RFC 4648 §4)');
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Characters of the base64 text of `bytes` bytes. */
export function base64Chars(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}
