/**
 * `walrus-edge read-quilt (--quilt-id ID [--identifiers ID… | --tag KEY VALUE] | --quilt-patch-ids
 * P…) [--out DIR] [--json]`: Walrus's read-quilt. Each patch is read from its own columns (the
 * index too when selecting by identifier, tag or all), every column verified. With --out, each
 * patch goes to DIR/<identifier> (written atomically; a repeated name gets `_2`, `_3` before its
 * extension, as Walrus names them); without it, the patches' bytes go to stdout one after another.
 *
 * Identifiers come from the network, so they never name a path: `/` and `\` become `_`, and `.`
 * or `..` get a `_` prefix — Walrus joins them to DIR as they are.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QUILT_PATCH_ID_TEXT_CHARS } from '../../core/quilt/patch-id.js';
import type { QuiltPatch, QuiltPatchSelection } from '../quilt-patches.js';
import { readQuiltPatches } from '../quilt-patches.js';
import {
  NETWORK_OPTION,
  parseBlobIdArg,
  parseCommandArgs,
  positionalsExactly,
  takeListOptions,
} from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError, usageError } from './errors.js';
import { writeFileAtomic } from './files.js';
import { READ_QUILT_USAGE } from './usage.js';

export { READ_QUILT_USAGE };

const BLOB_ID_TEXT = /^[A-Za-z0-9_-]{43}$/;
const PATCH_ID_TEXT = new RegExp(`^[A-Za-z0-9_-]{${QUILT_PATCH_ID_TEXT_CHARS}}$`);

export interface ReadQuiltCommandOptions {
  readonly selection: QuiltPatchSelection;
  readonly out: string | undefined;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseReadQuiltArgs(args: readonly string[]): ReadQuiltCommandOptions {
  const { rest, lists } = takeListOptions(
    args,
    {
      // A blob ID is base64url: it may start with `-`, which parseArgs would take for an option.
      quiltId: { names: ['quilt-id'], arity: 1, isValue: (token) => BLOB_ID_TEXT.test(token) },
      identifiers: { names: ['identifiers', 'identifier'] },
      tag: { names: ['tag'], arity: 2 },
      patchIds: {
        names: ['quilt-patch-ids', 'quilt-patch-id', 'patch-ids'],
        // A patch ID is base64url: it may start with `--`.
        isValue: (token) => PATCH_ID_TEXT.test(token),
      },
    },
    READ_QUILT_USAGE,
  );
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      ...NETWORK_OPTION,
    },
    READ_QUILT_USAGE,
  );
  positionalsExactly(positionals, [], 'read-quilt', READ_QUILT_USAGE);
  const identifiers = lists.identifiers.flat();
  const patchIds = lists.patchIds.flat();
  if (lists.tag.length > 1)
    throw usageError('only one --tag KEY VALUE is supported, as in Walrus', READ_QUILT_USAGE);
  if (lists.quiltId.length > 1) throw usageError('give --quilt-id once', READ_QUILT_USAGE);
  const quiltIdText = lists.quiltId[0]?.[0];
  const common = { out: values.out, json: values.json, network: values.network };
  if (patchIds.length > 0) {
    if (quiltIdText !== undefined || identifiers.length > 0 || lists.tag.length > 0) {
      throw usageError(
        '--quilt-patch-ids is used alone (the IDs name their quilt)',
        READ_QUILT_USAGE,
      );
    }
    return { selection: { quiltPatchIds: patchIds }, ...common };
  }
  if (quiltIdText === undefined)
    throw usageError('read-quilt needs --quilt-id or --quilt-patch-ids', READ_QUILT_USAGE);
  const quiltId = parseBlobIdArg(quiltIdText, READ_QUILT_USAGE);
  if (identifiers.length > 0 && lists.tag.length > 0)
    throw usageError('give --identifiers or --tag, not both', READ_QUILT_USAGE);
  if (identifiers.length > 0) return { selection: { quiltId, identifiers }, ...common };
  if (lists.tag.length === 1) {
    const [key, value] = lists.tag[0];
    return { selection: { quiltId, tag: [key, value] }, ...common };
  }
  return { selection: { quiltId }, ...common };
}

/** A file name for a patch: never a path, whatever the identifier. */
export function patchFileName(identifier: string): string {
  const name = identifier.replace(/[/\\]/g, '_');
  return name === '.' || name === '..' ? `_${name}` : name;
}

/** File names for patches in order, repeated names numbered from 2 before the extension. */
export function patchFileNames(identifiers: readonly string[]): string[] {
  const taken = new Set<string>();
  return identifiers.map((identifier) => {
    const base = patchFileName(identifier);
    const dot = base.lastIndexOf('.');
    let name = base;
    for (let n = 2; taken.has(name); n++)
      name = dot > 0 ? `${base.slice(0, dot)}_${n}${base.slice(dot)}` : `${base}_${n}`;
    taken.add(name);
    return name;
  });
}

interface PatchJson {
  readonly identifier: string;
  readonly quiltPatchId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly size: number;
  /** With --out: where it was written. */
  readonly path?: string;
  /** Without --out: the bytes in standard base64, as `read --json`. */
  readonly data?: string;
}

function patchJson(patch: QuiltPatch, path: string | undefined): PatchJson {
  const base = {
    identifier: patch.identifier,
    quiltPatchId: patch.quiltPatchId,
    tags: patch.tags,
    size: patch.data.length,
  };
  if (path !== undefined) return { ...base, path };
  const { data } = patch;
  return {
    ...base,
    data: Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64'),
  };
}

export async function readQuiltCommand(
  options: ReadQuiltCommandOptions,
  session: Session,
): Promise<void> {
  const { io } = session;
  const system = await session.chain.readSystem();
  if (system.members.length === 0) {
    throw new CliError(
      `the network has no storage committee yet (epoch ${system.epoch})`,
      'Wait for the first epoch change.',
    );
  }
  const patches = await readQuiltPatches(options.selection, system);
  if (options.out === undefined) {
    if (options.json) {
      io.out(JSON.stringify({ retrievedBlobs: patches.map((p) => patchJson(p, undefined)) }));
    } else {
      for (const patch of patches) await io.writeOut(patch.data);
    }
    return;
  }
  const out = resolve(options.out);
  try {
    mkdirSync(out, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create ${out}: ${(error as Error).message}`);
  }
  const paths = patchFileNames(patches.map((patch) => patch.identifier)).map((name) =>
    join(out, name),
  );
  patches.forEach((patch, i) => writeFileAtomic(paths[i], patch.data));
  if (options.json) {
    io.out(JSON.stringify({ out, retrievedBlobs: patches.map((p, i) => patchJson(p, paths[i])) }));
    return;
  }
  io.out(`Retrieved ${patches.length} patch${patches.length === 1 ? '' : 'es'} into ${out}.`);
  patches.forEach((patch, i) => {
    const tags = Object.entries(patch.tags);
    io.out(`${i + 1}. ${patch.identifier} (${patch.data.length} bytes) → ${paths[i]}`);
    io.out(
      `   Tags: ${tags.length === 0 ? '(none)' : tags.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    );
  });
}

export async function runReadQuilt(
  args: readonly string[],
  context: CommandContext,
): Promise<void> {
  const options = parseReadQuiltArgs(args);
  await readQuiltCommand(options, context.openSession(options.network));
}
