/** Byte-array helpers shared by the protocol modules. */

/** Equal length and contents; constant-time in the contents, as hashes and signatures want. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
