/**
 * Blob metadata: BCS layouts, root hash and verification against a blob ID
 * (docs/spec/encoding.md §6, walrus-core `metadata.rs`).
 *
 * Unverified metadata (decoded from the network) and VerifiedMetadata (hash count, size bound and
 * recomputed blob ID all checked) are different types; only `verifyMetadata` produces the latter.
 */
import { bcs } from '@mysten/bcs';
import { type BcsReadable, parseBcsExactly } from '../bcs-exact.js';
import { deriveBlobId } from '../blob-id.js';
import { DIGEST_BYTES, hashSymbols, merkleRootOfLeaves } from '../hash/blake2b.js';
import { bytesEqual } from '../bytes.js';
import { LEAF_PREFIX, MerkleNodeBcs, digestNode, nodeBytes } from '../merkle.js';
import { HASH_BYTES, SHARDS_MAX, encodingParams, maxBlobBytes } from './config.js';
import { rootHashOfSliverHashes } from './root-hash.js';

export { rootHashOfSliverHashes };

/** BCS enum `EncodingType`: index 0 is the retired RaptorQ Red Stuff, 1 is RS2. */
export const EncodingTypeBcs = bcs.enum('EncodingType', { RedStuff: null, RS2: null });
export const SliverPairMetadataBcs = bcs.struct('SliverPairMetadata', {
  primary_hash: MerkleNodeBcs,
  secondary_hash: MerkleNodeBcs,
});
export const BlobMetadataV1Bcs = bcs.struct('BlobMetadataV1', {
  encoding_type: EncodingTypeBcs,
  unencoded_length: bcs.u64(),
  hashes: bcs.vector(SliverPairMetadataBcs),
});
export const BlobMetadataBcs = bcs.enum('BlobMetadata', { V1: BlobMetadataV1Bcs });
export const BlobMetadataWithIdBcs = bcs.struct('BlobMetadataWithId', {
  blob_id: bcs.bytes(HASH_BYTES),
  metadata: BlobMetadataBcs,
});

/** BCS size of BlobMetadataWithId for n shards: 32 + 1 + 1 + 8 + uleb128(n) + 66n. */
export function metadataWithIdBcsBytes(nShards: number): number {
  const ulebBytes = nShards < 128 ? 1 : nShards < 16_384 ? 2 : 3;
  return HASH_BYTES + 1 + 1 + 8 + ulebBytes + 66 * nShards;
}
/** No well-formed metadata is larger than the one for the largest shard count. */
export const METADATA_BCS_BYTES_MAX = metadataWithIdBcsBytes(SHARDS_MAX);

export interface SliverPairHashes {
  readonly primary: Uint8Array;
  readonly secondary: Uint8Array;
}

export interface BlobMetadata {
  readonly encodingType: 'RS2';
  /** The unencoded blob length L (u64 on the wire; JS numbers are exact below 2^53). */
  readonly unencodedLength: number;
  /** One entry per sliver pair, in pair order. */
  readonly hashes: readonly SliverPairHashes[];
}

declare const verifiedBrand: unique symbol;
/** Metadata whose hash count, size bound and blob ID have been checked for a committee size. */
export type VerifiedMetadata = BlobMetadata & {
  readonly blobId: Uint8Array;
  readonly nShards: number;
  readonly [verifiedBrand]: true;
};

export type MetadataErrorReason =
  'MALFORMED' | 'UNSUPPORTED_ENCODING_TYPE' | 'WRONG_HASH_COUNT' | 'TOO_LARGE' | 'BLOB_ID_MISMATCH';

export class MetadataVerificationError extends Error {
  override name = 'MetadataVerificationError';
  constructor(
    readonly reason: MetadataErrorReason,
    message: string,
  ) {
    super(message);
  }
}

type MetadataV1Value = typeof BlobMetadataV1Bcs.$inferType;

function fromBcsValue(value: MetadataV1Value): BlobMetadata {
  if (value.encoding_type.$kind !== 'RS2') {
    throw new MetadataVerificationError(
      'UNSUPPORTED_ENCODING_TYPE',
      'only RS2 metadata is supported',
    );
  }
  const length = BigInt(value.unencoded_length);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MetadataVerificationError('TOO_LARGE', `unencoded length ${length} is too large`);
  }
  return {
    encodingType: 'RS2',
    unencodedLength: Number(length),
    hashes: value.hashes.map((pair) => ({
      primary: nodeBytes(pair.primary_hash),
      secondary: nodeBytes(pair.secondary_hash),
    })),
  };
}

function toBcsValue(metadata: BlobMetadata) {
  return {
    V1: {
      encoding_type: { RS2: true },
      unencoded_length: BigInt(metadata.unencodedLength),
      hashes: metadata.hashes.map((pair) => ({
        primary_hash: digestNode(pair.primary),
        secondary_hash: digestNode(pair.secondary),
      })),
    },
  };
}

/** BCS `BlobMetadata` (the body of a metadata PUT). */
export function encodeBlobMetadata(metadata: BlobMetadata): Uint8Array {
  return BlobMetadataBcs.serialize(toBcsValue(metadata), {
    maxSize: METADATA_BCS_BYTES_MAX,
  }).toBytes();
}

/** BCS `BlobMetadataWithId` (the body of a metadata GET). */
export function encodeBlobMetadataWithId(blobId: Uint8Array, metadata: BlobMetadata): Uint8Array {
  return BlobMetadataWithIdBcs.serialize(
    { blob_id: blobId, metadata: toBcsValue(metadata) },
    { maxSize: METADATA_BCS_BYTES_MAX },
  ).toBytes();
}

/** Exactly one value of `type` in `bytes` (core/bcs-exact.ts), refused as MALFORMED otherwise. */
function parseStrict<T>(type: BcsReadable<T>, bytes: Uint8Array): T {
  if (bytes.length > METADATA_BCS_BYTES_MAX) {
    throw new MetadataVerificationError(
      'MALFORMED',
      `metadata of ${bytes.length} bytes exceeds the maximum`,
    );
  }
  try {
    return parseBcsExactly(type, bytes);
  } catch (error) {
    throw new MetadataVerificationError(
      'MALFORMED',
      `undecodable metadata: ${(error as Error).message}`,
    );
  }
}

/** Parses BCS `BlobMetadata`; structure only, see `verifyMetadata`. */
export function decodeBlobMetadata(bytes: Uint8Array): BlobMetadata {
  const value = parseStrict(BlobMetadataBcs, bytes);
  return fromBcsValue(value.V1);
}

/** Parses BCS `BlobMetadataWithId`; structure only, see `verifyMetadata`. */
export function decodeBlobMetadataWithId(bytes: Uint8Array): {
  blobId: Uint8Array;
  metadata: BlobMetadata;
} {
  const value = parseStrict(BlobMetadataWithIdBcs, bytes);
  return { blobId: Uint8Array.from(value.blob_id), metadata: fromBcsValue(value.metadata.V1) };
}

/** The n × 64 bytes primary ‖ secondary hash table of a metadata object. */
export function sliverHashTable(metadata: BlobMetadata): Uint8Array {
  const table = new Uint8Array(metadata.hashes.length * 2 * DIGEST_BYTES);
  metadata.hashes.forEach((pair, p) => {
    table.set(pair.primary, p * 2 * DIGEST_BYTES);
    table.set(pair.secondary, p * 2 * DIGEST_BYTES + DIGEST_BYTES);
  });
  return table;
}

export function rootHashOfMetadata(metadata: BlobMetadata): Uint8Array {
  return rootHashOfSliverHashes(sliverHashTable(metadata), metadata.hashes.length);
}

/** Cheap checks first (type, count, size bound), then the hashing that recomputes the blob ID. */
export function verifyMetadata(
  blobId: Uint8Array,
  metadata: BlobMetadata,
  nShards: number,
): VerifiedMetadata {
  encodingParams(nShards);
  if (metadata.encodingType !== 'RS2') {
    throw new MetadataVerificationError(
      'UNSUPPORTED_ENCODING_TYPE',
      'only RS2 metadata is supported',
    );
  }
  if (metadata.hashes.length !== nShards) {
    throw new MetadataVerificationError(
      'WRONG_HASH_COUNT',
      `metadata has ${metadata.hashes.length} sliver pair hashes, the committee has ${nShards} shards`,
    );
  }
  if (metadata.unencodedLength > maxBlobBytes(nShards)) {
    throw new MetadataVerificationError(
      'TOO_LARGE',
      'unencoded length exceeds the maximum blob size',
    );
  }
  if (blobId.length !== HASH_BYTES)
    throw new MetadataVerificationError('MALFORMED', 'a blob ID is 32 bytes');
  const computed = deriveBlobId(rootHashOfMetadata(metadata), metadata.unencodedLength);
  if (!bytesEqual(computed, blobId)) {
    throw new MetadataVerificationError(
      'BLOB_ID_MISMATCH',
      'metadata does not hash to the blob ID',
    );
  }
  return { ...metadata, blobId: Uint8Array.from(blobId), nShards } as VerifiedMetadata;
}
