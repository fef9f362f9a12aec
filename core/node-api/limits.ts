/**
 * Limits of the storage-node API that both sides must know: the node enforces them (answering 400
 * or 503) and clients split their requests to stay within them.
 */
import { assert } from '../assert.js';

/** Pairs in one batch sliver read; above this a client splits its request. */
export const BATCH_PAIRS_MAX = 1024;
/** Bytes of sliver data one batch read may return; bounds how long the read holds its slot. */
export const BATCH_RESPONSE_BYTES_MAX = 256 * 1024 * 1024;
/** Characters of the `pairs=` list; a list of 1024 five-digit indices fits. */
export const BATCH_PAIRS_QUERY_CHARS_MAX = 8 * 1024;
/** Symbol IDs in one recovery-symbol request: each may expand a different sliver. */
export const RECOVERY_SYMBOL_IDS_MAX = 256;

assert(BATCH_PAIRS_MAX <= 0xffff, 'the batch framing counts entries in a u16');
