/**
 * Paged queries behind the JSON-RPC list methods: owned objects with Sui's object filters,
 * events with Sui's event filters and `{txDigest, eventSeq}` cursors, coins and balances.
 */
import { eventJson, type EventRecord } from './effects.js';
import { QUERY_RESULTS_MAX } from './limits.js';
import type { Ledger } from './ledger.js';
import { coinInnerType, formatType, parseType, structBase, type MoveType } from './move-types.js';
import type { ObjectRecord } from './objects.js';
import { coinBalance } from './ptb.js';
import { invalidParams } from './request-errors.js';
import { address, digest, limit, options, typeString } from './rpc-params.js';

/** Nesting of `MatchAll`/`MatchAny`/`MatchNone` object filters. */
const FILTER_DEPTH_MAX = 4;

// ---- Object filters ----

type ObjectFilter = (record: ObjectRecord) => boolean;

function structMatcher(text: unknown): ObjectFilter {
  const wanted = typeString(text, 'StructType');
  if (wanted.kind !== 'struct') throw invalidParams('StructType must be a struct type');
  const full = formatType(wanted);
  const baseOnly = wanted.typeArgs.length === 0;
  return (record) => {
    const type = parseType(record.type);
    if (type.kind !== 'struct') return false;
    return formatType(type) === full || (baseOnly && structBase(type) === structBase(wanted));
  };
}

export function objectFilter(raw: unknown, depth = 0): ObjectFilter {
  if (raw === undefined || raw === null) return () => true;
  if (depth > FILTER_DEPTH_MAX || typeof raw !== 'object' || Array.isArray(raw))
    throw invalidParams('bad object filter');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length !== 1) throw invalidParams('an object filter has exactly one key');
  const [kind, value] = entries[0];
  const list = (v: unknown) => {
    if (!Array.isArray(v) || v.length > QUERY_RESULTS_MAX)
      throw invalidParams(`${kind} takes a list of filters`);
    return v.map((f) => objectFilter(f, depth + 1));
  };
  switch (kind) {
    case 'StructType':
      return structMatcher(value);
    case 'Package': {
      const pkg = address(value, 'Package');
      return (r) =>
        parseType(r.type).kind === 'struct' &&
        (parseType(r.type) as { address: string }).address === pkg;
    }
    case 'MoveModule': {
      const m = options(value, 'MoveModule');
      const pkg = address(m.package, 'MoveModule.package');
      return (r) => {
        const t = parseType(r.type);
        return t.kind === 'struct' && t.address === pkg && t.module === m.module;
      };
    }
    case 'ObjectId': {
      const id = address(value, 'ObjectId');
      return (r) => r.id === id;
    }
    case 'ObjectIds': {
      if (!Array.isArray(value) || value.length > QUERY_RESULTS_MAX)
        throw invalidParams('ObjectIds takes a list');
      const ids = new Set(value.map((v) => address(v, 'ObjectIds')));
      return (r) => ids.has(r.id);
    }
    case 'MatchAll': {
      const fs = list(value);
      return (r) => fs.every((f) => f(r));
    }
    case 'MatchAny': {
      const fs = list(value);
      return (r) => fs.some((f) => f(r));
    }
    case 'MatchNone': {
      const fs = list(value);
      return (r) => !fs.some((f) => f(r));
    }
    default:
      throw invalidParams(`object filter ${kind} is not supported`);
  }
}

/** A page of records after an ID cursor (records are sorted by ID). */
export function page<T extends { id: string }>(
  records: readonly T[],
  cursor: unknown,
  size: number,
) {
  const after = cursor === undefined || cursor === null ? undefined : address(cursor, 'cursor');
  const start = after === undefined ? 0 : records.findIndex((r) => r.id > after);
  const rest = start < 0 ? [] : records.slice(start);
  const data = rest.slice(0, size);
  return {
    data,
    hasNextPage: rest.length > size,
    nextCursor: data.length === 0 ? null : data[data.length - 1].id,
  };
}

// ---- Events ----

type EventFilter = (event: EventRecord) => boolean;

function eventFilter(raw: unknown): EventFilter {
  if (raw === undefined || raw === null) return () => true;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParams('bad event filter');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length !== 1) throw invalidParams('an event filter has exactly one key');
  const [kind, value] = entries[0];
  switch (kind) {
    case 'All':
      if (Array.isArray(value) && value.length === 0) return () => true;
      throw invalidParams('only an empty All filter is supported');
    case 'MoveEventType': {
      const wanted = typeString(value, 'MoveEventType');
      if (wanted.kind !== 'struct') throw invalidParams('MoveEventType must be a struct type');
      const full = formatType(wanted);
      const baseOnly = wanted.typeArgs.length === 0;
      return (e) =>
        e.type === full ||
        (baseOnly && structBase(parseType(e.type) as never) === structBase(wanted));
    }
    case 'MoveEventModule':
    case 'MoveModule': {
      const m = options(value, kind);
      const pkg = address(m.package, `${kind}.package`);
      if (typeof m.module !== 'string') throw invalidParams(`${kind}.module must be a string`);
      if (kind === 'MoveModule') return (e) => e.packageId === pkg && e.module === m.module;
      return (e) => {
        const t = parseType(e.type);
        return t.kind === 'struct' && t.address === pkg && t.module === m.module;
      };
    }
    case 'Sender': {
      const sender = address(value, 'Sender');
      return (e) => e.sender === sender;
    }
    case 'Transaction': {
      const d = digest(value, 'Transaction');
      return (e) => e.txDigest === d;
    }
    default:
      throw invalidParams(`event filter ${kind} is not supported`);
  }
}

export function queryEvents(ledger: Ledger, params: readonly unknown[]): unknown {
  const filter = eventFilter(params[0]);
  const cursor = params[1];
  const size = limit(params[2]);
  const descending = params[3] === true;
  const events = ledger.state.events;
  let position: number;
  if (cursor === undefined || cursor === null) {
    position = descending ? events.length : -1;
  } else {
    const c = options(cursor, 'cursor');
    const seq = Number(c.eventSeq);
    const found = ledger.state.eventPosition(digest(c.txDigest, 'cursor.txDigest'), seq);
    if (found === undefined) throw invalidParams('cursor does not name a known event');
    position = found;
  }
  const step = descending ? -1 : 1;
  const data: EventRecord[] = [];
  let hasNextPage = false;
  for (let i = position + step; i >= 0 && i < events.length; i += step) {
    if (!filter(events[i])) continue;
    if (data.length === size) {
      hasNextPage = true;
      break;
    }
    data.push(events[i]);
  }
  const last = data[data.length - 1];
  const nextCursor =
    last === undefined
      ? (cursor ?? null)
      : { txDigest: last.txDigest, eventSeq: String(last.eventSeq) };
  return { data: data.map(eventJson), nextCursor, hasNextPage };
}

// ---- Coins ----

export function coinsOf(ledger: Ledger, owner: string, coinType: MoveType | undefined) {
  const wanted = coinType === undefined ? undefined : formatType(coinType);
  return ledger.state.ownedBy(owner).filter((record) => {
    const inner = coinInnerType(parseType(record.type));
    return inner !== undefined && (wanted === undefined || formatType(inner) === wanted);
  });
}

export function coinStruct(record: ObjectRecord) {
  return {
    coinType: formatType(coinInnerType(parseType(record.type))!, true),
    coinObjectId: record.id,
    version: record.version.toString(),
    digest: record.digest,
    balance: coinBalance(record.contents).toString(),
    previousTransaction: record.previousTransaction,
  };
}

export function balances(records: readonly ObjectRecord[]) {
  const totals = new Map<string, { count: number; total: bigint }>();
  for (const record of records) {
    const type = formatType(coinInnerType(parseType(record.type))!, true);
    const entry = totals.get(type) ?? { count: 0, total: 0n };
    entry.count += 1;
    entry.total += coinBalance(record.contents);
    totals.set(type, entry);
  }
  return [...totals.entries()].map(([coinType, t]) => ({
    coinType,
    coinObjectCount: t.count,
    totalBalance: t.total.toString(),
    lockedBalance: {},
  }));
}
