/**
 * The rows of a blob, verified, in order. A blob's bytes are its systematic primary slivers
 * 0..n_p−1 laid end to end (row r is bytes [r·rowBytes, (r+1)·rowBytes)), so a healthy network
 * serves any byte range without decoding, straight from the nodes holding the covering rows.
 *
 * Rows are fetched a chunk at a time by a SliverFetcher (sliver-fetch.ts: one request per node per
 * chunk, every sliver verified, slow or failed nodes raced with recovery symbols), with two chunks
 * in flight at most, so memory stays under `windowBytesMax` whatever the blob's size. If a row
 * can be had neither from its node nor from recovery, a blob small enough to decode whole is
 * decoded from any n_p primary slivers, each row checked against the metadata.
 */
import { pairsOfMember } from '../../core/chain/committee.js';
import { decodeBlob } from '../../core/encoding/blob-decoder.js';
import { type BlobLayout } from '../../core/encoding/blob-layout.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import type { SliverData } from '../../core/encoding/sliver-data.js';
import {
  computeSliverHash,
  expectedSliverHash,
  verifySliver,
} from '../../core/encoding/sliver-verification.js';
import { bytesEqual } from '../../core/bytes.js';
import { StorageNodeError } from '../storage-node-client.js';
import { BlobInconsistentError, BlobUnavailableError } from './errors.js';
import type { ReadNodes } from './nodes.js';
import type { Slot } from './row-race.js';
import { SliverFetcher } from './sliver-fetch.js';

/** Memory a read may hold in fetched rows, by default (Workers give an isolate 128 MB). */
export const READ_WINDOW_BYTES_DEFAULT = 32 * 1024 * 1024;
/** The last resort, decoding the whole blob, is taken only for blobs up to this size. */
export const FULL_DECODE_BYTES_MAX = 32 * 1024 * 1024;

export interface RowReaderOptions {
  readonly windowBytesMax?: number;
  /** Called once per row delivered (for progress bars). */
  readonly onRow?: (row: number) => void;
}

export class BlobRowReader {
  readonly layout: BlobLayout;
  private readonly chunkRows: number;
  private readonly fetcher: SliverFetcher;
  private decoded: Promise<Uint8Array> | undefined;

  constructor(
    private readonly blobId: Uint8Array,
    private readonly metadata: VerifiedMetadata,
    private readonly nodes: ReadNodes,
    private readonly options: RowReaderOptions = {},
  ) {
    this.fetcher = new SliverFetcher(blobId, metadata, nodes, 'primary');
    this.layout = this.fetcher.layout;
    const windowBytes = options.windowBytesMax ?? READ_WINDOW_BYTES_DEFAULT;
    // Two chunks in flight fill the window.
    this.chunkRows = Math.max(1, Math.floor(windowBytes / 2 / this.layout.primarySliverBytes));
  }

  /** Rows [first, last] (inclusive, systematic: last < n_p), verified, in order. */
  async *rows(first: number, last: number): AsyncGenerator<{ row: number; data: Uint8Array }> {
    const chunks: number[][] = [];
    for (let from = first; from <= last; from += this.chunkRows) {
      chunks.push(range(from, Math.min(last, from + this.chunkRows - 1)));
    }
    let ahead: Map<number, Slot> | undefined =
      chunks.length > 0 ? this.fetch(chunks[0]) : undefined;
    for (let c = 0; c < chunks.length; c++) {
      const current = ahead!;
      ahead = c + 1 < chunks.length ? this.fetch(chunks[c + 1]) : undefined;
      for (const row of chunks[c]) {
        // Slots stay in the map until the chunk is done: the chunk's fetches still look them up.
        const data = await this.settle(current.get(row)!);
        this.options.onRow?.(row);
        yield { row, data };
      }
    }
  }

  /** A row's data, falling back to the whole-blob decode when both sources failed. */
  private async settle(slot: Slot): Promise<Uint8Array> {
    try {
      return await slot.promise;
    } catch (error) {
      if (error instanceof BlobInconsistentError) throw error;
      if (this.layout.blobBytes > FULL_DECODE_BYTES_MAX) throw error;
      const blob = await this.decodeWhole();
      const rowBytes = this.layout.primarySliverBytes;
      const data = new Uint8Array(rowBytes);
      data.set(blob.subarray(slot.index * rowBytes, (slot.index + 1) * rowBytes));
      return data;
    }
  }

  /** Starts fetching `rows`; each slot settles with the first verified source. */
  private fetch(rows: readonly number[]): Map<number, Slot> {
    return this.fetcher.fetch(rows);
  }

  /**
   * The last resort: any n_p verified primary slivers, decoded; every systematic row of the result
   * checked against the metadata before any of it is served.
   */
  private decodeWhole(): Promise<Uint8Array> {
    this.decoded ??= (async () => {
      const { nPrimary } = this.layout.params;
      const collected = new Map<number, SliverData>();
      const members = this.nodes.preferenceOrder();
      // Once n_p slivers are in, requests still waiting (a hung node's) are cancelled, not
      // waited out to their hard timeouts.
      const enough = new AbortController();
      const signal = AbortSignal.any([this.nodes.signal, enough.signal]);
      await Promise.all(
        members.map(async (member) => {
          const pairs = pairsOfMember(this.nodes.committee, member, this.blobId).sort(
            (a, b) => a - b,
          );
          for (const pair of pairs) {
            if (collected.size >= nPrimary) return;
            try {
              const sliver = await this.nodes
                .client(member)
                .getSliver(this.blobId, pair, 'primary', {
                  signal,
                  headersTimeoutMs: this.nodes.hardTimeoutMs(member),
                  sliverBytes: this.layout.primarySliverBytes,
                });
              if (sliver.index !== pair || collected.size >= nPrimary) continue;
              verifySliver(this.metadata, 'primary', sliver);
              collected.set(pair, sliver);
              if (collected.size >= nPrimary) enough.abort(new Error('enough primary slivers'));
            } catch (error) {
              // Unreachable or hung: this node has nothing more to give. Anything else (a
              // missing or invalid sliver) concerns that sliver only.
              if (error instanceof StorageNodeError && error.status === 0) return;
            }
          }
        }),
      );
      if (collected.size < nPrimary) {
        throw new BlobUnavailableError(
          `only ${collected.size} of the ${nPrimary} primary slivers needed could be read`,
        );
      }
      const blob = decodeBlob(this.metadata, 'primary', [...collected.values()], {
        alreadyVerified: true,
      });
      const rowBytes = this.layout.primarySliverBytes;
      for (let row = 0; row < nPrimary; row++) {
        const data = new Uint8Array(rowBytes);
        data.set(blob.subarray(row * rowBytes, (row + 1) * rowBytes));
        const hash = computeSliverHash(this.layout, 'primary', data);
        if (!bytesEqual(hash, expectedSliverHash(this.metadata, 'primary', row))) {
          throw new BlobInconsistentError(`decoded row ${row} does not match the metadata`);
        }
      }
      return blob;
    })();
    return this.decoded;
  }
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
