/**
 * How long the Worker trusts each blob status before asking the storage nodes again (a module of
 * its own so workers/env.ts, which the devnet launcher and vitest config load, stays light).
 */
/** How long each status is trusted before the nodes are asked again. */
export const STATUS_TTL_S = Object.freeze({
  /** A permanent blob can still be invalidated: an hour bounds how long that goes unnoticed. */
  permanent: 3600,
  /** A deletable blob can be deleted at any time. */
  deletable: 60,
  /** Registered, certification pending, or the nodes did not agree: ask again soon. */
  uncertified: 5,
  /** Right after an upload a blob may not be visible yet (Walrus's #1 "missing blob" report). */
  nonexistent: 5,
  invalid: 24 * 3600,
});

export type EdgeStatusKind = keyof typeof STATUS_TTL_S;
/** Seconds each status is trusted (STATUS_TTL_S, with the operator's overrides: workers/env.ts). */
export type StatusTtls = Readonly<Record<EdgeStatusKind, number>>;
