/**
 * Test hook: a writer that encodes inconsistently (docs/spec/encoding.md, inconsistency proofs).
 * One secondary sliver is altered and the metadata commits to the altered sliver, so every sliver
 * matches the metadata and nodes accept and certify the blob; but the slivers are not one codeword,
 * and a node that recovers the altered sliver from the others' symbols decodes the honest one,
 * whose hash contradicts the metadata. Used with `storeBlob`'s `encode` and `withholdSliver`
 * (withhold the altered sliver, so that its node must recover it).
 */
import { deriveBlobId } from '../../core/blob-id.js';
import { type EncodedBlob, encodeBlob } from '../../core/encoding/blob-encoder.js';
import { pairOfSliverIndex } from '../../core/encoding/mapping.js';
import { type BlobMetadata, rootHashOfMetadata } from '../../core/encoding/metadata.js';
import { encodeSliverData } from '../../core/encoding/sliver-data.js';
import { computeSliverHash } from '../../core/encoding/sliver-verification.js';

export interface InconsistentEncoding {
  readonly encoded: EncodedBlob;
  /** The sliver pair whose secondary sliver was altered. */
  readonly alteredPair: number;
}

/** `blob` encoded for `nShards`, with secondary sliver `column` altered and committed to. */
export function inconsistentEncoding(
  blob: Uint8Array,
  nShards: number,
  column = 0,
): InconsistentEncoding {
  const honest = encodeBlob(blob, nShards);
  const { layout } = honest;
  const altered = honest.secondarySliver(column).slice();
  altered[altered.length - 1] ^= 0xff;
  const alteredPair = pairOfSliverIndex('secondary', column, nShards);
  const hashes = honest.metadata.hashes.map((pair, p) =>
    p === alteredPair
      ? { ...pair, secondary: computeSliverHash(layout, 'secondary', altered) }
      : pair,
  );
  const metadata: BlobMetadata = { ...honest.metadata, hashes };
  const rootHash = rootHashOfMetadata(metadata);
  // Everything else (primary slivers, other columns) comes from the honest encoding, through it.
  const encoded = Object.create(honest) as EncodedBlob;
  Object.defineProperties(encoded, {
    metadata: { value: metadata },
    rootHash: { value: rootHash },
    blobId: { value: deriveBlobId(rootHash, metadata.unencodedLength) },
    secondarySliverBcs: {
      value: (j: number, out?: Uint8Array) =>
        j === column
          ? encodeSliverData({ data: altered, symbolBytes: layout.symbolBytes, index: j }, out)
          : honest.secondarySliverBcs(j, out),
    },
  });
  return { encoded, alteredPair };
}
