/**
 * `encode` for client-side encoding in a browser: the blob is encoded in a Web Worker
 * (client/browser/encoder-worker.ts) and the EncodedBlob rebuilt here from the buffers it hands
 * back, so the page stays responsive while a large file encodes.
 */
import { BlobEncodingJob, type EncodedBlob } from '../../core/encoding/blob-encoder.js';
import { blobLayout } from '../../core/encoding/blob-layout.js';
import type { EncodeReply, EncodeRequest } from './encoder-messages.js';
import { UploadFailedError } from './errors.js';

export interface WorkerEncoderOptions {
  /** The built encoder worker script (the upload page serves one under /upload/assets/). */
  readonly workerUrl: string | URL;
  /** The wasm kernels' URLs; without them the worker compiles core's embedded bytes. */
  readonly wasm?: { readonly gf16: string; readonly blake2b: string };
}

export type BlobEncoder = (blob: Uint8Array, nShards: number) => Promise<EncodedBlob>;

/**
 * An encoder that starts one worker per blob and ends it after (a blob is encoded once; the
 * worker's buffers go with it). The blob's bytes are copied to the worker, since the caller may
 * still read them.
 */
export function workerEncoder(options: WorkerEncoderOptions): BlobEncoder {
  return (blob, nShards) =>
    new Promise<EncodedBlob>((resolve, reject) => {
      const worker = new Worker(options.workerUrl, { type: 'module', name: 'walrus-edge-encoder' });
      const copy = blob.slice().buffer as ArrayBuffer;
      const request: EncodeRequest = { id: 1, blob: copy, nShards, wasm: options.wasm };
      worker.onmessage = (event: MessageEvent<EncodeReply>) => {
        worker.terminate();
        const reply = event.data;
        if (!reply.ok) {
          reject(new UploadFailedError(`encoding the file failed: ${reply.error}`));
          return;
        }
        const layout = blobLayout(blob.length, nShards);
        resolve(new BlobEncodingJob(layout, new Uint8Array(reply.blob), reply.buffers).finish());
      };
      worker.onerror = (event) => {
        worker.terminate();
        reject(new UploadFailedError(`the encoder could not run: ${event.message}`));
      };
      worker.postMessage(request, [copy]);
    });
}
