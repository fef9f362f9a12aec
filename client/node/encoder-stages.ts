/** The messages between the EncoderPool and its worker threads, and the stage dispatch both run. */
import type { BlobEncodingJob } from '../../core/encoding/blob-encoder.js';
import type { EncodingBuffers } from '../../core/encoding/blob-layout.js';

export type EncoderStage = 'rows' | 'columns' | 'pairs';

export type EncoderWorkerRequest =
  | {
      kind: 'setup';
      blobBytes: number;
      nShards: number;
      blob: Uint8Array;
      buffers: EncodingBuffers;
    }
  | { kind: 'run'; stage: EncoderStage; start: number; end: number }
  | { kind: 'release' };

export type EncoderWorkerMessage = EncoderWorkerRequest & { taskId: number };

export interface EncoderWorkerReply {
  taskId: number;
  error?: string;
}

export function runStageRange(
  job: BlobEncodingJob,
  stage: EncoderStage,
  start: number,
  end: number,
): void {
  if (stage === 'rows') job.encodeRows(start, end);
  else if (stage === 'columns') job.encodeColumnChunks(start, end);
  else job.hashPrimarySlivers(start, end);
}
