/**
 * Building the bytes of a V1 quilt from files, as walrus-core's `QuiltEncoderV1::construct_quilt`
 * (docs/spec/quilts.md §5): validate, sort by identifier (UTF-8 bytes), refuse duplicates, find
 * the symbol size, write each patch column-major from column k, then the index from column 0.
 * Every limit of §2 is checked before the quilt buffer is allocated.
 */
import { assert } from '../assert.js';
import { encodingParams } from '../encoding/config.js';
import { writeColumnMajor } from './columns.js';
import { DuplicateIdentifierError, QuiltLimitError } from './errors.js';
import {
  type QuiltGeometry,
  columnsForBytes,
  quiltGeometry,
  quiltSymbolBytes,
} from './geometry.js';
import { compareUtf8, validateQuiltIdentifier } from './identifier.js';
import {
  INDEX_COLUMNS_MAX,
  INDEX_PREFIX_BYTES,
  QUILT_BODY_BYTES_DEFAULT,
  QUILT_BYTES_DEFAULT,
  quiltPatchesMax,
} from './limits.js';
import { type QuiltTagsInput, patchPrefix, tagsOf } from './patch.js';
import {
  type QuiltIndex,
  type QuiltPatchEntry,
  quiltIndexPrefix,
  serializeQuiltIndex,
} from './quilt-index.js';

/** One file of the quilt. */
export interface QuiltFile {
  readonly identifier: string;
  readonly bytes: Uint8Array;
  readonly tags?: QuiltTagsInput;
}

export interface QuiltBuildOptions {
  /** Sum of the files' bytes; default QUILT_BODY_BYTES_DEFAULT (the publisher's 100 MiB). */
  readonly bodyBytesMax?: number;
  /** The quilt buffer n_p · n_s · S; default QUILT_BYTES_DEFAULT (1 GiB). */
  readonly quiltBytesMax?: number;
}

export interface BuiltQuilt {
  /** The quilt blob: store it as an ordinary blob (with attribute `_walrusBlobType = "quilt"`). */
  readonly quilt: Uint8Array;
  readonly geometry: QuiltGeometry;
  readonly index: QuiltIndex;
}

/** The on-chain attribute writers attach to a quilt blob (docs/spec/quilts.md §5.5). */
export const QUILT_BLOB_TYPE_ATTRIBUTE = Object.freeze({ _walrusBlobType: 'quilt' });

interface PreparedPatch {
  readonly file: QuiltFile;
  readonly identifierUtf8: Uint8Array;
  readonly tags: ReadonlyMap<string, string>;
  readonly prefix: Uint8Array;
  /** Prefix and file bytes: the patch's serialized length. */
  readonly serializedBytes: number;
}

export function buildQuilt(
  files: readonly QuiltFile[],
  nShards: number,
  options: QuiltBuildOptions = {},
): BuiltQuilt {
  const patches = preparePatches(files, nShards, options.bodyBytesMax ?? QUILT_BODY_BYTES_DEFAULT);
  // The index's size does not depend on the end indices (u16 fields), so it is known now.
  const draftIndex = serializeQuiltIndex(
    patches.map((patch) => ({ identifier: patch.file.identifier, tags: patch.tags, endIndex: 0 })),
  );
  const indexBytes = INDEX_PREFIX_BYTES + draftIndex.length;
  const geometry = geometryFor(
    nShards,
    [indexBytes, ...patches.map((patch) => patch.serializedBytes)],
    options.quiltBytesMax ?? QUILT_BYTES_DEFAULT,
  );
  const quilt = new Uint8Array(geometry.quiltBytes);
  const indexColumns = columnsForBytes(geometry, indexBytes);
  assert(indexColumns <= INDEX_COLUMNS_MAX, 'the symbol size search keeps the index in 10 columns');
  const entries: QuiltPatchEntry[] = [];
  let column = indexColumns;
  for (const patch of patches) {
    writeColumnMajor(quilt, geometry, column, 0, patch.prefix);
    writeColumnMajor(quilt, geometry, column, patch.prefix.length, patch.file.bytes);
    const endIndex = column + columnsForBytes(geometry, patch.serializedBytes);
    entries.push({
      identifier: patch.file.identifier,
      tags: patch.tags,
      startIndex: column,
      endIndex,
    });
    column = endIndex;
  }
  assert(column <= geometry.columnCount, 'the symbol size search fits every patch');
  const indexBcs = serializeQuiltIndex(entries);
  assert(indexBcs.length === draftIndex.length, 'end indices do not change the index size');
  writeColumnMajor(quilt, geometry, 0, 0, quiltIndexPrefix(indexBcs.length));
  writeColumnMajor(quilt, geometry, 0, INDEX_PREFIX_BYTES, indexBcs);
  return { quilt, geometry, index: { indexColumns, patches: entries } };
}

/**
 * The cheap bounds (count, total bytes) first, then walrus-core's order: identifiers, sort,
 * duplicates, the per-patch limits. Returns the patches in index order.
 */
function preparePatches(
  files: readonly QuiltFile[],
  nShards: number,
  bodyBytesMax: number,
): PreparedPatch[] {
  if (!Array.isArray(files)) throw new TypeError('quilt files must be an array');
  const patchesMax = quiltPatchesMax(nShards);
  if (files.length > patchesMax) {
    throw new QuiltLimitError('PATCH_COUNT', files.length, patchesMax, `patches at n = ${nShards}`);
  }
  let bodyBytes = 0;
  for (const file of files) {
    if (!(file?.bytes instanceof Uint8Array))
      throw new TypeError('every quilt file needs its bytes as a Uint8Array');
    bodyBytes += file.bytes.length;
  }
  if (bodyBytes > bodyBytesMax) {
    throw new QuiltLimitError('BODY_BYTES', bodyBytes, bodyBytesMax, 'bytes of files in the quilt');
  }
  const validated = files.map((file) => ({
    file,
    identifierUtf8: validateQuiltIdentifier(file.identifier),
    tags: tagsOf(file.tags),
  }));
  validated.sort((a, b) => compareUtf8(a.identifierUtf8, b.identifierUtf8));
  for (let i = 1; i < validated.length; i++) {
    if (compareUtf8(validated[i - 1].identifierUtf8, validated[i].identifierUtf8) === 0)
      throw new DuplicateIdentifierError(validated[i].file.identifier);
  }
  return validated.map((patch) => {
    const prefix = patchPrefix(patch.file.identifier, patch.tags, patch.file.bytes.length);
    return { ...patch, prefix, serializedBytes: prefix.length + patch.file.bytes.length };
  });
}

function geometryFor(nShards: number, sizes: number[], quiltBytesMax: number): QuiltGeometry {
  const { nPrimary, nSecondary } = encodingParams(nShards);
  const symbolBytes = quiltSymbolBytes(sizes, nSecondary, nPrimary, INDEX_COLUMNS_MAX);
  const geometry = quiltGeometry(nShards, symbolBytes);
  if (geometry.quiltBytes > quiltBytesMax) {
    throw new QuiltLimitError(
      'QUILT_BYTES',
      geometry.quiltBytes,
      quiltBytesMax,
      `quilt bytes (symbol size ${symbolBytes}: column granularity)`,
    );
  }
  return geometry;
}
