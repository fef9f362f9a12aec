/** The messages between the page and its encoder Web Worker (client/browser/encoder-worker.ts). */
import type { EncodingBuffers } from '../../core/encoding/blob-layout.js';

export interface EncodeRequest {
  readonly id: number;
  /** The blob's bytes, transferred to the worker. */
  readonly blob: ArrayBuffer;
  readonly nShards: number;
  /** URLs of core/wasm/gf16.wasm and blake2b.wasm; without them, core's embedded bytes. */
  readonly wasm?: { readonly gf16: string; readonly blake2b: string };
}

export type EncodeReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly blob: ArrayBuffer;
      readonly buffers: EncodingBuffers;
    }
  | { readonly id: number; readonly ok: false; readonly error: string };
