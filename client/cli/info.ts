/**
 * `walrus-edge info [--json]`: the network as its System object describes it: epoch and epoch
 * state, shards, the storage nodes, prices, the largest blob and the most epochs ahead one can
 * buy.
 */
import { assert } from '../../core/assert.js';
import type { SystemState } from '../../core/chain/types.js';
import { maxBlobBytes, STORAGE_UNIT_BYTES } from '../../core/encoding/config.js';
import { NETWORK_OPTION, parseCommandArgs, positionalsExactly } from './args.js';
import type { CommandContext, Session } from './context.js';
import { alignedLines, formatBytes, formatMist, tableLines } from './format.js';
import type { NetworkConfig } from './network.js';
import { INFO_USAGE } from './usage.js';

export { INFO_USAGE };
/** Keeps the unit the prices are quoted in tied to the storage unit they are charged for. */
const MIB_BYTES = 1_048_576;
assert(STORAGE_UNIT_BYTES === MIB_BYTES, 'prices are per storage unit, which info calls a MiB');

/** `--json` output. MIST amounts and byte capacities are decimal strings (u64 on chain). */
export interface InfoJson {
  readonly epoch: number;
  readonly epochState: SystemState['epochState']['kind'];
  readonly epochDurationMs: number;
  readonly nShards: number;
  readonly nodes: readonly {
    readonly name: string;
    readonly url: string;
    readonly shards: number;
  }[];
  readonly prices: {
    /** MIST per MiB of encoded size per epoch. */
    readonly storagePerMiBPerEpoch: string;
    /** MIST per MiB of encoded size, once per registration. */
    readonly writePerMiB: string;
  };
  readonly maxBlobSize: number;
  readonly maxEpochsAhead: number;
  readonly capacity: { readonly totalBytes: string; readonly usedBytes: string };
  readonly ledgerUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
}

export function infoJson(
  system: SystemState,
  network: Pick<NetworkConfig, 'ledgerUrl' | 'packageId'>,
): InfoJson {
  return {
    epoch: system.epoch,
    epochState: system.epochState.kind,
    epochDurationMs: system.epochDurationMs,
    nShards: system.nShards,
    nodes: system.members.map((member) => ({
      name: member.name,
      url: member.networkAddress,
      shards: member.weight,
    })),
    prices: {
      storagePerMiBPerEpoch: system.storagePricePerUnitMist.toString(),
      writePerMiB: system.writePricePerUnitMist.toString(),
    },
    maxBlobSize: maxBlobBytes(system.nShards),
    maxEpochsAhead: system.maxEpochsAhead,
    capacity: {
      totalBytes: system.totalCapacityBytes.toString(),
      usedBytes: system.usedCapacityBytes.toString(),
    },
    ledgerUrl: network.ledgerUrl,
    packageId: network.packageId,
    systemObjectId: system.objectId,
  };
}

const EPOCH_STATES: Record<InfoJson['epochState'], string> = {
  done: 'active',
  nextSelected: 'active, next committee selected',
  sync: 'changing epochs (nodes syncing shards)',
};

function formatDuration(ms: number): string {
  const parts: string[] = [];
  let seconds = Math.floor(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds >= size) parts.push(`${Math.floor(seconds / size)}${unit}`);
    seconds %= size;
  }
  if (seconds > 0 || parts.length === 0) parts.push(`${seconds}s`);
  return parts.join(' ');
}

export function infoLines(info: InfoJson): string[] {
  const lines = alignedLines([
    [
      'Epoch',
      `${info.epoch} (${EPOCH_STATES[info.epochState]}); epochs last ${formatDuration(info.epochDurationMs)}`,
    ],
    ['Shards', String(info.nShards)],
    ['Max blob size', `${formatBytes(info.maxBlobSize)} (${info.maxBlobSize} bytes)`],
    ['Max epochs ahead', String(info.maxEpochsAhead)],
    [
      'Storage price',
      `${formatMist(BigInt(info.prices.storagePerMiBPerEpoch))} per MiB of encoded size per epoch`,
    ],
    ['Write price', `${formatMist(BigInt(info.prices.writePerMiB))} per MiB of encoded size`],
    [
      'Capacity',
      `${formatBytes(BigInt(info.capacity.usedBytes))} of ${formatBytes(BigInt(info.capacity.totalBytes))} sold this epoch`,
    ],
    ['Ledger', info.ledgerUrl],
    ['Package', info.packageId],
    ['System object', info.systemObjectId],
  ]);
  lines.push('', `Storage nodes (${info.nodes.length}):`);
  if (info.nodes.length === 0)
    lines.push('  none yet: the first committee starts at the first epoch change');
  else {
    const table = tableLines(
      ['NAME', 'URL', 'SHARDS'],
      info.nodes.map((node) => [node.name, node.url, String(node.shards)]),
    );
    lines.push(...table.map((line) => `  ${line}`));
  }
  return lines;
}

export interface InfoCommandOptions {
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseInfoArgs(args: readonly string[]): InfoCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    { json: { type: 'boolean', default: false }, ...NETWORK_OPTION },
    INFO_USAGE,
  );
  positionalsExactly(positionals, [], 'info', INFO_USAGE);
  return { json: values.json, network: values.network };
}

export async function infoCommand(options: InfoCommandOptions, session: Session): Promise<void> {
  const system = await session.chain.readSystem({ fresh: true });
  const info = infoJson(system, session.network);
  if (options.json) session.io.out(JSON.stringify(info));
  else for (const line of infoLines(info)) session.io.out(line);
}

export async function runInfo(args: readonly string[], context: CommandContext): Promise<void> {
  const options = parseInfoArgs(args);
  await infoCommand(options, context.openSession(options.network));
}
