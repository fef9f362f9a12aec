/** Lowercase hex without a prefix, as the reference vectors and Walrus's JSON print hashes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Parses hex with or without `0x`, left-padding to `bytes` (Sui addresses and object IDs). */
export function hexToBytes(text: string, bytes: number): Uint8Array {
  const hex = text.replace(/^0x/i, '').padStart(bytes * 2, '0');
  if (hex.length !== bytes * 2 || !/^[0-9a-f]*$/i.test(hex))
    throw new RangeError(`not ${bytes} bytes of hex: ${text}`);
  return Uint8Array.from({ length: bytes }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}
