/**
 * Quilt patches as the SDK and the CLI hand them out: plain objects (tags as a record, the patch
 * ID in its URL form), and the selections of Walrus's `read-quilt` (by identifiers, by one tag, by
 * patch IDs, all). A selection that needs the index reads it once, and every patch of the same
 * quilt reuses the verified metadata, so each further patch costs only its own columns.
 */
import type { Committee } from '../core/chain/committee.js';
import { blobIdFromString, blobIdToString } from '../core/blob-id.js';
import type { VerifiedMetadata } from '../core/encoding/metadata.js';
import type { QuiltTags } from '../core/quilt/patch.js';
import { quiltPatchIdFromString, quiltPatchIdToString } from '../core/quilt/patch-id.js';
import type { QuiltIndex, QuiltPatchEntry } from '../core/quilt/quilt-index.js';
import { QuiltPatchNotFoundError } from './read/errors.js';
import { type QuiltReadOptions, readQuiltIndex, readQuiltPatchById } from './read/quilt.js';

/** A patch of the index: what `list-patches-in-quilt` shows. */
export interface QuiltPatchInfo {
  readonly identifier: string;
  readonly quiltPatchId: string;
  /** Columns [start, end). */
  readonly range: readonly [number, number];
  /** From the index. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A patch read back. */
export interface QuiltPatch {
  /** From the patch's own header. */
  readonly identifier: string;
  readonly quiltPatchId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
}

/** Which patches to read, as Walrus's `read-quilt` selects them. */
export type QuiltPatchSelection =
  | { readonly quiltId: QuiltIdInput; readonly identifiers: readonly string[] }
  | { readonly quiltId: QuiltIdInput; readonly tag: readonly [key: string, value: string] }
  | { readonly quiltPatchIds: readonly string[] }
  | { readonly quiltId: QuiltIdInput };

/** A quilt ID as bytes or in its displayed form (a blob ID). */
export type QuiltIdInput = Uint8Array | string;

const quiltIdBytes = (id: QuiltIdInput) => (typeof id === 'string' ? blobIdFromString(id) : id);

const recordOf = (tags: QuiltTags): Record<string, string> => Object.fromEntries(tags);

function infoOf(quiltId: Uint8Array, entry: QuiltPatchEntry): QuiltPatchInfo {
  return {
    identifier: entry.identifier,
    quiltPatchId: quiltPatchIdToString({
      quiltId,
      startIndex: entry.startIndex,
      endIndex: entry.endIndex,
    }),
    range: [entry.startIndex, entry.endIndex],
    tags: recordOf(entry.tags),
  };
}

/** Every patch of the quilt's index, in index order. */
export async function listQuiltPatches(
  quiltId: Uint8Array,
  committee: Committee,
  options: QuiltReadOptions = {},
): Promise<QuiltPatchInfo[]> {
  const { index } = await readQuiltIndex(quiltId, committee, options);
  return index.patches.map((entry) => infoOf(quiltId, entry));
}

/** One patch by its ID (URL form): its own columns only. */
export async function readQuiltPatch(
  quiltPatchId: string,
  committee: Committee,
  options: QuiltReadOptions = {},
): Promise<QuiltPatch> {
  const { patch } = await readQuiltPatchById(quiltPatchId, committee, options);
  return {
    identifier: patch.identifier,
    quiltPatchId,
    tags: recordOf(patch.tags),
    data: patch.data,
  };
}

/**
 * The patches a selection names, in the order asked (identifiers, patch IDs) or in index order
 * (a tag, all). An identifier no patch has is QuiltPatchNotFoundError, as Walrus fails the read.
 */
export async function readQuiltPatches(
  selection: QuiltPatchSelection,
  committee: Committee,
  options: QuiltReadOptions = {},
): Promise<QuiltPatch[]> {
  if ('quiltPatchIds' in selection) {
    // Patches of one quilt share its metadata: fetched once per quilt.
    const metadataOf = new Map<string, VerifiedMetadata>();
    const out: QuiltPatch[] = [];
    for (const id of selection.quiltPatchIds) {
      const quilt = blobIdToString(quiltPatchIdFromString(id).quiltId);
      const read = await readQuiltPatchById(id, committee, {
        ...options,
        metadata: options.metadata ?? metadataOf.get(quilt),
      });
      metadataOf.set(quilt, read.metadata);
      out.push({
        identifier: read.patch.identifier,
        quiltPatchId: id,
        tags: recordOf(read.patch.tags),
        data: read.patch.data,
      });
    }
    return out;
  }
  const quiltId = quiltIdBytes(selection.quiltId);
  const { metadata, index } = await readQuiltIndex(quiltId, committee, options);
  const entries = selectEntries(selection, index, quiltId);
  const out: QuiltPatch[] = [];
  for (const entry of entries) {
    const info = infoOf(quiltId, entry);
    out.push(await readQuiltPatch(info.quiltPatchId, committee, { ...options, metadata }));
  }
  return out;
}

function selectEntries(
  selection: Exclude<QuiltPatchSelection, { quiltPatchIds: readonly string[] }>,
  index: QuiltIndex,
  quiltId: Uint8Array,
): QuiltPatchEntry[] {
  if ('identifiers' in selection) {
    return selection.identifiers.map((identifier) => {
      // The first patch with the identifier, as Rust (docs/spec/quilts.md §7.2).
      const entry = index.patches.find((patch) => patch.identifier === identifier);
      if (entry === undefined)
        throw new QuiltPatchNotFoundError(blobIdToString(quiltId), identifier);
      return entry;
    });
  }
  if ('tag' in selection) {
    const [key, value] = selection.tag;
    return index.patches.filter((patch) => patch.tags.get(key) === value);
  }
  return [...index.patches];
}
