/**
 * The `walrus_edge` Move package (move/) mirrored in TypeScript for the local ledger
 * (devnet/ledger). One file per Move module; every function carries a `// Move: walrus_edge::…`
 * comment naming the Move function it mirrors.
 *
 * Package ID on the devnet: {@link WALRUS_EDGE_PACKAGE_ID} =
 * `0x26039ddf44c182957c6b1955d8df6156565385d183ed69a89243dd2a63f51e9f`, the BLAKE2b-256 of
 * `"walrus-edge devnet package walrus_edge"` (fixed, so clients can hard-code it for the devnet).
 *
 * Genesis does what `sui client publish` followed by `system::create_system` does: it shares the
 * System (epoch 0, empty committee, state `Done(0)`) with the configured parameters and sends the
 * `AdminCap` to the configured admin. With `system: null` it only runs `init`: the admin gets the
 * `InitCap` and calls `system::create_system` itself.
 *
 * ```ts
 * const ledger = Ledger.open({ dataDir, packages: [walrusEdgePackage({ admin })] });
 * installEpochTimer(ledger);           // advance_epoch whenever it is due
 * const systemId = findSystemId(ledger);
 * ```
 */
import { isValidSuiAddress, normalizeSuiAddress } from '@mysten/sui/utils';
import type { PackageDef } from '../ledger/registry.js';
import { U16_MAX, U64_MAX, WALRUS_EDGE_PACKAGE_ID } from './common.js';
import { blobModule } from './blob.js';
import { blsAggregateModule } from './bls_aggregate.js';
import { committeeModule } from './committee.js';
import { encodingModule } from './encoding.js';
import { eventsModule } from './events.js';
import { messagesModule } from './messages.js';
import { metadataModule } from './metadata.js';
import { nodesModule } from './nodes.js';
import { storageResourceModule } from './storage_resource.js';
import {
  createSystem,
  init,
  MAX_EPOCHS_AHEAD_MAX,
  N_SHARDS_MIN,
  systemModule,
  type SystemParams,
} from './system.js';

export { WALRUS_EDGE_PACKAGE_ID, WALRUS_EDGE_PACKAGE_SEED } from './common.js';
export type { SystemParams } from './system.js';
export {
  findSystemId,
  readSystem,
  advanceEpochIfDue,
  installEpochTimer,
  EPOCH_TIMER_INTERVAL_MS_DEFAULT,
  type EpochTimerOptions,
} from './devnet.js';

/** The devnet's defaults for `create_system`. Prices are MIST per 1 MiB unit of encoded size. */
export const SYSTEM_PARAMS_DEFAULT: SystemParams = {
  nShards: 10,
  epochDurationMs: 10 * 60 * 1000,
  maxEpochsAhead: 53,
  totalCapacity: 1n << 40n,
  storagePrice: 1_000n,
  writePrice: 2_000n,
};

export interface WalrusEdgePackageOptions {
  /** Receives the `AdminCap` (or, with `system: null`, the `InitCap`). */
  readonly admin: string;
  /**
   * `create_system`'s arguments, merged over {@link SYSTEM_PARAMS_DEFAULT}; `null` publishes
   * without creating the System.
   */
  readonly system?: Partial<SystemParams> | null;
}

function checkRange(name: string, value: bigint | number, min: bigint, max: bigint): void {
  const big = BigInt(value);
  if (big < min || big > max)
    throw new RangeError(`${name} must be in [${min}, ${max}], got ${big}`);
}

/** `create_system`'s checks plus the integer widths, raised before the ledger starts. */
export function checkSystemParams(params: SystemParams): void {
  if (!Number.isInteger(params.nShards) || !Number.isInteger(params.maxEpochsAhead)) {
    throw new RangeError('nShards and maxEpochsAhead must be integers');
  }
  checkRange('nShards', params.nShards, BigInt(N_SHARDS_MIN), BigInt(U16_MAX));
  checkRange('maxEpochsAhead', params.maxEpochsAhead, 1n, BigInt(MAX_EPOCHS_AHEAD_MAX));
  checkRange('epochDurationMs', params.epochDurationMs, 1n, U64_MAX);
  checkRange('totalCapacity', params.totalCapacity, 0n, U64_MAX);
  checkRange('storagePrice', params.storagePrice, 0n, U64_MAX);
  checkRange('writePrice', params.writePrice, 0n, U64_MAX);
}

/** The package definition to register with the ledger. */
export function walrusEdgePackage(options: WalrusEdgePackageOptions): PackageDef {
  const admin = normalizeSuiAddress(options.admin);
  if (!isValidSuiAddress(admin)) throw new RangeError(`admin '${options.admin}' is not an address`);
  const params =
    options.system === null ? null : { ...SYSTEM_PARAMS_DEFAULT, ...(options.system ?? {}) };
  if (params !== null) checkSystemParams(params);
  return {
    packageId: WALRUS_EDGE_PACKAGE_ID,
    // Module order is Move's alphabetical order of the package's modules.
    modules: {
      blob: blobModule,
      bls_aggregate: blsAggregateModule,
      committee: committeeModule,
      encoding: encodingModule,
      events: eventsModule,
      messages: messagesModule,
      metadata: metadataModule,
      nodes: nodesModule,
      storage_resource: storageResourceModule,
      system: systemModule,
    },
    genesis(ctx) {
      // Publishing runs `init` (InitCap to the publisher); `create_system` consumes that cap in
      // the same genesis transaction, so only the System and the AdminCap remain.
      if (params === null) init(ctx, admin);
      else createSystem(ctx, params, admin);
    },
  };
}

export default walrusEdgePackage;
