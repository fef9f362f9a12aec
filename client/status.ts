/**
 * A blob's status as the storage nodes report it (spec: api.md §1.4 BlobStatus, §5.4 "Status"):
 * ask every committee member, group identical answers by the shards behind them, and report the
 * most advanced lifecycle state (nonexistent < deletable < permanent < invalid) that more than f
 * shards back — so a few lagging nodes cannot hide a certified blob, and fewer than f+1 lying ones
 * cannot invent one.
 */
import type { SystemState } from '../core/chain/types.js';
import { isAboveValidity } from '../core/encoding/config.js';
import { StorageNodeClient } from './storage-node-client.js';

/** Per node; Walrus's CLI waits 1 s, a loaded devnet on shared cores may need longer. */
export const STATUS_TIMEOUT_MS = 5_000;

export interface DeletableCounts {
  readonly total: number;
  readonly certified: number;
}

/** A node's `BlobStatus` (api.md §1.4), checked and flattened. */
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

/** Every member's status reply; unreachable or malformed replies count as no answer. */
export async function askNodesForStatus(
  blobId: Uint8Array,
  system: SystemState,
): Promise<StatusReply[]> {
  return Promise.all(
    system.members.map(async (member) => {
      const client = new StorageNodeClient(member.networkAddress, { timeoutMs: STATUS_TIMEOUT_MS });
      try {
        return {
          weight: member.weight,
          status: parseNodeBlobStatus(await client.getBlobStatus(blobId)),
        };
      } catch {
        // Unreachable, timed out or an error reply: this node does not count.
        return { weight: member.weight, status: undefined };
      }
    }),
  );
}
