/**
 * Every bound the reference storage node enforces, with its unit and its reason. Limits that depend
 * on the committee size are functions of `nShards`; the rest are defaults that the node config may
 * lower or raise (see config.ts). Relations between the constants are asserted at module load.
 */
import { assert } from '../core/assert.js';
import { SYMBOL_BYTES_MAX, encodingParams } from '../core/encoding/config.js';
import { metadataWithIdBcsBytes } from '../core/encoding/metadata.js';
import { sliverDataBcsBytes } from '../core/encoding/sliver-data.js';
import { MERKLE_PROOF_NODES_MAX } from '../core/merkle.js';

/** Room for the BCS framing that travels with one sliver in a PUT body (Walrus: `HEADROOM`). */
export const SLIVER_PUT_HEADROOM_BYTES = 128;
/** Room for framing around metadata and proofs: an exact-size limit never rejects a valid body. */
export const BODY_HEADROOM_BYTES = 128;
/** Bodies of routes without a protocol-derived limit (axum's default body limit). */
export const BODY_BYTES_MAX_DEFAULT = 2 * 1024 * 1024;

/** The largest BCS SliverData for `nShards`: a primary sliver of 65 534-byte symbols. */
export function sliverBcsBytesMax(nShards: number): number {
  return sliverDataBcsBytes(encodingParams(nShards).nSecondary * SYMBOL_BYTES_MAX);
}

/** Sliver PUT body limit: the largest sliver for the committee plus the named headroom. */
export function sliverPutBytesMax(nShards: number): number {
  return sliverBcsBytesMax(nShards) + SLIVER_PUT_HEADROOM_BYTES;
}

/** Metadata PUT body limit: BCS `BlobMetadata` (without the 32-byte ID) plus headroom. */
export function metadataPutBytesMax(nShards: number): number {
  return metadataWithIdBcsBytes(nShards) - 32 + BODY_HEADROOM_BYTES;
}

/**
 * One recovery symbol inside an inconsistency proof: u16 index, uleb128 length (≤ 3 bytes), the
 * symbol, the proof's uleb128 length (1 byte) and at most 16 nodes of 1 + 32 bytes.
 */
const PROOF_SYMBOL_BYTES_MAX = 2 + 3 + SYMBOL_BYTES_MAX + 1 + MERKLE_PROOF_NODES_MAX * 33;

/** Inconsistency proof body limit: u16 target, uleb128 count, n_s symbols (the larger axis). */
export function inconsistencyProofBytesMax(nShards: number): number {
  return 2 + 3 + encodingParams(nShards).nSecondary * PROOF_SYMBOL_BYTES_MAX + BODY_HEADROOM_BYTES;
}

/** The largest body any route accepts: what the node:http adapter lets through at most. */
export function requestBodyBytesMax(nShards: number): number {
  return Math.max(
    BODY_BYTES_MAX_DEFAULT,
    sliverPutBytesMax(nShards),
    metadataPutBytesMax(nShards),
    inconsistencyProofBytesMax(nShards),
  );
}

export {
  BATCH_PAIRS_MAX,
  BATCH_PAIRS_QUERY_CHARS_MAX,
  BATCH_RESPONSE_BYTES_MAX,
  RECOVERY_SYMBOL_IDS_MAX,
} from '../core/node-api/limits.js';

/** Concurrency caps: requests beyond them get 503 UNAVAILABLE immediately instead of queueing. */
export interface ConcurrencyLimits {
  /** Sliver PUTs buffered in memory at once; bounds memory to this × the sliver PUT limit. */
  readonly sliverPutsInFlightMax: number;
  /** Recovery-symbol requests expanding slivers at once (CPU). */
  readonly recoveryRequestsInFlightMax: number;
  /** Batch sliver reads streaming at once (CPU for re-verification, disk). */
  readonly batchReadsInFlightMax: number;
  /** Inconsistency proofs being verified at once (CPU: a full sliver decode each). */
  readonly inconsistencyProofsInFlightMax: number;
  /** Confirmation requests long-polling for a registration at once. */
  readonly registrationWaitsInFlightMax: number;
}

export const CONCURRENCY_LIMITS_DEFAULT: ConcurrencyLimits = Object.freeze({
  sliverPutsInFlightMax: 32,
  recoveryRequestsInFlightMax: 8,
  batchReadsInFlightMax: 8,
  inconsistencyProofsInFlightMax: 2,
  registrationWaitsInFlightMax: 256,
});

/** Upper bound on a confirmation long-poll (Walrus `confirmation_long_poll_max_millis`). */
export const REGISTRATION_WAIT_MS_MAX = 5_000;

/** Memory for uploads buffered before their registration is seen (`?pending=true`). */
export const PENDING_CACHE_BYTES_MAX = 64 * 1024 * 1024;
/** Blobs with buffered uploads at once; bounds the bookkeeping independently of their size. */
export const PENDING_BLOBS_MAX = 1024;
/** How long a buffered upload waits for its registration before it is dropped. */
export const PENDING_TTL_MS = 120_000;

/** Registrations removed per batch when an epoch change expires blobs. */
export const EXPIRY_BATCH_BLOBS_MAX = 256;
/**
 * Recovery sweeps before an epoch is reported ready (`epoch_sync_done`) with blobs still missing:
 * the epoch change needs the report, and what is missing keeps being retried afterwards.
 */
export const EPOCH_SYNC_ROUNDS_MAX = 3;
/** Sweeps for certified blobs still missing data between epoch changes (epochs can be long). */
export const RECOVERY_SWEEP_INTERVAL_MS = 5 * 60_000;
/** Clean shutdown waits this long for in-flight requests before closing connections. */
export const SHUTDOWN_GRACE_MS = 5_000;

assert(
  SLIVER_PUT_HEADROOM_BYTES >= 5 + 4,
  'the headroom must cover a uleb128 length and the u16 pair',
);
assert(
  CONCURRENCY_LIMITS_DEFAULT.sliverPutsInFlightMax >= 1,
  'a node must accept at least one sliver',
);
assert(PENDING_BLOBS_MAX >= 1, 'the pending cache must hold at least one blob');
