/**
 * Expanded slivers kept for recovery-symbol requests. Answering one expands each source sliver
 * (a Reed–Solomon encode plus a leaf hash per symbol); a reader rebuilding many rows, or several
 * readers rebuilding the same blob around a down node, ask for the same slivers again and again.
 * Slivers never change for a blob ID, so an expansion can be reused as long as memory allows:
 * least recently used out first, within SYMBOL_SOURCES_BYTES_MAX.
 */
import { type SliverAxis, otherAxis } from '../core/encoding/mapping.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import { type RecoverySymbol, RecoverySymbolSource } from '../core/encoding/recovery-symbols.js';
import { layoutOf } from '../core/encoding/sliver-verification.js';
import { DIGEST_BYTES } from '../core/hash/blake2b.js';
import { MerkleTree } from '../core/merkle.js';

/** Memory for kept expansions (n symbols plus the Merkle tree: about 2n hashes). */
export const SYMBOL_SOURCES_BYTES_MAX = 64 * 1024 * 1024;

const keyOf = (blobId: Uint8Array, axis: SliverAxis, index: number) =>
  `${Buffer.from(blobId).toString('hex')}:${axis}:${index}`;

export class SymbolSources {
  private readonly entries = new Map<string, { source: RecoverySymbolSource; bytes: number }>();
  private bytesHeld = 0;

  constructor(private readonly bytesMax: number = SYMBOL_SOURCES_BYTES_MAX) {}

  /** A kept expansion, or undefined. */
  get(blobId: Uint8Array, axis: SliverAxis, index: number): RecoverySymbolSource | undefined {
    const key = keyOf(blobId, axis, index);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.source;
  }

  /**
   * A source over a verified sliver, kept if it fits: expanded now, or — given the sliver's leaf
   * hashes (checked against the metadata) — only if a symbol past its own is asked for.
   */
  expand(
    metadata: VerifiedMetadata,
    axis: SliverAxis,
    index: number,
    data: Uint8Array,
    leafHashes?: Uint8Array,
  ): RecoverySymbolSource {
    const source = new RecoverySymbolSource(metadata, axis, index, data, leafHashes);
    const layout = layoutOf(metadata);
    const bytes = layout.nShards * (layout.symbolBytes + 2 * DIGEST_BYTES);
    if (bytes > this.bytesMax) return source;
    const key = keyOf(metadata.blobId, axis, index);
    this.forgetKey(key);
    this.entries.set(key, { source, bytes });
    this.bytesHeld += bytes;
    while (this.bytesHeld > this.bytesMax) this.forgetKey(this.entries.keys().next().value!);
    return source;
  }

  /** Drops a blob's expansions (it was deleted, expired or found invalid). */
  forgetBlob(blobId: Uint8Array): void {
    const prefix = `${Buffer.from(blobId).toString('hex')}:`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.forgetKey(key);
  }

  private forgetKey(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytesHeld -= entry.bytes;
  }
}

/**
 * Recovery symbols from a sliver's own symbols alone (`data[i]` is symbol `targets[i]`, each below
 * the sliver's symbol count), with proofs from its leaf hashes (already checked against the
 * metadata by the caller): what RecoverySymbolSource gives, for a node that read only those.
 */
export function ownRecoverySymbols(
  metadata: VerifiedMetadata,
  sourceAxis: SliverAxis,
  sourceIndex: number,
  leafHashes: Uint8Array,
  targets: readonly number[],
  data: readonly Uint8Array[],
): RecoverySymbol[] {
  const tree = new MerkleTree(leafHashes, metadata.nShards);
  return targets.map((targetIndex, i) => ({
    targetAxis: otherAxis(sourceAxis),
    targetIndex,
    sourceIndex,
    data: data[i],
    proof: tree.proof(targetIndex),
  }));
}
