/**
 * The quilt commands of the real CLI (bin/walrus-edge.js over dist/, a child process per command)
 * against a whole devnet (7 nodes, 100 shards): store-quilt from a directory (--paths) and from
 * JSON specs with tags (--blobs), list-patches-in-quilt, and read-quilt by identifiers, by tag, by
 * patch IDs and whole, into a directory and to stdout — every file compared byte for byte, every
 * JSON field against the local encoder's IDs.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobIdFromString } from '../../../core/blob-id.js';
import { encodeQuilt } from '../../../core/quilt/quilt-blob.js';
import { seededBytes } from '../../../node-reference/testing/harness.js';
import { expectBytes } from '../../helpers/bytes.js';
import { type CliResult, type TestDevnet, runCli, startTestDevnet } from '../../helpers/devnet.js';

const N_SHARDS = 100;

let devnet: TestDevnet;
let filesDir: string;
/** name → bytes of the files in filesDir. */
const FILES: Record<string, Uint8Array> = {
  '1.json': new TextEncoder().encode(JSON.stringify({ name: 'one', seed: 1 })),
  '2.json': new TextEncoder().encode(JSON.stringify({ name: 'two', seed: 2 })),
  'a.png': seededBytes(23_456, 11),
  'b.jpg': seededBytes(51_234, 12),
  'empty.bin': new Uint8Array(0),
};
let dirQuilt: { quiltId: string; patches: { identifier: string; quiltPatchId: string }[] };
let taggedQuiltId: string;

function ok(result: CliResult): string {
  expect(result.stderr, result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.toString('utf8');
}

beforeAll(async () => {
  devnet = await startTestDevnet({ nodes: 7, shards: N_SHARDS });
  filesDir = join(devnet.dir, '..', 'files');
  mkdirSync(join(filesDir, 'sub'), { recursive: true });
  for (const [name, bytes] of Object.entries(FILES)) {
    const path = name.endsWith('.json') ? join(filesDir, 'sub', name) : join(filesDir, name);
    writeFileSync(path, bytes);
  }
}, 300_000);

afterAll(async () => {
  if (devnet !== undefined) expect(await devnet.stop()).toEqual([]);
}, 60_000);

describe('walrus-edge quilt commands on a devnet', () => {
  it('store-quilt --paths DIR stores every file, named by file name, with the local IDs', async () => {
    const json = JSON.parse(
      ok(await runCli(devnet, ['store-quilt', '--paths', filesDir, '--epochs', '2', '--json'])),
    );
    const local = encodeQuilt(
      Object.entries(FILES).map(([identifier, bytes]) => ({ identifier, bytes })),
      N_SHARDS,
    );
    expect(json.storedQuiltBlobs).toEqual(local.patchIds);
    expect(blobIdFromString(json.blobStoreResult.blobId)).toEqual(local.quiltId);
    expect(json.blobStoreResult.size).toBe(local.quilt.length);
    expect(json.blobStoreResult.deletable).toBe(true);
    dirQuilt = {
      quiltId: json.blobStoreResult.blobId,
      patches: json.storedQuiltBlobs,
    };
  }, 120_000);

  it('store-quilt --blobs takes identifiers and tags; --permanent', async () => {
    const specs = [
      { path: join(filesDir, 'a.png'), identifier: 'art/a', tags: { rarity: 'rare' } },
      { path: join(filesDir, 'b.jpg'), identifier: 'art/b', tags: { rarity: 'common' } },
      { path: join(filesDir, 'sub', '1.json'), tags: { rarity: 'rare', kind: 'meta' } },
    ];
    const json = JSON.parse(
      ok(
        await runCli(devnet, [
          'store-quilt',
          '--blobs',
          ...specs.map((spec) => JSON.stringify(spec)),
          '--epochs',
          '2',
          '--permanent',
          '--json',
        ]),
      ),
    );
    const local = encodeQuilt(
      [
        { identifier: 'art/a', bytes: FILES['a.png'], tags: { rarity: 'rare' } },
        { identifier: 'art/b', bytes: FILES['b.jpg'], tags: { rarity: 'common' } },
        { identifier: '1.json', bytes: FILES['1.json'], tags: { rarity: 'rare', kind: 'meta' } },
      ],
      N_SHARDS,
    );
    expect(json.storedQuiltBlobs).toEqual(local.patchIds);
    expect(json.blobStoreResult.deletable).toBe(false);
    taggedQuiltId = json.blobStoreResult.blobId;
  }, 120_000);

  it('list-patches-in-quilt lists the index (JSON and text)', async () => {
    const json = JSON.parse(
      ok(await runCli(devnet, ['list-patches-in-quilt', taggedQuiltId, '--json'])),
    );
    expect(json.quiltId).toBe(taggedQuiltId);
    expect(json.patches.map((p: { identifier: string }) => p.identifier)).toEqual([
      '1.json',
      'art/a',
      'art/b',
    ]);
    expect(json.patches[0].tags).toEqual({ kind: 'meta', rarity: 'rare' });
    const text = ok(await runCli(devnet, ['list-patches-in-quilt', dirQuilt.quiltId]));
    expect(text).toContain(`Quilt ${dirQuilt.quiltId}: 5 patches`);
    for (const patch of dirQuilt.patches) expect(text).toContain(patch.quiltPatchId);
  }, 60_000);

  it('read-quilt --identifiers writes those files byte for byte', async () => {
    const out = join(devnet.dir, '..', 'by-id');
    const json = JSON.parse(
      ok(
        await runCli(devnet, [
          'read-quilt',
          '--quilt-id',
          dirQuilt.quiltId,
          '--identifiers',
          'b.jpg',
          'empty.bin',
          '--out',
          out,
          '--json',
        ]),
      ),
    );
    expect(json.retrievedBlobs.map((b: { identifier: string }) => b.identifier)).toEqual([
      'b.jpg',
      'empty.bin',
    ]);
    expect(readdirSync(out).sort()).toEqual(['b.jpg', 'empty.bin']);
    expectBytes(readFileSync(join(out, 'b.jpg')), FILES['b.jpg']);
    expect(readFileSync(join(out, 'empty.bin'))).toHaveLength(0);
  }, 60_000);

  it('read-quilt --tag writes the tagged patches, identifiers made file names', async () => {
    const out = join(devnet.dir, '..', 'by-tag');
    const text = ok(
      await runCli(devnet, [
        'read-quilt',
        '--quilt-id',
        taggedQuiltId,
        '--tag',
        'rarity',
        'rare',
        '--out',
        out,
      ]),
    );
    expect(text).toContain('Retrieved 2 patches');
    expect(readdirSync(out).sort()).toEqual(['1.json', 'art_a']);
    expectBytes(readFileSync(join(out, 'art_a')), FILES['a.png']);
    expectBytes(readFileSync(join(out, '1.json')), FILES['1.json']);
  }, 60_000);

  it('read-quilt --quilt-patch-ids and the whole quilt, to a directory and to stdout', async () => {
    const [first, , third] = dirQuilt.patches;
    const raw = await runCli(devnet, [
      'read-quilt',
      '--quilt-patch-ids',
      third.quiltPatchId,
      first.quiltPatchId,
    ]);
    expect(raw.code).toBe(0);
    expectBytes(
      raw.stdout,
      Buffer.concat([FILES[third.identifier], FILES[first.identifier]]),
      'patches on stdout',
    );
    const out = join(devnet.dir, '..', 'all');
    const json = JSON.parse(
      ok(
        await runCli(devnet, [
          'read-quilt',
          '--quilt-id',
          dirQuilt.quiltId,
          '--out',
          out,
          '--json',
        ]),
      ),
    );
    expect(json.retrievedBlobs).toHaveLength(5);
    for (const [name, bytes] of Object.entries(FILES))
      expectBytes(readFileSync(join(out, name)), bytes, name);
  }, 60_000);

  it('fails clearly for an unknown identifier and a bad patch ID', async () => {
    const missing = await runCli(devnet, [
      'read-quilt',
      '--quilt-id',
      dirQuilt.quiltId,
      '--identifiers',
      'nope',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no patch with identifier "nope"/);
    const bad = await runCli(devnet, ['read-quilt', '--quilt-patch-ids', 'A'.repeat(50)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid quilt patch ID/);
  }, 60_000);
});
