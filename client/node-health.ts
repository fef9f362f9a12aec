/**
 * What a process (or a Worker isolate) has seen of each storage node, so that no read waits long on
 * a node that does not answer: the common failure in real networks is a peer that accepts the
 * connection and never replies.
 *
 * - Deadlines come from observed latency: a node gets `HEADERS_DEADLINE_FACTOR` times its smoothed
 *   time-to-headers (the network-wide figure until it has its own), clamped to
 *   [HEADERS_DEADLINE_MS_MIN, HEADERS_DEADLINE_MS_MAX]. Past it, readers race the request with
 *   another source (recovery symbols, another node) instead of waiting.
 * - A circuit breaker: a node that timed out or sent invalid data is skipped for BREAKER_OPEN_MS,
 *   then tried again; one success closes the breaker. A node that only missed a deadline is
 *   skipped for LATE_SKIP_MS, doubling with each miss in a row.
 * - Nodes that do not offer walrus-edge's batch sliver route are remembered, so the single-sliver
 *   routes are used for them without asking again.
 *
 * Time is injected so tests can drive it.
 */

/** The least a node gets before it is raced: localhost answers in ~1 ms, a loaded node in tens. */
export const HEADERS_DEADLINE_MS_MIN = 75;
/** The most: beyond a few seconds, waiting is worse than any alternative source. */
export const HEADERS_DEADLINE_MS_MAX = 4_000;
/** Before any node has answered: a WAN round trip or two plus a node's disk read. */
export const HEADERS_DEADLINE_MS_INITIAL = 1_000;
/** Deadline = factor × smoothed latency: several times the usual, so healthy jitter is not raced. */
export const HEADERS_DEADLINE_FACTOR = 4;
/** Weight of a new sample in the exponential moving average. */
const LATENCY_SMOOTHING = 0.2;
/** How long a node that timed out or lied is skipped. */
export const BREAKER_OPEN_MS = 30_000;
/**
 * How long a node that missed a hedge deadline is skipped — unless its reply arrives meanwhile,
 * which closes the breaker at once. A hung node thus costs one deadline, not one per read.
 * Each further miss without a reply in between doubles the skip, up to BREAKER_OPEN_MS: a node
 * hung for minutes costs a deadline every 30 s, not every 5 s.
 */
export const LATE_SKIP_MS = 5_000;
/** Nodes tracked; a committee is at most a few hundred, URLs past this are not remembered. */
const NODES_TRACKED_MAX = 4_096;

export type NodeFailure = 'timeout' | 'invalid-data' | 'late' | 'error';

interface NodeRecord {
  latencyMs: number | undefined;
  openUntilMs: number;
  /** Deadlines missed since the node last answered. */
  lateStrikes: number;
  batchUnsupported: boolean;
}

export class NodeHealth {
  private readonly nodes = new Map<string, NodeRecord>();
  private networkLatencyMs: number | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  private record(url: string): NodeRecord {
    let record = this.nodes.get(url);
    if (record === undefined) {
      if (this.nodes.size >= NODES_TRACKED_MAX) this.nodes.clear();
      record = { latencyMs: undefined, openUntilMs: 0, lateStrikes: 0, batchUnsupported: false };
      this.nodes.set(url, record);
    }
    return record;
  }

  /** How long to wait for `url`'s response headers before racing it with another source. */
  headersDeadlineMs(url: string): number {
    const latency = this.nodes.get(url)?.latencyMs ?? this.networkLatencyMs;
    if (latency === undefined) return HEADERS_DEADLINE_MS_INITIAL;
    return Math.min(
      HEADERS_DEADLINE_MS_MAX,
      Math.max(HEADERS_DEADLINE_MS_MIN, Math.ceil(latency * HEADERS_DEADLINE_FACTOR)),
    );
  }

  /** A reply's headers arrived after `latencyMs`: the node is alive and this fast. */
  recordHeaders(url: string, latencyMs: number): void {
    const record = this.record(url);
    record.latencyMs = smooth(record.latencyMs, latencyMs);
    this.networkLatencyMs = smooth(this.networkLatencyMs, latencyMs);
    record.openUntilMs = 0;
    record.lateStrikes = 0;
  }

  /**
   * Timeouts and invalid data open the breaker; a missed hedge deadline opens it briefly; other
   * errors (a 404, say) say nothing of health.
   */
  recordFailure(url: string, failure: NodeFailure): void {
    if (failure === 'error') return;
    const record = this.record(url);
    let skipMs = BREAKER_OPEN_MS;
    if (failure === 'late') {
      // Misses while already skipped (other reads of the same moment) are one strike.
      if (!this.isSkipped(url)) record.lateStrikes++;
      skipMs = Math.min(BREAKER_OPEN_MS, LATE_SKIP_MS * 2 ** (record.lateStrikes - 1));
    }
    record.openUntilMs = Math.max(record.openUntilMs, this.now() + skipMs);
  }

  /** True while `url` is being skipped. */
  isSkipped(url: string): boolean {
    return (this.nodes.get(url)?.openUntilMs ?? 0) > this.now();
  }

  markBatchUnsupported(url: string): void {
    this.record(url).batchUnsupported = true;
  }

  batchSupported(url: string): boolean {
    return this.nodes.get(url)?.batchUnsupported !== true;
  }

  /** Smoothed time-to-headers of `url`, when known (for ordering candidates). */
  latencyMs(url: string): number | undefined {
    return this.nodes.get(url)?.latencyMs;
  }
}

function smooth(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + LATENCY_SMOOTHING * (sample - previous);
}

/**
 * The health every reader in this process or isolate shares by default: what one request learned
 * about a hung node spares the next one the wait.
 */
export const sharedNodeHealth = new NodeHealth();
