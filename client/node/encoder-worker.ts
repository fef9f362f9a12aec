/**
 * Worker thread of the EncoderPool: holds one BlobEncodingJob over the pool's shared buffers and
 * runs the stage ranges it is sent.
 */
import { parentPort } from 'node:worker_threads';
import { BlobEncodingJob, prepareEncoder } from '../../core/encoding/blob-encoder.js';
import { blobLayout } from '../../core/encoding/blob-layout.js';
import {
  type EncoderWorkerMessage,
  type EncoderWorkerReply,
  runStageRange,
} from './encoder-stages.js';

let job: BlobEncodingJob | undefined;

// Before the first message: the pool starts workers ahead of the work (encoder-pool.ts).
prepareEncoder();

parentPort?.on('message', (message: EncoderWorkerMessage) => {
  const reply: EncoderWorkerReply = { taskId: message.taskId };
  try {
    if (message.kind === 'setup') {
      job = new BlobEncodingJob(
        blobLayout(message.blobBytes, message.nShards),
        message.blob,
        message.buffers,
      );
    } else if (message.kind === 'release') {
      job = undefined;
    } else {
      if (job === undefined) throw new Error('run before setup');
      runStageRange(job, message.stage, message.start, message.end);
    }
  } catch (error) {
    reply.error = error instanceof Error ? error.message : String(error);
  }
  parentPort!.postMessage(reply);
});
