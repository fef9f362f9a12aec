/** The edge-platform.md §5.1 conformance matrix for ranges and conditional requests. */
import { describe, expect, it } from 'vitest';
import {
  decideRange,
  ifMatchFails,
  ifNoneMatchHits,
  ifRangeAllowsRange,
} from '../../../workers/http-semantics.js';

const L = 1000;
const etag = '"Zg-F1ZSwAZltvYqCSThDM8ih-gnuot4ST34Rr0MtWBQ"';

describe('Range', () => {
  it('answers the matrix', () => {
    expect(decideRange(null, L)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=0-1', L)).toEqual({ kind: 'partial', range: { start: 0, end: 1 } });
    expect(decideRange('bytes=100-', L)).toEqual({
      kind: 'partial',
      range: { start: 100, end: 999 },
    });
    expect(decideRange('bytes=-500', L)).toEqual({
      kind: 'partial',
      range: { start: 500, end: 999 },
    });
    expect(decideRange('bytes=-5000', L)).toEqual({
      kind: 'partial',
      range: { start: 0, end: 999 },
    });
    expect(decideRange(`bytes=${L}-`, L)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-0', L)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=990-5000', L)).toEqual({
      kind: 'partial',
      range: { start: 990, end: 999 },
    });
    expect(decideRange('bytes=abc', L)).toEqual({ kind: 'full' });
    expect(decideRange('items=0-1', L)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=5-1', L)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=0-0,-1', L)).toEqual({
      kind: 'partial',
      range: { start: 0, end: 0 },
    });
    expect(decideRange('bytes=2000-,0-9', L)).toEqual({
      kind: 'partial',
      range: { start: 0, end: 9 },
    });
    // A non-zero suffix of an empty representation is satisfiable (RFC 9110 §14.1.2) but selects
    // nothing, which no 206 can express: the (empty) whole is sent.
    expect(decideRange('bytes=-1', 0)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    // Several ranges: the first coalesced part.
    expect(decideRange('bytes=500-599,0-9', L)).toEqual({
      kind: 'partial',
      range: { start: 0, end: 9 },
    });
    expect(decideRange('bytes=' + '1'.repeat(2000) + '-', L)).toEqual({ kind: 'full' });
  });
});

describe('conditional requests', () => {
  it('If-None-Match compares weakly, If-Match and If-Range strongly', () => {
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
    expect(ifNoneMatchHits(`"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('"other"', etag)).toBe(false);
    expect(ifMatchFails('"other"', etag)).toBe(true);
    expect(ifMatchFails(etag, etag)).toBe(false);
    expect(ifRangeAllowsRange(etag, etag)).toBe(true);
    expect(ifRangeAllowsRange(`W/${etag}`, etag)).toBe(false);
    expect(ifRangeAllowsRange(null, etag)).toBe(true);
  });

  it('reads entity-tag lists tag by tag (tags may contain commas)', () => {
    expect(ifNoneMatchHits(`"a,b", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"a,${etag.slice(1)}`, etag)).toBe(false);
    expect(ifNoneMatchHits('garbage', etag)).toBe(false);
    expect(ifMatchFails('garbage', etag)).toBe(true);
    expect(ifMatchFails('*', etag)).toBe(false);
    expect(ifMatchFails(`W/${etag}`, etag)).toBe(true);
    expect(ifRangeAllowsRange('Wed, 21 Oct 2015 07:28:00 GMT', etag)).toBe(false);
    expect(() => ifNoneMatchHits(etag, 'unquoted')).toThrow(TypeError);
  });
});
