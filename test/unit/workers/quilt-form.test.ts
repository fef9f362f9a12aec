/**
 * `_metadata` of `PUT /v1/quilts` (docs/spec/quilts.md §8): Walrus's shape, non-string tag values
 * as their JSON text, and every malformed form refused with MALFORMED_REQUEST. (The multipart
 * parsing itself is workerd's, tested in test/workerd/worker-quilt.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../core/http/errors.js';
import { parseQuiltMetadata } from '../../../workers/quilt-form.js';

describe('parseQuiltMetadata', () => {
  it('keeps string tags and stores other JSON values as their JSON text', () => {
    // Raw JSON: in an object literal `__proto__` would set the prototype instead.
    const parsed = parseQuiltMetadata(
      '[{"identifier":"a.png","tags":{"content-type":"image/png","n":1,"ok":true,"o":{"x":[1]}}},' +
        '{"identifier":"b","tags":{"nothing":null,"__proto__":"kept as data"}},' +
        '{"identifier":"no-tags"}]',
    );
    expect([...parsed.keys()]).toEqual(['a.png', 'b', 'no-tags']);
    expect([...parsed.get('a.png')!]).toEqual([
      ['content-type', 'image/png'],
      ['n', '1'],
      ['ok', 'true'],
      ['o', '{"x":[1]}'],
    ]);
    expect([...parsed.get('b')!]).toEqual([
      ['nothing', 'null'],
      ['__proto__', 'kept as data'],
    ]);
    expect(parsed.get('no-tags')!.size).toBe(0);
    expect(parseQuiltMetadata('[]').size).toBe(0);
  });

  it.each([
    ['not JSON', '{', 'is not JSON'],
    ['an object', '{"identifier":"a"}', 'JSON array'],
    ['a string entry', '["a"]', 'string identifier'],
    ['a numeric identifier', '[{"identifier":1}]', 'string identifier'],
    ['tags as a list', '[{"identifier":"a","tags":["x"]}]', 'tags must be a JSON object'],
    ['null tags', '[{"identifier":"a","tags":null}]', 'tags must be a JSON object'],
    ['an identifier twice', '[{"identifier":"a"},{"identifier":"a","tags":{}}]', 'twice'],
  ])('refuses %s with 400 MALFORMED_REQUEST', (_, text, says) => {
    let caught: unknown;
    try {
      parseQuiltMetadata(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).httpStatus).toBe(400);
    expect((caught as ApiError).reason).toBe('MALFORMED_REQUEST');
    expect((caught as ApiError).message).toContain(says);
  });
});
