/**
 * Mirror of `walrus_edge::metadata` (move/sources/metadata.move): blob attributes as a
 * `VecMap<String, String>` (insertion order kept; removal keeps the others' order).
 */
import { bcs } from '@mysten/sui/bcs';
import { vecMapLayout } from '../ledger/framework.js';
import type { CallContext, FunctionDef, ModuleDef, MutRef } from '../ledger/registry.js';
import {
  ensure,
  recordFunctionOrder,
  returnsReference,
  STRING_TYPE,
  typeName,
  utf8Length,
} from './common.js';

const M = 'metadata';

// Move: metadata abort codes.
export const EKeyNotFound = 0;
export const ETooManyPairs = 1;
export const EEntryTooLong = 2;

const PAIRS_MAX = 100;
const ENTRY_BYTES_MAX = 1024;

export const METADATA_TYPE = typeName(M, 'Metadata');

/** BCS field order: metadata (`VecMap<String, String>`). */
export const METADATA = bcs.struct('Metadata', {
  metadata: vecMapLayout(bcs.string(), bcs.string()),
});

export interface MetadataFields {
  metadata: { contents: { key: string; value: string }[] };
}

// Move: walrus_edge::metadata::new
export function newMetadata(): MetadataFields {
  return { metadata: { contents: [] } };
}

function indexOf(self: MetadataFields, key: string): number {
  return self.metadata.contents.findIndex((entry) => entry.key === key);
}

// Move: walrus_edge::metadata::insert_or_update
export function insertOrUpdate(
  ctx: CallContext,
  self: MetadataFields,
  key: string,
  value: string,
): void {
  ensure(
    ctx,
    utf8Length(key) <= ENTRY_BYTES_MAX && utf8Length(value) <= ENTRY_BYTES_MAX,
    M,
    'insert_or_update',
    EEntryTooLong,
  );
  const index = indexOf(self, key);
  if (index >= 0) {
    self.metadata.contents[index].value = value;
  } else {
    ensure(ctx, self.metadata.contents.length < PAIRS_MAX, M, 'insert_or_update', ETooManyPairs);
    self.metadata.contents.push({ key, value });
  }
}

// Move: walrus_edge::metadata::remove
export function remove(ctx: CallContext, self: MetadataFields, key: string): [string, string] {
  const index = indexOf(self, key);
  ensure(ctx, index >= 0, M, 'remove', EKeyNotFound);
  const [entry] = self.metadata.contents.splice(index, 1);
  return [entry.key, entry.value];
}

// Move: walrus_edge::metadata::remove_if_exists
export function removeIfExists(self: MetadataFields, key: string): string | null {
  const index = indexOf(self, key);
  if (index < 0) return null;
  const [entry] = self.metadata.contents.splice(index, 1);
  return entry.value;
}

// Move: walrus_edge::metadata::get
export function get(self: MetadataFields, key: string): string | null {
  const index = indexOf(self, key);
  return index < 0 ? null : self.metadata.contents[index].value;
}

type Ref = MutRef<MetadataFields>;

/** Edits a copy of a `&mut Metadata` value and writes it back. */
function edit<R>(ref: Ref, change: (fields: MetadataFields) => R): R {
  const fields = structuredClone(ref.value);
  const result = change(fields);
  ref.set(fields);
  return result;
}

const T = METADATA_TYPE;

const functions: Record<string, FunctionDef> = {
  // Move: walrus_edge::metadata::new
  new: { params: [], returns: [T], execute: () => newMetadata() },
  // Move: walrus_edge::metadata::insert_or_update
  insert_or_update: {
    params: [`&mut ${T}`, STRING_TYPE, STRING_TYPE],
    execute: (ctx, [self, key, value]: [Ref, string, string]) =>
      edit(self, (fields) => insertOrUpdate(ctx, fields, key, value)),
  },
  // Move: walrus_edge::metadata::remove
  remove: {
    params: [`&mut ${T}`, `&${STRING_TYPE}`],
    returns: [STRING_TYPE, STRING_TYPE],
    execute: (ctx, [self, key]: [Ref, string]) => edit(self, (fields) => remove(ctx, fields, key)),
  },
  // Move: walrus_edge::metadata::remove_if_exists
  remove_if_exists: {
    params: [`&mut ${T}`, `&${STRING_TYPE}`],
    returns: [`0x1::option::Option<${STRING_TYPE}>`],
    execute: (_ctx, [self, key]: [Ref, string]) =>
      edit(self, (fields) => removeIfExists(fields, key)),
  },
  // Move: walrus_edge::metadata::get
  get: {
    params: [`&${T}`, `&${STRING_TYPE}`],
    returns: [`0x1::option::Option<${STRING_TYPE}>`],
    execute: (_ctx, [self, key]: [MetadataFields, string]) => get(self, key),
  },
  // Move: walrus_edge::metadata::size
  size: {
    params: [`&${T}`],
    returns: ['u64'],
    execute: (_ctx, [self]: [MetadataFields]) => String(self.metadata.contents.length),
  },
  // Move: walrus_edge::metadata::pairs (returns a reference)
  pairs: returnsReference([`&${T}`], `0x2::vec_map::VecMap<${STRING_TYPE}, ${STRING_TYPE}>`),
};
recordFunctionOrder(M, functions);

export const metadataModule: ModuleDef = {
  structs: { Metadata: { abilities: ['drop', 'store'], layout: METADATA } },
  functions,
};
