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

/**
 * Compiles a kernel synchronously. Throws where the embedder forbids compiling from bytes
 * (workerd; Chrome's main thread for larger modules): callers fall back or take a precompiled
 * module. The cast is for workerd's type definitions, which declare the constructor abstract for
 * that reason.
 */
export function compileEmbeddedWasm(base64: string): WebAssembly.Module {
  const Module = WebAssembly.Module as unknown as new (bytes: BufferSource) => WebAssembly.Module;
  return new Module(decodeEmbeddedWasm(base64));
}
