/**
 * Embedded WebAssembly kernels travel as base64 in generated modules (`*.generated.ts`, built from
 * the `.wat` sources by scripts/build-wasm.mjs) so the same code loads in Node, workerd and
 * browsers without a file loader.
 */

/** Base64 without Buffer, which workerd and browsers lack; runs once per kernel and process. */
export function decodeEmbeddedWasm(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
