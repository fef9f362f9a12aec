/**
 * Fuzzing the request headers the Worker parses on every read (RFC 9110 §13, §14): Range,
 * If-None-Match, If-Match and If-Range. Properties: no header value throws or answers something
 * malformed — a range decision is always within the representation, sorted and disjoint, a
 * precondition decision is one of three — and a set of ranges written out is read back the same.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseEntityTag, parseEntityTagList } from '../../../workers/entity-tags.js';
import { evaluatePreconditions } from '../../../workers/preconditions.js';
import { RANGES_MAX, decideRanges, parseRange } from '../../../workers/ranges.js';
import { fuzzParameters } from '../../helpers/fuzz.js';

/** Header text: made of the characters these grammars use, or anything at all. */
const rangeText = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc
          .tuple(fc.nat({ max: 3000 }), fc.option(fc.nat({ max: 3000 })))
          .map(([a, b]) => `${a}-${b ?? ''}`),
        fc.nat({ max: 3000 }).map((n) => `-${n}`),
        fc.stringMatching(/^[0-9 \t,=-]{0,12}$/),
        fc.constant('99999999999999999999999999-'),
      ),
      { maxLength: 20 },
    )
    .chain((specs) =>
      fc
        .tuple(
          fc.constantFrom('bytes=', 'BYTES=', 'bytes =', 'items=', '', 'bytes=\t'),
          fc.constantFrom(',', ', ', ' ,\t'),
        )
        .map(([unit, separator]) => unit + specs.join(separator)),
    ),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

const tagText = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc.stringMatching(/^(W\/)?"[!#-~]{0,12}"$/),
        fc.constant('*'),
        fc.stringMatching(/^[ \t,"W\/a-z*]{0,8}$/),
      ),
      { maxLength: 6 },
    )
    .map((tags) => tags.join(', ')),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('fuzz: Range', () => {
  it('every header gets a well-formed decision for every length', () => {
    fc.assert(
      fc.property(rangeText, fc.nat({ max: 5000 }), (header, length) => {
        const decision = decideRanges(header, length);
        if (decision.kind !== 'partial') return;
        expect(decision.ranges.length).toBeGreaterThan(0);
        expect(decision.ranges.length).toBeLessThanOrEqual(RANGES_MAX);
        let previousEnd = -2;
        for (const range of decision.ranges) {
          expect(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end)).toBe(true);
          expect(range.start).toBeGreaterThan(previousEnd + 1); // sorted, disjoint, not touching
          expect(range.start).toBeLessThanOrEqual(range.end);
          expect(range.end).toBeLessThan(length);
          previousEnd = range.end;
        }
      }),
      fuzzParameters('range-decision'),
    );
  });

  it('ranges written as a header parse back to the same specs', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc
              .tuple(fc.nat({ max: 10_000 }), fc.option(fc.nat({ max: 10_000 })))
              .map(([first, width]) => ({
                kind: 'int' as const,
                first,
                last: width === null ? undefined : first + width,
              })),
            fc.nat({ max: 10_000 }).map((n) => ({ kind: 'suffix' as const, suffixLength: n })),
          ),
          { minLength: 1, maxLength: RANGES_MAX },
        ),
        (specs) => {
          const header =
            'bytes=' +
            specs
              .map((s) =>
                s.kind === 'suffix' ? `-${s.suffixLength}` : `${s.first}-${s.last ?? ''}`,
              )
              .join(', ');
          expect(parseRange(header)).toEqual(specs);
        },
      ),
      fuzzParameters('range-roundtrip'),
    );
  });
});

describe('fuzz: entity tags and preconditions', () => {
  const OURS = '"Y2KbfnJ0MkfcVCQEEKGmaDKkN6ur7pfPXhV6OH7OHQI"';

  it('tag lists parse or are refused without throwing; a parsed tag prints back', () => {
    fc.assert(
      fc.property(tagText, (text) => {
        const list = parseEntityTagList(text);
        if (list !== undefined && list !== '*') {
          for (const tag of list) {
            expect(parseEntityTag(`${tag.weak ? 'W/' : ''}${tag.opaque}`)).toEqual(tag);
          }
        }
        parseEntityTag(text);
      }),
      fuzzParameters('entity-tag-list'),
    );
  });

  it('any If-* headers give one of proceed, 304 or 412, consistent with the tags', () => {
    const headerValue = fc.option(fc.oneof(tagText, fc.constant(OURS), fc.constant(`W/${OURS}`)));
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD'),
        fc.record({
          'if-match': headerValue,
          'if-none-match': headerValue,
          'if-range': headerValue,
        }),
        fc.boolean(),
        (method, values, exists) => {
          const headers = { get: (name: string) => values[name as keyof typeof values] ?? null };
          const decision = evaluatePreconditions(method, headers, { etag: OURS, exists });
          expect(['proceed', 'not-modified', 'precondition-failed']).toContain(decision.kind);
          // A 304 needs a current representation, and If-Range never allows a range on HEAD.
          if (decision.kind === 'not-modified') expect(exists).toBe(true);
          if (decision.kind === 'proceed' && method === 'HEAD')
            expect(decision.rangeAllowed).toBe(false);
          if (values['if-none-match'] === OURS && exists && values['if-match'] === null)
            expect(decision.kind).toBe('not-modified');
        },
      ),
      fuzzParameters('preconditions'),
    );
  });
});
