/**
 * Every limit of docs/spec/quilts.md §2 refused with a QuiltLimitError that names it, and the
 * values just inside each limit accepted. Identifier rules are walrus-core's
 * (`validate_quilt_identifier`), not JavaScript's `trimEnd`.
 */
import { describe, expect, it } from 'vitest';
import { DuplicateIdentifierError, QuiltLimitError } from '../../../core/quilt/errors.js';
import { quiltSymbolBytes } from '../../../core/quilt/geometry.js';
import { validateQuiltIdentifier } from '../../../core/quilt/identifier.js';
import { PATCH_LENGTH_MAX, quiltPatchesMax } from '../../../core/quilt/limits.js';
import { patchPrefix } from '../../../core/quilt/patch.js';
import { type QuiltFile, buildQuilt } from '../../../core/quilt/quilt-builder.js';

/** A test title: long identifiers are cut (a 65 KB title floods the CI log). */
const label = (text: string): string =>
  text.length > 40
    ? `${JSON.stringify(text.slice(0, 12))}… (${text.length} UTF-16 units)`
    : JSON.stringify(text);

const one = new Uint8Array([1]);

function expectLimit(action: () => unknown, limit: string, value?: number | string) {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(QuiltLimitError);
  const error = caught as QuiltLimitError;
  expect(error.limit).toBe(limit);
  expect(error.message).toContain(limit);
  if (value !== undefined) expect(error.value).toBe(value);
  return error;
}

describe('quilt limits', () => {
  it('PATCH_COUNT: at most n_s − 1 patches', () => {
    expect([4, 10, 100, 1000].map(quiltPatchesMax)).toEqual([2, 6, 66, 666]);
    const files = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ identifier: `f${i}`, bytes: one }));
    expect(() => buildQuilt(files(6), 10)).not.toThrow();
    const error = expectLimit(() => buildQuilt(files(7), 10), 'PATCH_COUNT', 7);
    expect(error.max).toBe(6);
    expect(error.message).toMatch(/: 7 \(at most 6\)/);
    expectLimit(() => buildQuilt(files(667), 1000), 'PATCH_COUNT', 667);
  });

  const refused: [string, string][] = [
    ['', 'IDENTIFIER_EMPTY'],
    ['trailing ', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['tab\t', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['nl\n', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['nbsp\u00a0', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['nel\u0085', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['ogham\u1680', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['thin\u2009', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['ls\u2028', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['ideographic\u3000', 'IDENTIFIER_TRAILING_WHITESPACE'],
    ['nul\u0000x', 'IDENTIFIER_CONTROL_CHARACTER'],
    ['\u001btest', 'IDENTIFIER_CONTROL_CHARACTER'],
    ['del\u007fx', 'IDENTIFIER_CONTROL_CHARACTER'],
    ['c1\u0085x', 'IDENTIFIER_CONTROL_CHARACTER'],
    ['apc\u009fx', 'IDENTIFIER_CONTROL_CHARACTER'],
    ['lone\ud800x', 'IDENTIFIER_NOT_UNICODE'],
    ['\udc00lone', 'IDENTIFIER_NOT_UNICODE'],
    ['a'.repeat(65_536), 'IDENTIFIER_BYTES'],
    ['é'.repeat(32_768), 'IDENTIFIER_BYTES'],
    // 65 532 bytes: BCS adds 3 bytes of length, 65 535 is not below 65 535.
    ['a'.repeat(65_532), 'IDENTIFIER_BCS_BYTES'],
  ];
  it.each(refused.map(([identifier, limit]) => [label(identifier), identifier, limit] as const))(
    'refuses identifier %s (%s)',
    (_, identifier, limit) => {
      expectLimit(() => validateQuiltIdentifier(identifier), limit);
      expectLimit(() => buildQuilt([{ identifier, bytes: one }], 10), limit);
    },
  );

  const accepted = [
    'a',
    '_test',
    '-test',
    '.test',
    'test blob',
    ' leading space',
    'zero-width\u200b', // U+200B is not White_Space
    'bom\ufeff', // Rust's trim_end keeps U+FEFF (JS trimEnd would strip it)
    'emoji\u{1F600}',
    'a/b/c.json',
    'a'.repeat(65_531),
  ];
  it.each(accepted.map((identifier) => [label(identifier), identifier] as const))(
    'accepts identifier %s',
    (_, identifier) => {
      expect(validateQuiltIdentifier(identifier)).toEqual(new TextEncoder().encode(identifier));
    },
  );

  it('refuses a tag that is not Unicode or whose BCS passes 65 535 bytes', () => {
    const file = (tags: Record<string, string>): QuiltFile => ({
      identifier: 'f',
      bytes: one,
      tags,
    });
    expectLimit(() => buildQuilt([file({ k: 'bad\ud800' })], 10), 'TAG_NOT_UNICODE');
    expectLimit(() => buildQuilt([file({ '\udfff': 'v' })], 10), 'TAG_NOT_UNICODE');
    // 1 (count) + 2 (BCS "k") + 3 (uleb) + 65 530 = 65 536 bytes.
    expectLimit(() => buildQuilt([file({ k: 'v'.repeat(65_530) })], 10), 'TAGS_BCS_BYTES', 65_536);
    expect(() => buildQuilt([file({ k: 'v'.repeat(65_529) })], 10)).not.toThrow();
  });

  it('refuses duplicate identifiers, by UTF-8 bytes (no normalization)', () => {
    const files = [
      { identifier: 'x', bytes: one },
      { identifier: 'y', bytes: one },
      { identifier: 'x', bytes: new Uint8Array([2]) },
    ];
    expect(() => buildQuilt(files, 10)).toThrow(DuplicateIdentifierError);
    const composed = [
      { identifier: 'é', bytes: one },
      { identifier: 'e\u0301', bytes: one },
    ];
    expect(() => buildQuilt(composed, 10)).not.toThrow();
  });

  it('PATCH_LENGTH: the u32 length field of a serialized patch', () => {
    const overhead = 2 + 2; // idlen + BCS("f")
    expect(() => patchPrefix('f', new Map(), PATCH_LENGTH_MAX - overhead)).not.toThrow();
    expectLimit(
      () => patchPrefix('f', new Map(), PATCH_LENGTH_MAX - overhead + 1),
      'PATCH_LENGTH',
      2 ** 32,
    );
  });

  it('SYMBOL_BYTES: a quilt whose symbol size would pass 65 534 (QuiltOversize)', () => {
    // At n = 10 a file has at most 6 columns of 4 × 65 534 bytes, less its header.
    const big = new Uint8Array(6 * 4 * 65_534);
    expectLimit(() => buildQuilt([{ identifier: 'big', bytes: big }], 10), 'SYMBOL_BYTES');
  });

  it('INDEX_BYTES: an index that needs more than 10 columns of the largest symbols', () => {
    // 20 columns of 4 rows: room for the bytes, but the index may use only 10 of them.
    expect(quiltSymbolBytes([10 * 4 * 65_534], 20, 4, 10)).toBe(65_534);
    expectLimit(() => quiltSymbolBytes([10 * 4 * 65_534 + 1], 20, 4, 10), 'INDEX_BYTES');
  });

  it("BODY_BYTES and QUILT_BYTES: the caller's memory bounds", () => {
    const files = [{ identifier: 'f', bytes: new Uint8Array(1000) }];
    expectLimit(() => buildQuilt(files, 10, { bodyBytesMax: 999 }), 'BODY_BYTES', 1000);
    expect(() => buildQuilt(files, 10, { bodyBytesMax: 1000 })).not.toThrow();
    // 1 000 bytes in 6 free columns of n_p = 4 rows: S = 44, a quilt of 4 × 7 × 44 bytes.
    const quiltBytes = buildQuilt(files, 10).quilt.length;
    expectLimit(() => buildQuilt(files, 10, { quiltBytesMax: quiltBytes - 1 }), 'QUILT_BYTES');
    expect(() => buildQuilt(files, 10, { quiltBytesMax: quiltBytes })).not.toThrow();
  });

  it('refuses what is not a list of files', () => {
    expect(() => buildQuilt({} as never, 10)).toThrow(TypeError);
    expect(() => buildQuilt([{ identifier: 'f', bytes: 'text' } as never], 10)).toThrow(TypeError);
    expect(() => buildQuilt([{ identifier: 7, bytes: one } as never], 10)).toThrow(TypeError);
  });
});
