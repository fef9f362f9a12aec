/**
 * core/ must run unchanged in Node, Cloudflare workerd and browsers: no Node built-ins, no Buffer,
 * no process, and with the JavaScript fallbacks (used where wasm cannot be compiled from bytes) the
 * same bytes as with the wasm kernels.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import {
  encodedBlobLength,
  isAboveValidity,
  isQuorum,
  storageUnits,
} from '../../../core/encoding/config.js';
import { useBlake2bBackend } from '../../../core/hash/blake2b.js';
import { loadVectors, contentOf } from '../../helpers/vectors.js';

const CORE = new URL('../../../core/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('core/ is isomorphic', () => {
  afterEach(() => useBlake2bBackend('wasm-simd'));

  it('imports no Node built-ins and uses no Node globals', () => {
    const offenders: string[] = [];
    for (const file of sources(CORE)) {
      // Comments may mention Node; code may not.
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      if (/from ['"](node:|fs|path|os|crypto|worker_threads|child_process)['"]/.test(text))
        offenders.push(`${file}: node import`);
      if (/\bBuffer\.|\bprocess\.|\brequire\(/.test(text)) offenders.push(`${file}: node global`);
    }
    expect(offenders).toEqual([]);
  });

  it("gives the vectors' blob IDs with the JavaScript hashing fallback", () => {
    useBlake2bBackend('js');
    for (const vector of loadVectors().filter(
      (v) => v.error === undefined && v.n_shards <= 100 && v.size <= 65_536,
    )) {
      expect(blobIdToString(encodeBlob(contentOf(vector), vector.n_shards).blobId)).toBe(
        vector.blob_id,
      );
    }
  });
});

describe('storage accounting and thresholds', () => {
  it('matches encoding.md §1–2.3', () => {
    expect(encodedBlobLength(0, 1000)).toBe(66_034_000);
    expect(encodedBlobLength(1_048_583, 1000)).toBe(70_038_000);
    expect(storageUnits(1_048_583, 1000)).toBe(Math.ceil(70_038_000 / 1_048_576));
    expect(storageUnits(0, 4)).toBe(1);
    expect([
      isQuorum(667, 1000),
      isQuorum(666, 1000),
      isAboveValidity(334, 1000),
      isAboveValidity(333, 1000),
    ]).toEqual([true, false, true, false]);
  });
});
