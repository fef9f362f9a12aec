/**
 * `walrus-edge list-patches-in-quilt QUILT_ID [--json]` (Walrus alias `resolve-quilt`): the
 * quilt's index, read from its index columns only and verified — each patch's identifier, quilt
 * patch ID, columns and tags, in index order. --json prints `{quiltId, patches: [{identifier,
 * quiltPatchId, range, tags}]}`.
 */
import { blobIdToString } from '../../core/blob-id.js';
import { listQuiltPatches } from '../quilt-patches.js';
import { NETWORK_OPTION, parseBlobIdArg, parseCommandArgs, positionalsExactly } from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError } from './errors.js';
import { tableLines } from './format.js';
import { LIST_PATCHES_USAGE } from './usage.js';

export { LIST_PATCHES_USAGE };

export interface ListPatchesCommandOptions {
  readonly quiltId: Uint8Array;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseListPatchesArgs(args: readonly string[]): ListPatchesCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    { json: { type: 'boolean', default: false }, ...NETWORK_OPTION },
    LIST_PATCHES_USAGE,
  );
  const [quiltId] = positionalsExactly(
    positionals,
    ['QUILT_ID'],
    'list-patches-in-quilt',
    LIST_PATCHES_USAGE,
  );
  return {
    quiltId: parseBlobIdArg(quiltId, LIST_PATCHES_USAGE),
    json: values.json,
    network: values.network,
  };
}

export async function listPatchesCommand(
  options: ListPatchesCommandOptions,
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
  const patches = await listQuiltPatches(options.quiltId, system);
  const quiltId = blobIdToString(options.quiltId);
  if (options.json) {
    io.out(JSON.stringify({ quiltId, patches }));
    return;
  }
  io.out(`Quilt ${quiltId}: ${patches.length} patch${patches.length === 1 ? '' : 'es'}`);
  for (const line of tableLines(
    ['Identifier', 'Quilt patch ID', 'Columns', 'Tags'],
    patches.map((patch) => [
      patch.identifier,
      patch.quiltPatchId,
      `[${patch.range[0]}, ${patch.range[1]})`,
      Object.entries(patch.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', '),
    ]),
  ))
    io.out(line);
}

export async function runListPatches(
  args: readonly string[],
  context: CommandContext,
): Promise<void> {
  const options = parseListPatchesArgs(args);
  await listPatchesCommand(options, context.openSession(options.network));
}
