/**
 * Object reads over JSON-RPC: `sui_multiGetObjects` in chunks of Sui's limit, with each answer
 * reduced to a reference, type, owner and BCS bytes, and a type check before decoding.
 */
import type { SuiJsonRpcClient, SuiObjectResponse } from '@mysten/sui/jsonRpc';
import { fromBase64, normalizeStructTag, normalizeSuiAddress } from '@mysten/sui/utils';
import { ChainObjectError, ChainRpcError } from './errors.js';
import type { ObjectRef } from './types.js';

/** Sui's `max_multi_get_objects`. */
export const MULTI_GET_OBJECTS_MAX = 50;

export interface FetchedObject {
  readonly ref: ObjectRef;
  readonly type: string;
  /** The owner address, for an address-owned object. */
  readonly owner: string | null;
  /** The initial shared version, for a shared object. */
  readonly sharedVersion: string | null;
  readonly bytes: Uint8Array;
}

export const OBJECT_OPTIONS = { showBcs: true, showOwner: true, showType: true } as const;

/** Every object of `ids`, in order; a missing one is a ChainObjectError `not-found`. */
export async function fetchObjects(
  client: SuiJsonRpcClient,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<FetchedObject[]> {
  const out: FetchedObject[] = [];
  for (let at = 0; at < ids.length; at += MULTI_GET_OBJECTS_MAX) {
    const chunk = ids.slice(at, at + MULTI_GET_OBJECTS_MAX);
    const responses = await client.multiGetObjects({ ids: chunk, options: OBJECT_OPTIONS, signal });
    if (responses.length !== chunk.length) {
      throw new ChainRpcError(
        `sui_multiGetObjects: ${responses.length} answers for ${chunk.length} IDs`,
        'sui_multiGetObjects',
        0,
      );
    }
    responses.forEach((response, i) => out.push(objectOf(response, chunk[i])));
  }
  return out;
}

export function objectOf(response: SuiObjectResponse, requestedId: string): FetchedObject {
  const data = response.data;
  if (data === undefined || data === null) {
    const code = response.error?.code ?? 'notExists';
    throw new ChainObjectError(
      requestedId,
      'not-found',
      `object ${requestedId} is not available (${code})`,
    );
  }
  const raw = data.bcs;
  if (raw === undefined || raw === null || raw.dataType !== 'moveObject') {
    throw new ChainObjectError(
      data.objectId,
      'wrong-type',
      `object ${data.objectId} is not a Move object`,
    );
  }
  const owner = data.owner;
  let address: string | null = null;
  let sharedVersion: string | null = null;
  if (owner !== null && owner !== undefined && typeof owner === 'object') {
    if ('AddressOwner' in owner) address = normalizeSuiAddress(owner.AddressOwner);
    else if ('Shared' in owner) sharedVersion = String(owner.Shared.initial_shared_version);
  }
  return {
    ref: {
      objectId: normalizeSuiAddress(data.objectId),
      version: String(data.version),
      digest: data.digest,
    },
    type: raw.type,
    owner: address,
    sharedVersion,
    bytes: fromBase64(raw.bcsBytes),
  };
}

export function checkType(object: FetchedObject, expected: string): void {
  if (normalizeStructTag(object.type) !== normalizeStructTag(expected)) {
    throw new ChainObjectError(
      object.ref.objectId,
      'wrong-type',
      `object ${object.ref.objectId} is a ${object.type}, not a ${expected}`,
    );
  }
}
