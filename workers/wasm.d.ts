/** Wrangler, Miniflare and the vitest pool load `*.wasm` imports as compiled modules. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
