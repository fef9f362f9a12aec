/**
 * The committee (who holds which shard) as the Worker's reads see it: read from the chain's System
 * object, kept in the isolate and in the Cache API, and fresh until the current epoch could end —
 * a committee only changes at an epoch change — but never longer than COMMITTEE_FRESH_MS_MAX.
 * When the chain cannot be reached, the last committee keeps serving (up to
 * COMMITTEE_STALE_MS_MAX): an RPC outage must not turn every read into an error, since the storage
 * nodes hold the data.
 */
import type { Committee } from '../core/chain/committee.js';
import type { CommitteeMember, EpochState, SystemState } from '../core/chain/types.js';
import { bytesToHex, hexToBytes } from '../core/hex.js';
import type { EdgeCache } from './edge-cache.js';
import { MemoryLru } from '../core/memory-lru.js';
import { singleFlight } from './single-flight.js';

/** A committee is re-read at least this often while the chain answers. */
export const COMMITTEE_FRESH_MS_MAX = 60_000;
/** During an epoch change (or past the epoch's earliest end) the committee is re-read often. */
export const COMMITTEE_FRESH_MS_CHANGING = 5_000;
/** The longest a committee is served while the chain cannot be reached. */
export const COMMITTEE_STALE_MS_MAX = 24 * 3600_000;

/** What reads need of the System: the committee plus the epoch timing that bounds lifetimes. */
export interface EdgeCommittee extends Committee {
  readonly epochDurationMs: number;
  readonly epochState: EpochState;
  readonly systemObjectId: string;
}

interface Entry {
  readonly committee: EdgeCommittee;
  readonly freshUntilMs: number;
  readonly readAtMs: number;
}

interface CachedEntry {
  readonly committee: Omit<EdgeCommittee, 'members'> & { members: CachedMember[] };
  readonly freshUntilMs: number;
  readonly readAtMs: number;
}

type CachedMember = Omit<CommitteeMember, 'blsPublicKey' | 'networkPublicKey'> & {
  blsPublicKey: string;
  networkPublicKey: string;
};

/** Isolate memory: one entry per System object (one per configuration, in practice). */
const memory = new MemoryLru<Entry>(8);

/** When the current epoch can end at the earliest (ms), or undefined while it is changing. */
export function earliestEpochEndMs(committee: EdgeCommittee): number | undefined {
  const state = committee.epochState;
  return state.kind === 'sync' ? undefined : state.completedMs + committee.epochDurationMs;
}

function freshUntil(committee: EdgeCommittee, nowMs: number): number {
  const epochEnd = earliestEpochEndMs(committee);
  if (epochEnd === undefined || epochEnd <= nowMs) return nowMs + COMMITTEE_FRESH_MS_CHANGING;
  return Math.min(nowMs + COMMITTEE_FRESH_MS_MAX, epochEnd);
}

export function edgeCommitteeOf(system: SystemState): EdgeCommittee {
  return {
    epoch: system.epoch,
    nShards: system.nShards,
    members: system.members,
    epochDurationMs: system.epochDurationMs,
    epochState: system.epochState,
    systemObjectId: system.objectId,
  };
}

function toCached(entry: Entry): CachedEntry {
  return {
    ...entry,
    committee: {
      ...entry.committee,
      members: entry.committee.members.map((m) => ({
        ...m,
        blsPublicKey: bytesToHex(m.blsPublicKey),
        networkPublicKey: bytesToHex(m.networkPublicKey),
      })),
    },
  };
}

function fromCached(entry: CachedEntry): Entry {
  return {
    ...entry,
    committee: {
      ...entry.committee,
      members: entry.committee.members.map((m) => ({
        ...m,
        blsPublicKey: hexToBytes(m.blsPublicKey, m.blsPublicKey.length / 2),
        networkPublicKey: hexToBytes(m.networkPublicKey, m.networkPublicKey.length / 2),
      })),
    },
  };
}

export class CommitteeSource {
  constructor(
    private readonly systemObjectId: string,
    private readonly readSystem: (fresh: boolean) => Promise<SystemState>,
    private readonly cache: EdgeCache,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** A fresh committee if one can be had; a stale one when the chain is unreachable. */
  async get(): Promise<EdgeCommittee> {
    const nowMs = this.now();
    let entry = memory.get(this.systemObjectId);
    if (entry === undefined) {
      const cached = await this.cache.getJson<CachedEntry>(this.key());
      if (cached !== undefined) {
        entry = fromCached(cached);
        memory.set(this.systemObjectId, entry);
      }
    }
    if (entry !== undefined && entry.freshUntilMs > nowMs) return entry.committee;
    return this.refresh(entry);
  }

  /** Re-reads the chain now (e.g. a read failed in a way a committee change would explain). */
  async refresh(stale?: Entry): Promise<EdgeCommittee> {
    const previous = stale ?? memory.get(this.systemObjectId);
    try {
      return await singleFlight(`committee:${this.systemObjectId}`, async () => {
        const committee = edgeCommitteeOf(await this.readSystem(true));
        const nowMs = this.now();
        const entry: Entry = {
          committee,
          freshUntilMs: freshUntil(committee, nowMs),
          readAtMs: nowMs,
        };
        memory.set(this.systemObjectId, entry);
        this.cache.putJson(this.key(), toCached(entry), COMMITTEE_STALE_MS_MAX / 1000);
        return committee;
      });
    } catch (error) {
      if (previous !== undefined && this.now() - previous.readAtMs < COMMITTEE_STALE_MS_MAX) {
        return previous.committee;
      }
      throw error;
    }
  }

  private key(): Request {
    return this.cache.key('committee', this.systemObjectId);
  }
}
