/**
 * Walrus's `GET /v1/blobs/by-object-id/{objectId}` (docs/spec/api.md §3.1): the Blob object on Sui
 * names the blob, its lifetime and its attributes; the attributes on the allow-list become
 * response headers (never overwriting the ones the read sets). The object's own storage period
 * bounds caching exactly, which reads by blob ID can only estimate.
 */
import type { SuiChain } from '../core/chain/sui-chain.js';
import { ChainObjectError } from '../core/chain/errors.js';
import type { ChainBlob } from '../core/chain/types.js';
import { blobIdToString } from '../core/blob-id.js';
import { EdgeErrors } from './api-errors.js';
import { type EdgeStatus, expiryLowerBoundMs } from './blob-info.js';
import type { EdgeStatusKind } from './status-ttl.js';
import type { BlobTarget, ReadContext } from './read-context.js';
import { MemoryLru } from '../core/memory-lru.js';
import type { WorkerConfig } from './env.js';

/**
 * A Blob object can be extended at any time, and a deletable one deleted: a permanent object's
 * lookup is reused for this long, a deletable one's no longer than its status is trusted.
 */
export const OBJECT_LOOKUP_TTL_MS = 60_000;
const OBJECT_MEMORY_ENTRIES_MAX = 1_024;
/** Attribute values longer than this, or with control characters, are not sent as headers. */
export const ATTRIBUTE_VALUE_CHARS_MAX = 4_096;
const OBJECT_ID = /^0x[0-9a-fA-F]{1,64}$/;
/**
 * No control characters (CR and LF would split a header). Characters past ASCII are fine: workerd
 * writes a header string as its UTF-8 bytes, which is what Walrus sends for attribute and quilt
 * tag values.
 */
const HEADER_VALUE = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;

interface Lookup {
  readonly blob: ChainBlob;
  readonly attributes: ReadonlyMap<string, string>;
  readonly atMs: number;
}

const lookups = new MemoryLru<Lookup>(OBJECT_MEMORY_ENTRIES_MAX);

async function lookup(
  chain: SuiChain,
  objectId: string,
  nowMs: number,
  deletableTtlMs: number,
): Promise<Lookup> {
  const known = lookups.get(objectId);
  const ttlMs =
    known?.blob.deletable === true
      ? Math.min(deletableTtlMs, OBJECT_LOOKUP_TTL_MS)
      : OBJECT_LOOKUP_TTL_MS;
  if (known !== undefined && nowMs - known.atMs < ttlMs) return known;
  try {
    const [blob, attributes] = await Promise.all([
      chain.readBlob(objectId),
      chain.readBlobAttributes(objectId),
    ]);
    const found: Lookup = { blob, attributes, atMs: nowMs };
    lookups.set(objectId, found);
    return found;
  } catch (error) {
    if (error instanceof ChainObjectError) {
      throw EdgeErrors.objectNotFound(`no Blob object ${objectId}: ${error.message}`);
    }
    throw EdgeErrors.chainUnavailable(`the chain cannot be read: ${(error as Error).message}`);
  }
}

/** The allow-listed attributes as headers, names lower-cased, values that are safe to send. */
export function attributeHeaders(
  attributes: ReadonlyMap<string, string>,
  allowed: readonly string[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of attributes) {
    const name = key.toLowerCase();
    if (!allowed.includes(name)) continue;
    if (value.length > ATTRIBUTE_VALUE_CHARS_MAX || !HEADER_VALUE.test(value)) continue;
    headers[name] = value.trim();
  }
  return headers;
}

export async function objectTarget(
  read: ReadContext,
  chain: SuiChain,
  objectIdText: string,
  config: WorkerConfig,
): Promise<BlobTarget> {
  if (!OBJECT_ID.test(objectIdText)) {
    throw EdgeErrors.invalidObjectId(`${JSON.stringify(objectIdText)} is not a 0x-prefixed hex ID`);
  }
  const nowMs = read.now();
  const { blob, attributes } = await lookup(
    chain,
    objectIdText.toLowerCase(),
    nowMs,
    config.statusTtlS.deletable * 1000,
  );
  const committee = await read.committee();
  if (blob.storage.endEpoch <= committee.epoch) {
    throw EdgeErrors.blobNotFound(
      `Blob object ${objectIdText} expired in epoch ${blob.storage.endEpoch}`,
    );
  }
  const fresh = (kind: EdgeStatusKind) => nowMs + config.statusTtlS[kind] * 1000;
  let status: EdgeStatus;
  if (blob.certifiedEpoch === null) {
    status = { kind: 'uncertified', freshUntilMs: fresh('uncertified') };
  } else if (blob.deletable) {
    // Deletable: trusted as long as the object lookup is, and never past its storage period.
    const expiresAtMs = expiryLowerBoundMs(committee, blob.storage.endEpoch, nowMs);
    status = {
      kind: 'deletable',
      expiresAtMs,
      freshUntilMs: Math.min(fresh('deletable'), expiresAtMs),
    };
  } else {
    const expiresAtMs = expiryLowerBoundMs(committee, blob.storage.endEpoch, nowMs);
    status = {
      kind: 'permanent',
      endEpoch: blob.storage.endEpoch,
      expiresAtMs,
      freshUntilMs: Math.min(fresh('permanent'), expiresAtMs),
    };
  }
  return {
    blobId: blob.blobId,
    blobIdText: blobIdToString(blob.blobId),
    attributes: attributeHeaders(attributes, config.attributeHeaders),
    status,
  };
}
