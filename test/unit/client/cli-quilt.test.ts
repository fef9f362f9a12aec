/**
 * The quilt commands' command lines (Walrus's multi-value flags, the valid query patterns of
 * read-quilt, --paths/--blobs), the file names patches are written to (identifiers from the
 * network never name a path), and the file-system limits checked before any file is read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import { takeListOptions } from '../../../client/cli/args.js';
import { CliError, EXIT_USAGE } from '../../../client/cli/cli-error.js';
import { parseListPatchesArgs } from '../../../client/cli/list-patches.js';
import { filesOfPaths, parseBlobSpec, readQuiltInputs } from '../../../client/cli/quilt-files.js';
import {
  parseReadQuiltArgs,
  patchFileName,
  patchFileNames,
} from '../../../client/cli/read-quilt.js';
import { parseStoreQuiltArgs } from '../../../client/cli/store-quilt.js';
import { main } from '../../../client/cli/main.js';

const QUILT_ID = blobIdToString(new Uint8Array(32).fill(7));
/** A valid patch ID text that starts with `--` (base64url of 0xfb 0xef …). */
const DASH_PATCH_ID = '--' + 'A'.repeat(48);

const dir = mkdtempSync(join(tmpdir(), 'walrus-cli-quilt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function usageFailure(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT_USAGE);
    return error as CliError;
  }
  throw new Error('expected a usage error');
}

describe('takeListOptions', () => {
  it('takes values up to the next option or --, and keeps the rest for parseArgs', () => {
    const { rest, lists } = takeListOptions(
      ['--ids', 'a', 'b', '--json', '--ids=c', '--tag', 'k', 'v', 'x', '--ids', 'd', '--', 'e'],
      { ids: { names: ['ids'] }, tag: { names: ['tag'], arity: 2 } },
      'usage',
    );
    expect(lists.ids).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(lists.tag).toEqual([['k', 'v']]);
    expect(rest).toEqual(['--json', 'x', 'e']);
  });

  it('refuses an option without values and a tag with one value', () => {
    usageFailure(() => takeListOptions(['--ids', '--json'], { ids: { names: ['ids'] } }, 'u'));
    usageFailure(() => takeListOptions(['--tag', 'k'], { tag: { names: ['tag'], arity: 2 } }, 'u'));
  });
});

describe('read-quilt arguments', () => {
  it('accepts the four query patterns of Walrus', () => {
    const byIds = parseReadQuiltArgs([
      '--quilt-id',
      QUILT_ID,
      '--identifiers',
      'a',
      'b c',
      '--out',
      'd',
    ]);
    expect(byIds.selection).toEqual({
      quiltId: new Uint8Array(32).fill(7),
      identifiers: ['a', 'b c'],
    });
    expect(byIds.out).toBe('d');
    const byTag = parseReadQuiltArgs(['--quilt-id', QUILT_ID, '--tag', 'rarity', 'rare', '--json']);
    expect(byTag.selection).toEqual({
      quiltId: new Uint8Array(32).fill(7),
      tag: ['rarity', 'rare'],
    });
    expect(byTag.json).toBe(true);
    const byPatch = parseReadQuiltArgs([
      '--quilt-patch-ids',
      DASH_PATCH_ID,
      'B'.repeat(50),
      '--json',
    ]);
    expect(byPatch.selection).toEqual({ quiltPatchIds: [DASH_PATCH_ID, 'B'.repeat(50)] });
    expect(parseReadQuiltArgs(['--quilt-id', QUILT_ID]).selection).toEqual({
      quiltId: new Uint8Array(32).fill(7),
    });
    const dashId = '--' + QUILT_ID.slice(2);
    const dash = parseReadQuiltArgs(['--quilt-id', dashId]).selection;
    expect(blobIdToString((dash as { quiltId: Uint8Array }).quiltId)).toBe(dashId);
    // Walrus's aliases.
    expect(parseReadQuiltArgs(['--quilt-id', QUILT_ID, '--identifier', 'x']).selection).toEqual({
      quiltId: new Uint8Array(32).fill(7),
      identifiers: ['x'],
    });
  });

  it('refuses the other combinations', () => {
    usageFailure(() => parseReadQuiltArgs([]));
    usageFailure(() => parseReadQuiltArgs(['--identifiers', 'a']));
    usageFailure(() =>
      parseReadQuiltArgs(['--quilt-id', QUILT_ID, '--identifiers', 'a', '--tag', 'k', 'v']),
    );
    usageFailure(() =>
      parseReadQuiltArgs(['--quilt-id', QUILT_ID, '--quilt-patch-ids', 'B'.repeat(50)]),
    );
    usageFailure(() =>
      parseReadQuiltArgs(['--quilt-id', QUILT_ID, '--tag', 'a', 'b', '--tag', 'c', 'd']),
    );
    usageFailure(() => parseReadQuiltArgs(['--quilt-id', 'not-a-blob-id']));
    usageFailure(() => parseReadQuiltArgs(['--quilt-id', QUILT_ID, 'stray']));
  });
});

describe('store-quilt and list-patches-in-quilt arguments', () => {
  it('takes --paths or --blobs, not both, with --epochs', () => {
    const paths = parseStoreQuiltArgs(['--paths', 'a', 'b', '--epochs', '3', '--permanent']);
    expect(paths.source).toEqual({ paths: ['a', 'b'] });
    expect(paths.epochs).toBe(3);
    expect(paths.deletable).toBe(false);
    const blobs = parseStoreQuiltArgs([
      '--blobs',
      '{"path":"/x/a.png","tags":{"rarity":"rare"}}',
      '{"path":"/x/b.json","identifier":"b"}',
      '--epochs',
      'max',
      '--json',
    ]);
    expect(blobs.source).toEqual({
      blobs: [
        { path: '/x/a.png', identifier: 'a.png', tags: { rarity: 'rare' } },
        { path: '/x/b.json', identifier: 'b', tags: {} },
      ],
    });
    usageFailure(() =>
      parseStoreQuiltArgs(['--paths', 'a', '--blobs', '{"path":"b"}', '--epochs', '1']),
    );
    usageFailure(() => parseStoreQuiltArgs(['--epochs', '1']));
    usageFailure(() => parseStoreQuiltArgs(['--paths', 'a']));
    usageFailure(() =>
      parseStoreQuiltArgs(['--paths', 'a', '--epochs', '1', '--permanent', '--deletable']),
    );
  });

  it('refuses --blobs values that are not the documented JSON', () => {
    for (const bad of [
      'nope',
      '[]',
      '{"identifier":"x"}',
      '{"path":"p","tags":{"a":1}}',
      '{"path":"p","extra":1}',
    ])
      usageFailure(() => parseBlobSpec(bad, 'u'));
  });

  it('list-patches-in-quilt takes one quilt ID', () => {
    expect(parseListPatchesArgs([QUILT_ID, '--json']).json).toBe(true);
    usageFailure(() => parseListPatchesArgs([]));
    usageFailure(() => parseListPatchesArgs([QUILT_ID, QUILT_ID]));
  });

  it('prints each command’s usage for --help, aliases included', async () => {
    for (const command of [
      'store-quilt',
      'write-quilt',
      'read-quilt',
      'list-patches-in-quilt',
      'resolve-quilt',
    ]) {
      const lines: string[] = [];
      expect(
        await main(
          [command, '--help'],
          (line) => lines.push(line),
          () => {},
        ),
      ).toBe(0);
      expect(lines.join('\n')).toMatch(
        /^Usage: walrus-edge (store-quilt|read-quilt|list-patches-in-quilt)/,
      );
    }
  });
});

describe('patch file names', () => {
  it('never names a path', () => {
    expect(patchFileName('images/1.png')).toBe('images_1.png');
    expect(patchFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(patchFileName('..')).toBe('_..');
    expect(patchFileName('.')).toBe('_.');
    expect(patchFileName('a\\b')).toBe('a_b');
    expect(patchFileName('héllo 日本')).toBe('héllo 日本');
  });

  it('numbers repeated names before the extension, as Walrus', () => {
    expect(patchFileNames(['a.png', 'a.png', 'b', 'b', 'a/x', 'a_x', 'a.png'])).toEqual([
      'a.png',
      'a_2.png',
      'b',
      'b_2',
      'a_x',
      'a_x_2',
      'a_3.png',
    ]);
  });
});

describe('quilt input files', () => {
  it('walks directories in name order, named by file name, and stops past the patch limit', () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'b.json'), '{}');
    writeFileSync(join(root, 'a.png'), 'png');
    writeFileSync(join(root, 'sub', 'c.txt'), 'c');
    expect(filesOfPaths([root], 10).map((f) => f.identifier)).toEqual(['a.png', 'b.json', 'c.txt']);
    expect(() => filesOfPaths([root], 2)).toThrow(/at most 2/);
    expect(() => filesOfPaths([join(dir, 'missing')], 2)).toThrow(/no such file/);
  });

  it('refuses duplicate identifiers and oversize totals before reading', () => {
    const a = join(dir, 'x1');
    const b = join(dir, 'x2');
    writeFileSync(a, 'aaaa');
    writeFileSync(b, 'bbbb');
    const files = [
      { path: a, identifier: 'same', tags: {} },
      { path: b, identifier: 'same', tags: {} },
    ];
    expect(() => readQuiltInputs(files, { filesMax: 10, bytesMax: 100 })).toThrow(
      /same identifier/,
    );
    const distinct = [files[0], { ...files[1], identifier: 'other' }];
    expect(() => readQuiltInputs(distinct, { filesMax: 10, bytesMax: 7 })).toThrow(
      /more than 7 bytes/,
    );
    const read = readQuiltInputs(distinct, { filesMax: 10, bytesMax: 8 });
    expect(read.map((r) => Buffer.from(r.data).toString())).toEqual(['aaaa', 'bbbb']);
  });
});
