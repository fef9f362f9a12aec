/**
 * A blob's metadata, from whichever node first returns metadata that verifies against the blob ID
 * (docs/spec/api.md §3.1, read algorithm step 3). One node is asked first — the fastest known —
 * and another joins each time a hedge deadline passes without an answer, so one hung node costs
 * a deadline, not a timeout. "Not found" needs the word of a quorum of shards (more than 2f): after
 * the first 404, the read asks at once as many nodes as that takes, in parallel.
 */
import { blobIdToString } from '../../core/blob-id.js';
import type { CommitteeMember } from '../../core/chain/types.js';
import { isQuorum } from '../../core/encoding/config.js';
import { type VerifiedMetadata, verifyMetadata } from '../../core/encoding/metadata.js';
import { StorageNodeError } from '../storage-node-client.js';
import { BlobNotFoundError, BlobUnavailableError } from './errors.js';
import { type ReadNodes, afterDeadline } from './nodes.js';

/** Requests for metadata in flight at once before the first 404 (hedging adds one per deadline). */
export const METADATA_HEDGED_MAX = 3;

export async function readVerifiedMetadata(
  blobId: Uint8Array,
  nodes: ReadNodes,
): Promise<VerifiedMetadata> {
  const { committee } = nodes;
  const order = nodes.preferenceOrder();
  const id = blobIdToString(blobId);
  return new Promise<VerifiedMetadata>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let inFlightWeight = 0;
    let notFoundWeight = 0;
    let answeredWeight = 0;
    let settled = false;
    let cancelHedge = () => {};
    const controller = new AbortController();
    const signal = AbortSignal.any([nodes.signal, controller.signal]);

    const unavailable = () =>
      new BlobUnavailableError(
        `no storage node returned valid metadata for ${id} ` +
          `(${answeredWeight} of ${committee.nShards} shards answered, ${notFoundWeight} not found)`,
      );
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      cancelHedge();
      nodes.signal.removeEventListener('abort', onAbort);
      controller.abort(new Error('metadata read finished'));
      outcome();
    };
    const onAbort = () => finish(() => reject(nodes.signal.reason));
    nodes.signal.addEventListener('abort', onAbort, { once: true });

    const start = (member: CommitteeMember) => {
      inFlight++;
      inFlightWeight += member.weight;
      ask(member).finally(() => {
        inFlight--;
        inFlightWeight -= member.weight;
        if (settled || inFlight > 0) return;
        if (next < order.length) launch();
        else finish(() => reject(unavailable()));
      });
    };
    const launch = () => {
      if (settled || next >= order.length) return;
      start(order[next++]);
      // Another node joins if nothing verified before this request's hedge deadline.
      cancelHedge();
      if (next < order.length && inFlight < METADATA_HEDGED_MAX) {
        const late = order[next - 1];
        cancelHedge = afterDeadline(nodes.hedgeDeadlineMs(late), () => {
          nodes.health.recordFailure(late.networkAddress, 'late');
          launch();
        });
      }
    };
    /** Ask, in parallel, enough further nodes that their weight could complete a quorum of 404s. */
    const fanOutForQuorum = () => {
      let pendingWeight = notFoundWeight + inFlightWeight;
      while (next < order.length && !isQuorum(pendingWeight, committee.nShards)) {
        pendingWeight += order[next].weight;
        start(order[next++]);
      }
    };

    const ask = async (member: CommitteeMember) => {
      try {
        const reply = await nodes.client(member).getMetadata(blobId, {
          signal,
          headersTimeoutMs: nodes.hardTimeoutMs(member),
        });
        answeredWeight += member.weight;
        const verified = verifyMetadata(blobId, reply.metadata, committee.nShards);
        finish(() => resolve(verified));
      } catch (error) {
        if (settled) return;
        if (error instanceof StorageNodeError && error.status === 404) {
          notFoundWeight += member.weight;
          answeredWeight += member.weight;
          if (isQuorum(notFoundWeight, committee.nShards)) {
            finish(() => reject(new BlobNotFoundError(`blob ${id} is not stored on this network`)));
          } else {
            fanOutForQuorum();
          }
          return;
        }
        if (!(error instanceof StorageNodeError)) {
          // Metadata that does not verify: this node lies or is broken; skip it for a while.
          nodes.health.recordFailure(member.networkAddress, 'invalid-data');
        }
        launch();
      }
    };

    if (order.length === 0) finish(() => reject(unavailable()));
    else launch();
  });
}
