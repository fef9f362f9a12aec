/**
 * Hostile quilts and patch IDs (docs/spec/quilts.md §4, §6, §7): every decoder refuses them with a
 * QuiltDecodeError or InvalidQuiltPatchIdError and a reason, never another exception, and never
 * allocates what a length field claims before checking it against the bytes it was given. Ends
 * with seeded mutations of valid quilts fed to every decoder.
 */
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../core/blob-id.js';
import {
  InvalidQuiltPatchIdError,
  QuiltDecodeError,
  type QuiltDecodeReason,
} from '../../../core/quilt/errors.js';
import { quiltGeometry, quiltGeometryOfLength } from '../../../core/quilt/geometry.js';
import {
  QUILT_PATCH_ID_BYTES,
  quiltPatchIdBytes,
  quiltPatchIdFromString,
} from '../../../core/quilt/patch-id.js';
import { buildQuilt } from '../../../core/quilt/quilt-builder.js';
import {
  decodeQuiltIndex,
  findQuiltPatch,
  quiltIndexColumns,
} from '../../../core/quilt/quilt-index.js';
import {
  patchColumnRange,
  quiltColumns,
  readQuiltPatch,
} from '../../../core/quilt/quilt-reader.js';
import { seededRandom } from '../../helpers/random.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const cat = (...parts: (Uint8Array | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => [...part]));
const u16 = (value: number) => [value & 0xff, value >>> 8];
const u32 = (value: number) => [
  value & 0xff,
  (value >>> 8) & 0xff,
  (value >>> 16) & 0xff,
  value >>> 24,
];
function uleb(value: number): number[] {
  const out = [];
  for (; value >= 0x80; value = Math.floor(value / 0x80)) out.push((value & 0x7f) | 0x80);
  out.push(value);
  return out;
}
const bcsString = (text: string | Uint8Array) => {
  const bytes = typeof text === 'string' ? utf8(text) : text;
  return cat(uleb(bytes.length), bytes);
};
/** BCS QuiltPatchV1 with an empty tag map unless `tags` (already BCS) is given. */
const entry = (endIndex: number, identifier: string | Uint8Array, tags = [0]) =>
  cat(u16(endIndex), bcsString(identifier), tags);
const indexBytes = (bcs: Uint8Array, declared = bcs.length, version = 1) =>
  cat([version], u32(declared), bcs);

// n = 10: 4 rows, 7 columns; S = 30 gives 120-byte columns.
const geometry = quiltGeometry(10, 30);
/** An item's bytes as `count` columns: column-major means the columns are its bytes in order. */
function asColumns(bytes: Uint8Array, count: number, columnBytes = geometry.columnBytes) {
  return Array.from({ length: count }, (_, i) => {
    const column = new Uint8Array(columnBytes);
    column.set(bytes.subarray(i * columnBytes, (i + 1) * columnBytes));
    return column;
  });
}

function expectDecodeError(action: () => unknown, reason: QuiltDecodeReason) {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${reason}`).toBeInstanceOf(QuiltDecodeError);
  expect((caught as QuiltDecodeError).reason).toBe(reason);
}

const sortedTags = cat([2], bcsString('a'), bcsString('1'), bcsString('zz'), bcsString('2'));
const unsortedTags = cat([2], bcsString('zz'), bcsString('2'), bcsString('a'), bcsString('1'));
const duplicateTags = cat([2], bcsString('a'), bcsString('1'), bcsString('a'), bcsString('2'));

describe('hostile quilt indexes', () => {
  const cases: [string, Uint8Array, QuiltDecodeReason, number?][] = [
    [
      'a version byte other than 1',
      indexBytes(cat([1], entry(2, 'a')), undefined, 2),
      'VERSION_MISMATCH',
    ],
    ['a length of 2^32 − 1', indexBytes(cat([0]), 0xffff_ffff), 'INDEX_TOO_LARGE'],
    ['a length past 10 columns', indexBytes(cat([0]), 10 * 120 - 4), 'INDEX_TOO_LARGE'],
    ['a length of 10 columns, 1 given', indexBytes(cat([0]), 10 * 120 - 5), 'MISSING_COLUMNS'],
    ['a truncated entry', indexBytes(cat([1], u16(2), [5], utf8('ab'))), 'MALFORMED_INDEX'],
    [
      'a declared length cutting the BCS',
      indexBytes(cat([1], entry(2, 'abc')), 4),
      'MALFORMED_INDEX',
    ],
    ['trailing bytes', indexBytes(cat([1], entry(2, 'a'), [0])), 'MALFORMED_INDEX'],
    ['a count of 2^32 − 1', indexBytes(cat([0xff, 0xff, 0xff, 0xff, 0x0f])), 'MALFORMED_INDEX'],
    [
      'an overlong uleb128 count',
      indexBytes(cat([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
      'MALFORMED_INDEX',
    ],
    ['a non-canonical count', indexBytes(cat([0x81, 0x00], entry(2, 'a'))), 'MALFORMED_INDEX'],
    [
      '7 patches at n = 10',
      indexBytes(cat([7], ...[2, 3, 4, 5, 6, 7, 7].map((e, i) => entry(e, `p${i}`)))),
      'MALFORMED_INDEX',
    ],
    [
      'unsorted tag keys',
      indexBytes(cat([1], entry(2, 'a', [...unsortedTags]))),
      'MALFORMED_INDEX',
    ],
    [
      'duplicate tag keys',
      indexBytes(cat([1], entry(2, 'a', [...duplicateTags]))),
      'MALFORMED_INDEX',
    ],
    [
      'an identifier that is not UTF-8',
      indexBytes(cat([1], entry(2, Uint8Array.of(0xc3, 0x28)))),
      'MALFORMED_INDEX',
    ],
    ['a first patch inside the index', indexBytes(cat([1], entry(1, 'a'))), 'PATCH_RANGE'],
    [
      'an empty first patch (the index spans 2 columns)',
      indexBytes(cat([2], entry(2, 'x'.repeat(150)), entry(3, 'b'))),
      'PATCH_RANGE',
      2,
    ],
    ['overlapping patches', indexBytes(cat([2], entry(4, 'a'), entry(3, 'b'))), 'PATCH_RANGE'],
    ['equal end indices', indexBytes(cat([2], entry(4, 'a'), entry(4, 'b'))), 'PATCH_RANGE'],
    ['a patch past the last column', indexBytes(cat([1], entry(8, 'a'))), 'PATCH_RANGE'],
    ['a patch past column 65 535', indexBytes(cat([1], entry(0xffff, 'a'))), 'PATCH_RANGE'],
  ];
  it.each(cases)('refuses %s', (_, bytes, reason, columns = 1) => {
    expectDecodeError(() => decodeQuiltIndex(geometry, asColumns(bytes, columns)), reason);
  });

  it('refuses the index from column 0 alone when its prefix is bad', () => {
    const [bad] = asColumns(indexBytes(cat([0]), 0xffff_ffff), 1);
    expectDecodeError(() => quiltIndexColumns(geometry, bad), 'INDEX_TOO_LARGE');
    const [version] = asColumns(indexBytes(cat([0]), 1, 0), 1);
    expectDecodeError(() => quiltIndexColumns(geometry, version), 'VERSION_MISMATCH');
    expect(quiltIndexColumns(geometry, asColumns(indexBytes(cat([0]), 300), 1)[0])).toBe(3);
  });

  it('refuses columns of the wrong size and missing columns', () => {
    const bytes = indexBytes(cat([1], entry(2, 'a')));
    expectDecodeError(() => decodeQuiltIndex(geometry, asColumns(bytes, 1, 119)), 'COLUMN_SIZE');
    expectDecodeError(() => decodeQuiltIndex(geometry, []), 'MISSING_COLUMNS');
    const long = indexBytes(cat([1], entry(4, 'x'.repeat(300))));
    expectDecodeError(() => decodeQuiltIndex(geometry, asColumns(long, 2)), 'MISSING_COLUMNS');
    expect(decodeQuiltIndex(geometry, asColumns(long, 3)).indexColumns).toBe(3);
  });

  it('refuses an index identifier no patch header can hold (over 65 535 bytes)', () => {
    const wide = quiltGeometry(10, 20_000); // 80 000-byte columns
    const identifier = 'i'.repeat(65_536);
    const bytes = indexBytes(cat([1], entry(3, identifier)));
    expectDecodeError(
      () => decodeQuiltIndex(wide, asColumns(bytes, 1, 80_000)),
      'INVALID_IDENTIFIER',
    );
  });

  it('lists what Rust lists: duplicates (the first wins) and names only a read refuses', () => {
    const bytes = indexBytes(cat([3], entry(2, 'dup'), entry(3, 'dup'), entry(4, 'bad ')));
    const index = decodeQuiltIndex(geometry, asColumns(bytes, 1));
    expect(findQuiltPatch(index, 'dup')).toEqual(index.patches[0]);
    expect(index.patches.map((p) => [p.startIndex, p.endIndex])).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    const patch = cat([1], u32(2 + 5), [0], u16(5), bcsString('bad '));
    expectDecodeError(
      () => readQuiltPatch(geometry, { start: 3, end: 4 }, asColumns(patch, 1)),
      'INVALID_IDENTIFIER',
    );
  });

  it('refuses a blob length that is not a quilt', () => {
    for (const length of [
      0,
      1,
      4 * 7 * 3,
      4 * 7 * 65_536,
      4 * 7 * 2 + 1,
      Number.MAX_SAFE_INTEGER,
    ]) {
      expectDecodeError(() => quiltGeometryOfLength(10, length), 'NOT_A_QUILT_LENGTH');
    }
    expect(quiltGeometryOfLength(10, 4 * 7 * 30)).toEqual(geometry);
  });
});

/** A patch header and sections, with `length` computed unless given. */
function patchBytes(parts: {
  identifier?: Uint8Array;
  tags?: Uint8Array;
  data?: Uint8Array;
  mask?: number;
  length?: number;
  version?: number;
}) {
  const identifier = parts.identifier ?? bcsString('file');
  const body = cat(
    u16(identifier.length),
    identifier,
    parts.tags === undefined ? [] : cat(u16(parts.tags.length), parts.tags),
    parts.data ?? utf8('hello'),
  );
  const mask = parts.mask ?? (parts.tags === undefined ? 0 : 1);
  return cat([parts.version ?? 1], u32(parts.length ?? body.length), [mask], body);
}

describe('hostile patches', () => {
  const range = { start: 1, end: 2 };
  const read = (bytes: Uint8Array, columns = 1) =>
    readQuiltPatch(geometry, { start: 1, end: 1 + columns }, asColumns(bytes, columns));

  it('reads a well-formed patch, ignoring mask bits other than bit 0', () => {
    expect(read(patchBytes({})).identifier).toBe('file');
    const tagged = read(patchBytes({ tags: sortedTags }));
    expect(Object.fromEntries(tagged.tags)).toEqual({ a: '1', zz: '2' });
    expect(read(patchBytes({ mask: 0xfe })).tags.size).toBe(0);
    const empty = read(patchBytes({ data: new Uint8Array(0) }));
    expect(empty.data.length).toBe(0);
  });

  const cases: [string, Uint8Array, QuiltDecodeReason][] = [
    ['a version byte other than 1', patchBytes({ version: 0 }), 'VERSION_MISMATCH'],
    ['a length of 2^32 − 1', patchBytes({ length: 0xffff_ffff }), 'PATCH_OUTSIDE_COLUMNS'],
    ['a length past its columns', patchBytes({ length: 120 - 6 + 1 }), 'PATCH_OUTSIDE_COLUMNS'],
    ['a length shorter than the identifier', patchBytes({ length: 4 }), 'MALFORMED_PATCH'],
    ['a length shorter than the idlen field', patchBytes({ length: 1 }), 'MALFORMED_PATCH'],
    [
      'a length shorter than the tags',
      patchBytes({ tags: sortedTags, length: 2 + 5 + 2 + 3 }),
      'MALFORMED_PATCH',
    ],
    [
      'no tags section behind the mask',
      patchBytes({ mask: 1, data: new Uint8Array(0) }),
      'MALFORMED_PATCH',
    ],
    [
      'an identifier that is not UTF-8',
      patchBytes({ identifier: bcsString(Uint8Array.of(0xff)) }),
      'MALFORMED_PATCH',
    ],
    [
      'an identifier with a byte past its BCS',
      patchBytes({ identifier: cat(bcsString('file'), [0]) }),
      'MALFORMED_PATCH',
    ],
    [
      'an identifier shorter than its BCS',
      patchBytes({ identifier: Uint8Array.of(9, 0x61) }),
      'MALFORMED_PATCH',
    ],
    ['an empty identifier', patchBytes({ identifier: bcsString('') }), 'INVALID_IDENTIFIER'],
    [
      'a control character',
      patchBytes({ identifier: bcsString('a\u0007b') }),
      'INVALID_IDENTIFIER',
    ],
    [
      'trailing White_Space',
      patchBytes({ identifier: bcsString('a\u3000') }),
      'INVALID_IDENTIFIER',
    ],
    ['unsorted tag keys', patchBytes({ tags: unsortedTags }), 'MALFORMED_PATCH'],
    ['duplicate tag keys', patchBytes({ tags: duplicateTags }), 'MALFORMED_PATCH'],
    ['truncated tags', patchBytes({ tags: sortedTags.subarray(0, 5) }), 'MALFORMED_PATCH'],
    [
      'tags with a byte past their BCS',
      patchBytes({ tags: cat(sortedTags, [0]) }),
      'MALFORMED_PATCH',
    ],
  ];
  it.each(cases)('refuses %s', (_, bytes, reason) => {
    expectDecodeError(() => read(bytes), reason);
  });

  it('refuses ranges outside the blob and the wrong number of columns', () => {
    const columns = asColumns(patchBytes({}), 1);
    for (const bad of [
      { start: 0, end: 1 },
      { start: 2, end: 2 },
      { start: 3, end: 2 },
      { start: 6, end: 8 },
      { start: 1.5, end: 2 },
      { start: 65_535, end: 65_536 },
    ]) {
      expectDecodeError(() => readQuiltPatch(geometry, bad, columns), 'PATCH_RANGE');
      expectDecodeError(
        () => patchColumnRange(geometry, { startIndex: bad.start, endIndex: bad.end }),
        'PATCH_RANGE',
      );
    }
    expectDecodeError(
      () => readQuiltPatch(geometry, { start: 1, end: 3 }, columns),
      'MISSING_COLUMNS',
    );
    expectDecodeError(
      () => readQuiltPatch(geometry, range, [...columns, ...columns]),
      'MISSING_COLUMNS',
    );
  });

  it('refuses a patch ID whose range does not start a patch, or is cut short', () => {
    const files = [
      { identifier: 'long', bytes: new Uint8Array(1000).fill(7) },
      { identifier: 'short', bytes: utf8('s') },
    ];
    const built = buildQuilt(files, 10);
    const long = findQuiltPatch(built.index, 'long')!;
    expect(long.endIndex - long.startIndex).toBeGreaterThan(2);
    const columns = (start: number, end: number) =>
      quiltColumns(built.quilt, built.geometry, { start, end });
    const middle = { start: long.startIndex + 1, end: long.endIndex };
    expectDecodeError(
      () => readQuiltPatch(built.geometry, middle, columns(middle.start, middle.end)),
      'VERSION_MISMATCH',
    );
    const cut = { start: long.startIndex, end: long.endIndex - 1 };
    expectDecodeError(
      () => readQuiltPatch(built.geometry, cut, columns(cut.start, cut.end)),
      'PATCH_OUTSIDE_COLUMNS',
    );
  });
});

describe('hostile quilt patch IDs', () => {
  const quiltId = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const valid = toBase64Url(quiltPatchIdBytes({ quiltId, startIndex: 2, endIndex: 5 }));
  const withInternal = (internal: number[]) => toBase64Url(cat(quiltId, internal));
  const cases: [string, string, string][] = [
    ['empty text', '', 'MALFORMED'],
    ['one character', 'A', 'MALFORMED'],
    ['a character outside base64url', `${valid.slice(0, 49)}+`, 'MALFORMED'],
    ['padding', `${valid}==`, 'MALFORMED'],
    ['non-canonical trailing bits', `${valid.slice(0, 49)}B`, 'MALFORMED'],
    ['a bare blob ID (32 bytes)', toBase64Url(quiltId), 'MALFORMED'],
    ['megabytes of text', 'A'.repeat(1_000_000), 'MALFORMED'],
    ['the stale OpenAPI form (36 bytes)', withInternal([1, 2, 0, 5]), 'UNSUPPORTED_INTERNAL_ID'],
    ['one internal byte', withInternal([1]), 'UNSUPPORTED_INTERNAL_ID'],
    ['38 bytes', withInternal([1, 2, 0, 5, 0, 0]), 'UNSUPPORTED_INTERNAL_ID'],
    ['internal version 2', withInternal([2, 2, 0, 5, 0]), 'UNSUPPORTED_INTERNAL_ID'],
    ['start 0 (the index)', withInternal([1, 0, 0, 5, 0]), 'INVALID_RANGE'],
    ['start = end', withInternal([1, 5, 0, 5, 0]), 'INVALID_RANGE'],
    ['start > end', withInternal([1, 6, 0, 5, 0]), 'INVALID_RANGE'],
  ];
  it.each(cases)('refuses %s', (_, text, reason) => {
    let caught: unknown;
    try {
      quiltPatchIdFromString(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidQuiltPatchIdError);
    expect((caught as InvalidQuiltPatchIdError).reason).toBe(reason);
  });

  it('parses the valid one, and refuses to encode what cannot be encoded', () => {
    expect(valid).toHaveLength(50);
    const parsed = quiltPatchIdFromString(valid);
    expect([parsed.quiltId, parsed.startIndex, parsed.endIndex]).toEqual([quiltId, 2, 5]);
    expect(quiltPatchIdBytes(parsed)).toHaveLength(QUILT_PATCH_ID_BYTES);
    expect(() =>
      quiltPatchIdBytes({ quiltId: quiltId.subarray(1), startIndex: 1, endIndex: 2 }),
    ).toThrow(RangeError);
    expect(() => quiltPatchIdBytes({ quiltId, startIndex: 1, endIndex: 65_536 })).toThrow(
      RangeError,
    );
    expect(() => quiltPatchIdFromString(42 as never)).toThrow(TypeError);
  });
});

describe('seeded mutations of valid quilts', () => {
  const SEED = 0xbad;
  const ROUNDS = 3000;
  const built = buildQuilt(
    [
      {
        identifier: 'a.json',
        bytes: utf8('{"a":1}'),
        tags: { 'content-type': 'application/json' },
      },
      { identifier: 'b.bin', bytes: new Uint8Array(500).fill(9), tags: { x: 'y', zz: 'w' } },
      { identifier: 'ç', bytes: new Uint8Array(0) },
    ],
    10,
  );
  const { geometry: shape, index } = built;
  const indexColumns = quiltColumns(built.quilt, shape, { start: 0, end: index.indexColumns });
  const patches = index.patches.map((patch) => {
    const range = { start: patch.startIndex, end: patch.endIndex };
    return { range, columns: quiltColumns(built.quilt, shape, range) };
  });

  /** Flips 1–4 random bytes, mostly in the first 64 where the headers are. */
  function mutate(columns: Uint8Array[], random: () => number): Uint8Array[] {
    const copy = columns.map((column) => Uint8Array.from(column));
    const flips = 1 + Math.floor(random() * 4);
    for (let f = 0; f < flips; f++) {
      const total = copy.length * shape.columnBytes;
      const at = Math.floor(random() * (random() < 0.8 ? Math.min(64, total) : total));
      const value =
        random() < 0.3
          ? [0, 0xff, 0x80, 0x7f][Math.floor(random() * 4)]
          : Math.floor(random() * 256);
      copy[Math.floor(at / shape.columnBytes)][at % shape.columnBytes] = value;
    }
    return copy;
  }

  it(`every decoder returns or throws its own error (seed ${SEED}, ${ROUNDS} rounds)`, () => {
    const random = seededRandom(SEED);
    const outcomes = new Map<string, number>();
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    for (let round = 0; round < ROUNDS; round++) {
      const attempts: (() => unknown)[] = [
        () => decodeQuiltIndex(shape, mutate(indexColumns, random)),
        () => quiltIndexColumns(shape, mutate(indexColumns, random)[0]),
      ];
      const patch = patches[round % patches.length];
      attempts.push(() => readQuiltPatch(shape, patch.range, mutate(patch.columns, random)));
      for (const attempt of attempts) {
        try {
          attempt();
          count('ok');
        } catch (error) {
          if (!(error instanceof QuiltDecodeError)) {
            throw new Error(`seed ${SEED} round ${round}: ${String(error)}`);
          }
          count(error.reason);
        }
      }
    }
    // The mutations reach the checks they are meant to reach.
    for (const reason of [
      'VERSION_MISMATCH',
      'MALFORMED_INDEX',
      'MALFORMED_PATCH',
      'PATCH_RANGE',
    ]) {
      expect(outcomes.get(reason), reason).toBeGreaterThan(0);
    }
  });
});
