/**
 * Storing files as one quilt (docs/spec/quilts.md §5, §8): the quilt is built for the network's
 * shard count (its layout depends on n), then stored through the ordinary blob pipeline
 * (client/store.ts: encode, register, upload, certify), then marked with Walrus's attribute
 * `_walrusBlobType = "quilt"` on its Blob object. The result carries, per file in index order,
 * the patch ID a reader needs — what Walrus's publisher answers as `storedQuiltBlobs`.
 */
import { blobIdFromString } from '../core/blob-id.js';
import { encodeBlob } from '../core/encoding/blob-encoder.js';
import type { QuiltTagsInput } from '../core/quilt/patch.js';
import { type QuiltPatchIdEntry, quiltPatchIds } from '../core/quilt/quilt-blob.js';
import {
  type QuiltBuildOptions,
  QUILT_BLOB_TYPE_ATTRIBUTE,
  buildQuilt,
} from '../core/quilt/quilt-builder.js';
import type { Chain } from '../core/chain/types.js';
import { type StoreChain, type StoreOptions, type StoreResult, storeBlob } from './store.js';

/** One file of a quilt: its identifier (unique in the quilt), bytes and optional tags. */
export interface QuiltStoreFile {
  readonly identifier: string;
  readonly data: Uint8Array;
  readonly tags?: QuiltTagsInput;
}

export interface QuiltStoreOptions extends StoreOptions {
  /** A store's chain, plus the transaction that marks the blob a quilt. */
  readonly chain: StoreChain & Pick<Chain, 'setBlobAttributes'>;
  /** Limits on the files' total and the quilt's size (core/quilt defaults: 100 MiB, 1 GiB). */
  readonly quiltLimits?: QuiltBuildOptions;
}

export interface QuiltStoreResult extends StoreResult {
  /** One entry per file, in index order (identifiers sorted by UTF-8 bytes). */
  readonly storedQuiltBlobs: readonly QuiltPatchIdEntry[];
}

export async function storeQuilt(
  files: readonly QuiltStoreFile[],
  options: QuiltStoreOptions,
): Promise<QuiltStoreResult> {
  // Walrus's publisher refuses an empty quilt; it would hold nothing to read.
  if (files.length === 0) throw new RangeError('a quilt needs at least one file');
  const system = await options.chain.readSystem({ fresh: true, signal: options.signal });
  if (system.members.length === 0) throw new Error('the network has no committee yet');
  const built = buildQuilt(
    files.map((file) => ({ identifier: file.identifier, bytes: file.data, tags: file.tags })),
    system.nShards,
    options.quiltLimits,
  );
  const encode = options.encode ?? encodeBlob;
  const result = await storeBlob(built.quilt, {
    ...options,
    encode: (blob, nShards) => {
      // The quilt's layout is for the shard count it was built for; n never changes in a
      // running Walrus system, but a mismatch must not store a quilt its patch IDs do not fit.
      if (nShards !== built.geometry.nShards) {
        throw new Error(
          `the quilt was built for ${built.geometry.nShards} shards, the network has ${nShards}`,
        );
      }
      return encode(blob, nShards);
    },
  });
  await options.chain.setBlobAttributes(
    result.blobObject,
    QUILT_BLOB_TYPE_ATTRIBUTE,
    options.signer,
    { signal: options.signal },
  );
  return {
    ...result,
    storedQuiltBlobs: quiltPatchIds(blobIdFromString(result.blobId), built.index),
  };
}
