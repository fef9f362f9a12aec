/**
 * The walrus-edge SDK: store, read and inspect blobs from Node, Cloudflare Workers or a browser.
 * Everything goes through the chain adapter (core/chain) and the storage nodes' HTTP API; the
 * Node-only multi-threaded encoder (client/node/encoder-pool.ts) can be plugged in as `encode`.
 *
 *   const client = new WalrusEdgeClient({ chain: new SuiChain({ url, packageId, systemObjectId }) });
 *   const { blobId } = await client.store(bytes, { epochs: 2, deletable: true, signer });
 *   const bytes = await client.read(blobId);
 *
 *   const { storedQuiltBlobs } = await client.storeQuilt(
 *     [{ identifier: '1.json', data: json, tags: { 'content-type': 'application/json' } }],
 *     { epochs: 2, deletable: true, signer },
 *   );
 *   const patch = await client.readQuiltPatch(storedQuiltBlobs[0].quiltPatchId);
 */
import { blobIdFromString } from '../core/blob-id.js';
import type { Chain, ChainSigner } from '../core/chain/types.js';
import {
  type BlobStream,
  type ReadOptions,
  type StreamOptions,
  openBlobStream,
  readBlob,
} from './read/blob.js';
import { QuiltPatchNotFoundError } from './read/errors.js';
import type { QuiltReadOptions } from './read/quilt.js';
import {
  type QuiltPatch,
  type QuiltPatchInfo,
  type QuiltPatchSelection,
  listQuiltPatches,
  readQuiltPatch,
  readQuiltPatches,
} from './quilt-patches.js';
import { type AggregatedStatus, aggregateBlobStatus, askNodesForStatus } from './status.js';
import { type StoreOptions, type StoreResult, storeBlob } from './store.js';
import {
  type QuiltStoreFile,
  type QuiltStoreOptions,
  type QuiltStoreResult,
  storeQuilt,
} from './store-quilt.js';
import type { StorageNodeClientOptions } from './storage-node-client.js';

export interface WalrusEdgeClientOptions {
  readonly chain: Chain;
  /** fetch, timeouts for storage-node requests. */
  readonly nodeOptions?: StorageNodeClientOptions;
}

const idBytes = (blobId: string | Uint8Array) =>
  typeof blobId === 'string' ? blobIdFromString(blobId) : blobId;

/** Options of the quilt reads a caller may set (node options come from the client). */
type QuiltCallOptions = Omit<QuiltReadOptions, keyof StorageNodeClientOptions>;

export class WalrusEdgeClient {
  constructor(private readonly options: WalrusEdgeClientOptions) {}

  /** Encode, register + reserve (one transaction), upload, collect a quorum of confirmations, certify. */
  store(
    bytes: Uint8Array,
    options: { epochs: number; deletable: boolean; signer: ChainSigner } & Partial<
      Pick<StoreOptions, 'encode' | 'onProgress' | 'signal'>
    >,
  ): Promise<StoreResult> {
    return storeBlob(bytes, {
      ...options,
      chain: this.options.chain,
      nodeOptions: this.options.nodeOptions,
    });
  }

  /** The whole blob, every sliver verified against metadata verified against the blob ID. */
  async read(
    blobId: string | Uint8Array,
    options: Omit<ReadOptions, keyof StorageNodeClientOptions> = {},
  ): Promise<Uint8Array> {
    const committee = await this.options.chain.readSystem();
    return readBlob(idBytes(blobId), committee, { ...this.options.nodeOptions, ...options });
  }

  /** A verified stream of the blob or of a byte range, sliver by sliver. */
  async readStream(
    blobId: string | Uint8Array,
    options: Omit<StreamOptions, keyof StorageNodeClientOptions> = {},
  ): Promise<BlobStream> {
    const committee = await this.options.chain.readSystem();
    return openBlobStream(idBytes(blobId), committee, { ...this.options.nodeOptions, ...options });
  }

  /**
   * Stores `files` as one quilt (one blob, one registration): the store result plus, per file in
   * index order, `{identifier, quiltPatchId, range}` (Walrus's `storedQuiltBlobs`).
   */
  storeQuilt(
    files: readonly QuiltStoreFile[],
    options: { epochs: number; deletable: boolean; signer: ChainSigner } & Partial<
      Pick<QuiltStoreOptions, 'encode' | 'onProgress' | 'signal' | 'quiltLimits'>
    >,
  ): Promise<QuiltStoreResult> {
    return storeQuilt(files, {
      ...options,
      chain: this.options.chain,
      nodeOptions: this.options.nodeOptions,
    });
  }

  /** One patch by its quilt patch ID, read from its own columns only, every column verified. */
  async readQuiltPatch(quiltPatchId: string, options: QuiltCallOptions = {}): Promise<QuiltPatch> {
    const committee = await this.options.chain.readSystem();
    return readQuiltPatch(quiltPatchId, committee, { ...this.options.nodeOptions, ...options });
  }

  /** The first patch with `identifier` (index columns, then its own); undefined if none has it. */
  async readQuiltPatchByIdentifier(
    quiltId: string | Uint8Array,
    identifier: string,
    options: QuiltCallOptions = {},
  ): Promise<QuiltPatch | undefined> {
    try {
      const [patch] = await this.readQuiltPatches({ quiltId, identifiers: [identifier] }, options);
      return patch;
    } catch (error) {
      if (error instanceof QuiltPatchNotFoundError) return undefined;
      throw error;
    }
  }

  /** Patches by identifiers, by one tag, by patch IDs, or all of a quilt (Walrus's read-quilt). */
  async readQuiltPatches(
    selection: QuiltPatchSelection,
    options: QuiltCallOptions = {},
  ): Promise<QuiltPatch[]> {
    const committee = await this.options.chain.readSystem();
    return readQuiltPatches(selection, committee, { ...this.options.nodeOptions, ...options });
  }

  /** The quilt's index: identifier, patch ID, columns and tags of every patch, in index order. */
  async listQuiltPatches(
    quiltId: string | Uint8Array,
    options: QuiltCallOptions = {},
  ): Promise<QuiltPatchInfo[]> {
    const committee = await this.options.chain.readSystem();
    return listQuiltPatches(idBytes(quiltId), committee, {
      ...this.options.nodeOptions,
      ...options,
    });
  }

  /** The status more than f shards' nodes agree on; undefined when no status has that backing. */
  async status(blobId: string | Uint8Array): Promise<AggregatedStatus | undefined> {
    const system = await this.options.chain.readSystem();
    return aggregateBlobStatus(
      await askNodesForStatus(idBytes(blobId), system, this.options.nodeOptions),
      system.nShards,
    );
  }
}

export type {
  StoreResult,
  AggregatedStatus,
  BlobStream,
  QuiltStoreFile,
  QuiltStoreResult,
  QuiltPatch,
  QuiltPatchInfo,
  QuiltPatchSelection,
};
export { QuiltPatchNotFoundError };
export {
  type UploadSession,
  type UploadSessionRequest,
  UploadSessionError,
  createUploadSession,
} from './upload-sessions.js';
export {
  type ClientEncodingOptions,
  ClientEncodingError,
  uploadClientEncoded,
} from './client-encoding.js';
export type {
  SessionDescriptor,
  SessionUploadResult,
  UploadProgress,
  UploadStage,
} from './session-descriptor.js';
