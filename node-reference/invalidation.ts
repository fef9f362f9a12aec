/**
 * Invalidating an inconsistently encoded blob (Walrus `node/blob_sync.rs` → `invalidate_blob_id`):
 * a node whose recovery proved the writer's encoding inconsistent sends the proof to every member
 * of the committee, each verifies it and answers its BLS attestation over the INVALID_BLOB_ID
 * message, and once the attesting shards' weight includes one correct node (f + 1), the node
 * aggregates the signatures and submits the certificate on chain. Every node then sees the
 * InvalidBlobID event: its status turns invalid and it drops the blob's data (service.ts).
 *
 * Bounded and hostile-safe: every request has a deadline, an attestation counts only if it is
 * exactly the expected message under the member's key, and one blob is invalidated at a time.
 */
import { blobIdToString } from '../core/blob-id.js';
import {
  blsAggregateSignatures,
  blsVerify,
  includesOneCorrectNode,
  signersBitmap,
} from '../core/bls.js';
import { bytesEqual } from '../core/bytes.js';
import type { CertificateInput, SystemState } from '../core/chain/types.js';
import {
  type InconsistencyProof,
  encodeInconsistencyProof,
} from '../core/encoding/inconsistency.js';
import { invalidBlobIdMessage } from '../core/messages.js';
import { StorageNodeClient } from '../client/storage-node-client.js';
import type { Logger } from './log.js';

/** A peer verifies the proof (a sliver decode) before it answers: seconds, not minutes. */
export const ATTESTATION_TIMEOUT_MS = 20_000;

export interface InvalidationOptions {
  /** The current committee, whose members attest. */
  readonly system: () => SystemState;
  /** Submits the certificate on chain (invalidate_blob_id), paid by the node's Sui key. */
  readonly submit: (certificate: CertificateInput) => Promise<void>;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

export type InvalidationOutcome = 'invalidated' | 'too-few-attestations' | 'already-running';

export class BlobInvalidator {
  private readonly running = new Set<string>();

  constructor(private readonly options: InvalidationOptions) {}

  /** Collects f + 1 shards' attestations for `proof` and submits the certificate. */
  async invalidate(blobId: Uint8Array, proof: InconsistencyProof): Promise<InvalidationOutcome> {
    const key = blobIdToString(blobId);
    if (this.running.has(key)) return 'already-running';
    this.running.add(key);
    try {
      const certificate = await this.collect(blobId, proof);
      if (certificate === null) return 'too-few-attestations';
      await this.options.submit(certificate);
      this.options.logger.log('warn', 'invalidation.submitted', { blobId: key });
      return 'invalidated';
    } finally {
      this.running.delete(key);
    }
  }

  private collect(blobId: Uint8Array, proof: InconsistencyProof): Promise<CertificateInput | null> {
    const system = this.options.system();
    const message = invalidBlobIdMessage(system.epoch, blobId);
    const body = encodeInconsistencyProof(proof);
    const controller = new AbortController();
    const attested: { index: number; signature: Uint8Array }[] = [];
    let weight = 0;
    let done = false;
    return new Promise((resolve) => {
      let pending = system.members.length;
      const finish = (certificate: CertificateInput | null) => {
        if (done) return;
        done = true;
        controller.abort(new Error('attestations collected'));
        resolve(certificate);
      };
      if (pending === 0) finish(null);
      for (const member of system.members) {
        const client = new StorageNodeClient(member.networkAddress, { fetch: this.options.fetch });
        client
          .postInconsistencyProof(blobId, proof.axis, body, {
            signal: controller.signal,
            headersTimeoutMs: ATTESTATION_TIMEOUT_MS,
          })
          .then((signed) => {
            if (done) return;
            // Another epoch's or another blob's message, or a signature the key does not make,
            // counts for nothing.
            if (
              !bytesEqual(signed.serializedMessage, message) ||
              !blsVerify(signed.signature, member.blsPublicKey, message)
            ) {
              this.options.logger.log('warn', 'invalidation.bad_attestation', {
                node: member.name,
              });
              return;
            }
            attested.push({ index: member.index, signature: signed.signature });
            weight += member.weight;
            if (includesOneCorrectNode(weight, system.nShards)) {
              finish({
                signature: blsAggregateSignatures(attested.map((a) => a.signature)),
                signersBitmap: signersBitmap(
                  attested.map((a) => a.index),
                  system.members.length,
                ),
                message,
              });
            }
          })
          .catch((error: unknown) => {
            if (!done)
              this.options.logger.log('warn', 'invalidation.no_attestation', {
                node: member.name,
                error,
              });
          })
          .finally(() => {
            pending--;
            if (pending === 0) finish(null);
          });
      }
    });
  }
}
