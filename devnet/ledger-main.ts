/**
 * The devnet ledger with the walrus_edge package: `devnet/ledger/main.ts` plus our package, its
 * genesis (System + AdminCap) and the epoch timer.
 *
 *   node dist/devnet/ledger-main.js --data-dir ./ledger-data --admin 0x… [--port 9000]
 *     [--host 127.0.0.1] [--epoch-ms 600000] [--n-shards 10] [--max-epochs-ahead 53]
 *     [--total-capacity BYTES] [--storage-price MIST] [--write-price MIST] [--no-system]
 *     [--sui-epoch-ms N] [--faucet-mist N]
 *
 * `--epoch-ms` is the System's `epoch_duration_ms`; the System parameters only matter the first
 * time a data dir is used (genesis runs once). `--no-system` gives the admin the `InitCap`
 * instead, to call `system::create_system` itself. Prints `ledger listening on <url>`, then
 * `walrus-edge package <package id> system <system id|none>`. Stops on SIGINT/SIGTERM.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Ledger } from './ledger/ledger.js';
import { serveLedger, type LedgerServer } from './ledger/server.js';
import {
  SYSTEM_PARAMS_DEFAULT,
  findSystemId,
  installEpochTimer,
  walrusEdgePackage,
  WALRUS_EDGE_PACKAGE_ID,
  type SystemParams,
} from './package/index.js';

export interface DevnetOptions {
  readonly admin: string;
  readonly dataDir?: string;
  readonly host?: string;
  readonly port?: number;
  /** `null`: publish only (the admin gets the InitCap). */
  readonly system?: Partial<SystemParams> | null;
  readonly suiEpochDurationMs?: number;
  readonly faucetAmountMist?: bigint;
  readonly now?: () => number;
  /** How often the epoch timer checks whether `advance_epoch` is due. */
  readonly epochCheckMs?: number;
  readonly log?: (message: string) => void;
}

export interface Devnet {
  readonly ledger: Ledger;
  readonly server: LedgerServer;
  readonly url: string;
  readonly packageId: string;
  /** Undefined until `create_system` ran (only with `system: null`). */
  systemId(): string | undefined;
  close(): Promise<void>;
}

/** Opens the ledger with the package, installs the epoch timer and serves JSON-RPC. */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const epochMs = options.system?.epochDurationMs;
  const ledger = Ledger.open({
    dataDir: options.dataDir,
    now: options.now,
    suiEpochDurationMs: options.suiEpochDurationMs,
    epochTimerMs: epochMs === undefined ? undefined : Number(epochMs),
    faucetAmountMist: options.faucetAmountMist,
    log: options.log,
    packages: [walrusEdgePackage({ admin: options.admin, system: options.system })],
  });
  installEpochTimer(ledger, { intervalMs: options.epochCheckMs });
  let server: LedgerServer;
  try {
    server = await serveLedger(ledger, {
      host: options.host,
      port: options.port,
      log: options.log,
    });
  } catch (error) {
    ledger.close();
    throw error;
  }
  return {
    ledger,
    server,
    url: server.url,
    packageId: WALRUS_EDGE_PACKAGE_ID,
    systemId: () => findSystemId(ledger),
    close: async () => {
      await server.close();
      ledger.close();
    },
  };
}

function fail(message: string): never {
  process.stderr.write(
    `ledger-main: ${message}\nusage: ledger-main.js --data-dir DIR --admin ADDRESS [options]\n`,
  );
  process.exit(2);
}

function integer(text: string | undefined, name: string, min: bigint, max: bigint) {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(text)) fail(`${name} must be a whole number`);
  const value = BigInt(text);
  if (value < min || value > max) fail(`${name} must be in [${min}, ${max}]`);
  return value;
}

const U64_MAX = (1n << 64n) - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        admin: { type: 'string' },
        'epoch-ms': { type: 'string' },
        'n-shards': { type: 'string' },
        'max-epochs-ahead': { type: 'string' },
        'total-capacity': { type: 'string' },
        'storage-price': { type: 'string' },
        'write-price': { type: 'string' },
        'no-system': { type: 'boolean' },
        'sui-epoch-ms': { type: 'string' },
        'faucet-mist': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  const dataDir = args['data-dir'] ?? fail('--data-dir is required');
  const admin = args.admin ?? fail('--admin is required');
  const epochMs = integer(args['epoch-ms'], '--epoch-ms', 1n, SAFE);
  const params: SystemParams = {
    nShards: Number(
      integer(args['n-shards'], '--n-shards', 4n, 65_535n) ?? SYSTEM_PARAMS_DEFAULT.nShards,
    ),
    epochDurationMs: epochMs ?? SYSTEM_PARAMS_DEFAULT.epochDurationMs,
    maxEpochsAhead: Number(
      integer(args['max-epochs-ahead'], '--max-epochs-ahead', 1n, 1000n) ??
        SYSTEM_PARAMS_DEFAULT.maxEpochsAhead,
    ),
    totalCapacity:
      integer(args['total-capacity'], '--total-capacity', 0n, U64_MAX) ??
      SYSTEM_PARAMS_DEFAULT.totalCapacity,
    storagePrice:
      integer(args['storage-price'], '--storage-price', 0n, U64_MAX) ??
      SYSTEM_PARAMS_DEFAULT.storagePrice,
    writePrice:
      integer(args['write-price'], '--write-price', 0n, U64_MAX) ??
      SYSTEM_PARAMS_DEFAULT.writePrice,
  };
  const devnet = await startDevnet({
    admin,
    dataDir,
    host: args.host,
    port: Number(integer(args.port, '--port', 0n, 65_535n) ?? 9000n),
    system: args['no-system'] === true ? null : params,
    suiEpochDurationMs:
      args['sui-epoch-ms'] === undefined
        ? undefined
        : Number(integer(args['sui-epoch-ms'], '--sui-epoch-ms', 1n, SAFE)),
    faucetAmountMist: integer(args['faucet-mist'], '--faucet-mist', 1n, U64_MAX),
  });
  process.stdout.write(`ledger listening on ${devnet.url}\n`);
  process.stdout.write(
    `walrus-edge package ${devnet.packageId} system ${devnet.systemId() ?? 'none'}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ledger-main: ${signal}, shutting down\n`);
    devnet.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Runs `main` only when this file is the entry point (not when a test imports it). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    process.stderr.write(`ledger-main: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
