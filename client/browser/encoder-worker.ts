/**
 * The Web Worker that encodes a blob for client-side encoding (client/browser/worker-encoder.ts
 * starts it): the isomorphic core encoder with its wasm kernels, off the page's main thread (a
 * 100 MiB blob takes seconds; Chrome also refuses to compile larger wasm modules synchronously on
 * the main thread). It runs every stage, then hands back the blob and the encoding buffers
 * (transferred, not copied), from which the page rebuilds the EncodedBlob without encoding again.
 *
 * The kernels: the URLs of core/wasm/gf16.wasm and blake2b.wasm when given (the upload page's
 * assets, compiled while streaming in), else the bytes embedded in core, as Node and tests do.
 */
import { BlobEncodingJob } from '../../core/encoding/blob-encoder.js';
import { allocateEncodingBuffers, blobLayout } from '../../core/encoding/blob-layout.js';
import { useGf16WasmModule } from '../../core/encoding/fft-kernel.js';
import { useBlake2bWasmModule } from '../../core/hash/blake2b.js';
import type { EncodeReply, EncodeRequest } from './encoder-messages.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<EncodeRequest>) => void) | null;
  postMessage(message: EncodeReply, transfer: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

let kernels: Promise<void> | undefined;

function loadKernels(request: EncodeRequest): Promise<void> {
  kernels ??= (async () => {
    if (request.wasm === undefined) return;
    const [gf16, blake2b] = await Promise.all([
      WebAssembly.compileStreaming(fetch(request.wasm.gf16)),
      WebAssembly.compileStreaming(fetch(request.wasm.blake2b)),
    ]);
    useGf16WasmModule(gf16);
    useBlake2bWasmModule(blake2b);
  })();
  return kernels;
}

scope.onmessage = (event) => {
  const request = event.data;
  void (async () => {
    try {
      await loadKernels(request);
      const blob = new Uint8Array(request.blob);
      const layout = blobLayout(blob.length, request.nShards);
      const buffers = allocateEncodingBuffers(layout);
      new BlobEncodingJob(layout, blob, buffers).runStages();
      scope.postMessage({ id: request.id, ok: true, blob: request.blob, buffers }, [
        request.blob,
        buffers.recoveryColumns.buffer,
        buffers.recoveryRows.buffer,
        buffers.rowChunkRoots.buffer,
        buffers.sliverHashes.buffer,
      ] as Transferable[]);
    } catch (error) {
      scope.postMessage({ id: request.id, ok: false, error: String(error) }, []);
    }
  })();
};
