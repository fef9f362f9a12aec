/** Lowercase hex without a prefix, as the reference vectors and Walrus's JSON print hashes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
