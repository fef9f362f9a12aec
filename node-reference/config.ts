/**
 * Node configuration: a JSON file (`--config <path>` or WALRUS_NODE_CONFIG), then environment
 * overrides, then defaults. Errors say which field is wrong and how to fix it.
 *
 * Environment overrides:
 *   WALRUS_NODE_LISTEN            host:port to bind ([::1]:9185 for IPv6)
 *   WALRUS_NODE_PUBLIC_URL        the URL other parties use to reach this node
 *   WALRUS_NODE_DATA_DIR          data directory (lmdb stores; wiping it keeps the identity)
 *   WALRUS_NODE_KEY_DIR           key directory: protocol key, Sui key, NodeCap record
 *                                 (default: the data dir — then wiping data loses the identity)
 *   WALRUS_NODE_KEY_FILE          BLS protocol key file (default <keyDir>/protocol.key)
 *   WALRUS_NODE_NAME              on-chain node name (default walrus-edge-<address prefix>)
 *   WALRUS_NODE_CHAIN_URL         Sui JSON-RPC URL (fullnode or devnet ledger)
 *   WALRUS_NODE_PACKAGE_ID        Walrus package ID
 *   WALRUS_NODE_SYSTEM_OBJECT_ID  Walrus System object ID
 *   WALRUS_NODE_SUI_KEY_FILE      the node's Sui Ed25519 key (default <keyDir>/sui.key)
 *   WALRUS_NODE_FAUCET_URL        devnets: a faucet to fund the Sui key for registration
 *   WALRUS_NODE_CHAIN_STATE_FILE  development chain: a JSON state file (testing/file-chain.ts)
 *   WALRUS_NODE_LOG_LEVEL         debug | info | warn | error
 *   WALRUS_NODE_FAIL_POINTS       test only: name=throw|crash[@p],… (fail-points.ts)
 *   WALRUS_NODE_FAULTS            test only: Byzantine modes, e.g. corrupt-slivers,slow=200
 *                                 (faults.ts)
 *   WALRUS_NODE_FAULTS_FILE       test only: a file holding such modes, re-read on SIGHUP so a
 *                                 test can change a running node's behaviour
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeFaultsError, parseNodeFaults } from './faults.js';
import type { ConcurrencyLimits } from './limits.js';
import type { LogLevel } from './log.js';
import type { PendingCacheLimits } from './pending-cache.js';
import type { RecoveryLimits } from './recovery.js';

/** Walrus's default REST port. */
export const PORT_DEFAULT = 9185;

export interface NodeConfig {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | null;
  readonly dataDir: string;
  /** Identity files; the data dir when not configured (a warning says what that costs). */
  readonly keyDir: string;
  readonly keyDirConfigured: boolean;
  readonly keyFile: string;
  readonly name: string | null;
  readonly chain: {
    readonly url: string | null;
    readonly packageId: string | null;
    readonly systemObjectId: string | null;
    readonly suiKeyFile: string;
    readonly faucetUrl: string | null;
    /** Event poll interval once caught up (ms). */
    readonly pollMs: number | null;
    readonly stateFile: string | null;
  };
  readonly logLevel: LogLevel;
  readonly limits: Partial<ConcurrencyLimits>;
  readonly pending: Partial<PendingCacheLimits>;
  readonly recovery: Partial<RecoveryLimits>;
  readonly failPoints: string | null;
  /** Byzantine modes (faults.ts), checked here; null when none are configured. */
  readonly faults: string | null;
  readonly faultsFile: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface FileConfig {
  listen?: string;
  publicUrl?: string;
  dataDir?: string;
  keyDir?: string;
  keyFile?: string;
  name?: string;
  chain?: {
    url?: string;
    packageId?: string;
    systemObjectId?: string;
    suiKeyFile?: string;
    faucetUrl?: string;
    pollMs?: number;
    stateFile?: string;
  };
  logLevel?: string;
  limits?: Record<string, unknown>;
  pending?: Record<string, unknown>;
  recovery?: Record<string, unknown>;
  failPoints?: string;
  faults?: string;
  faultsFile?: string;
}

function checkedFaults(spec: string | null): string | null {
  if (spec === null) return null;
  try {
    parseNodeFaults(spec);
  } catch (error) {
    if (!(error instanceof NodeFaultsError)) throw error;
    throw new ConfigError(`faults: ${error.message} (see node-reference/faults.ts)`);
  }
  return spec;
}

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
const LIMIT_KEYS: readonly string[] = [
  'sliverPutsInFlightMax',
  'recoveryRequestsInFlightMax',
  'batchReadsInFlightMax',
  'inconsistencyProofsInFlightMax',
  'registrationWaitsInFlightMax',
];
const PENDING_KEYS: readonly string[] = ['bytesMax', 'blobsMax', 'ttlMs'];
const RECOVERY_KEYS: readonly string[] = [
  'blobsInFlightMax',
  'sliversInFlightMax',
  'attemptsMax',
  'backoffMs',
  'backoffMsMax',
  'requestTimeoutMs',
];

/** `host:port`, `[v6]:port` or `:port`. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65_535) {
    throw new ConfigError(
      `listen address ${JSON.stringify(text)} is not host:port (e.g. 127.0.0.1:${PORT_DEFAULT})`,
    );
  }
  return { host: match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]), port };
}

function numbers(
  section: string,
  value: Record<string, unknown> | undefined,
  keys: readonly string[],
) {
  const out: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value ?? {})) {
    if (!keys.includes(key))
      throw new ConfigError(`${section}.${key} is not a known setting (known: ${keys.join(', ')})`);
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
      throw new ConfigError(`${section}.${key} must be a non-negative integer`);
    }
    out[key] = raw;
  }
  return out;
}

function readConfigFile(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as FileConfig;
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function configPath(argv: readonly string[], env: NodeJS.ProcessEnv): string | null {
  const index = argv.indexOf('--config');
  if (index >= 0) {
    const path = argv[index + 1];
    if (path === undefined) throw new ConfigError('--config needs a path');
    return path;
  }
  return env.WALRUS_NODE_CONFIG ?? null;
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): NodeConfig {
  const path = configPath(argv, env);
  const file = path === null ? {} : readConfigFile(path);
  const base = path === null ? process.cwd() : resolve(path, '..');
  const relative = (p: string) => resolve(base, p);
  const listen = parseListen(env.WALRUS_NODE_LISTEN ?? file.listen ?? `127.0.0.1:${PORT_DEFAULT}`);
  const dataDirText = env.WALRUS_NODE_DATA_DIR ?? file.dataDir;
  if (dataDirText === undefined)
    throw new ConfigError('no data directory: set dataDir in the config or WALRUS_NODE_DATA_DIR');
  const dataDir =
    env.WALRUS_NODE_DATA_DIR !== undefined ? resolve(dataDirText) : relative(dataDirText);
  /** An environment value resolves against the working directory, a file value against the file. */
  const pathOf = (envValue: string | undefined, fileValue: string | undefined) =>
    envValue !== undefined
      ? resolve(envValue)
      : fileValue !== undefined
        ? relative(fileValue)
        : null;
  const keyDirConfigured = pathOf(env.WALRUS_NODE_KEY_DIR, file.keyDir);
  const keyDir = keyDirConfigured ?? dataDir;
  const keyFile = pathOf(env.WALRUS_NODE_KEY_FILE, file.keyFile) ?? join(keyDir, 'protocol.key');
  const suiKeyFile =
    pathOf(env.WALRUS_NODE_SUI_KEY_FILE, file.chain?.suiKeyFile) ?? join(keyDir, 'sui.key');
  const pollMs = file.chain?.pollMs ?? null;
  if (pollMs !== null && (!Number.isSafeInteger(pollMs) || pollMs < 1))
    throw new ConfigError('chain.pollMs must be a positive integer (milliseconds)');
  const stateText = env.WALRUS_NODE_CHAIN_STATE_FILE ?? file.chain?.stateFile;
  const logLevel = env.WALRUS_NODE_LOG_LEVEL ?? file.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    host: listen.host,
    port: listen.port,
    publicUrl: env.WALRUS_NODE_PUBLIC_URL ?? file.publicUrl ?? null,
    dataDir,
    keyDir,
    keyDirConfigured: keyDirConfigured !== null,
    keyFile,
    name: env.WALRUS_NODE_NAME ?? file.name ?? null,
    chain: {
      url: env.WALRUS_NODE_CHAIN_URL ?? file.chain?.url ?? null,
      packageId: env.WALRUS_NODE_PACKAGE_ID ?? file.chain?.packageId ?? null,
      systemObjectId: env.WALRUS_NODE_SYSTEM_OBJECT_ID ?? file.chain?.systemObjectId ?? null,
      suiKeyFile,
      faucetUrl: env.WALRUS_NODE_FAUCET_URL ?? file.chain?.faucetUrl ?? null,
      pollMs,
      stateFile:
        stateText === undefined
          ? null
          : env.WALRUS_NODE_CHAIN_STATE_FILE !== undefined
            ? resolve(stateText)
            : relative(stateText),
    },
    logLevel: logLevel as LogLevel,
    limits: numbers('limits', file.limits, LIMIT_KEYS) as Partial<ConcurrencyLimits>,
    pending: numbers('pending', file.pending, PENDING_KEYS) as Partial<PendingCacheLimits>,
    recovery: numbers('recovery', file.recovery, RECOVERY_KEYS) as Partial<RecoveryLimits>,
    failPoints: env.WALRUS_NODE_FAIL_POINTS ?? file.failPoints ?? null,
    faults: checkedFaults(env.WALRUS_NODE_FAULTS ?? file.faults ?? null),
    faultsFile:
      env.WALRUS_NODE_FAULTS_FILE !== undefined
        ? resolve(env.WALRUS_NODE_FAULTS_FILE)
        : file.faultsFile === undefined
          ? null
          : relative(file.faultsFile),
  };
}
