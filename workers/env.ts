/**
 * The Worker's bindings, described once. wrangler.toml declares them for deployments and tests
 * (its [vars] keys are checked against WORKER_VARS by test/unit/tidy.test.ts), the devnet launcher
 * and the vitest config build them with `workerVars`, and every request reads them through
 * `workerConfig`, which refuses a malformed value instead of running without its limit.
 */
import type { DurableObjectNamespace, R2Bucket } from '@cloudflare/workers-types/index.js';
import { ApiError } from '../core/http/errors.js';
import { SESSION_ENCODE_BYTES_LIMIT } from '../durable-objects/session-record.js';
import { STATUS_TTL_S, type StatusTtls } from './status-ttl.js';

/** A deletable blob's status may be trusted an hour at most: deletion must show. */
export const DELETABLE_STATUS_TTL_S_MAX = 3600;

export interface Env {
  /** Sui JSON-RPC URL of the chain (the devnet's ledger locally). */
  readonly SUI_RPC_URL: string;
  readonly WALRUS_PACKAGE_ID: string;
  readonly WALRUS_SYSTEM_OBJECT_ID: string;
  /** Secret: `suiprivkey…` of the wallet that pays for publisher uploads; no publisher without it. */
  readonly PUBLISHER_SECRET_KEY?: string;
  /** Decimal bytes; the publisher's body limit (default PUBLISHER_BODY_BYTES_DEFAULT). */
  readonly PUBLISHER_BODY_BYTES_MAX?: string;
  /**
   * Decimal bytes; the multipart body limit of `PUT /v1/quilts` (Walrus's
   * `--max-quilt-body-size`; default PUBLISHER_QUILT_BODY_BYTES_DEFAULT).
   */
  readonly PUBLISHER_QUILT_BODY_BYTES_MAX?: string;
  /**
   * Comma-separated blob attributes that by-object-id reads copy into response headers (default:
   * Walrus's allow-list, ATTRIBUTE_HEADERS_DEFAULT).
   */
  readonly ATTRIBUTE_HEADERS?: string;
  /**
   * Seconds a deletable blob's status is trusted before the nodes are asked again: how long after
   * a deletion the edge may still serve it, and the max-age clients get (default 60).
   */
  readonly DELETABLE_STATUS_TTL_S?: string;
  /**
   * Secret: comma-separated API keys that may create upload sessions (`Authorization: Bearer`);
   * each at least UPLOAD_API_KEY_CHARS_MIN characters. No sessions without it.
   */
  readonly UPLOAD_API_KEYS?: string;
  /** Secret: the HMAC key of presigned upload and status URLs (≥ UPLOAD_TOKEN_SECRET_CHARS_MIN). */
  readonly UPLOAD_TOKEN_SECRET?: string;
  /** Decimal bytes; the largest `maxBytes` a session may ask for (default 100 MiB). */
  readonly UPLOAD_SESSION_BYTES_MAX?: string;
  /**
   * Decimal bytes; the largest file the relay (tus, plain PUT) takes, which the session's Durable
   * Object encodes itself (default and cap SESSION_ENCODE_BYTES_LIMIT, 16 MiB). Larger files, up to
   * the session's `maxBytes`, are encoded by the client (client/client-encoding.ts).
   */
  readonly UPLOAD_RELAY_BYTES_MAX?: string;
  /** Durable Object namespace of UploadSession (durable-objects/upload-session.ts): one per session. */
  readonly UPLOAD_SESSION?: DurableObjectNamespace;
  /**
   * Durable Object namespace of PublisherWallet (durable-objects/publisher-wallet.ts): the one object
   * that spends the publisher wallet's gas coins.
   */
  readonly PUBLISHER_WALLET?: DurableObjectNamespace;
  /** R2 bucket where upload sessions stage received bytes until they are stored on Walrus. */
  readonly UPLOAD_STAGING?: R2Bucket;
}

/** Every plain-text variable (secrets included), for checks that the config files agree. */
export const WORKER_VARS = [
  'SUI_RPC_URL',
  'WALRUS_PACKAGE_ID',
  'WALRUS_SYSTEM_OBJECT_ID',
  'PUBLISHER_SECRET_KEY',
  'PUBLISHER_BODY_BYTES_MAX',
  'PUBLISHER_QUILT_BODY_BYTES_MAX',
  'ATTRIBUTE_HEADERS',
  'DELETABLE_STATUS_TTL_S',
  'UPLOAD_API_KEYS',
  'UPLOAD_TOKEN_SECRET',
  'UPLOAD_SESSION_BYTES_MAX',
  'UPLOAD_RELAY_BYTES_MAX',
] as const satisfies readonly (keyof Env)[];
/** Variables that are secrets: never in wrangler.toml, set with `wrangler secret put`. */
export const WORKER_SECRETS = [
  'PUBLISHER_SECRET_KEY',
  'UPLOAD_API_KEYS',
  'UPLOAD_TOKEN_SECRET',
] as const satisfies readonly (keyof Env)[];
/** The binding names of wrangler.toml's Durable Objects and R2 bucket (not plain-text variables). */
export const WORKER_BINDINGS = [
  'UPLOAD_SESSION',
  'PUBLISHER_WALLET',
  'UPLOAD_STAGING',
] as const satisfies readonly (keyof Env)[];

/** Walrus's publisher default (`--max-body-size` 10 240 KiB). */
export const PUBLISHER_BODY_BYTES_DEFAULT = 10 * 1024 * 1024;
/**
 * Walrus's `--max-quilt-body-size` default is 100 MiB, but a Worker holds the parsed form, the
 * quilt buffer and its slivers at once in a 128 MB isolate (docs/spec/edge-platform.md §0): the
 * blob publisher's 10 MiB, which an operator may raise up to PUBLISHER_BODY_BYTES_LIMIT.
 */
export const PUBLISHER_QUILT_BODY_BYTES_DEFAULT = 10 * 1024 * 1024;
/**
 * Above this the Worker cannot hold a body: it reads the body whole before encoding, and Workers
 * give an isolate 128 MB (docs/spec/edge-platform.md §0). The devnet raises its limit towards it.
 */
export const PUBLISHER_BODY_BYTES_LIMIT = 256 * 1024 * 1024;
/** Walrus's aggregator default for `--allowed-headers` (docs/spec/api.md §3.1). */
export const ATTRIBUTE_HEADERS_DEFAULT = Object.freeze([
  'content-type',
  'authorization',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-location',
  'link',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]{1,64}$/;
/** The default of UPLOAD_SESSION_BYTES_MAX: 100 MiB, the body limit of Cloudflare's Free plan. */
export const UPLOAD_SESSION_BYTES_DEFAULT = 100 * 1024 * 1024;
/** UPLOAD_SESSION_BYTES_MAX may not exceed this (R2 stages up to 5 TiB; this is a sanity bound). */
export const UPLOAD_SESSION_BYTES_LIMIT = 16 * 1024 * 1024 * 1024;
/** An API key shorter than this is guessable: refused as misconfiguration. */
export const UPLOAD_API_KEY_CHARS_MIN = 24;
/** API keys per deployment (each request compares against all of them). */
export const UPLOAD_API_KEYS_MAX = 64;
/** The token secret is an HMAC-SHA256 key: at least 128 bits of text. */
export const UPLOAD_TOKEN_SECRET_CHARS_MIN = 32;

/** The bindings, checked and parsed. */
export interface WorkerConfig {
  readonly suiRpcUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  readonly publisherSecretKey: string | undefined;
  readonly publisherBodyBytesMax: number;
  readonly publisherQuiltBodyBytesMax: number;
  readonly attributeHeaders: readonly string[];
  readonly statusTtlS: StatusTtls;
  /** Empty: upload sessions are off. */
  readonly uploadApiKeys: readonly string[];
  readonly uploadTokenSecret: string | undefined;
  readonly uploadSessionBytesMax: number;
  /** The relay's limit (tus, PUT); a session's own is the smaller of this and its maxBytes. */
  readonly uploadRelayBytesMax: number;
}

function configError(message: string): ApiError {
  return new ApiError('INTERNAL', 'WORKER_MISCONFIGURED', `worker configuration: ${message}`);
}

function decimal(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,16}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw configError(
      `${name} must be a decimal from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

function requiredText(name: keyof Env, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw configError(`${name} is not set`);
  return value.trim();
}

const parsed = new WeakMap<object, WorkerConfig>();

/** The parsed configuration; parsed once per env object (workerd passes the same one). */
export function workerConfig(env: Env): WorkerConfig {
  const cached = parsed.get(env);
  if (cached !== undefined) return cached;
  const headers = (env.ATTRIBUTE_HEADERS ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  for (const name of headers) {
    if (!HEADER_NAME.test(name)) throw configError(`ATTRIBUTE_HEADERS has a bad name ${name}`);
  }
  const apiKeys = (env.UPLOAD_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  if (apiKeys.length > UPLOAD_API_KEYS_MAX) {
    throw configError(`UPLOAD_API_KEYS holds more than ${UPLOAD_API_KEYS_MAX} keys`);
  }
  if (apiKeys.some((key) => key.length < UPLOAD_API_KEY_CHARS_MIN || /\s/.test(key))) {
    throw configError(
      `every UPLOAD_API_KEYS key needs ${UPLOAD_API_KEY_CHARS_MIN}+ characters and no spaces`,
    );
  }
  const tokenSecret = env.UPLOAD_TOKEN_SECRET?.trim() || undefined;
  if (tokenSecret !== undefined && tokenSecret.length < UPLOAD_TOKEN_SECRET_CHARS_MIN) {
    throw configError(`UPLOAD_TOKEN_SECRET needs ${UPLOAD_TOKEN_SECRET_CHARS_MIN}+ characters`);
  }
  const config: WorkerConfig = Object.freeze({
    suiRpcUrl: requiredText('SUI_RPC_URL', env.SUI_RPC_URL),
    packageId: requiredText('WALRUS_PACKAGE_ID', env.WALRUS_PACKAGE_ID),
    systemObjectId: requiredText('WALRUS_SYSTEM_OBJECT_ID', env.WALRUS_SYSTEM_OBJECT_ID),
    publisherSecretKey: env.PUBLISHER_SECRET_KEY?.trim() || undefined,
    publisherBodyBytesMax: decimal(
      'PUBLISHER_BODY_BYTES_MAX',
      env.PUBLISHER_BODY_BYTES_MAX,
      PUBLISHER_BODY_BYTES_DEFAULT,
      0,
      PUBLISHER_BODY_BYTES_LIMIT,
    ),
    publisherQuiltBodyBytesMax: decimal(
      'PUBLISHER_QUILT_BODY_BYTES_MAX',
      env.PUBLISHER_QUILT_BODY_BYTES_MAX,
      PUBLISHER_QUILT_BODY_BYTES_DEFAULT,
      0,
      PUBLISHER_BODY_BYTES_LIMIT,
    ),
    attributeHeaders: headers.length > 0 ? headers : ATTRIBUTE_HEADERS_DEFAULT,
    statusTtlS: Object.freeze({
      ...STATUS_TTL_S,
      deletable: decimal(
        'DELETABLE_STATUS_TTL_S',
        env.DELETABLE_STATUS_TTL_S,
        STATUS_TTL_S.deletable,
        1,
        DELETABLE_STATUS_TTL_S_MAX,
      ),
    }),
    uploadApiKeys: Object.freeze(apiKeys),
    uploadTokenSecret: tokenSecret,
    uploadSessionBytesMax: decimal(
      'UPLOAD_SESSION_BYTES_MAX',
      env.UPLOAD_SESSION_BYTES_MAX,
      UPLOAD_SESSION_BYTES_DEFAULT,
      1,
      UPLOAD_SESSION_BYTES_LIMIT,
    ),
    uploadRelayBytesMax: decimal(
      'UPLOAD_RELAY_BYTES_MAX',
      env.UPLOAD_RELAY_BYTES_MAX,
      SESSION_ENCODE_BYTES_LIMIT,
      1,
      SESSION_ENCODE_BYTES_LIMIT,
    ),
  });
  parsed.set(env, config);
  return config;
}

/** What a network offers the Worker; `workerVars` turns it into bindings. */
export interface WorkerNetwork {
  readonly suiRpcUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  readonly publisherSecretKey?: string;
  readonly publisherBodyBytesMax?: number;
  readonly publisherQuiltBodyBytesMax?: number;
  readonly uploadApiKeys?: readonly string[];
  readonly uploadTokenSecret?: string;
  readonly uploadSessionBytesMax?: number;
  readonly uploadRelayBytesMax?: number;
}

/** The plain-text variables (and secrets) of Env, without the Durable Object and R2 bindings. */
export type EnvVars = Omit<Env, (typeof WORKER_BINDINGS)[number]>;

/** The variables for a network (the devnet launcher's and the tests'). */
export function workerVars(network: WorkerNetwork): EnvVars {
  return {
    SUI_RPC_URL: network.suiRpcUrl,
    WALRUS_PACKAGE_ID: network.packageId,
    WALRUS_SYSTEM_OBJECT_ID: network.systemObjectId,
    ...(network.publisherSecretKey === undefined
      ? {}
      : { PUBLISHER_SECRET_KEY: network.publisherSecretKey }),
    ...(network.publisherBodyBytesMax === undefined
      ? {}
      : { PUBLISHER_BODY_BYTES_MAX: String(network.publisherBodyBytesMax) }),
    ...(network.publisherQuiltBodyBytesMax === undefined
      ? {}
      : { PUBLISHER_QUILT_BODY_BYTES_MAX: String(network.publisherQuiltBodyBytesMax) }),
    ...(network.uploadApiKeys === undefined
      ? {}
      : { UPLOAD_API_KEYS: network.uploadApiKeys.join(',') }),
    ...(network.uploadTokenSecret === undefined
      ? {}
      : { UPLOAD_TOKEN_SECRET: network.uploadTokenSecret }),
    ...(network.uploadSessionBytesMax === undefined
      ? {}
      : { UPLOAD_SESSION_BYTES_MAX: String(network.uploadSessionBytesMax) }),
    ...(network.uploadRelayBytesMax === undefined
      ? {}
      : { UPLOAD_RELAY_BYTES_MAX: String(network.uploadRelayBytesMax) }),
  };
}
