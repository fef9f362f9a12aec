/**
 * The rows of a blob, verified, in order. A blob's bytes are its systematic primary slivers
 * 0..n_p−1 laid end to end (row r is bytes [r·rowBytes, (r+1)·rowBytes)), so a healthy network
 * serves any byte range without decoding, straight from the nodes holding the covering rows.
 *
 * Rows are fetched a chunk at a time, one request per node per chunk (walrus-edge's batch route;
 * Walrus's single-sliver route for nodes without it), with two chunks in flight at most, so memory
 * stays under `windowBytesMax` whatever the blob's size. Every sliver is bounded by the size the
 * verified metadata implies and verified before it is used.
 *
 * A row whose node is skipped (circuit breaker), does not answer before its hedge deadline, fails,
 * or sends a sliver that does not verify is rebuilt from recovery symbols (row-recovery.ts) —
 * racing the node, whichever verified answer comes first wins. If recovery cannot be had either,
 * a blob small enough to decode whole is decoded from any n_p primary slivers, each row checked
 * against the metadata.
 */
import { pairOwner, pairsOfMember } from '../../core/chain/committee.js';
import type { CommitteeMember } from '../../core/chain/types.js';
import { decodeBlob } from '../../core/encoding/blob-decoder.js';
import { type BlobLayout } from '../../core/encoding/blob-layout.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import type { SliverData } from '../../core/encoding/sliver-data.js';
import {
  computeSliverHash,
  expectedSliverHash,
  layoutOf,
  verifySliver,
} from '../../core/encoding/sliver-verification.js';
import { bytesEqual } from '../../core/bytes.js';
import { BATCH_PAIRS_MAX, BATCH_RESPONSE_BYTES_MAX } from '../../core/node-api/limits.js';
import { StorageNodeError } from '../storage-node-client.js';
import { BlobInconsistentError, BlobUnavailableError } from './errors.js';
import { type ReadNodes, afterDeadline } from './nodes.js';
import { recoverRows } from './row-recovery.js';
import { Hedger, type Slot, newSlot } from './row-race.js';

/** Memory a read may hold in fetched rows, by default (Workers give an isolate 128 MB). */
export const READ_WINDOW_BYTES_DEFAULT = 32 * 1024 * 1024;
/** The last resort, decoding the whole blob, is taken only for blobs up to this size. */
export const FULL_DECODE_BYTES_MAX = 32 * 1024 * 1024;
/** Single-sliver requests in flight per node, for nodes without the batch route. */
const SINGLE_SLIVERS_PER_NODE = 4;

export interface RowReaderOptions {
  readonly windowBytesMax?: number;
  /** Called once per row delivered (for progress bars). */
  readonly onRow?: (row: number) => void;
}

export class BlobRowReader {
  readonly layout: BlobLayout;
  private readonly chunkRows: number;
  private decoded: Promise<Uint8Array> | undefined;

  constructor(
    private readonly blobId: Uint8Array,
    private readonly metadata: VerifiedMetadata,
    private readonly nodes: ReadNodes,
    private readonly options: RowReaderOptions = {},
  ) {
    this.layout = layoutOf(metadata);
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
      data.set(blob.subarray(slot.row * rowBytes, (slot.row + 1) * rowBytes));
      return data;
    }
  }

  /** Starts fetching `rows`; each slot settles with the first verified source. */
  private fetch(rows: readonly number[]): Map<number, Slot> {
    const slots = new Map<number, Slot>();
    for (const row of rows) slots.set(row, newSlot(row));
    const byMember = new Map<CommitteeMember, number[]>();
    for (const row of rows) {
      const member = pairOwner(this.nodes.committee, this.blobId, row);
      byMember.set(member, [...(byMember.get(member) ?? []), row]);
    }
    const hedger = new Hedger((rows, exclude) => this.startRecovery(rows, exclude), slots);
    for (const [member, memberRows] of byMember) {
      if (this.nodes.isSkipped(member)) hedger.recover(memberRows, member, { failed: true });
      else {
        this.fetchDirect(member, memberRows, slots, hedger).catch(() =>
          hedger.recover(memberRows, member, { failed: true }),
        );
      }
    }
    return slots;
  }

  /** One node's rows of a chunk: the batch route, or single-sliver requests without it. */
  private async fetchDirect(
    member: CommitteeMember,
    rows: readonly number[],
    slots: Map<number, Slot>,
    hedger: Hedger,
  ): Promise<void> {
    const url = member.networkAddress;
    const pending = () => rows.filter((row) => !slots.get(row)!.settled);
    if (rows.length > 1 && this.nodes.health.batchSupported(url)) {
      try {
        await this.fetchBatch(member, rows, slots, hedger);
      } catch (error) {
        if (!batchRouteMissing(error)) {
          hedger.recover(pending(), member, { failed: true });
          return;
        }
        this.nodes.health.markBatchUnsupported(url);
      }
    }
    const remaining = pending();
    let next = 0;
    const lane = async () => {
      while (next < remaining.length) {
        const row = remaining[next++];
        await this.fetchSingle(member, row, slots, hedger);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(SINGLE_SLIVERS_PER_NODE, remaining.length) }, lane),
    );
  }

  private async fetchBatch(
    member: CommitteeMember,
    rows: readonly number[],
    slots: Map<number, Slot>,
    hedger: Hedger,
  ): Promise<void> {
    const rowBytes = this.layout.primarySliverBytes;
    const perRequest = Math.max(
      1,
      Math.min(BATCH_PAIRS_MAX, Math.floor(BATCH_RESPONSE_BYTES_MAX / (rowBytes + 16))),
    );
    for (let from = 0; from < rows.length; from += perRequest) {
      const part = rows.slice(from, from + perRequest);
      // Raced once the node's deadline passes without headers (a hung node sends none).
      const cancelHedge = afterDeadline(this.nodes.hedgeDeadlineMs(member), () => {
        this.nodes.health.recordFailure(member.networkAddress, 'late');
        hedger.recover(part, member, { failed: false });
      });
      try {
        const batch = await this.nodes.client(member).getSliverBatch(this.blobId, 'primary', part, {
          signal: this.nodes.signal,
          headersTimeoutMs: this.nodes.hardTimeoutMs(member),
          sliverBytes: rowBytes,
        });
        cancelHedge();
        for await (const entry of batch) {
          const slot = slots.get(entry.pairIndex)!;
          if (slot.settled) continue;
          if (entry.sliver === null) hedger.recover([entry.pairIndex], member, { failed: true });
          else this.deliverDirect(member, slot, entry.sliver, hedger);
        }
      } finally {
        cancelHedge();
      }
    }
  }

  private async fetchSingle(
    member: CommitteeMember,
    row: number,
    slots: Map<number, Slot>,
    hedger: Hedger,
  ): Promise<void> {
    const slot = slots.get(row)!;
    if (slot.settled) return;
    const cancelHedge = afterDeadline(this.nodes.hedgeDeadlineMs(member), () => {
      this.nodes.health.recordFailure(member.networkAddress, 'late');
      hedger.recover([row], member, { failed: false });
    });
    try {
      const sliver = await this.nodes.client(member).getSliver(this.blobId, row, 'primary', {
        signal: this.nodes.signal,
        headersTimeoutMs: this.nodes.hardTimeoutMs(member),
        sliverBytes: this.layout.primarySliverBytes,
      });
      this.deliverDirect(member, slot, sliver, hedger);
    } catch {
      hedger.recover([row], member, { failed: true });
    } finally {
      cancelHedge();
    }
  }

  /** A sliver from the row's own node: used if it verifies, else the row is recovered. */
  private deliverDirect(member: CommitteeMember, slot: Slot, sliver: SliverData, hedger: Hedger) {
    if (slot.settled) return;
    try {
      if (sliver.index !== slot.row) throw new Error(`sliver ${sliver.index} for row ${slot.row}`);
      verifySliver(this.metadata, 'primary', sliver);
    } catch {
      this.nodes.health.recordFailure(member.networkAddress, 'invalid-data');
      hedger.recover([slot.row], member, { failed: true });
      return;
    }
    hedger.resolved(slot, sliver.data);
  }

  /** Recovery for rows whose direct source failed or is late (the Hedger starts it). */
  private startRecovery(rows: readonly number[], exclude: ReadonlySet<number>) {
    return recoverRows(this.blobId, this.metadata, this.nodes, rows, exclude);
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

/** A node without walrus-edge's batch route (a Walrus node): 404/405 without a blob reason. */
function batchRouteMissing(error: unknown): boolean {
  return (
    error instanceof StorageNodeError &&
    (error.status === 404 || error.status === 405) &&
    (error.reason === undefined || error.reason === 'NOT_FOUND')
  );
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
