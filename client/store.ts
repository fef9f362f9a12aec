/**
 * Storing a blob (docs/spec/api.md §2.3, §5.5): encode → reserve + register in one transaction → send
 * metadata and slivers to every node in parallel (bounded, with retries) → collect confirmations,
 * each checked against the expected message and the member's BLS key, until the signers' SHARD
 * weight is a quorum by the on-chain rule (3w ≥ 2n + 1) → aggregate the certificate → certify.
 */
import { blobIdToString } from '../core/blob-id.js';
import {
  type BlsHashedMessage,
  blsAcceptSameMessage,
  blsAggregateSignatures,
  blsHashMessage,
  isQuorumWeight,
  signersBitmap,
} from '../core/bls.js';
import type {
  Chain,
  ChainBlob,
  ChainSigner,
  CommitteeMember,
  RegisterCost,
} from '../core/chain/types.js';
import { type EncodedBlob, encodeBlob } from '../core/encoding/blob-encoder.js';
import { encodedBlobLength } from '../core/encoding/config.js';
import { type SliverAxis, pairForShard } from '../core/encoding/mapping.js';
import { bytesToHex, hexToBytes } from '../core/hex.js';
import { type BlobPersistence, storageConfirmationMessage } from '../core/messages.js';
import { bytesEqual } from '../core/bytes.js';
import { inLanes } from './lanes.js';
import {
  StorageNodeClient,
  type StorageNodeClientOptions,
  StorageNodeError,
} from './storage-node-client.js';

/** Sliver PUTs in flight per node: enough to fill a link, few enough not to swamp a node. */
export const SLIVER_PUTS_PER_NODE = 8;
/** Attempts per request; nodes may lag the chain by a moment before they see a registration. */
export const NODE_REQUEST_ATTEMPTS = 5;
const RETRY_DELAY_MS = 250;

export class NotEnoughConfirmationsError extends Error {
  override name = 'NotEnoughConfirmationsError';
}

export type StoreStage = 'encode' | 'register' | 'upload' | 'certify';

export interface StoreProgress {
  readonly stage: StoreStage;
  readonly done: number;
  readonly total: number;
}

/**
 * What storing needs of the chain: reads, and the two paying transactions. The Worker passes one
 * whose transactions go through the publisher wallet's Durable Object (workers/wallet-chain.ts).
 */
export type StoreChain = Pick<
  Chain,
  'readSystem' | 'readBlob' | 'reserveAndRegister' | 'certifyBlob'
>;

export interface StoreOptions {
  readonly chain: StoreChain;
  readonly signer: ChainSigner;
  readonly epochs: number;
  readonly deletable: boolean;
  /** Encoder to use (the Node CLI passes its multi-threaded pool); default: this thread. */
  readonly encode?: (blob: Uint8Array, nShards: number) => Promise<EncodedBlob> | EncodedBlob;
  readonly nodeOptions?: StorageNodeClientOptions;
  readonly onProgress?: (progress: StoreProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Test hook: slivers for which this returns true are never uploaded — a writer that withholds
   * them (with `encode`, one that cheats: client/testing/inconsistent-encoding.ts).
   */
  readonly withholdSliver?: (pairIndex: number, axis: SliverAxis) => boolean;
}

export interface StoreResult {
  readonly blobId: string;
  readonly blobObject: ChainBlob;
  readonly size: number;
  readonly encodedSize: number;
  readonly endEpoch: number;
  readonly cost: RegisterCost;
  readonly certifiedEpoch: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withRetries<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const retryable =
        error instanceof StorageNodeError &&
        (error.status === 0 || error.status >= 500 || error.reason === 'NOT_REGISTERED');
      if (!retryable || attempt >= NODE_REQUEST_ATTEMPTS || signal?.aborted) throw error;
      await sleep(RETRY_DELAY_MS * attempt);
    }
  }
}

export interface Confirmation {
  readonly memberIndex: number;
  readonly signature: Uint8Array;
}

/**
 * The committee a blob's slivers go to, as much of it as storing needs: the chain's SystemState, or
 * what an upload session's register step answers a client that encodes (client/client-encoding.ts).
 */
export interface StoreCommittee {
  readonly nShards: number;
  /** In on-chain order: index i is bit i of the signers bitmap. */
  readonly members: readonly Pick<
    CommitteeMember,
    'name' | 'networkAddress' | 'blsPublicKey' | 'weight' | 'shards'
  >[];
}

/** What storing needs of an encoding: EncodedBlob, or an encoder's result of the same shape. */
export type EncodedSlivers = Pick<
  EncodedBlob,
  'blobId' | 'rootHash' | 'metadata' | 'primarySliverBcs' | 'secondarySliverBcs'
>;

/** How one member is written to: its node client's options, a signal, the test hook. */
export type MemberWriteOptions = Pick<StoreOptions, 'nodeOptions' | 'signal' | 'withholdSliver'>;

/**
 * Uploads metadata and this member's slivers, then asks it for a confirmation of `expectedMessage`.
 * `onSliver` gets the BCS bytes of each sliver the member acknowledged. The signature is checked
 * with the others' by collectConfirmations (one pairing check for all when all are good).
 */
export async function storeOnMember(
  encoded: EncodedSlivers,
  system: StoreCommittee,
  memberIndex: number,
  persistence: BlobPersistence,
  expectedMessage: Uint8Array,
  options: MemberWriteOptions,
  onSliver: (bytes: number) => void,
): Promise<Confirmation> {
  const member = system.members[memberIndex];
  const client = new StorageNodeClient(member.networkAddress, options.nodeOptions);
  const { blobId } = encoded;
  await withRetries(
    () => client.putMetadata(blobId, encoded.metadata, { signal: options.signal }),
    options.signal,
  );
  const pairs = member.shards.map((shard) => pairForShard(shard, blobId, system.nShards));
  const uploads = pairs
    .flatMap((pair) => [
      { pair, axis: 'primary' as const },
      { pair, axis: 'secondary' as const },
    ])
    .filter(({ pair, axis }) => options.withholdSliver?.(pair, axis) !== true);
  await inLanes(uploads, SLIVER_PUTS_PER_NODE, async ({ pair, axis }) => {
    const bcs =
      axis === 'primary'
        ? encoded.primarySliverBcs(pair)
        : encoded.secondarySliverBcs(system.nShards - 1 - pair);
    await withRetries(
      () => client.putSliver(blobId, pair, axis, bcs, { signal: options.signal }),
      options.signal,
    );
    onSliver(bcs.length);
  });
  const wirePersistence =
    persistence.kind === 'permanent'
      ? persistence
      : { kind: 'deletable' as const, objectId: `0x${bytesToHex(persistence.objectId)}` };
  const signed = await withRetries(
    () => client.getConfirmation(blobId, wirePersistence, { signal: options.signal }),
    options.signal,
  );
  if (!bytesEqual(signed.serializedMessage, expectedMessage)) {
    throw new Error(`node ${member.name} confirmed a different message`);
  }
  return { memberIndex, signature: signed.signature };
}

/**
 * Runs `storeOn` for every member and resolves as soon as the shard weight of confirmations whose
 * signatures verify over `message` is a quorum (a down node must not hold up the certificate: its
 * retries go on in the background, and storage nodes recover what they miss once the blob is
 * certified) — or when every member is done. Signatures are checked when the unchecked ones would
 * complete a quorum, all at once (blsAcceptSameMessage: one pairing check, the chain's own check
 * of the certificate); a bad one is named in `failures` and collecting goes on without it.
 */
export function collectConfirmations(
  system: StoreCommittee,
  message: Uint8Array,
  storeOn: (memberIndex: number) => Promise<Confirmation>,
): Promise<{ confirmations: Confirmation[]; failures: string[] }> {
  return new Promise((resolve) => {
    const verified: Confirmation[] = [];
    let unchecked: Confirmation[] = [];
    const failures: string[] = [];
    let hashed: BlsHashedMessage | undefined;
    let settled = 0;
    let resolved = false;
    const weightOf = (list: readonly Confirmation[]) =>
      list.reduce((sum, c) => sum + system.members[c.memberIndex].weight, 0);
    const check = () => {
      hashed ??= blsHashMessage(message);
      const accepted = blsAcceptSameMessage(
        unchecked.map((c) => ({
          signature: c.signature,
          publicKey: system.members[c.memberIndex].blsPublicKey,
        })),
        hashed,
      );
      unchecked.forEach((confirmation, i) => {
        if (accepted[i]) verified.push(confirmation);
        else {
          const name = system.members[confirmation.memberIndex].name;
          failures.push(`node ${name} sent a confirmation that does not verify under its key`);
        }
      });
      unchecked = [];
    };
    const settle = () => {
      settled++;
      if (resolved) return;
      const everyone = settled === system.members.length;
      if (!everyone && !isQuorumWeight(weightOf(verified) + weightOf(unchecked), system.nShards))
        return;
      check();
      if (everyone || isQuorumWeight(weightOf(verified), system.nShards)) {
        resolved = true;
        resolve({ confirmations: verified.slice(), failures });
      }
    };
    system.members.forEach((_member, index) => {
      storeOn(index).then(
        (confirmation) => {
          unchecked.push(confirmation);
          settle();
        },
        (error: unknown) => {
          failures.push(error instanceof Error ? error.message : String(error));
          settle();
        },
      );
    });
  });
}

export async function storeBlob(blob: Uint8Array, options: StoreOptions): Promise<StoreResult> {
  const report = options.onProgress ?? (() => {});
  const { chain, signer } = options;
  let system = await chain.readSystem({ fresh: true, signal: options.signal });
  if (system.members.length === 0) throw new Error('the network has no committee yet');
  report({ stage: 'encode', done: 0, total: 1 });
  const encoded = await (options.encode ?? encodeBlob)(blob, system.nShards);
  report({ stage: 'encode', done: 1, total: 1 });

  report({ stage: 'register', done: 0, total: 1 });
  const registered = await chain.reserveAndRegister(
    {
      size: blob.length,
      epochs: options.epochs,
      blobId: encoded.blobId,
      rootHash: encoded.rootHash,
      deletable: options.deletable,
    },
    signer,
    { signal: options.signal, system },
  );
  report({ stage: 'register', done: 1, total: 1 });

  const persistence: BlobPersistence = options.deletable
    ? { kind: 'deletable', objectId: hexToBytes(registered.blob.objectId, 32) }
    : { kind: 'permanent' };
  const slivers = system.nShards * 2;
  let slivered = 0;
  report({ stage: 'upload', done: 0, total: slivers });
  let confirmations: Confirmation[] = [];
  for (let round = 0; round < 2; round++) {
    const message = storageConfirmationMessage(system.epoch, encoded.blobId, persistence);
    const { confirmations: collected, failures } = await collectConfirmations(
      system,
      message,
      (index) =>
        storeOnMember(encoded, system, index, persistence, message, options, () => {
          report({ stage: 'upload', done: Math.min(++slivered, slivers), total: slivers });
        }),
    );
    confirmations = collected;
    const weight = confirmations.reduce((sum, c) => sum + system.members[c.memberIndex].weight, 0);
    if (isQuorumWeight(weight, system.nShards)) {
      report({ stage: 'certify', done: 0, total: 1 });
      const certified = await chain.certifyBlob(
        registered.blob,
        {
          signature: blsAggregateSignatures(confirmations.map((c) => c.signature)),
          signersBitmap: signersBitmap(
            confirmations.map((c) => c.memberIndex),
            system.members.length,
          ),
          message,
        },
        signer,
        { signal: options.signal },
      );
      report({ stage: 'certify', done: 1, total: 1 });
      const blobObject = await chain.readBlob(certified.ref.objectId, { signal: options.signal });
      return {
        blobId: blobIdToString(encoded.blobId),
        blobObject,
        size: blob.length,
        encodedSize: encodedBlobLength(blob.length, system.nShards),
        endEpoch: blobObject.storage.endEpoch,
        cost: registered.cost,
        certifiedEpoch: blobObject.certifiedEpoch ?? system.epoch,
      };
    }
    // Confirmations are signed for the nodes' current epoch: if it moved on, ask again once.
    const fresh = await chain.readSystem({ fresh: true, signal: options.signal });
    if (fresh.epoch === system.epoch) {
      throw new NotEnoughConfirmationsError(
        `confirmations from ${weight} of ${system.nShards} shards are not a quorum` +
          (failures.length ? `: ${failures[0]}` : ''),
      );
    }
    system = fresh;
  }
  throw new NotEnoughConfirmationsError('the epoch changed twice while collecting confirmations');
}
