/**
 * `walrus-edge extend --object-id ID --epochs N [--json]`: buy N more epochs for a certified,
 * unexpired Blob object the wallet owns. Walrus's spellings `--blob-obj-id` and
 * `--epochs-extended` work too.
 */
import { blobIdToString } from '../../core/blob-id.js';
import type { ChainBlob, ExtendResult, SystemState } from '../../core/chain/types.js';
import {
  eitherOption,
  NETWORK_OPTION,
  parseCommandArgs,
  parseEpochs,
  parseObjectIdArg,
  positionalsExactly,
} from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError, usageError } from './errors.js';
import { formatMist } from './format.js';
import { isExpired } from './list-blobs.js';
import { EXTEND_USAGE } from './usage.js';

export { EXTEND_USAGE };

export interface ExtendCommandOptions {
  readonly objectId: string;
  readonly epochs: number | 'max';
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseExtendArgs(args: readonly string[]): ExtendCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      'object-id': { type: 'string' },
      'blob-obj-id': { type: 'string' },
      epochs: { type: 'string' },
      'epochs-extended': { type: 'string' },
      json: { type: 'boolean', default: false },
      ...NETWORK_OPTION,
    },
    EXTEND_USAGE,
  );
  positionalsExactly(positionals, [], 'extend', EXTEND_USAGE);
  const objectId = eitherOption(values, ['object-id', 'blob-obj-id'], EXTEND_USAGE);
  if (objectId === undefined)
    throw usageError('extend needs --object-id ID (the Blob object, see list-blobs)', EXTEND_USAGE);
  return {
    objectId: parseObjectIdArg(objectId, '--object-id', EXTEND_USAGE),
    epochs: parseEpochs(
      eitherOption(values, ['epochs', 'epochs-extended'], EXTEND_USAGE),
      '--epochs',
      EXTEND_USAGE,
    ),
    json: values.json,
    network: values.network,
  };
}

/**
 * Epochs to add, checked as Move's `extend_blob` checks them, so a doomed transaction is not
 * sent: certified, not expired, and `end_epoch + epochs - epoch <= max_epochs_ahead`.
 */
export function extensionEpochs(
  blob: ChainBlob,
  epochs: number | 'max',
  system: SystemState,
): number {
  const id = `blob ${blobIdToString(blob.blobId)} (object ${blob.objectId})`;
  if (blob.certifiedEpoch === null) {
    throw new CliError(
      `${id} is not certified: only certified blobs can be extended`,
      'Store the file again.',
    );
  }
  if (isExpired(blob, system.epoch)) {
    throw new CliError(
      `${id} expired at epoch ${blob.storage.endEpoch} (now ${system.epoch})`,
      'Store the file again.',
    );
  }
  const room = system.maxEpochsAhead - (blob.storage.endEpoch - system.epoch);
  if (room <= 0) {
    throw new CliError(
      `${id} already ends ${system.maxEpochsAhead} epochs ahead, the most this network sells`,
      'Extend it again in a later epoch.',
    );
  }
  if (epochs === 'max') return room;
  if (epochs > room) {
    throw new CliError(
      `${id} can be extended by at most ${room} epochs (it ends at epoch ${blob.storage.endEpoch}; ` +
        `the network sells up to ${system.maxEpochsAhead} epochs ahead of epoch ${system.epoch})`,
      `Use --epochs ${room} (or --epochs max).`,
    );
  }
  return epochs;
}

/** `--json` output; `cost` is MIST (excluding gas) as a decimal string. */
export interface ExtendJson {
  readonly blobId: string;
  readonly objectId: string;
  readonly previousEndEpoch: number;
  readonly endEpoch: number;
  readonly epochsExtended: number;
  readonly cost: string;
  readonly txDigest: string;
}

export function extendJson(blob: ChainBlob, epochs: number, result: ExtendResult): ExtendJson {
  return {
    blobId: blobIdToString(blob.blobId),
    objectId: blob.objectId,
    previousEndEpoch: blob.storage.endEpoch,
    endEpoch: result.endEpoch,
    epochsExtended: epochs,
    cost: result.costMist.toString(),
    txDigest: result.digest,
  };
}

export function extendLines(json: ExtendJson): string[] {
  return [
    `Extended blob ${json.blobId} (object ${json.objectId}) by ${json.epochsExtended} epochs: ` +
      `end epoch ${json.previousEndEpoch} → ${json.endEpoch}. Cost: ${formatMist(BigInt(json.cost))} (gas not included).`,
  ];
}

export async function extendCommand(
  options: ExtendCommandOptions,
  session: Session,
): Promise<void> {
  const { chain } = session;
  const signer = await session.signer();
  const owner = signer.toSuiAddress();
  const [system, blob] = await Promise.all([
    chain.readSystem({ fresh: true }),
    chain.readBlob(options.objectId),
  ]);
  if (blob.owner !== owner) {
    throw new CliError(
      `object ${blob.objectId} is owned by ${blob.owner ?? 'no address'}, not by this wallet (${owner})`,
    );
  }
  const epochs = extensionEpochs(blob, options.epochs, system);
  const result = await chain.extendBlob(blob, epochs, signer, { system });
  const json = extendJson(blob, epochs, result);
  if (options.json) session.io.out(JSON.stringify(json));
  else for (const line of extendLines(json)) session.io.out(line);
}

export async function runExtend(args: readonly string[], context: CommandContext): Promise<void> {
  const options = parseExtendArgs(args);
  await extendCommand(options, context.openSession(options.network));
}
