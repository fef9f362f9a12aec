/**
 * The storage nodes one read talks to: a client per committee member sharing one abort signal,
 * one request gate (requests waiting for headers) and the process's NodeHealth, plus the order in
 * which to try them. Aborting the read (the caller's signal, or the read finishing) cancels every
 * request still in flight.
 */
import { type Committee } from '../../core/chain/committee.js';
import type { CommitteeMember } from '../../core/chain/types.js';
import { shuffled } from '../lanes.js';
import { type NodeHealth, sharedNodeHealth } from '../node-health.js';
import { NODE_HEADERS_WAITING_MAX, RequestGate } from '../request-gate.js';
import { StorageNodeClient, type StorageNodeClientOptions } from '../storage-node-client.js';

/**
 * Once headers arrive, a body may pause this long between chunks before the node is given up (a
 * node verifies each sliver before it sends it; a loaded one takes a while between slivers).
 */
export const READ_BODY_IDLE_TIMEOUT_MS = 5_000;
/** A request is abandoned (and its node skipped for a while) after this many hedge deadlines. */
export const HARD_TIMEOUT_FACTOR = 8;
/**
 * The least hard timeout. Hedging, not this, is what keeps a hung node from costing a read time;
 * this only frees the request's slot, so it must be long enough that a loaded but healthy node is
 * never given up on.
 */
export const HARD_TIMEOUT_MS_MIN = 10_000;

export interface ReadNodeOptions extends StorageNodeClientOptions {
  readonly signal?: AbortSignal;
  /** Overrides when a request is given up (tests use a huge one to prove hedging, not timeouts). */
  readonly hardTimeoutMs?: number;
}

export class ReadNodes {
  readonly health: NodeHealth;
  readonly gate: RequestGate;
  /** Aborted when the read ends or its caller goes away. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly clients: StorageNodeClient[];
  private readonly hardTimeoutOverrideMs: number | undefined;

  constructor(
    readonly committee: Committee,
    options: ReadNodeOptions = {},
  ) {
    this.health = options.health ?? sharedNodeHealth;
    this.hardTimeoutOverrideMs = options.hardTimeoutMs;
    this.gate = options.gate ?? new RequestGate(NODE_HEADERS_WAITING_MAX);
    this.signal =
      options.signal === undefined
        ? this.controller.signal
        : AbortSignal.any([options.signal, this.controller.signal]);
    const clientOptions: StorageNodeClientOptions = {
      bodyIdleTimeoutMs: READ_BODY_IDLE_TIMEOUT_MS,
      ...options,
      health: this.health,
      gate: this.gate,
    };
    this.clients = committee.members.map(
      (member) => new StorageNodeClient(member.networkAddress, clientOptions),
    );
  }

  client(member: CommitteeMember): StorageNodeClient {
    return this.clients[member.index];
  }

  /** When to race a request to `member` with another source. */
  hedgeDeadlineMs(member: CommitteeMember): number {
    return this.health.headersDeadlineMs(member.networkAddress);
  }

  /** When to give a request to `member` up. */
  hardTimeoutMs(member: CommitteeMember): number {
    if (this.hardTimeoutOverrideMs !== undefined) return this.hardTimeoutOverrideMs;
    return Math.max(HARD_TIMEOUT_MS_MIN, HARD_TIMEOUT_FACTOR * this.hedgeDeadlineMs(member));
  }

  isSkipped(member: CommitteeMember): boolean {
    return this.health.isSkipped(member.networkAddress);
  }

  /**
   * Members in the order to ask them: healthy ones first, the fastest known first and the unknown
   * in random order (spreading load); those the breaker skips last, as a last resort.
   */
  preferenceOrder(members: readonly CommitteeMember[] = this.committee.members): CommitteeMember[] {
    const latency = (m: CommitteeMember) => this.health.latencyMs(m.networkAddress);
    const healthy = shuffled(members.filter((m) => !this.isSkipped(m)));
    // Stable sort: the known by latency, then the unknown in their shuffled order.
    healthy.sort((a, b) => {
      const [la, lb] = [latency(a), latency(b)];
      if (la === undefined || lb === undefined) return la === lb ? 0 : la === undefined ? 1 : -1;
      return la - lb;
    });
    return [...healthy, ...shuffled(members.filter((m) => this.isSkipped(m)))];
  }

  /** Ends the read: every request still in flight is cancelled. */
  close(): void {
    this.controller.abort(new Error('the read is over'));
  }
}

/**
 * Runs `fire` once `ms` have passed — but only after the I/O that arrived meanwhile has been
 * handled: when the reader's own CPU work (verifying slivers) delays the event loop, a reply may
 * already be waiting behind the timer, and racing it would only add load. The second hop lets
 * pending I/O callbacks run first (Node's timers phase precedes its poll phase). Returns a cancel.
 */
export function afterDeadline(ms: number, fire: () => void): () => void {
  let cancelled = false;
  let inner: ReturnType<typeof setTimeout> | undefined;
  const outer = setTimeout(() => {
    inner = setTimeout(() => {
      if (!cancelled) fire();
    }, 0);
  }, ms);
  return () => {
    cancelled = true;
    clearTimeout(outer);
    if (inner !== undefined) clearTimeout(inner);
  };
}
