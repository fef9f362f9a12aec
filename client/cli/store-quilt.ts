/**
 * `walrus-edge store-quilt (--paths PATH… | --blobs JSON…) --epochs N|max [--permanent] [--json]`:
 * build one quilt of the files (docs/spec/quilts.md §5), store it as one blob (encoded on every
 * core) with Walrus's `_walrusBlobType = "quilt"` attribute, and print each file's quilt patch ID.
 * Deletable unless --permanent, as `store`. --json prints what Walrus's publisher answers:
 * `{blobStoreResult, storedQuiltBlobs: [{identifier, quiltPatchId, range}]}`.
 */
import { QUILT_BODY_BYTES_DEFAULT, quiltPatchesMax } from '../../core/quilt/limits.js';
import { EncoderPool } from '../node/encoder-pool.js';
import { type QuiltStoreResult, storeQuilt } from '../store-quilt.js';
import {
  NETWORK_OPTION,
  parseCommandArgs,
  parseEpochs,
  positionalsExactly,
  takeListOptions,
} from './args.js';
import type { CommandContext, Session } from './context.js';
import { usageError } from './errors.js';
import { tableLines } from './format.js';
import { createProgress, storeStep } from './progress.js';
import {
  type QuiltInputFile,
  filesOfPaths,
  parseBlobSpec,
  readQuiltInputs,
} from './quilt-files.js';
import { type StoreJson, checkCommittee, resolveEpochs, storeJson, storeLines } from './store.js';
import { STORE_QUILT_USAGE } from './usage.js';

export { STORE_QUILT_USAGE };

export interface StoreQuiltCommandOptions {
  /** `--paths` (named by file name) or `--blobs` (explicit identifiers and tags). */
  readonly source: { readonly paths: readonly string[] } | { readonly blobs: QuiltInputFile[] };
  readonly epochs: number | 'max';
  readonly deletable: boolean;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseStoreQuiltArgs(args: readonly string[]): StoreQuiltCommandOptions {
  const { rest, lists } = takeListOptions(
    args,
    { paths: { names: ['paths'] }, blobs: { names: ['blobs'] } },
    STORE_QUILT_USAGE,
  );
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      epochs: { type: 'string' },
      permanent: { type: 'boolean', default: false },
      deletable: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...NETWORK_OPTION,
    },
    STORE_QUILT_USAGE,
  );
  positionalsExactly(positionals, [], 'store-quilt', STORE_QUILT_USAGE);
  if (values.permanent && values.deletable)
    throw usageError('give --permanent or --deletable, not both', STORE_QUILT_USAGE);
  const paths = lists.paths.flat();
  const blobs = lists.blobs.flat();
  if (paths.length > 0 && blobs.length > 0)
    throw usageError('give --paths or --blobs, not both', STORE_QUILT_USAGE);
  if (paths.length === 0 && blobs.length === 0)
    throw usageError('store-quilt needs --paths or --blobs', STORE_QUILT_USAGE);
  return {
    source:
      paths.length > 0
        ? { paths }
        : { blobs: blobs.map((text) => parseBlobSpec(text, STORE_QUILT_USAGE)) },
    epochs: parseEpochs(values.epochs, '--epochs', STORE_QUILT_USAGE),
    deletable: !values.permanent,
    json: values.json,
    network: values.network,
  };
}

export interface StoreQuiltJson {
  readonly blobStoreResult: StoreJson;
  readonly storedQuiltBlobs: readonly {
    readonly identifier: string;
    readonly quiltPatchId: string;
    readonly range: readonly [number, number];
  }[];
}

export function storeQuiltJson(result: QuiltStoreResult): StoreQuiltJson {
  return { blobStoreResult: storeJson(result), storedQuiltBlobs: result.storedQuiltBlobs };
}

export async function storeQuiltCommand(
  options: StoreQuiltCommandOptions,
  session: Session,
): Promise<void> {
  const { chain, io } = session;
  const system = await chain.readSystem();
  checkCommittee(system);
  const epochs = resolveEpochs(options.epochs, system.maxEpochsAhead);
  const filesMax = quiltPatchesMax(system.nShards);
  const inputs =
    'paths' in options.source ? filesOfPaths(options.source.paths, filesMax) : options.source.blobs;
  const files = readQuiltInputs(inputs, { filesMax, bytesMax: QUILT_BODY_BYTES_DEFAULT });
  const signer = await session.signer();
  const pool = new EncoderPool();
  const progress = createProgress(io);
  let result: QuiltStoreResult;
  try {
    result = await storeQuilt(
      files.map(({ file, data }) => ({ identifier: file.identifier, data, tags: file.tags })),
      {
        chain,
        signer,
        epochs,
        deletable: options.deletable,
        encode: (bytes, nShards) => pool.encode(bytes, nShards),
        onProgress: (step) => progress.update(storeStep(step)),
      },
    );
  } finally {
    progress.finish();
    await pool.close();
  }
  if (options.json) {
    io.out(JSON.stringify(storeQuiltJson(result)));
    return;
  }
  const what = { noun: 'quilt', pathLabel: 'Files', idLabel: 'Quilt ID' };
  for (const line of storeLines(result, String(files.length), what)) io.out(line);
  io.out('');
  for (const line of tableLines(
    ['Identifier', 'Quilt patch ID', 'Columns'],
    result.storedQuiltBlobs.map((patch) => [
      patch.identifier,
      patch.quiltPatchId,
      `[${patch.range[0]}, ${patch.range[1]})`,
    ]),
  ))
    io.out(line);
}

export async function runStoreQuilt(
  args: readonly string[],
  context: CommandContext,
): Promise<void> {
  const options = parseStoreQuiltArgs(args);
  await storeQuiltCommand(options, context.openSession(options.network));
}
