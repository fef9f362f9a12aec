/**
 * One transaction's view of the object store: every object it loaded, created, changed or removed,
 * and the events it emitted. Nothing touches the store until the ledger commits the set, so an
 * abort anywhere simply drops it.
 */
import { assert } from '../../core/assert.js';
import {
  CREATED_OBJECTS_PER_TX_MAX,
  EVENTS_PER_TX_MAX,
  EVENT_BYTES_MAX,
  OBJECT_BYTES_MAX,
} from './limits.js';
import { deriveObjectId } from './hashing.js';
import { ExecutionFailure, objectTooBig, PackageBug } from './errors.js';
import type { DynamicFieldName, ObjectRecord, Owner } from './objects.js';
import { formatType, parseType, type MoveType, type StructType } from './move-types.js';

/** How the object entered the transaction; decides whether it is written back unchanged. */
export type ObjectRole =
  | 'owned-input'
  | 'immutable-input'
  | 'shared-mut-input'
  | 'shared-imm-input'
  | 'gas'
  | 'child'
  | 'fresh'
  | 'system';

export interface WorkingObject {
  readonly id: string;
  type: MoveType;
  contents: Uint8Array;
  /** Null while the object is a value inside the transaction (fresh, or moved by value). */
  owner: Owner | null;
  hasPublicTransfer: boolean;
  status: 'live' | 'deleted' | 'wrapped';
  /** The stored record before this transaction, if the object existed. */
  readonly before: ObjectRecord | undefined;
  /** The ID was minted by this transaction (or is a new dynamic field). */
  readonly createdHere: boolean;
  readonly role: ObjectRole;
  /** Contents, owner or status changed. */
  dirty: boolean;
  dynamicField?: DynamicFieldName;
}

export interface PendingEvent {
  readonly packageId: string;
  readonly module: string;
  readonly type: StructType;
  readonly bcs: Uint8Array;
  readonly json: unknown;
}

/** Read access to the committed store (the clock already synthesized). */
export type ObjectReader = (id: string) => ObjectRecord | undefined;

export class WorkingSet {
  readonly objects = new Map<string, WorkingObject>();
  readonly events: PendingEvent[] = [];
  readonly #minted = new Set<string>();
  #idsCreated = 0;

  constructor(
    readonly txDigest: string,
    private readonly reader: ObjectReader,
  ) {}

  /** `tx_context::fresh_id`: the next ID derived from the digest and the creation counter. */
  mintId(): string {
    if (this.#idsCreated >= CREATED_OBJECTS_PER_TX_MAX) {
      throw new ExecutionFailure({ InvariantViolation: true }, 'InvariantViolation');
    }
    const id = deriveObjectId(this.txDigest, this.#idsCreated++);
    this.#minted.add(id);
    return id;
  }

  wasMinted(id: string): boolean {
    return this.#minted.has(id);
  }

  get(id: string): WorkingObject | undefined {
    return this.objects.get(id);
  }

  /** The object as this transaction sees it, loading it from the store on first touch. */
  load(id: string, role: ObjectRole): WorkingObject | undefined {
    const existing = this.objects.get(id);
    if (existing !== undefined) return existing;
    const record = this.reader(id);
    if (record === undefined) return undefined;
    const object: WorkingObject = {
      id,
      type: parseType(record.type),
      contents: record.contents,
      owner: record.owner,
      hasPublicTransfer: record.hasPublicTransfer,
      status: 'live',
      before: record,
      createdHere: false,
      role,
      dirty: false,
      dynamicField: record.dynamicField,
    };
    this.objects.set(id, object);
    return object;
  }

  /** Adds an object that exists only in this transaction (new, unwrapped, or a new field). */
  addNew(
    id: string,
    type: MoveType,
    contents: Uint8Array,
    hasPublicTransfer: boolean,
    options: { createdHere: boolean; owner?: Owner | null; dynamicField?: DynamicFieldName },
  ): WorkingObject {
    checkSize(contents);
    if (contents.length < 32 || !sameId(contents, id)) {
      throw new PackageBug(`object ${id}: contents must start with its UID`);
    }
    assert(
      !this.objects.has(id) || this.objects.get(id)!.status !== 'live',
      'a live object is not re-added',
    );
    const previous = this.objects.get(id);
    const object: WorkingObject = {
      id,
      type,
      contents,
      owner: options.owner ?? null,
      hasPublicTransfer,
      status: 'live',
      before: previous?.before,
      createdHere: previous?.createdHere ?? options.createdHere,
      role: previous?.role ?? 'fresh',
      dirty: true,
      dynamicField: options.dynamicField,
    };
    this.objects.set(id, object);
    return object;
  }

  setContents(object: WorkingObject, contents: Uint8Array): void {
    checkSize(contents);
    if (contents.length < 32 || !sameId(contents, object.id)) {
      throw new PackageBug(`object ${object.id}: contents must start with its UID`);
    }
    object.contents = contents;
    object.dirty = true;
  }

  emit(event: PendingEvent): void {
    if (this.events.length >= EVENTS_PER_TX_MAX) {
      throw new PackageBug(`more than ${EVENTS_PER_TX_MAX} events in one transaction`);
    }
    if (event.bcs.length > EVENT_BYTES_MAX) {
      throw new PackageBug(`event ${formatType(event.type)} exceeds ${EVENT_BYTES_MAX} bytes`);
    }
    this.events.push(event);
  }
}

function checkSize(contents: Uint8Array): void {
  if (contents.length > OBJECT_BYTES_MAX) throw objectTooBig(contents.length, OBJECT_BYTES_MAX);
}

function sameId(contents: Uint8Array, id: string): boolean {
  const hex = Array.from(contents.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join('');
  return `0x${hex}` === id;
}
