/** RFC 9110 §14 ranges: the docs/spec/edge-platform.md §5.1 matrix, multi-range rules, and invariants. */
import { describe, expect, it } from 'vitest';
import {
  RANGES_COVERAGE_FULL_RATIO,
  RANGES_MAX,
  RANGE_GAP_COALESCE_BYTES,
  RANGE_HEADER_CHARS_MAX,
  coalesceRanges,
  contentRange,
  decideRanges,
  parseRange,
  unsatisfiedContentRange,
  type ByteRange,
  type RangesDecision,
} from '../../../workers/ranges.js';

const L = 1000;
const partial = (...pairs: [number, number][]): RangesDecision => ({
  kind: 'partial',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const full = (reason: string) => ({ kind: 'full', reason });
const unsatisfiable = { kind: 'unsatisfiable' };

describe('decideRanges: the conformance matrix (L = 1000)', () => {
  it.each([
    [null, full('absent')],
    ['bytes=0-1', partial([0, 1])],
    ['bytes=100-', partial([100, 999])],
    ['bytes=-500', partial([500, 999])],
    ['bytes=-5000', partial([0, 999])], // suffix longer than the body: all of it, still a 206
    ['bytes=0-', partial([0, 999])], // players probe with this and need a 206
    ['bytes=1000-', unsatisfiable],
    ['bytes=-0', unsatisfiable],
    ['bytes=1000-2000,-0', unsatisfiable],
    ['bytes=990-5000', partial([990, 999])], // clipped
    ['bytes=999-999', partial([999, 999])],
    ['bytes=0-0,-1', partial([0, 0], [999, 999])],
    ['bytes=2000-,0-9', partial([0, 9])], // the unsatisfiable spec is dropped
  ] as const)('%s', (header, expected) => {
    expect(decideRanges(header, L)).toEqual(expected);
  });
});

describe('decideRanges: syntax', () => {
  it.each([
    'bytes=abc',
    'items=0-1',
    'bytes=5-1', // last-pos below first-pos invalidates the whole set
    'bytes=0-1,5-1',
    'bytes=',
    'bytes=,',
    'bytes= , ',
    'bytes=0-1,abc',
    'bytes 0-1',
    'bytes = 0-1',
    'bytes=1-2-3',
    'bytes=+1-2',
    'bytes=0x1-2',
    'bytes=1 -2',
    'bytes=-',
    'bytes=--1',
    'bytes=-1-',
    'bytes=1.5-2',
    'bytes=0-1;q=1',
    '=0-1',
    '',
    'bytes=\u0661-2', // a non-ASCII digit
    'bytes=0-1\n',
  ])('ignores %j (a full 200)', (header) => {
    expect(decideRanges(header, L)).toEqual(full('invalid'));
  });

  it.each([
    ['BYTES=0-1', partial([0, 1])], // the unit is case-insensitive
    ['Bytes=0-1', partial([0, 1])],
    ['bytes=000-001', partial([0, 1])],
    ['bytes=,0-1,', partial([0, 1])], // empty list elements are ignored
    ['bytes= 0-1 ,\t500-501 ', partial([0, 1], [500, 501])], // OWS around elements
  ] as const)('accepts %j', (header, expected) => {
    expect(decideRanges(header, L)).toEqual(expected);
  });

  it('parses large numerals without overflow', () => {
    const huge = '9'.repeat(40);
    expect(decideRanges(`bytes=${huge}-`, L)).toEqual(unsatisfiable);
    expect(decideRanges(`bytes=0-${huge}`, L)).toEqual(partial([0, 999]));
    expect(decideRanges(`bytes=-${huge}`, L)).toEqual(partial([0, 999]));
    // Equal once rounded to a double, yet last < first: still invalid.
    expect(decideRanges('bytes=100000000000000000001-100000000000000000000', L)).toEqual(
      full('invalid'),
    );
    expect(decideRanges(`bytes=9007199254740991-`, Number.MAX_SAFE_INTEGER)).toEqual(unsatisfiable);
    expect(decideRanges(`bytes=9007199254740990-${huge}`, Number.MAX_SAFE_INTEGER)).toEqual(
      partial([Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER - 1]),
    );
  });

  it(`ignores a header over ${RANGE_HEADER_CHARS_MAX} characters`, () => {
    const padded = (chars: number) => `bytes=${'0'.repeat(chars - 'bytes=0-1'.length)}0-1`;
    expect(padded(RANGE_HEADER_CHARS_MAX)).toHaveLength(RANGE_HEADER_CHARS_MAX);
    expect(decideRanges(padded(RANGE_HEADER_CHARS_MAX), L)).toEqual(partial([0, 1]));
    expect(decideRanges(padded(RANGE_HEADER_CHARS_MAX + 1), L)).toEqual(full('invalid'));
  });

  it('exposes the parsed specs', () => {
    expect(parseRange('bytes=1-2, 3-, -4')).toEqual([
      { kind: 'int', first: 1, last: 2 },
      { kind: 'int', first: 3, last: undefined },
      { kind: 'suffix', suffixLength: 4 },
    ]);
    expect(parseRange('bytes=x')).toBeUndefined();
  });
});

describe('decideRanges: several ranges', () => {
  const length = 100_000;
  const spaced = (count: number) =>
    'bytes=' + Array.from({ length: count }, (_, i) => `${i * 1000}-${i * 1000 + 9}`).join(',');

  it.each([
    ['bytes=500-599,0-99', partial([0, 99], [500, 599])], // sorted
    ['bytes=0-99,50-149', partial([0, 149])], // overlapping
    ['bytes=0-99,100-199', partial([0, 199])], // adjacent
    ['bytes=0-499,100-200', partial([0, 499])], // contained
    ['bytes=5-9,5-9', partial([5, 9])], // repeated
    ['bytes=-10,0-', partial([0, 999])],
    ['bytes=0-499,500-999', partial([0, 999])], // one range after coalescing: a single 206
    ['bytes=0-9,90-99', partial([0, 99])], // a gap of exactly RANGE_GAP_COALESCE_BYTES
    ['bytes=0-9,91-99', partial([0, 9], [91, 99])], // one byte more
    ['bytes=0-299,700-999', partial([0, 299], [700, 999])], // 60 %
    ['bytes=0-399,600-999', full('covers-most')], // exactly 80 %
    ['bytes=0-399,500-999', full('covers-most')], // 90 %
    ['bytes=-1,0-0,500-500', partial([0, 0], [500, 500], [999, 999])],
  ] as const)('%s', (header, expected) => {
    expect(decideRanges(header, L)).toEqual(expected);
  });

  it(`honours ${RANGES_MAX} specs and ignores ${RANGES_MAX + 1}`, () => {
    const decision = decideRanges(spaced(RANGES_MAX), length);
    expect(decision.kind === 'partial' && decision.ranges.length).toBe(RANGES_MAX);
    expect(decideRanges(spaced(RANGES_MAX + 1), length)).toEqual(full('too-many'));
    // Empty elements are not specs.
    expect(decideRanges(spaced(RANGES_MAX) + ',,,', length).kind).toBe('partial');
  });

  it('keeps the named limits related as documented', () => {
    expect(RANGE_GAP_COALESCE_BYTES).toBe(80);
    expect(RANGES_COVERAGE_FULL_RATIO).toBeGreaterThan(0.5);
  });
});

describe('decideRanges: small representations', () => {
  it.each([
    [null, full('absent')],
    ['bytes=0-', unsatisfiable],
    ['bytes=0-0', unsatisfiable],
    ['bytes=-0', unsatisfiable],
    // §14.1.2: a non-zero suffix is satisfiable but selects nothing; no 206 can say so.
    ['bytes=-1', full('empty-representation')],
    ['bytes=0-0,-5', full('empty-representation')],
    ['bytes=abc', full('invalid')],
  ] as const)('length 0: %s', (header, expected) => {
    expect(decideRanges(header, 0)).toEqual(expected);
  });

  it.each([
    ['bytes=0-0', partial([0, 0])],
    ['bytes=-1', partial([0, 0])],
    ['bytes=0-', partial([0, 0])],
    ['bytes=1-', unsatisfiable],
  ] as const)('length 1: %s', (header, expected) => {
    expect(decideRanges(header, 1)).toEqual(expected);
  });

  it('refuses a length that is not a byte count', () => {
    for (const length of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => decideRanges('bytes=0-1', length)).toThrow(RangeError);
    }
  });
});

describe('decideRanges: invariants over seeded random headers', () => {
  // xorshift32: a fixed seed, so a failure replays.
  let state = 0x2545f491;
  const random = (bound: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % bound;
  };
  /** Short spans half the time, so that multi-part answers are common too. */
  const span = (length: number) => random(random(2) === 0 ? 100 : Math.floor(length / 2) + 50);
  const randomSpec = (length: number) => {
    const kind = random(4);
    const first = random(length + 50);
    if (kind === 0) return `-${span(length)}`;
    if (kind === 1) return `${first}-`;
    return `${first}-${first + span(length)}`;
  };

  it('selects exactly the requested bytes, plus small gaps, in sorted disjoint parts', () => {
    for (let run = 0; run < 2000; run++) {
      const length = 1 + random(3000);
      const specs = Array.from({ length: 1 + random(6) }, () => randomSpec(length));
      const header = `bytes=${specs.join(',')}`;
      const decision = decideRanges(header, length);
      // The model: the set of bytes the specs select, per §14.1.2.
      const wanted = new Uint8Array(length);
      const parsed = parseRange(header);
      if (!Array.isArray(parsed)) throw new Error(`the generator wrote an invalid ${header}`);
      for (const spec of parsed) {
        const range =
          spec.kind === 'suffix'
            ? spec.suffixLength === 0
              ? undefined
              : { start: Math.max(0, length - spec.suffixLength), end: length - 1 }
            : spec.first >= length
              ? undefined
              : { start: spec.first, end: Math.min(length - 1, spec.last ?? length - 1) };
        if (range !== undefined) wanted.fill(1, range.start, range.end + 1);
      }
      const wantedBytes = wanted.reduce((sum, bit) => sum + bit, 0);
      if (wantedBytes === 0) {
        expect(decision, header).toEqual(unsatisfiable);
        continue;
      }
      if (decision.kind === 'full') {
        expect(decision.reason, header).toBe('covers-most');
        continue;
      }
      expect(decision.kind, header).toBe('partial');
      if (decision.kind !== 'partial') continue;
      const sent = new Uint8Array(length);
      let previous: ByteRange | undefined;
      for (const range of decision.ranges) {
        expect(range.start, header).toBeGreaterThanOrEqual(0);
        expect(range.end, header).toBeLessThan(length);
        expect(range.start, header).toBeLessThanOrEqual(range.end);
        if (previous !== undefined) {
          expect(range.start - previous.end - 1, header).toBeGreaterThan(RANGE_GAP_COALESCE_BYTES);
        }
        // Each part starts and ends on a wanted byte: only gaps inside a part are extra.
        expect(wanted[range.start] && wanted[range.end], header).toBe(1);
        sent.fill(1, range.start, range.end + 1);
        previous = range;
      }
      const missed = wanted.findIndex((bit, index) => bit === 1 && sent[index] !== 1);
      expect(missed, `${header}: a wanted byte is not sent`).toBe(-1);
      if (decision.ranges.length > 1) {
        const sentBytes = sent.reduce((sum, bit) => sum + bit, 0);
        expect(sentBytes, header).toBeLessThan(RANGES_COVERAGE_FULL_RATIO * length);
      }
    }
  });
});

describe('helpers', () => {
  it('coalesces without mutating its input', () => {
    const input = [
      { start: 10, end: 20 },
      { start: 0, end: 5 },
    ];
    expect(coalesceRanges(input)).toEqual([{ start: 0, end: 20 }]);
    expect(input[0]).toEqual({ start: 10, end: 20 });
    expect(coalesceRanges([])).toEqual([]);
  });

  it('formats Content-Range', () => {
    expect(contentRange({ start: 0, end: 1 }, L)).toBe('bytes 0-1/1000');
    expect(unsatisfiedContentRange(L)).toBe('bytes */1000');
  });
});
