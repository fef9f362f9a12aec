/**
 * Named bounds of the local ledger. Where Sui has a protocol constant for the same thing we copy
 * its value, so a transaction that passes here is not rejected by a real network for its size.
 */
import { assert } from '../../core/assert.js';

/** Sui's `max_tx_size_bytes`: a signed transaction's BCS bytes. */
export const TX_BYTES_MAX = 128 * 1024;
/** Sender plus an optional sponsor; multisig still counts as one signature. */
export const TX_SIGNATURES_MAX = 2;
/** One serialized signature, base64: zkLogin signatures are the largest at a few KiB. */
export const SIGNATURE_CHARS_MAX = 16 * 1024;
/** Sui's `max_input_objects` (2048) and `max_programmable_tx_commands` (1024). */
export const TX_INPUTS_MAX = 2048;
export const TX_COMMANDS_MAX = 1024;
/** Sui's `max_pure_argument_size`. */
export const PURE_ARG_BYTES_MAX = 16 * 1024;
/** Sui's `max_gas_payment_objects`. */
export const GAS_PAYMENT_OBJECTS_MAX = 256;
/** Sui's `max_num_event_emit` and `max_event_emit_size`. */
export const EVENTS_PER_TX_MAX = 1024;
export const EVENT_BYTES_MAX = 256_000;
/** Sui's `max_move_object_size`. */
export const OBJECT_BYTES_MAX = 256_000;
/** Sui's `max_num_new_move_object_ids`. */
export const CREATED_OBJECTS_PER_TX_MAX = 2048;
/** Move values nest; a type string deeper than this is hostile, not useful. */
export const TYPE_DEPTH_MAX = 16;
/** Longest Move type string we parse (a struct tag with many nested arguments still fits). */
export const TYPE_CHARS_MAX = 4096;

/** Localnet's reference gas price, in MIST per computation unit. */
export const GAS_PRICE_REFERENCE_MIST = 1000n;
/** Sui's `max_gas_price`. */
export const GAS_PRICE_MAX_MIST = 100_000n;
/** Sui's `max_tx_gas` (50 SUI). */
export const GAS_BUDGET_MAX_MIST = 50_000_000_000n;
/**
 * Computation units charged per transaction and per command. Sui buckets real VM work; a flat
 * charge keeps dry runs and executions identical, so the SDK's budget estimate always suffices.
 * The base equals Sui's minimum bucket, so a budget that passes here is never too low on Sui.
 */
export const GAS_UNITS_BASE = 1000n;
export const GAS_UNITS_PER_COMMAND = 100n;
/** Sui charges 100 storage units per byte at a storage price of 76 MIST. */
export const STORAGE_MIST_PER_BYTE = 7600n;
/** The smallest budget accepted: the base computation charge at the reference price. */
export const GAS_BUDGET_MIN_MIST = GAS_UNITS_BASE * GAS_PRICE_REFERENCE_MIST;

/** Sui's JSON-RPC `QUERY_MAX_RESULT_LIMIT`: larger page sizes are capped, not rejected. */
export const QUERY_RESULTS_MAX = 50;
/** Sui's `max_multi_get_objects` for one `sui_multiGetObjects` call. */
export const MULTI_GET_OBJECTS_MAX = 50;
/** A request body must hold a maximal transaction in base64 plus its signatures. */
export const RPC_BODY_BYTES_MAX = 1024 * 1024;
/** Requests in one JSON-RPC batch. */
export const RPC_BATCH_REQUESTS_MAX = 50;
/** The faucet's body is one small JSON object. */
export const FAUCET_BODY_BYTES_MAX = 4 * 1024;

export const MIST_PER_SUI = 1_000_000_000n;
/** What one faucet request sends, and the most a configured amount may be. */
export const FAUCET_AMOUNT_MIST_DEFAULT = 10n * MIST_PER_SUI;
export const FAUCET_AMOUNT_MIST_MAX = 1000n * MIST_PER_SUI;

/** Sui epochs on the ledger (they only gate `ValidDuring` expirations); a day, as on Sui. */
export const SUI_EPOCH_DURATION_MS_DEFAULT = 24 * 60 * 60 * 1000;
/** The package layer's epoch timer (Walrus epochs) fires this often unless configured. */
export const WALRUS_EPOCH_DURATION_MS_DEFAULT = 10 * 60 * 1000;
/** How often the server checks whether a timer is due. */
export const TIMER_TICK_MS = 1000;
/** One log record (a transaction's write set and response); real ones are a few KiB. */
export const LOG_RECORD_BYTES_MAX = 64 * 1024 * 1024;

assert(GAS_BUDGET_MIN_MIST <= GAS_BUDGET_MAX_MIST, 'the minimum budget must be affordable');
assert(
  FAUCET_AMOUNT_MIST_DEFAULT <= FAUCET_AMOUNT_MIST_MAX,
  'the default faucet amount is bounded',
);
assert(
  RPC_BODY_BYTES_MAX > (TX_BYTES_MAX * 4) / 3 + TX_SIGNATURES_MAX * SIGNATURE_CHARS_MAX,
  'a request body must fit a maximal transaction and its signatures',
);
