/**
 * The typed chain interface every component uses: storage nodes, the edge Worker, Durable
 * Objects, the SDK and the CLI. `SuiChain` implements it over Sui JSON-RPC; tests may fake it.
 *
 * Conventions: object IDs and addresses are normalized hex (`0x` + 64 digits); blob IDs and root
 * hashes are 32 bytes (the on-chain u256, little-endian, as core/blob-id.ts uses them); epochs,
 * shard indices and blob sizes are numbers; MIST amounts, capacities and storage sizes are
 * bigints (u64 on chain).
 */
import type { Signer } from '@mysten/sui/cryptography';

/** What signs a transaction: any `@mysten/sui` Keypair or Signer. */
export type ChainSigner = Pick<Signer, 'toSuiAddress' | 'signTransaction'>;

export interface ObjectRef {
  readonly objectId: string;
  readonly version: string;
  readonly digest: string;
}

export type EpochState =
  /** An epoch change is in progress; `syncedWeight` shards have reported `epoch_sync_done`. */
  | { readonly kind: 'sync'; readonly syncedWeight: number }
  /** The last epoch change completed at `completedMs`. */
  | { readonly kind: 'done'; readonly completedMs: number }
  /** The next committee is selected; the last change completed at `completedMs`. */
  | { readonly kind: 'nextSelected'; readonly completedMs: number };

export interface CommitteeMember {
  /** Position in the on-chain member order: the member's bit in a signers bitmap. */
  readonly index: number;
  readonly nodeId: string;
  readonly name: string;
  /** The node's URL. */
  readonly networkAddress: string;
  /** The current BLS key, 48-byte compressed G1 (the form core/bls.ts verifies with). */
  readonly blsPublicKey: Uint8Array;
  readonly networkPublicKey: Uint8Array;
  /** Shards held: the member's weight. */
  readonly weight: number;
  /** Shard indices held, in the on-chain order. */
  readonly shards: readonly number[];
}

export interface NodeInfo {
  readonly nodeId: string;
  readonly name: string;
  readonly networkAddress: string;
  readonly blsPublicKey: Uint8Array;
  /** Staged key, current from the next epoch on. */
  readonly nextBlsPublicKey: Uint8Array | null;
  readonly networkPublicKey: Uint8Array;
  readonly rewardsMist: bigint;
}

export interface SystemState {
  readonly objectId: string;
  /** The System object's version when read: two reads with the same version saw the same state. */
  readonly objectVersion: string;
  readonly epoch: number;
  readonly epochState: EpochState;
  readonly nShards: number;
  readonly epochDurationMs: number;
  /** Current committee in on-chain (node-id) order; empty in epoch 0. */
  readonly members: readonly CommitteeMember[];
  /** Shard assignment selected for the next epoch (state `nextSelected` only). */
  readonly nextShards:
    readonly { readonly nodeId: string; readonly shards: readonly number[] }[] | null;
  /** MIST per 1 MiB unit of encoded size per epoch. */
  readonly storagePricePerUnitMist: bigint;
  /** MIST per 1 MiB unit of encoded size, once, at registration. */
  readonly writePricePerUnitMist: bigint;
  readonly totalCapacityBytes: bigint;
  /** Bytes sold for the current epoch. */
  readonly usedCapacityBytes: bigint;
  readonly maxEpochsAhead: number;
}

export interface StorageResource {
  readonly objectId: string;
  readonly startEpoch: number;
  /** Exclusive. */
  readonly endEpoch: number;
  readonly storageSize: bigint;
}

export interface ChainBlob {
  readonly ref: ObjectRef;
  readonly objectId: string;
  readonly registeredEpoch: number;
  readonly blobId: Uint8Array;
  /** Unencoded length in bytes. */
  readonly size: number;
  readonly encodingType: number;
  readonly certifiedEpoch: number | null;
  readonly storage: StorageResource;
  readonly deletable: boolean;
  /** Owner address, when the object is address-owned. */
  readonly owner: string | null;
}

export interface Page<T> {
  readonly data: readonly T[];
  /** Pass back to continue; `null` when the listing was empty from the start. */
  readonly nextCursor: string | null;
  readonly hasNextPage: boolean;
}

// ---- Events ----

interface EventBase {
  /** Opaque resume point: pass it to `events`/`followEvents` to continue after this event. */
  readonly cursor: string;
  readonly txDigest: string;
  readonly eventSeq: number;
  readonly timestampMs: number | null;
}

export type ChainEventBody =
  | {
      readonly kind: 'BlobRegistered';
      readonly epoch: number;
      readonly blobId: Uint8Array;
      readonly size: number;
      readonly encodingType: number;
      readonly endEpoch: number;
      readonly deletable: boolean;
      readonly objectId: string;
    }
  | {
      readonly kind: 'BlobCertified';
      /** The first certified epoch (also for extensions). */
      readonly epoch: number;
      readonly blobId: Uint8Array;
      readonly endEpoch: number;
      readonly deletable: boolean;
      readonly objectId: string;
      readonly isExtension: boolean;
    }
  | {
      readonly kind: 'BlobDeleted';
      readonly epoch: number;
      readonly blobId: Uint8Array;
      readonly endEpoch: number;
      readonly objectId: string;
      readonly wasCertified: boolean;
    }
  | { readonly kind: 'InvalidBlobID'; readonly epoch: number; readonly blobId: Uint8Array }
  | { readonly kind: 'EpochChangeStart'; readonly epoch: number }
  | { readonly kind: 'EpochChangeDone'; readonly epoch: number }
  | { readonly kind: 'ShardsReceived'; readonly epoch: number; readonly shards: readonly number[] }
  | { readonly kind: 'EpochParametersSelected'; readonly nextEpoch: number }
  /** An event of our `events` module this version does not know (a newer package). */
  | { readonly kind: 'Unknown'; readonly moveType: string };

export type ChainEvent = EventBase & ChainEventBody;
export type ChainEventKind = ChainEventBody['kind'];

export interface EventPage {
  readonly events: readonly ChainEvent[];
  /** Resume after the last event returned (or where the query started, if it returned none). */
  readonly nextCursor: string | null;
  readonly hasNextPage: boolean;
}

export interface FollowOptions {
  /** Wait between polls once caught up. */
  readonly pollMs?: number;
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
  /** Called on a failed poll; the loop retries with backoff. Throw from it to stop the loop. */
  readonly onError?: (error: unknown) => void;
}

// ---- Transactions ----

export interface TxOptions {
  /** Overrides the adapter's default budget. The gas coins must hold budget + payment. */
  readonly gasBudgetMist?: bigint;
  /** Price from this System state instead of a (cached) read. */
  readonly system?: SystemState;
  readonly signal?: AbortSignal;
}

export interface TxResult {
  readonly digest: string;
  /** Net gas charged (computation + storage − rebate). */
  readonly gasUsedMist: bigint;
  /** Our package's events emitted by the transaction, decoded. */
  readonly events: readonly ChainEvent[];
}

export interface RegisterBlobParams {
  /** Unencoded length in bytes. */
  readonly size: number;
  /** Epochs of storage from the current one on (`epochs_ahead`). */
  readonly epochs: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly deletable: boolean;
  /** Storage to reserve; default `encodedBlobLength(size, nShards)`, the least that fits. */
  readonly encodedLength?: bigint;
}

export interface RegisterCost {
  readonly encodedLength: bigint;
  readonly storageMist: bigint;
  readonly writeMist: bigint;
  readonly totalMist: bigint;
}

export interface RegisterResult extends TxResult {
  readonly blob: ChainBlob;
  readonly cost: RegisterCost;
}

export interface CertificateInput {
  /** 96-byte aggregate BLS signature. */
  readonly signature: Uint8Array;
  /** LSB-first bitmap over the committee members (core/bls.ts `signersBitmap`). */
  readonly signersBitmap: Uint8Array;
  /** The signed BLOB_CERT message (core/messages.ts `storageConfirmationMessage`). */
  readonly message: Uint8Array;
}

/** A Blob named by ID (read first), by reference, or as read (no read needed). */
export type BlobHandle = string | ObjectRef | ChainBlob;

export interface MutatedResult extends TxResult {
  /** The object's reference after the transaction. */
  readonly ref: ObjectRef;
}

export interface ExtendResult extends MutatedResult {
  readonly endEpoch: number;
  readonly costMist: bigint;
}

export interface DeleteResult extends TxResult {
  /** The Storage the blob held, now owned by the sender for reuse. */
  readonly storage: ObjectRef;
}

export interface Chain {
  readonly packageId: string;
  readonly systemObjectId: string;

  /** The System, committee and prices; served from a short-lived cache unless `fresh`. */
  readSystem(options?: {
    readonly fresh?: boolean;
    readonly signal?: AbortSignal;
  }): Promise<SystemState>;
  readNode(nodeId: string, options?: { readonly signal?: AbortSignal }): Promise<NodeInfo>;
  readBlob(objectId: string, options?: { readonly signal?: AbortSignal }): Promise<ChainBlob>;
  /** A Blob object's attributes (its `b"metadata"` dynamic field); empty when it has none. */
  readBlobAttributes(
    objectId: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<ReadonlyMap<string, string>>;
  readStorage(
    objectId: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<StorageResource & { readonly ref: ObjectRef }>;
  ownedBlobs(
    owner: string,
    options?: {
      readonly cursor?: string | null;
      readonly limit?: number;
      readonly signal?: AbortSignal;
    },
  ): Promise<Page<ChainBlob>>;

  /** One PTB: split the payment from gas, `reserve_space`, `register_blob`, transfer the Blob. */
  reserveAndRegister(
    params: RegisterBlobParams,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<RegisterResult>;
  certifyBlob(
    blob: BlobHandle,
    certificate: CertificateInput,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<MutatedResult>;
  setBlobAttributes(
    blob: BlobHandle,
    attributes: Readonly<Record<string, string>>,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<MutatedResult>;
  /** Transfers a Blob object the signer owns to `recipient` (a 0x Sui address). */
  transferBlob(
    blob: BlobHandle,
    recipient: string,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<TxResult>;
  extendBlob(
    blob: BlobHandle,
    epochs: number,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<ExtendResult>;
  deleteBlob(blob: BlobHandle, signer: ChainSigner, options?: TxOptions): Promise<DeleteResult>;
  /** `register_blob` into Storage the sender owns (from `deleteBlob`, or split off). */
  registerWithStorage(
    params: Omit<RegisterBlobParams, 'epochs' | 'encodedLength'>,
    storage: ObjectRef,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<RegisterResult>;
  /** An INVALID_BLOB_ID certificate with f + 1 weight; anyone may submit it. */
  invalidateBlobId(
    certificate: CertificateInput,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<TxResult>;
  /** A storage node reports it holds its shards for `epoch`; returns the NodeCap's new ref. */
  epochSyncDone(
    nodeCap: ObjectRef,
    epoch: number,
    signer: ChainSigner,
    options?: TxOptions,
  ): Promise<MutatedResult>;

  events(
    cursor: string | null,
    limit?: number,
    options?: { readonly signal?: AbortSignal },
  ): Promise<EventPage>;
  /**
   * Polls `events` and calls `onEvent` in order, awaiting each, until `signal` aborts; returns
   * the cursor after the last event handled. A failed poll is retried with backoff (reported to
   * `onError`); an error thrown by `onEvent` stops the loop and rejects, and the caller resumes
   * from the cursor of the last event it handled.
   */
  followEvents(
    cursor: string | null,
    onEvent: (event: ChainEvent) => void | Promise<void>,
    options?: FollowOptions,
  ): Promise<string | null>;
}
