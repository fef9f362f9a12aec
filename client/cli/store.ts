/**
 * `walrus-edge store FILE --epochs N|max [--permanent] [--json]`: encode FILE on every core,
 * reserve storage and register the blob in one transaction, upload metadata and slivers to the
 * storage nodes, then certify it with their confirmations. Deletable unless --permanent, as in
 * Walrus.
 */
import { maxBlobBytes } from '../../core/encoding/config.js';
import type { SystemState } from '../../core/chain/types.js';
import { assert } from '../../core/assert.js';
import { blobIdToString } from '../../core/blob-id.js';
import { EncoderPool } from '../node/encoder-pool.js';
import { storeBlob, type StoreResult } from '../store.js';
import { NETWORK_OPTION, parseCommandArgs, parseEpochs, positionalsExactly } from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError, usageError } from './errors.js';
import { readBlobFile } from './files.js';
import { alignedLines, formatBytes, formatMist } from './format.js';
import { createProgress, storeStep } from './progress.js';
import { STORE_USAGE } from './usage.js';

export { STORE_USAGE };

export interface StoreCommandOptions {
  readonly file: string;
  readonly epochs: number | 'max';
  readonly deletable: boolean;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseStoreArgs(args: readonly string[]): StoreCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      epochs: { type: 'string' },
      permanent: { type: 'boolean', default: false },
      // Walrus's hidden flag; deletable is the default anyway.
      deletable: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...NETWORK_OPTION,
    },
    STORE_USAGE,
  );
  const [file] = positionalsExactly(positionals, ['FILE'], 'store', STORE_USAGE);
  if (values.permanent && values.deletable)
    throw usageError('give --permanent or --deletable, not both', STORE_USAGE);
  return {
    file,
    epochs: parseEpochs(values.epochs, '--epochs', STORE_USAGE),
    deletable: !values.permanent,
    json: values.json,
    network: values.network,
  };
}

/** `max` → the network's limit; a number above it fails here rather than as an on-chain abort. */
export function resolveEpochs(epochs: number | 'max', maxEpochsAhead: number): number {
  if (epochs === 'max') return maxEpochsAhead;
  if (epochs > maxEpochsAhead) {
    throw new CliError(
      `--epochs ${epochs} is more than this network allows: at most ${maxEpochsAhead} epochs ahead`,
      `Use --epochs ${maxEpochsAhead} (or --epochs max).`,
    );
  }
  return epochs;
}

/** `--json` output: one object. `cost` is MIST (reserve + register, excluding gas) as a decimal string. */
export interface StoreJson {
  readonly blobId: string;
  readonly objectId: string;
  readonly size: number;
  readonly encodedSize: number;
  readonly endEpoch: number;
  readonly cost: string;
  readonly deletable: boolean;
  readonly certifiedEpoch: number;
}

export function storeJson(result: StoreResult): StoreJson {
  return {
    blobId: result.blobId,
    objectId: result.blobObject.objectId,
    size: result.size,
    encodedSize: result.encodedSize,
    endEpoch: result.endEpoch,
    cost: result.cost.totalMist.toString(),
    deletable: result.blobObject.deletable,
    certifiedEpoch: result.certifiedEpoch,
  };
}

/** What was stored, in the human output: a blob from a file, or a quilt of files. */
export interface StoredWhat {
  readonly noun: string;
  readonly pathLabel: string;
  readonly idLabel: string;
}

const STORED_BLOB: StoredWhat = { noun: 'blob', pathLabel: 'Path', idLabel: 'Blob ID' };

export function storeLines(
  result: StoreResult,
  file: string,
  what: StoredWhat = STORED_BLOB,
): string[] {
  const kind = result.blobObject.deletable ? 'Deletable' : 'Permanent';
  const { storageMist, writeMist, totalMist } = result.cost;
  return [
    `Success: ${kind} ${what.noun} stored and certified.`,
    ...alignedLines([
      [what.pathLabel, file],
      [what.idLabel, result.blobId],
      ['Sui object ID', result.blobObject.objectId],
      ['Unencoded size', `${formatBytes(result.size)} (${result.size} bytes)`],
      [
        'Encoded size',
        `${formatBytes(result.encodedSize)} (${result.encodedSize} bytes, including replicated metadata)`,
      ],
      ['Certified epoch', String(result.certifiedEpoch)],
      ['End epoch', `${result.endEpoch} (exclusive)`],
      [
        'Cost',
        `${formatMist(totalMist)} (storage ${formatMist(storageMist)} + write ${formatMist(writeMist)}; gas not included)`,
      ],
    ]),
  ];
}

export function checkCommittee(system: SystemState): void {
  if (system.members.length === 0) {
    throw new CliError(
      `the network has no storage committee yet (epoch ${system.epoch})`,
      'Wait for the first epoch change; `walrus-edge info` shows the committee.',
    );
  }
}

export async function storeCommand(options: StoreCommandOptions, session: Session): Promise<void> {
  const { chain, io } = session;
  const system = await chain.readSystem();
  checkCommittee(system);
  const epochs = resolveEpochs(options.epochs, system.maxEpochsAhead);
  const bytesMax = maxBlobBytes(system.nShards);
  const pool = new EncoderPool();
  const progress = createProgress(io);
  let result: StoreResult;
  try {
    // Worker threads boot while the file is read.
    const blob = readBlobFile(
      options.file,
      bytesMax,
      () =>
        new CliError(
          `${options.file} is too large for this network: the maximum blob size for ${system.nShards} shards is ${bytesMax} bytes`,
          'Split the file.',
        ),
      (bytes) => {
        if (pool.usesWorkers(bytes, system.nShards)) pool.start();
      },
    );
    const signer = await session.signer();
    result = await storeBlob(blob, {
      chain,
      signer,
      epochs,
      deletable: options.deletable,
      encode: (bytes, nShards) => pool.encode(bytes, nShards),
      onProgress: (step) => progress.update(storeStep(step)),
    });
  } finally {
    progress.finish();
    await pool.close();
  }
  assert(
    result.blobId === blobIdToString(result.blobObject.blobId),
    'the Blob object holds the stored blob ID',
  );
  if (options.json) io.out(JSON.stringify(storeJson(result)));
  else for (const line of storeLines(result, options.file)) io.out(line);
}

export async function runStore(args: readonly string[], context: CommandContext): Promise<void> {
  const options = parseStoreArgs(args);
  await storeCommand(options, context.openSession(options.network));
}
