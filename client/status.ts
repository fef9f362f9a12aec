/**
 * A blob's status as the storage nodes report it (docs/spec/api.md §1.4 BlobStatus, §5.4 "Status"):
 * ask every committee member, group identical answers by the shards behind them, and report the
 * most advanced lifecycle state (nonexistent < deletable < permanent < invalid) that more than f
 * shards back — so a few lagging nodes cannot hide a certified blob, and fewer than f+1 lying ones
 * cannot invent one.
 */
import type { Committee } from '../core/chain/committee.js';
import { isAboveValidity, isQuorum } from '../core/encoding/config.js';
import type { NodeHealth } from './node-health.js';
import type { RequestGate } from './request-gate.js';
import { StorageNodeClient } from './storage-node-client.js';

/** Per node; Walrus's CLI waits 1 s, a loaded devnet on shared cores may need longer. */
export const STATUS_TIMEOUT_MS = 5_000;
/** The edge Worker's wait: it decides caching headers, and a hung node must not hold a read. */
export const STATUS_TIMEOUT_MS_EDGE = 1_000;

export interface DeletableCounts {
  readonly total: number;
  readonly certified: number;
}

/** A node's `BlobStatus` (docs/spec/api.md §1.4), checked and flattened. */
export type NodeBlobStatus =
  | { readonly kind: 'nonexistent' }
  | { readonly kind: 'invalid' }
  | {
      readonly kind: 'permanent';
      readonly endEpoch: number;
      readonly isCertified: boolean;
      readonly initialCertifiedEpoch: number | null;
      readonly deletableCounts: DeletableCounts;
    }
  | {
      readonly kind: 'deletable';
      readonly initialCertifiedEpoch: number | null;
      readonly deletableCounts: DeletableCounts;
    };

const LIFECYCLE_RANK = { nonexistent: 0, deletable: 1, permanent: 2, invalid: 3 } as const;

const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;
const isEpochOrNull = (value: unknown): value is number | null => value === null || isCount(value);

function countsOf(value: unknown): DeletableCounts | undefined {
  const counts = value as Record<string, unknown> | null;
  if (counts === null || typeof counts !== 'object') return undefined;
  const total = counts.count_deletable_total;
  const certified = counts.count_deletable_certified;
  return isCount(total) && isCount(certified) ? { total, certified } : undefined;
}

/** The node's JSON `BlobStatus`; `undefined` if it is not one (counted as no answer). */
export function parseNodeBlobStatus(value: unknown): NodeBlobStatus | undefined {
  if (value === 'nonexistent') return { kind: 'nonexistent' };
  if (value === null || typeof value !== 'object') return undefined;
  const body = value as Record<string, Record<string, unknown> | undefined>;
  if (typeof body.invalid === 'object' && body.invalid !== null) return { kind: 'invalid' };
  const permanent = body.permanent;
  if (typeof permanent === 'object' && permanent !== null) {
    const deletableCounts = countsOf(permanent.deletableCounts);
    const { endEpoch, isCertified, initialCertifiedEpoch } = permanent;
    if (
      !isCount(endEpoch) ||
      typeof isCertified !== 'boolean' ||
      !isEpochOrNull(initialCertifiedEpoch)
    )
      return undefined;
    if (deletableCounts === undefined) return undefined;
    return { kind: 'permanent', endEpoch, isCertified, initialCertifiedEpoch, deletableCounts };
  }
  const deletable = body.deletable;
  if (typeof deletable === 'object' && deletable !== null) {
    const deletableCounts = countsOf(deletable.deletableCounts);
    const { initialCertifiedEpoch } = deletable;
    if (deletableCounts === undefined || !isEpochOrNull(initialCertifiedEpoch)) return undefined;
    return { kind: 'deletable', initialCertifiedEpoch, deletableCounts };
  }
  return undefined;
}

export interface StatusReply {
  /** Shards the answering node holds. */
  readonly weight: number;
  /** `undefined`: no answer, or not a BlobStatus. */
  readonly status: NodeBlobStatus | undefined;
}

export interface AggregatedStatus {
  readonly status: NodeBlobStatus;
  /** Shards whose nodes gave exactly this status. */
  readonly weight: number;
  /** Shards whose nodes gave any status. */
  readonly answeredWeight: number;
}

/** The status Walrus reports (see the file comment); `undefined` if no status has > f shards. */
export function aggregateBlobStatus(
  replies: readonly StatusReply[],
  nShards: number,
): AggregatedStatus | undefined {
  const groups = new Map<string, { status: NodeBlobStatus; weight: number }>();
  let answeredWeight = 0;
  for (const reply of replies) {
    if (reply.status === undefined) continue;
    answeredWeight += reply.weight;
    const key = JSON.stringify(reply.status);
    const group = groups.get(key) ?? { status: reply.status, weight: 0 };
    group.weight += reply.weight;
    groups.set(key, group);
  }
  let best: { status: NodeBlobStatus; weight: number } | undefined;
  for (const group of groups.values()) {
    if (!isAboveValidity(group.weight, nShards)) continue;
    const rank = LIFECYCLE_RANK[group.status.kind];
    const bestRank = best === undefined ? -1 : LIFECYCLE_RANK[best.status.kind];
    if (best === undefined || rank > bestRank || (rank === bestRank && group.weight > best.weight))
      best = group;
  }
  return best === undefined ? undefined : { ...best, answeredWeight };
}

export interface StatusQueryOptions {
  readonly signal?: AbortSignal;
  /** Wait per node; a node past it counts as no answer. */
  readonly timeoutMs?: number;
  readonly health?: NodeHealth;
  readonly gate?: RequestGate;
  readonly fetch?: typeof fetch;
}

/**
 * Every member's status reply, asked in parallel. It stops as soon as a quorum of shards (more
 * than 2f) has answered — what the rest could add cannot outweigh that, as Walrus's client reasons
 * — or when the per-node wait passes: unreachable, timed out or malformed replies count as no
 * answer, so a hung node costs at most `timeoutMs`, never a sequence of timeouts.
 */
export async function askNodesForStatus(
  blobId: Uint8Array,
  committee: Committee,
  options: StatusQueryOptions = {},
): Promise<StatusReply[]> {
  const controller = new AbortController();
  const signal =
    options.signal === undefined
      ? controller.signal
      : AbortSignal.any([options.signal, controller.signal]);
  const replies: StatusReply[] = committee.members.map((member) => ({
    weight: member.weight,
    status: undefined,
  }));
  let answeredWeight = 0;
  const clientOptions = {
    timeoutMs: options.timeoutMs ?? STATUS_TIMEOUT_MS,
    health: options.health,
    gate: options.gate,
    fetch: options.fetch,
  };
  await new Promise<void>((resolve) => {
    let outstanding = committee.members.length;
    if (outstanding === 0) resolve();
    committee.members.forEach(async (member, index) => {
      try {
        const client = new StorageNodeClient(member.networkAddress, clientOptions);
        const status = parseNodeBlobStatus(await client.getBlobStatus(blobId, { signal }));
        if (status !== undefined) {
          replies[index] = { weight: member.weight, status };
          answeredWeight += member.weight;
          if (isQuorum(answeredWeight, committee.nShards)) resolve();
        }
      } catch {
        // Unreachable, timed out or an error reply: this node does not count.
      } finally {
        if (--outstanding === 0) resolve();
      }
    });
  });
  controller.abort(new Error('enough status replies'));
  return replies;
}
