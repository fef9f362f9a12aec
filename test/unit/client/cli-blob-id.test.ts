/** `walrus-edge blob-id` as a user runs it: the real bin script in a child process. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadVectors, vectorBlob } from '../../helpers/vectors.js';

const run = promisify(execFile);
const BIN = new URL('../../../bin/walrus-edge.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-cli-'));

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('walrus-edge blob-id', () => {
  const vectors = loadVectors().filter((v) => v.kind === 'standard' && v.error === undefined);

  it('prints the blob ID of the official vectors, alone on the last line', async () => {
    for (const vector of vectors.filter(
      (v) => [10, 100, 1000].includes(v.n_shards) && v.size >= 1000,
    )) {
      const file = join(dir, `v-${vector.n_shards}-${vector.size}.bin`);
      writeFileSync(file, vectorBlob(vector.size));
      const result = await cli('blob-id', file, '--n-shards', String(vector.n_shards));
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n').at(-1)).toBe(vector.blob_id);
    }
  });

  it('defaults to 1000 shards and prints JSON with --json', async () => {
    const vector = vectors.find((v) => v.n_shards === 1000 && v.size === 1_048_583)!;
    const file = join(dir, 'mib.bin');
    writeFileSync(file, vectorBlob(vector.size));
    const result = await cli('blob-id', file, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      blobId: vector.blob_id,
      rootHash: vector.root_hash_hex,
      unencodedLength: vector.size,
      encodedLength: vector.encoded_length,
      symbolSize: vector.symbol_size,
      nShards: 1000,
    });
  });

  it('fails with one clear line for a missing file, a too-large blob and bad arguments', async () => {
    const missing = await cli('blob-id', join(dir, 'nope.bin'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.bin: no such file$/m);
    const big = join(dir, 'big.bin');
    writeFileSync(big, new Uint8Array(393_205));
    const tooLarge = await cli('blob-id', big, '--n-shards', '4');
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stderr).toMatch(
      /too large for 4 shards: the maximum blob size is 393204 bytes/,
    );
    expect((await cli('blob-id', big, '--n-shards', '3')).stderr).toMatch(
      /--n-shards must be an integer from 4/,
    );
    expect((await cli('blob-id')).code).toBe(1);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});
