/**
 * `walrus-edge delete BLOB_ID | --blob-id ID | --object-id ID [--json]`: delete deletable blobs
 * the wallet owns; their Storage comes back to the wallet. A blob ID deletes every deletable,
 * unexpired Blob object of the wallet with that ID (as Walrus does); other copies of the blob,
 * someone else's or permanent ones, stay readable.
 */
import { blobIdToString } from '../../core/blob-id.js';
import type { ChainBlob } from '../../core/chain/types.js';
import { bytesEqual } from '../../core/bytes.js';
import { NETWORK_OPTION, parseBlobIdArg, parseCommandArgs, parseObjectIdArg } from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError, usageError } from './errors.js';
import { isExpired, ownedBlobsAll } from './list-blobs.js';
import { DELETE_USAGE } from './usage.js';

export { DELETE_USAGE };

export type DeleteTarget =
  | { readonly kind: 'blobId'; readonly blobId: Uint8Array }
  | { readonly kind: 'objectId'; readonly objectId: string };

export interface DeleteCommandOptions {
  readonly target: DeleteTarget;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseDeleteArgs(args: readonly string[]): DeleteCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      'blob-id': { type: 'string' },
      'object-id': { type: 'string' },
      json: { type: 'boolean', default: false },
      // Walrus asks for confirmation unless --yes; this CLI never prompts.
      yes: { type: 'boolean', default: false },
      ...NETWORK_OPTION,
    },
    DELETE_USAGE,
  );
  if (positionals.length > 1)
    throw usageError(`delete takes one blob, got ${positionals.length}`, DELETE_USAGE);
  if (positionals.length === 1 && values['blob-id'] !== undefined) {
    throw usageError('give the blob ID as BLOB_ID or --blob-id, not both', DELETE_USAGE);
  }
  const blobIdText = positionals[0] ?? values['blob-id'];
  const objectIdText = values['object-id'];
  if ((blobIdText === undefined) === (objectIdText === undefined)) {
    throw usageError(
      'delete needs exactly one of BLOB_ID (or --blob-id) and --object-id',
      DELETE_USAGE,
    );
  }
  const target: DeleteTarget =
    objectIdText !== undefined
      ? { kind: 'objectId', objectId: parseObjectIdArg(objectIdText, '--object-id', DELETE_USAGE) }
      : { kind: 'blobId', blobId: parseBlobIdArg(blobIdText!, DELETE_USAGE) };
  return { target, json: values.json, network: values.network };
}

export interface DeletedJson {
  readonly blobId: string;
  readonly objectId: string;
  /** The Storage object the blob held, now the wallet's to reuse. */
  readonly storageObjectId: string;
  readonly txDigest: string;
}

/** `--json` output: `{deleted: [...]}`, one entry per Blob object deleted. */
export interface DeleteJson {
  readonly deleted: readonly DeletedJson[];
}

export function deleteLines(result: DeleteJson): string[] {
  return result.deleted.map(
    (entry) =>
      `Deleted blob ${entry.blobId} (object ${entry.objectId}); its storage ${entry.storageObjectId} is back in the wallet.`,
  );
}

/** The wallet's Blob objects a delete of `target` applies to; throws if there is none. */
export function deletableBlobs(
  target: DeleteTarget,
  owned: readonly ChainBlob[],
  epoch: number,
): ChainBlob[] {
  const named =
    target.kind === 'objectId'
      ? owned.filter((blob) => blob.objectId === target.objectId)
      : owned.filter((blob) => bytesEqual(blob.blobId, target.blobId));
  const what =
    target.kind === 'objectId'
      ? `object ${target.objectId}`
      : `blob ${blobIdToString(target.blobId)}`;
  if (named.length === 0) {
    const kind = target.kind === 'objectId' ? 'Blob object with ID' : 'Blob object with blob ID';
    const id = target.kind === 'objectId' ? target.objectId : blobIdToString(target.blobId);
    throw new CliError(
      `the wallet owns no ${kind} ${id}`,
      "`walrus-edge list-blobs` lists the wallet's blobs.",
    );
  }
  const deletable = named.filter((blob) => blob.deletable);
  if (deletable.length === 0) {
    const permanent =
      target.kind === 'objectId'
        ? `${what} is permanent`
        : `the wallet's Blob objects of ${what} are all permanent`;
    throw new CliError(
      `${permanent}: only deletable blobs can be deleted`,
      'A permanent blob stays stored until its end epoch. Store without --permanent to be able to delete.',
    );
  }
  const live = deletable.filter((blob) => !isExpired(blob, epoch));
  if (live.length === 0) {
    throw new CliError(
      `${what} has expired (end epoch ${deletable[0].storage.endEpoch}, now ${epoch}); nothing to delete`,
    );
  }
  return live;
}

export async function deleteCommand(
  options: DeleteCommandOptions,
  session: Session,
): Promise<void> {
  const { chain } = session;
  const signer = await session.signer();
  const owner = signer.toSuiAddress();
  const { target } = options;
  // An object ID needs one read; a blob ID needs the wallet's whole listing.
  const [system, owned] = await Promise.all([
    chain.readSystem(),
    target.kind === 'objectId'
      ? chain.readBlob(target.objectId).then((blob) => [blob])
      : ownedBlobsAll(chain, owner),
  ]);
  for (const blob of owned) {
    if (blob.owner !== owner) {
      throw new CliError(
        `object ${blob.objectId} is owned by ${blob.owner ?? 'no address'}, not by this wallet (${owner})`,
      );
    }
  }
  const deleted: DeletedJson[] = [];
  for (const blob of deletableBlobs(target, owned, system.epoch)) {
    const result = await chain.deleteBlob(blob, signer);
    deleted.push({
      blobId: blobIdToString(blob.blobId),
      objectId: blob.objectId,
      storageObjectId: result.storage.objectId,
      txDigest: result.digest,
    });
  }
  const json: DeleteJson = { deleted };
  if (options.json) session.io.out(JSON.stringify(json));
  else for (const line of deleteLines(json)) session.io.out(line);
}

export async function runDelete(args: readonly string[], context: CommandContext): Promise<void> {
  const options = parseDeleteArgs(args);
  await deleteCommand(options, context.openSession(options.network));
}
