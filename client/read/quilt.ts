/**
 * Reading quilts (docs/spec/quilts.md §7) for the SDK, the CLI and the edge Worker: a patch costs
 * only its own columns (secondary slivers), plus the index columns when it is looked up by
 * identifier. Every column is verified against the quilt's verified metadata; hung, down or lying
 * nodes are raced with recovery symbols (quilt-columns.ts), the whole quilt is read (and
 * re-encoded, §7.3) only as the last resort.
 *
 * API (each call opens its own ReadNodes and cancels what is left in flight when it returns):
 *
 *   readQuiltColumns(quiltId, range, committee, options) → { metadata, columns }
 *       the data of columns [range.start, range.end), in order, n_p · S bytes each.
 *   readQuiltIndex(quiltId, committee, options) → { metadata, index }
 *       column 0, then columns 1..k−1 of the index; patches in index order.
 *   readQuiltPatchById(patchId, committee, options) → { quiltId, metadata, range, patch }
 *       `patchId`: the URL form (50 characters), the 37 bytes, or a decoded QuiltPatchId. Rust
 *       does not read the index for this (§7.1), nor does this.
 *   readQuiltPatchByIdentifier(quiltId, identifier, committee, options) →
 *       { metadata, index, range, patch } | undefined (no patch has that identifier); the first
 *       patch with it, as Rust (§7.2). `options.index`: an index the caller already holds.
 *
 * `patch` = { identifier, tags, data } from the patch's own header (§3, as Rust serves it).
 * `options.metadata`: verified metadata the caller holds (the Worker's cache): no metadata request.
 *
 * Errors: BlobNotFoundError (a quorum says the quilt is not stored), BlobUnavailableError (not
 * enough nodes answered with valid data; retry), BlobInconsistentError (verified data contradicts
 * the metadata) from ./errors.js; QuiltLimitError QUILT_BYTES when the columns asked for pass
 * `options.readBytesMax` (default 1 GiB), before any is fetched; QuiltDecodeError (reason: NOT_A_QUILT_LENGTH, PATCH_RANGE,
 * VERSION_MISMATCH, MALFORMED_INDEX, MALFORMED_PATCH, INVALID_IDENTIFIER, PATCH_OUTSIDE_COLUMNS, …)
 * when the verified bytes are not a valid quilt or patch; InvalidQuiltPatchIdError for a patch ID
 * that does not parse (both from core/quilt/errors.js).
 */
import type { Committee } from '../../core/chain/committee.js';
import type { VerifiedMetadata } from '../../core/encoding/metadata.js';
import type { QuiltGeometry } from '../../core/quilt/geometry.js';
import type { QuiltPatchContents } from '../../core/quilt/patch.js';
import {
  type QuiltPatchId,
  quiltPatchIdFromBytes,
  quiltPatchIdFromString,
} from '../../core/quilt/patch-id.js';
import {
  type QuiltIndex,
  type QuiltPatchEntry,
  decodeQuiltIndex,
  findQuiltPatch,
} from '../../core/quilt/quilt-index.js';
import {
  type ColumnRange,
  INDEX_HEAD_RANGE,
  indexColumnRange,
  patchColumnRange,
  readQuiltPatch,
} from '../../core/quilt/quilt-reader.js';
import { readVerifiedMetadata } from './metadata.js';
import { type ReadNodeOptions, ReadNodes } from './nodes.js';
import { type QuiltColumnOptions, QuiltColumnReader } from './quilt-columns.js';

export type { ColumnRange, QuiltIndex, QuiltPatchContents, QuiltPatchEntry, QuiltPatchId };

export interface QuiltReadOptions extends ReadNodeOptions, QuiltColumnOptions {
  /** The quilt's verified metadata, if the caller holds it (e.g. from a cache). */
  readonly metadata?: VerifiedMetadata;
}

export interface QuiltIdentifierReadOptions extends QuiltReadOptions {
  /** The quilt's decoded index, if the caller holds it: the index columns are not read. */
  readonly index?: QuiltIndex;
}

export interface QuiltColumnsRead {
  readonly metadata: VerifiedMetadata;
  readonly columns: Uint8Array[];
}

export interface QuiltIndexRead {
  readonly metadata: VerifiedMetadata;
  readonly index: QuiltIndex;
}

export interface QuiltPatchRead {
  readonly quiltId: Uint8Array;
  readonly metadata: VerifiedMetadata;
  /** The patch's columns [start, end). */
  readonly range: ColumnRange;
  readonly patch: QuiltPatchContents;
}

export interface QuiltPatchByIdentifierRead {
  readonly metadata: VerifiedMetadata;
  readonly index: QuiltIndex;
  readonly range: ColumnRange;
  readonly patch: QuiltPatchContents;
}

/** One read of one quilt: its nodes, its verified metadata and its columns. */
async function withQuilt<T>(
  quiltId: Uint8Array,
  committee: Committee,
  options: QuiltReadOptions,
  read: (quilt: QuiltColumnReader, metadata: VerifiedMetadata) => Promise<T>,
): Promise<T> {
  const nodes = new ReadNodes(committee, options);
  try {
    const metadata = options.metadata ?? (await readVerifiedMetadata(quiltId, nodes));
    return await read(new QuiltColumnReader(quiltId, metadata, nodes, options), metadata);
  } finally {
    nodes.close();
  }
}

/** The data of columns `range` of a quilt, verified (see the header). */
export function readQuiltColumns(
  quiltId: Uint8Array,
  range: ColumnRange,
  committee: Committee,
  options: QuiltReadOptions = {},
): Promise<QuiltColumnsRead> {
  return withQuilt(quiltId, committee, options, async (quilt, metadata) => ({
    metadata,
    columns: await quilt.columns(range),
  }));
}

async function indexOf(quilt: QuiltColumnReader): Promise<QuiltIndex> {
  const [column0] = await quilt.columns(INDEX_HEAD_RANGE);
  const range = indexColumnRange(quilt.geometry, column0);
  const rest = range.end > 1 ? await quilt.columns({ start: 1, end: range.end }) : [];
  return decodeQuiltIndex(quilt.geometry, [column0, ...rest]);
}

/** The quilt's index: column 0 first (its prefix says how many columns follow), then the rest. */
export function readQuiltIndex(
  quiltId: Uint8Array,
  committee: Committee,
  options: QuiltReadOptions = {},
): Promise<QuiltIndexRead> {
  return withQuilt(quiltId, committee, options, async (quilt, metadata) => ({
    metadata,
    index: await indexOf(quilt),
  }));
}

function parsePatchId(patchId: string | Uint8Array | QuiltPatchId): QuiltPatchId {
  if (typeof patchId === 'string') return quiltPatchIdFromString(patchId);
  if (patchId instanceof Uint8Array) return quiltPatchIdFromBytes(patchId);
  return patchId;
}

async function patchAt(
  quilt: QuiltColumnReader,
  geometry: QuiltGeometry,
  entry: { readonly startIndex: number; readonly endIndex: number },
): Promise<{ range: ColumnRange; patch: QuiltPatchContents }> {
  const range = patchColumnRange(geometry, entry);
  return { range, patch: readQuiltPatch(geometry, range, await quilt.columns(range)) };
}

/** The patch a QuiltPatchId names, from its own columns only (§7.1). */
export async function readQuiltPatchById(
  patchId: string | Uint8Array | QuiltPatchId,
  committee: Committee,
  options: QuiltReadOptions = {},
): Promise<QuiltPatchRead> {
  const id = parsePatchId(patchId);
  return withQuilt(id.quiltId, committee, options, async (quilt, metadata) => ({
    quiltId: id.quiltId,
    metadata,
    ...(await patchAt(quilt, quilt.geometry, id)),
  }));
}

/**
 * The first patch whose identifier is `identifier` (§7.2), or undefined when the index lists none.
 */
export function readQuiltPatchByIdentifier(
  quiltId: Uint8Array,
  identifier: string,
  committee: Committee,
  options: QuiltIdentifierReadOptions = {},
): Promise<QuiltPatchByIdentifierRead | undefined> {
  return withQuilt(quiltId, committee, options, async (quilt, metadata) => {
    const index = options.index ?? (await indexOf(quilt));
    const entry = findQuiltPatch(index, identifier);
    if (entry === undefined) return undefined;
    return { metadata, index, ...(await patchAt(quilt, quilt.geometry, entry)) };
  });
}
