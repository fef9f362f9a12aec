/** RFC 9110 §8.8.3 entity tags and §13.2.2 precondition evaluation for GET/HEAD of a blob. */
import { describe, expect, it } from 'vitest';
import {
  CONDITION_HEADER_CHARS_MAX,
  parseEntityTag,
  parseEntityTagList,
  strongMatch,
  weakMatch,
} from '../../../workers/entity-tags.js';
import {
  evaluatePreconditions,
  type PreconditionDecision,
} from '../../../workers/preconditions.js';

const id = 'Zg-F1ZSwAZltvYqCSThDM8ih-gnuot4ST34Rr0MtWBQ';
const etag = `"${id}"`;

describe('entity tags', () => {
  it.each([
    ['"abc"', { weak: false, opaque: '"abc"' }],
    ['W/"abc"', { weak: true, opaque: '"abc"' }],
    [' \t"abc" ', { weak: false, opaque: '"abc"' }],
    ['""', { weak: false, opaque: '""' }],
    ['"a,b"', { weak: false, opaque: '"a,b"' }], // etagc includes the comma
    ['"caf\u00e9"', { weak: false, opaque: '"caf\u00e9"' }], // obs-text, as Headers gives it
    ['"!#~"', { weak: false, opaque: '"!#~"' }],
  ])('parses %j', (text, expected) => {
    expect(parseEntityTag(text)).toEqual(expected);
  });

  it.each([
    'abc', // unquoted (what Walrus's aggregator sends)
    'w/"abc"', // W is case-sensitive
    'W/ "abc"',
    '"abc',
    'abc"',
    '"a"b"',
    '"a" "b"',
    '"a", "b"',
    '"a b"',
    '"a\tb"',
    '"a\u007fb"',
    '"a\u0100b"', // not a byte
    '*',
    '',
  ])('rejects %j', (text) => {
    expect(parseEntityTag(text)).toBeUndefined();
  });

  it.each([
    ['*', '*'],
    [' * ', '*'],
    ['', []],
    [' , ,', []],
    ['"a"', [{ weak: false, opaque: '"a"' }]],
    [
      '"a,b", W/"c"',
      [
        { weak: false, opaque: '"a,b"' },
        { weak: true, opaque: '"c"' },
      ],
    ],
    [
      '"a",,"b" ,',
      [
        { weak: false, opaque: '"a"' },
        { weak: false, opaque: '"b"' },
      ],
    ],
  ] as const)('parses the list %j', (text, expected) => {
    expect(parseEntityTagList(text)).toEqual(expected);
  });

  it.each([
    '*, "a"',
    '"a", *',
    '**',
    '"a" "b"',
    '"a"W/"b"',
    '"a", b',
    'a',
    '"a',
    `"a",${' '.repeat(CONDITION_HEADER_CHARS_MAX)}`,
  ])('rejects the list %j', (text) => {
    expect(parseEntityTagList(text)).toBeUndefined();
  });

  it(`refuses values over ${CONDITION_HEADER_CHARS_MAX} characters`, () => {
    const atLimit = `"a",${' '.repeat(CONDITION_HEADER_CHARS_MAX - 4)}`;
    expect(parseEntityTagList(atLimit)).toEqual([{ weak: false, opaque: '"a"' }]);
    expect(parseEntityTagList(`"a",${' '.repeat(CONDITION_HEADER_CHARS_MAX - 3)}`)).toBeUndefined();
    expect(parseEntityTag(`"${'a'.repeat(CONDITION_HEADER_CHARS_MAX - 2)}"`)).toBeDefined();
    expect(parseEntityTag(`"${'a'.repeat(CONDITION_HEADER_CHARS_MAX - 1)}"`)).toBeUndefined();
  });

  it('compares strongly and weakly (RFC 9110 §8.8.3.2 table)', () => {
    const tag = (text: string) => parseEntityTag(text)!;
    const rows: [string, string, boolean, boolean][] = [
      ['W/"1"', 'W/"1"', false, true],
      ['W/"1"', 'W/"2"', false, false],
      ['W/"1"', '"1"', false, true],
      ['"1"', '"1"', true, true],
    ];
    for (const [a, b, strong, weak] of rows) {
      expect(strongMatch(tag(a), tag(b)), `${a} ${b}`).toBe(strong);
      expect(weakMatch(tag(a), tag(b)), `${a} ${b}`).toBe(weak);
    }
  });
});

describe('evaluatePreconditions', () => {
  const proceed = (rangeAllowed: boolean): PreconditionDecision => ({
    kind: 'proceed',
    rangeAllowed,
  });
  const notModified = { kind: 'not-modified' };
  const failed = { kind: 'precondition-failed' };
  const evaluate = (
    headers: Record<string, string>,
    { method = 'GET', exists = true }: { method?: string; exists?: boolean } = {},
  ) => evaluatePreconditions(method, new Headers(headers), { etag, exists });

  it('without conditions: Range applies to GET only (RFC 9110 §14.2)', () => {
    expect(evaluate({})).toEqual(proceed(true));
    expect(evaluate({}, { method: 'HEAD' })).toEqual(proceed(false));
    expect(evaluate({ range: 'bytes=0-1' }, { method: 'HEAD' })).toEqual(proceed(false));
  });

  it.each([
    [etag, proceed(true)],
    [`"other", ${etag}`, proceed(true)],
    ['*', proceed(true)],
    [`W/${etag}`, failed], // strong comparison
    ['"other"', failed],
    ['', failed], // an empty list matches nothing
    [id, failed], // malformed: cannot match
    ['*, "x"', failed],
  ] as const)('If-Match: %j', (ifMatch, expected) => {
    expect(evaluate({ 'if-match': ifMatch })).toEqual(expected);
  });

  it(`If-Match over ${CONDITION_HEADER_CHARS_MAX} characters is malformed: 412`, () => {
    const list = (count: number) => `${'"x", '.repeat(count)}${etag}`;
    expect(evaluate({ 'if-match': list(10) })).toEqual(proceed(true));
    expect(evaluate({ 'if-match': list(CONDITION_HEADER_CHARS_MAX / 5) })).toEqual(failed);
    expect(evaluate({ 'if-none-match': list(CONDITION_HEADER_CHARS_MAX / 5) })).toEqual(
      proceed(true),
    );
  });

  it('If-Match: `*` and tags match only an existing representation', () => {
    expect(evaluate({ 'if-match': '*' }, { exists: false })).toEqual(failed);
    expect(evaluate({ 'if-match': etag }, { exists: false })).toEqual(failed);
  });

  it.each([
    [etag, notModified],
    [`W/${etag}`, notModified], // weak comparison
    ['*', notModified],
    [`"a", "b", ${etag}`, notModified], // third in the list
    [`"a,b",${etag}`, notModified],
    ['"other"', proceed(true)],
    [`"${id.slice(1)}"`, proceed(true)],
    ['', proceed(true)],
    [id, proceed(true)], // malformed (unquoted): no match, serve it
    [`"a,${id}`, proceed(true)],
    [`${etag} ${etag}`, proceed(true)],
  ] as const)('If-None-Match: %j', (ifNoneMatch, expected) => {
    expect(evaluate({ 'if-none-match': ifNoneMatch })).toEqual(expected);
  });

  it('If-None-Match: HEAD gets a 304 too; nothing matches a missing representation', () => {
    expect(evaluate({ 'if-none-match': etag }, { method: 'HEAD' })).toEqual(notModified);
    expect(evaluate({ 'if-none-match': '*' }, { exists: false })).toEqual(proceed(true));
    expect(evaluate({ 'if-none-match': etag }, { exists: false })).toEqual(proceed(true));
  });

  it('evaluates in §13.2.2 order', () => {
    // If-Match is first: its failure wins over a matching If-None-Match.
    expect(evaluate({ 'if-match': '"other"', 'if-none-match': etag })).toEqual(failed);
    expect(evaluate({ 'if-match': etag, 'if-none-match': etag })).toEqual(notModified);
    // A 304 needs no If-Range.
    expect(evaluate({ 'if-none-match': etag, 'if-range': '"other"', range: 'bytes=0-1' })).toEqual(
      notModified,
    );
    // If-None-Match mismatch, then If-Range decides.
    expect(evaluate({ 'if-none-match': '"other"', 'if-range': etag, range: 'bytes=0-1' })).toEqual(
      proceed(true),
    );
  });

  it('ignores the date conditions: there is no Last-Modified', () => {
    const past = 'Thu, 01 Jan 1970 00:00:00 GMT';
    const future = 'Fri, 01 Jan 2100 00:00:00 GMT';
    expect(evaluate({ 'if-unmodified-since': past })).toEqual(proceed(true));
    expect(evaluate({ 'if-modified-since': future })).toEqual(proceed(true));
    expect(evaluate({ 'if-modified-since': future, 'if-none-match': '"other"' })).toEqual(
      proceed(true),
    );
    expect(evaluate({ 'if-modified-since': 'garbage' })).toEqual(proceed(true));
  });

  it.each([
    [etag, true],
    [` ${etag} `, true],
    [`W/${etag}`, false], // a weak tag never matches strongly
    ['"other"', false],
    ['Wed, 21 Oct 2015 07:28:00 GMT', false], // a date: no Last-Modified to equal
    [`"a", ${etag}`, false], // one validator only
    [id, false],
    ['', false],
  ] as const)('If-Range: %j → rangeAllowed %s', (ifRange, allowed) => {
    expect(evaluate({ 'if-range': ifRange, range: 'bytes=0-1' })).toEqual(proceed(allowed));
  });

  it('If-Range: never for HEAD, never for a missing representation', () => {
    const headers = { 'if-range': etag, range: 'bytes=0-1' };
    expect(evaluate(headers, { method: 'HEAD' })).toEqual(proceed(false));
    expect(evaluate(headers, { exists: false })).toEqual(proceed(false));
  });

  it('refuses other methods and non-strong representation tags', () => {
    const headers = new Headers();
    expect(() => evaluatePreconditions('PUT', headers, { etag, exists: true })).toThrow(TypeError);
    expect(() =>
      evaluatePreconditions('GET', headers, { etag: `W/${etag}`, exists: true }),
    ).toThrow(TypeError);
    expect(() => evaluatePreconditions('GET', headers, { etag: id, exists: true })).toThrow(
      TypeError,
    );
  });
});
