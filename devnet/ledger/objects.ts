/**
 * Stored objects: the record type, owners, and Sui's object digest over the `Object` BCS.
 */
import { bcs } from '@mysten/sui/bcs';
import { toBase58 } from '@mysten/sui/utils';
import { hashTyped } from './hashing.js';
import { coinInnerType, formatType, parseType, typeTagOf, type MoveType } from './move-types.js';

export type Owner =
  | { readonly kind: 'address'; readonly address: string }
  | { readonly kind: 'object'; readonly parent: string }
  | { readonly kind: 'shared'; readonly initialSharedVersion: bigint }
  | { readonly kind: 'immutable' };

/** The name half of a dynamic field, kept beside the Field object so listings need no layouts. */
export interface DynamicFieldName {
  readonly nameType: string;
  readonly name: Uint8Array;
}

export interface ObjectRecord {
  readonly id: string;
  readonly version: bigint;
  readonly digest: string;
  readonly owner: Owner;
  /** Canonical long-form struct tag. */
  readonly type: string;
  /** The Move struct's BCS; its first 32 bytes are the UID. */
  readonly contents: Uint8Array;
  readonly hasPublicTransfer: boolean;
  readonly previousTransaction: string;
  readonly storageRebate: bigint;
  readonly dynamicField?: DynamicFieldName;
}

export const ZERO_ADDRESS = `0x${'0'.repeat(64)}`;
/** Base58 of 32 zero bytes: the digest Sui shows for "no object" (e.g. a gasless gas object). */
export const ZERO_DIGEST = toBase58(new Uint8Array(32));
/** Sui's `ObjectDigest::OBJECT_DIGEST_DELETED` and `OBJECT_DIGEST_WRAPPED`. */
export const DELETED_DIGEST = toBase58(new Uint8Array(32).fill(99));
export const WRAPPED_DIGEST = toBase58(new Uint8Array(32).fill(88));

export function ownerToBcs(owner: Owner): Parameters<typeof bcs.Owner.serialize>[0] {
  switch (owner.kind) {
    case 'address':
      return { AddressOwner: owner.address };
    case 'object':
      return { ObjectOwner: owner.parent };
    case 'shared':
      return { Shared: { initialSharedVersion: owner.initialSharedVersion } };
    case 'immutable':
      return { Immutable: null };
  }
}

/** The JSON-RPC `ObjectOwner` shape. */
export function ownerToJson(owner: Owner): unknown {
  switch (owner.kind) {
    case 'address':
      return { AddressOwner: owner.address };
    case 'object':
      return { ObjectOwner: owner.parent };
    case 'shared':
      return { Shared: { initial_shared_version: Number(owner.initialSharedVersion) } };
    case 'immutable':
      return 'Immutable';
  }
}

function moveObjectType(type: MoveType): Parameters<typeof bcs.MoveObjectType.serialize>[0] {
  const inner = coinInnerType(type);
  if (inner !== undefined) {
    const innerText = formatType(inner);
    if (innerText === formatType(parseType('0x2::sui::SUI'))) return { GasCoin: null };
    return { Coin: innerText };
  }
  if (type.kind !== 'struct')
    throw new TypeError(`object type must be a struct, got ${formatType(type)}`);
  return {
    Other: {
      address: type.address,
      module: type.module,
      name: type.name,
      typeParams: type.typeArgs.map(typeTagOf) as never,
    },
  };
}

/** BCS of Sui's `Object` (data, owner, previous transaction, storage rebate). */
export function objectBcs(record: Omit<ObjectRecord, 'digest'>): Uint8Array {
  return bcs.Object.serialize({
    data: {
      Move: {
        type: moveObjectType(parseType(record.type)),
        hasPublicTransfer: record.hasPublicTransfer,
        version: record.version,
        contents: record.contents,
      },
    },
    owner: ownerToBcs(record.owner),
    previousTransaction: record.previousTransaction,
    storageRebate: record.storageRebate,
  }).toBytes();
}

/** Sui's object digest: Blake2b-256 over `"Object::" ‖ BCS(Object)`. */
export function objectDigest(record: Omit<ObjectRecord, 'digest'>): string {
  return toBase58(hashTyped('Object', objectBcs(record)));
}

export function withDigest(record: Omit<ObjectRecord, 'digest'>): ObjectRecord {
  return { ...record, digest: objectDigest(record) };
}
