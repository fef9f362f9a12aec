/**
 * Storing a session's blob once its last byte is staged: the one store pipeline (client/store.ts:
 * encode, register, metadata and slivers to every node in parallel, each confirmation's BLS
 * signature checked, aggregation at a quorum of shard weight so a down or hung node does not hold
 * it up, certify), then the session's attributes and the transfer to `sendObjectTo`, all paid
 * through the publisher wallet's object.
 *
 * Memory: the encoder (core/encoding/blob-encoder.ts) holds the blob, its f recovery columns
 * (≈ 0.5× the blob) and its 2f recovery rows (≈ 2× the blob) at once, ≈ 3.5× the blob in all,
 * and a Durable Object has one isolate's 128 MB (docs/spec/edge-platform.md §3.1). Reading the
 * staged blob in passes would bound the input, not the recovery rows, which every node's primary
 * slivers come from; an encoder that writes them to R2 column chunk by column chunk would lift this
 * bound and is not built yet. So the relay (tus, PUT) takes no blob larger than
 * SESSION_ENCODE_BYTES_LIMIT (UPLOAD_RELAY_BYTES_MAX may lower it); larger sessions are encoded by
 * the client (client/client-encoding.ts, durable-objects/client-encoded.ts).
 */
import { type StoreProgress, storeBlob } from '../client/store.js';
import type { StorageNodeClientOptions } from '../client/storage-node-client.js';
import type { ChainSigner } from '../core/chain/types.js';
import type { PayingChain } from '../workers/wallet-chain.js';
import type { SessionRecord, SessionState } from './session-record.js';

// Defined beside the session record so that workers/env.ts can cap UPLOAD_RELAY_BYTES_MAX by it
// without loading the store pipeline.
export { SESSION_ENCODE_BYTES_LIMIT } from './session-record.js';

export interface SessionStoreDeps {
  readonly chain: PayingChain;
  /** Passed through to the chain; PublisherWallet signs with the same wallet. */
  readonly signer: ChainSigner;
  readonly nodeOptions: StorageNodeClientOptions;
  /** Called as the pipeline moves from encoding to storing. */
  readonly onState: (state: SessionState) => void;
}

export interface SessionStored {
  readonly blobId: string;
  readonly blobObjectId: string;
  readonly certifiedEpoch: number;
}

export async function storeSessionBlob(
  blob: Uint8Array,
  session: SessionRecord,
  deps: SessionStoreDeps,
): Promise<SessionStored> {
  let state: SessionState = 'encoding';
  const onProgress = (progress: StoreProgress) => {
    const next = progress.stage === 'encode' ? 'encoding' : 'storing';
    if (next !== state) {
      state = next;
      deps.onState(next);
    }
  };
  const stored = await storeBlob(blob, {
    chain: deps.chain,
    signer: deps.signer,
    epochs: session.epochs,
    deletable: session.deletable,
    nodeOptions: deps.nodeOptions,
    onProgress,
  });
  const objectId = stored.blobObject.objectId;
  await handOver(objectId, session, deps);
  return { blobId: stored.blobId, blobObjectId: objectId, certifiedEpoch: stored.certifiedEpoch };
}

/**
 * After certification, whichever way the blob was encoded: the session's attributes on the Blob
 * object, then the object to `sendObjectTo`.
 */
export async function handOver(
  objectId: string,
  session: SessionRecord,
  deps: Pick<SessionStoreDeps, 'chain' | 'signer'>,
): Promise<void> {
  if (Object.keys(session.attributes).length > 0) {
    await deps.chain.setBlobAttributes(objectId, session.attributes, deps.signer);
  }
  if (session.sendObjectTo !== null) {
    await deps.chain.transferBlob(objectId, session.sendObjectTo, deps.signer);
  }
}
