/**
 * `walrus-edge list-blobs [--include-expired] [--json]`: the wallet's Blob objects. Expired
 * ones (end epoch reached) are left out unless --include-expired, as in Walrus.
 */
import { blobIdToString } from '../../core/blob-id.js';
import { PAGE_SIZE_MAX } from '../../core/chain/sui-chain.js';
import type { Chain, ChainBlob } from '../../core/chain/types.js';
import { NETWORK_OPTION, parseCommandArgs, positionalsExactly } from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError } from './errors.js';
import { formatBytes, tableLines } from './format.js';
import { LIST_BLOBS_USAGE } from './usage.js';

export { LIST_BLOBS_USAGE };
/** Pages of PAGE_SIZE_MAX (50, Sui's maximum): 100 000 blobs. A wallet with more is better listed by an indexer. */
export const OWNED_BLOB_PAGES_MAX = 2_000;

/** Every Blob object `owner` holds, page by page. */
export async function ownedBlobsAll(chain: Chain, owner: string): Promise<ChainBlob[]> {
  const blobs: ChainBlob[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < OWNED_BLOB_PAGES_MAX; page++) {
    const result = await chain.ownedBlobs(owner, { cursor });
    blobs.push(...result.data);
    if (!result.hasNextPage) return blobs;
    if (result.nextCursor === null || result.nextCursor === cursor) {
      throw new CliError(`the ledger returned a page of ${owner}'s objects that does not advance`);
    }
    cursor = result.nextCursor;
  }
  throw new CliError(
    `${owner} owns more than ${OWNED_BLOB_PAGES_MAX * PAGE_SIZE_MAX} Blob objects; listing stopped`,
    'Delete or let expire blobs you no longer need.',
  );
}

export const isExpired = (blob: ChainBlob, epoch: number): boolean =>
  blob.storage.endEpoch <= epoch;

/** One entry of the `--json` array. */
export interface ListedBlobJson {
  readonly blobId: string;
  readonly objectId: string;
  readonly size: number;
  readonly registeredEpoch: number;
  readonly certifiedEpoch: number | null;
  readonly certified: boolean;
  readonly endEpoch: number;
  readonly deletable: boolean;
  readonly expired: boolean;
}

export function listedBlobJson(blob: ChainBlob, epoch: number): ListedBlobJson {
  return {
    blobId: blobIdToString(blob.blobId),
    objectId: blob.objectId,
    size: blob.size,
    registeredEpoch: blob.registeredEpoch,
    certifiedEpoch: blob.certifiedEpoch,
    certified: blob.certifiedEpoch !== null,
    endEpoch: blob.storage.endEpoch,
    deletable: blob.deletable,
    expired: isExpired(blob, epoch),
  };
}

/** Registration order (oldest first), then object ID: stable across runs. */
export function sortBlobs(blobs: readonly ChainBlob[]): ChainBlob[] {
  return [...blobs].sort(
    (a, b) =>
      a.registeredEpoch - b.registeredEpoch ||
      (a.objectId < b.objectId ? -1 : a.objectId > b.objectId ? 1 : 0),
  );
}

export function listBlobsLines(entries: readonly ListedBlobJson[]): string[] {
  if (entries.length === 0) return ['The wallet owns no blobs.'];
  return tableLines(
    ['BLOB ID', 'OBJECT ID', 'SIZE', 'END EPOCH', 'CERTIFIED', 'DELETABLE'],
    entries.map((entry) => [
      entry.blobId,
      entry.objectId,
      formatBytes(entry.size),
      `${entry.endEpoch}${entry.expired ? ' (expired)' : ''}`,
      entry.certifiedEpoch === null ? 'no' : `epoch ${entry.certifiedEpoch}`,
      entry.deletable ? 'yes' : 'no',
    ]),
  );
}

export interface ListBlobsCommandOptions {
  readonly includeExpired: boolean;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseListBlobsArgs(args: readonly string[]): ListBlobsCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      'include-expired': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...NETWORK_OPTION,
    },
    LIST_BLOBS_USAGE,
  );
  positionalsExactly(positionals, [], 'list-blobs', LIST_BLOBS_USAGE);
  return { includeExpired: values['include-expired'], json: values.json, network: values.network };
}

export async function listBlobsCommand(
  options: ListBlobsCommandOptions,
  session: Session,
): Promise<void> {
  const owner = (await session.signer()).toSuiAddress();
  const [system, blobs] = await Promise.all([
    session.chain.readSystem(),
    ownedBlobsAll(session.chain, owner),
  ]);
  const entries = sortBlobs(blobs)
    .map((blob) => listedBlobJson(blob, system.epoch))
    .filter((entry) => options.includeExpired || !entry.expired);
  if (options.json) session.io.out(JSON.stringify(entries));
  else for (const line of listBlobsLines(entries)) session.io.out(line);
}

export async function runListBlobs(
  args: readonly string[],
  context: CommandContext,
): Promise<void> {
  const options = parseListBlobsArgs(args);
  await listBlobsCommand(options, context.openSession(options.network));
}
