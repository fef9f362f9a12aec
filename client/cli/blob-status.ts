/**
 * `walrus-edge blob-status BLOB_ID [--json]`: ask every storage node for the blob's status
 * (GET /v1/blobs/{id}/status) and report the one Walrus would (docs/spec/api.md §5.4 "Status"):
 * identical answers are grouped and weighed by the shards of the nodes giving them; of the
 * groups backed by more than f shards (so at least one honest node), the most advanced lifecycle
 * state wins (nonexistent < deletable < permanent < invalid), then the heavier group. A lagging
 * minority therefore cannot hide a registration, and no status reported by f or fewer shards is
 * trusted.
 */
import { blobIdToString } from '../../core/blob-id.js';
import type { SystemState } from '../../core/chain/types.js';
import { encodingParams, isAboveValidity } from '../../core/encoding/config.js';
import {
  type AggregatedStatus,
  type DeletableCounts,
  type NodeBlobStatus,
  aggregateBlobStatus,
  askNodesForStatus,
} from '../status.js';
import { NETWORK_OPTION, parseBlobIdArg, parseCommandArgs, positionalsExactly } from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError, usageError } from './errors.js';
import { alignedLines } from './format.js';
import { BLOB_STATUS_USAGE } from './usage.js';

export { BLOB_STATUS_USAGE };
/** `--json` output. `endEpoch` is null unless permanent: nodes track deletable blobs per object. */
export interface BlobStatusJson {
  readonly blobId: string;
  readonly status: NodeBlobStatus['kind'];
  readonly certified: boolean;
  readonly certifiedEpoch: number | null;
  readonly endEpoch: number | null;
  readonly deletableCounts: DeletableCounts | null;
  readonly weight: number;
  readonly answeredWeight: number;
  readonly nShards: number;
  readonly epoch: number;
}

export function blobStatusJson(
  blobId: string,
  aggregated: AggregatedStatus,
  nShards: number,
  epoch: number,
): BlobStatusJson {
  const { status } = aggregated;
  const base = {
    blobId,
    status: status.kind,
    weight: aggregated.weight,
    answeredWeight: aggregated.answeredWeight,
    nShards,
    epoch,
  };
  switch (status.kind) {
    case 'permanent':
      return {
        ...base,
        certified: status.isCertified,
        certifiedEpoch: status.initialCertifiedEpoch,
        endEpoch: status.endEpoch,
        deletableCounts: status.deletableCounts,
      };
    case 'deletable':
      return {
        ...base,
        certified: status.deletableCounts.certified > 0,
        certifiedEpoch: status.initialCertifiedEpoch,
        endEpoch: null,
        deletableCounts: status.deletableCounts,
      };
    default:
      return {
        ...base,
        certified: false,
        certifiedEpoch: null,
        endEpoch: null,
        deletableCounts: null,
      };
  }
}

function describeStatus(json: BlobStatusJson): string {
  const counts = json.deletableCounts;
  switch (json.status) {
    case 'nonexistent':
      return 'not stored (no registration seen by the storage nodes)';
    case 'invalid':
      return 'invalid (the blob ID was proven inconsistently encoded)';
    case 'permanent':
      return (
        `permanent, ${json.certified ? 'certified' : 'registered, not certified'}` +
        (counts !== null && counts.total > 0
          ? `; also ${counts.total} deletable (${counts.certified} certified)`
          : '')
      );
    case 'deletable':
      return `deletable, ${counts!.total} object(s), ${counts!.certified} certified`;
  }
}

export function blobStatusLines(json: BlobStatusJson): string[] {
  const endEpoch =
    json.endEpoch !== null
      ? `${json.endEpoch} (exclusive; now epoch ${json.epoch})`
      : json.status === 'deletable'
        ? "per object (`walrus-edge list-blobs` for the wallet's)"
        : '-';
  return alignedLines([
    ['Blob ID', json.blobId],
    ['Status', describeStatus(json)],
    ['Certified epoch', json.certifiedEpoch === null ? '-' : String(json.certifiedEpoch)],
    ['End epoch', endEpoch],
    ['Backed by', `${json.weight} of ${json.nShards} shards (${json.answeredWeight} answered)`],
  ]);
}

export interface BlobStatusCommandOptions {
  readonly blobId: Uint8Array;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseBlobStatusArgs(args: readonly string[]): BlobStatusCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    { 'blob-id': { type: 'string' }, json: { type: 'boolean', default: false }, ...NETWORK_OPTION },
    BLOB_STATUS_USAGE,
  );
  const flag = values['blob-id'];
  if (flag !== undefined && positionals.length > 0) {
    throw usageError('give the blob ID as BLOB_ID or --blob-id, not both', BLOB_STATUS_USAGE);
  }
  const [text] =
    flag !== undefined
      ? [flag]
      : positionalsExactly(positionals, ['BLOB_ID'], 'blob-status', BLOB_STATUS_USAGE);
  return {
    blobId: parseBlobIdArg(text, BLOB_STATUS_USAGE),
    json: values.json,
    network: values.network,
  };
}

export async function blobStatusCommand(
  options: BlobStatusCommandOptions,
  session: Session,
): Promise<void> {
  const system = await session.chain.readSystem();
  if (system.members.length === 0) {
    throw new CliError(
      `the network has no storage committee yet (epoch ${system.epoch})`,
      'Wait for the first epoch change.',
    );
  }
  const blobId = blobIdToString(options.blobId);
  const replies = await askNodesForStatus(options.blobId, system);
  const aggregated = aggregateBlobStatus(replies, system.nShards);
  if (aggregated === undefined) {
    const answered = replies.reduce(
      (sum, reply) => sum + (reply.status === undefined ? 0 : reply.weight),
      0,
    );
    throw new CliError(
      `no status of blob ${blobId} is backed by more than ${encodingParams(system.nShards).maxFaulty} of ` +
        `${system.nShards} shards (nodes holding ${answered} shards answered)`,
      'Storage nodes may be down or lagging behind the chain; retry, and check them with `walrus-edge info`.',
    );
  }
  const json = blobStatusJson(blobId, aggregated, system.nShards, system.epoch);
  if (options.json) session.io.out(JSON.stringify(json));
  else for (const line of blobStatusLines(json)) session.io.out(line);
}

export async function runBlobStatus(
  args: readonly string[],
  context: CommandContext,
): Promise<void> {
  const options = parseBlobStatusArgs(args);
  await blobStatusCommand(options, context.openSession(options.network));
}
