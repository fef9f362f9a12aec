/**
 * The batch sliver framing (core/node-api/sliver-batch.ts): the incremental parser gives the same
 * entries however the body is cut into chunks, and refuses every malformed or hostile body.
 */
import { describe, expect, it } from 'vitest';
import {
  BatchFormatError,
  SliverBatchParser,
  batchCountHeader,
  batchEntry,
  decodeSliverBatch,
  formatPairList,
} from '../../../core/node-api/sliver-batch.js';
import { randomBytes, seededRandom } from '../../helpers/random.js';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const pairs = [3, 4, 9, 20];
const slivers = [randomBytes(700, 1), null, randomBytes(5, 2), randomBytes(1_300, 3)];
const body = concat([
  batchCountHeader(pairs.length),
  ...pairs.map((pair, i) => batchEntry(pair, slivers[i])),
]);

describe('sliver batch framing', () => {
  it('parses the same entries whatever the chunking, down to one byte at a time', () => {
    const random = seededRandom(7);
    for (const cut of [1, 2, 5, 6, 7, 64, 1_000, body.length, 0]) {
      const parser = new SliverBatchParser(new Set(pairs), 2_000);
      const entries = [];
      for (let offset = 0; offset < body.length;) {
        const size = cut === 0 ? 1 + Math.floor(random() * 300) : cut;
        entries.push(...parser.push(body.subarray(offset, offset + size)));
        offset += size;
      }
      parser.finish();
      expect(entries.map((e) => e.pairIndex)).toEqual(pairs);
      entries.forEach((entry, i) => expect(entry.sliver).toEqual(slivers[i]));
    }
  });

  it('refuses unexpected, repeated or out-of-order pairs, oversized entries and short bodies', () => {
    const cases: [string, Uint8Array, number][] = [
      ['a count that differs from the request', concat([batchCountHeader(3)]), 2_000],
      ['a pair not asked for', concat([batchCountHeader(4), batchEntry(5, null)]), 2_000],
      [
        'pairs out of order',
        concat([batchCountHeader(4), batchEntry(4, null), batchEntry(3, null)]),
        2_000,
      ],
      ['an entry longer than a sliver can be', body, 1_000],
    ];
    for (const [what, bytes, sliverBytesMax] of cases) {
      const parser = new SliverBatchParser(new Set(pairs), sliverBytesMax);
      expect(() => parser.push(bytes), what).toThrow(BatchFormatError);
    }
    const short = new SliverBatchParser(new Set(pairs), 2_000);
    short.push(body.subarray(0, body.length - 1));
    expect(() => short.finish()).toThrow(BatchFormatError);
    const trailing = new SliverBatchParser(new Set(pairs), 2_000);
    expect(() => trailing.push(concat([body, new Uint8Array(1)]))).toThrow(BatchFormatError);
    expect(decodeSliverBatch(body, pairs).map((e) => e.pairIndex)).toEqual(pairs);
  });

  it('writes pair lists as runs', () => {
    expect(formatPairList([9, 0, 1, 2, 5, 6, 2])).toBe('0-2,5-6,9');
    expect(formatPairList([7])).toBe('7');
  });
});
