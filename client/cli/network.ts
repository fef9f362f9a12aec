/**
 * The network a command talks to, as the devnet launcher (`npm start`) describes it in
 * `network.json`, and the wallet that signs for it. The chain is the source of truth for the
 * committee and prices; the file only says where the ledger is and which objects to use.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.js';
import { NETWORK_FILE_DEFAULT, NETWORK_FILE_ENV } from './usage.js';

export { NETWORK_FILE_DEFAULT, NETWORK_FILE_ENV };

/** The wallet key's file name next to network.json, when the file names none. */
const WALLET_KEY_FILE_DEFAULT = 'wallet.key';
/** network.json is a few KiB even with hundreds of nodes; refuse anything absurd. */
const NETWORK_FILE_BYTES_MAX = 16 * 1024 * 1024;
export const START_HINT = 'Start a local network with `npm start`.';

export interface NetworkNode {
  readonly name: string;
  readonly url: string;
  readonly shards: readonly number[];
}

export interface NetworkConfig {
  /** The file this was read from (as given), for messages. */
  readonly file: string;
  readonly ledgerUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  /** Absolute, or relative to the current directory. */
  readonly walletKeyFile: string;
  readonly nShards: number | undefined;
  readonly aggregatorUrl: string | undefined;
  readonly publisherUrl: string | undefined;
  /** Bearer key for upload sessions on the Worker (the devnet writes one). */
  readonly uploadApiKey: string | undefined;
  readonly nodes: readonly NetworkNode[];
}

/** Where the network file is: `--network`, else $WALRUS_EDGE_NETWORK, else the default. */
export function resolveNetworkFile(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { readonly file: string; readonly source: 'flag' | 'env' | 'default' } {
  if (flag !== undefined) return { file: flag, source: 'flag' };
  const fromEnv = env[NETWORK_FILE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { file: fromEnv, source: 'env' };
  return { file: NETWORK_FILE_DEFAULT, source: 'default' };
}

function malformed(file: string, what: string): CliError {
  return new CliError(
    `network file ${file} is malformed: ${what}`,
    'Restart the network with `npm start` to rewrite it, or pass another --network FILE.',
  );
}

const OBJECT_ID = /^0x[0-9a-fA-F]{1,64}$/;

function stringField(
  file: string,
  body: Record<string, unknown>,
  name: string,
  pattern?: RegExp,
): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '')
    throw malformed(file, `"${name}" must be a non-empty string`);
  if (pattern !== undefined && !pattern.test(value))
    throw malformed(file, `"${name}" is ${JSON.stringify(value)}`);
  return value;
}

function optionalString(
  file: string,
  body: Record<string, unknown>,
  name: string,
): string | undefined {
  return body[name] === undefined ? undefined : stringField(file, body, name);
}

function nodesOf(file: string, value: unknown): NetworkNode[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw malformed(file, '"nodes" must be a list');
  return value.map((node: unknown, index) => {
    const entry = node as Record<string, unknown> | null;
    if (entry === null || typeof entry !== 'object')
      throw malformed(file, `nodes[${index}] is not an object`);
    const shards = entry.shards;
    if (!Array.isArray(shards) || !shards.every((s) => Number.isInteger(s) && s >= 0)) {
      throw malformed(file, `nodes[${index}].shards must be a list of shard indices`);
    }
    return {
      name: stringField(file, entry, 'name'),
      url: stringField(file, entry, 'url'),
      shards: shards as number[],
    };
  });
}

/** Parses and checks network.json's text; `file` names it in messages and anchors relative paths. */
export function parseNetworkConfig(text: string, file: string): NetworkConfig {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `network file ${file} is not valid JSON: ${(error as Error).message}`,
      'If `npm start` is still starting, wait for it; otherwise restart it to rewrite the file.',
    );
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw malformed(file, 'not a JSON object');
  const fields = body as Record<string, unknown>;
  const nShards = fields.nShards;
  if (nShards !== undefined && !(Number.isInteger(nShards) && (nShards as number) > 0)) {
    throw malformed(file, '"nShards" must be a positive integer');
  }
  const walletKeyFile = optionalString(file, fields, 'walletKeyFile') ?? WALLET_KEY_FILE_DEFAULT;
  return {
    file,
    ledgerUrl: stringField(file, fields, 'ledgerUrl', /^https?:\/\//),
    packageId: stringField(file, fields, 'packageId', OBJECT_ID),
    systemObjectId: stringField(file, fields, 'systemObjectId', OBJECT_ID),
    walletKeyFile: resolve(dirname(file), walletKeyFile),
    nShards: nShards as number | undefined,
    aggregatorUrl: optionalString(file, fields, 'aggregatorUrl'),
    publisherUrl: optionalString(file, fields, 'publisherUrl'),
    uploadApiKey: optionalString(file, fields, 'uploadApiKey'),
    nodes: nodesOf(file, fields.nodes),
  };
}

/** Reads network.json; a missing file is an error whose hint is how to start a network. */
export function loadNetworkConfig(
  file: string,
  source: 'flag' | 'env' | 'default' = 'flag',
): NetworkConfig {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > NETWORK_FILE_BYTES_MAX)
      throw malformed(file, `larger than ${NETWORK_FILE_BYTES_MAX} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const from =
      source === 'env'
        ? ` (from $${NETWORK_FILE_ENV})`
        : source === 'flag'
          ? ' (from --network)'
          : '';
    if (code === 'ENOENT') {
      const other = source === 'default' ? ', or pass --network FILE' : '';
      throw new CliError(
        `no network file at ${file}${from}`,
        `${START_HINT.slice(0, -1)}${other}.`,
      );
    }
    if (code === 'EISDIR')
      throw new CliError(
        `network file ${file}${from} is a directory`,
        'Give the path of network.json.',
      );
    throw new CliError(`cannot read network file ${file}${from}: ${(error as Error).message}`);
  }
  return parseNetworkConfig(text, file);
}
