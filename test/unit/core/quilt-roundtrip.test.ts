/**
 * Build → read round trips (docs/spec/quilts.md §5, §7): unicode identifiers in UTF-8 order,
 * empty files, the most patches a committee allows, tags of every size up to the u16 limit, and
 * seeded random quilts read back patch by patch from their columns.
 */
import { describe, expect, it } from 'vitest';
import { quiltPatchesMax, TAGS_BCS_BYTES_MAX } from '../../../core/quilt/limits.js';
import { serializeTags } from '../../../core/quilt/patch.js';
import { type QuiltFile, buildQuilt } from '../../../core/quilt/quilt-builder.js';
import { decodeQuiltIndex } from '../../../core/quilt/quilt-index.js';
import {
  indexColumnRange,
  quiltColumns,
  readQuiltPatch,
} from '../../../core/quilt/quilt-reader.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes, seededRandom } from '../../helpers/random.js';

/** Builds, then reads the index and every patch from the quilt's columns; checks all of it. */
function roundTrip(files: readonly QuiltFile[], nShards: number) {
  const built = buildQuilt(files, nShards);
  const { geometry } = built;
  const column0 = quiltColumns(built.quilt, geometry, { start: 0, end: 1 })[0];
  const index = decodeQuiltIndex(
    geometry,
    quiltColumns(built.quilt, geometry, indexColumnRange(geometry, column0)),
  );
  expect(index).toEqual(built.index);
  const byIdentifier = new Map(files.map((file) => [file.identifier, file]));
  for (const entry of index.patches) {
    const range = { start: entry.startIndex, end: entry.endIndex };
    const patch = readQuiltPatch(geometry, range, quiltColumns(built.quilt, geometry, range));
    const file = byIdentifier.get(entry.identifier)!;
    expect(patch.identifier).toBe(file.identifier);
    expectBytes(patch.data, file.bytes, file.identifier);
    const tags = file.tags instanceof Map ? file.tags : new Map(Object.entries(file.tags ?? {}));
    expect(patch.tags).toEqual(tags);
    expect(entry.tags).toEqual(tags);
  }
  return { built, index };
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('quilt round trips', () => {
  it('orders unicode identifiers by UTF-8 bytes, as walrus-core', () => {
    // UTF-16 order would put '\u{1F600}' (a surrogate pair, 0xD83D…) before '\uFF61'.
    const identifiers = [
      '\uFF61half',
      '\u{1F600}grin',
      'zeta',
      'Zeta',
      'é',
      'e\u0301',
      '名前',
      'a b',
    ];
    const files = identifiers.map((identifier, i) => ({ identifier, bytes: utf8(`${i}`) }));
    const { index } = roundTrip(files, 100);
    expect(index.patches.map((p) => p.identifier)).toEqual([
      'Zeta',
      'a b',
      'e\u0301',
      'zeta',
      'é',
      '名前',
      '\uFF61half',
      '\u{1F600}grin',
    ]);
  });

  it('keeps empty files, with and without tags', () => {
    const files: QuiltFile[] = [
      { identifier: 'a', bytes: new Uint8Array(0) },
      { identifier: 'b', bytes: new Uint8Array(0), tags: { k: 'v' } },
      { identifier: 'c', bytes: new Uint8Array(0), tags: { '': '' } },
    ];
    roundTrip(files, 10);
    roundTrip(files, 1000);
  });

  it('holds an empty quilt (the encoder allows it; the publisher refuses it)', () => {
    const { built } = roundTrip([], 10);
    expect(built.index.patches).toEqual([]);
  });

  for (const nShards of [4, 10, 100, 1000]) {
    it(`holds n_s − 1 = ${quiltPatchesMax(nShards)} patches at n = ${nShards}`, () => {
      const files = Array.from({ length: quiltPatchesMax(nShards) }, (_, i) => ({
        identifier: `patch-${String(i).padStart(4, '0')}`,
        bytes: randomBytes(i % 7, i),
      }));
      const { built } = roundTrip(files, nShards);
      expect(built.index.patches.at(-1)!.endIndex).toBe(built.geometry.columnCount);
    });
  }

  it('carries tags of every size up to the u16 limit on BCS(tags)', () => {
    // One key, a value whose BCS (uleb128 length + bytes) fills the map to exactly 65 535 bytes.
    const overhead = serializeTags(new Map([['k', '']])).length;
    const valueBytes = TAGS_BCS_BYTES_MAX - overhead - 2; // two more bytes of uleb128 length
    const sizes = [0, 1, 127, 128, 16_383, 16_384, valueBytes];
    const files = sizes.map((size, i) => ({
      identifier: `tagged-${i}`,
      bytes: randomBytes(50, i),
      tags: { k: 'v'.repeat(size), [`key-${i}`]: 'x' },
    }));
    expect(serializeTags(new Map([['k', 'v'.repeat(valueBytes)]])).length).toBe(TAGS_BCS_BYTES_MAX);
    roundTrip(files.slice(0, 6), 100);
    // The largest one alone (two keys would pass the limit).
    roundTrip(
      [{ identifier: 'max', bytes: new Uint8Array(3), tags: { k: 'v'.repeat(valueBytes) } }],
      10,
    );
    // Many keys, sorted by their BCS bytes: length first.
    const many = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`k${'x'.repeat(i % 17)}${i}`, `${i}`]),
    );
    roundTrip([{ identifier: 'many', bytes: utf8('m'), tags: many }], 10);
  });

  it('accepts tags given as a Map and the longest identifier walrus-core accepts', () => {
    // 65 531 bytes: uleb128(65 531) is 3 bytes, so BCS(id) is 65 534 < 65 535.
    const identifier = 'i'.repeat(65_531);
    roundTrip(
      [{ identifier, bytes: utf8('x'), tags: new Map([['content-type', 'text/plain']]) }],
      10,
    );
  });

  it('round-trips seeded random quilts', () => {
    const SEED = 0x9017;
    const random = seededRandom(SEED);
    for (let round = 0; round < 40; round++) {
      const nShards = [4, 7, 10, 31, 100][Math.floor(random() * 5)];
      const count = Math.floor(random() * (quiltPatchesMax(nShards) + 1));
      const sizeMax = [0, 10, 1_000, 20_000][Math.floor(random() * 4)];
      const files = Array.from({ length: count }, (_, i): QuiltFile => ({
        identifier: `r${round}-${Math.floor(random() * 1e9)}-${i}`,
        bytes: randomBytes(Math.floor(random() * (sizeMax + 1)), SEED + round * 1000 + i),
        tags:
          random() < 0.5
            ? undefined
            : { index: `${i}`, note: 'n'.repeat(Math.floor(random() * 300)) },
      }));
      try {
        roundTrip(files, nShards);
      } catch (error) {
        throw new Error(`seed ${SEED} round ${round}: ${(error as Error).message}`);
      }
    }
  });
});
