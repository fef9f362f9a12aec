/**
 * The body of `POST /v1/upload-sessions`, checked field by field: a session request is a few
 * fields, each bounded, and anything else is refused with 400 INVALID_SESSION_REQUEST (issue 10).
 */
import { ApiError } from '../core/http/errors.js';
import { EPOCHS_MAX } from './publisher.js';

/** A session request is a few fields: anything longer is not one. */
export const SESSION_REQUEST_BYTES_MAX = 16 * 1024;
export const SESSION_EXPIRES_IN_S_DEFAULT = 3600;
/** Short sessions suit automation (and the expiry tests); shorter would race the first request. */
export const SESSION_EXPIRES_IN_S_MIN = 10;
/** A week, as long as an R2 presigned URL may live (docs/spec/edge-platform.md §4.2). */
export const SESSION_EXPIRES_IN_S_MAX = 7 * 24 * 60 * 60;
export const SESSION_ATTRIBUTES_MAX = 32;
export const SESSION_ATTRIBUTE_KEY_CHARS_MAX = 128;
export const SESSION_ATTRIBUTE_VALUE_CHARS_MAX = 1024;
const SESSION_FIELDS = new Set([
  'epochs',
  'maxBytes',
  'deletable',
  'sendObjectTo',
  'expiresIn',
  'attributes',
]);
const SUI_ADDRESS = /^0x[0-9a-fA-F]{64}$/;
/** The AIP-193 error domain of every session route. */
export const SESSIONS_DOMAIN = 'sessions.walrus-edge';

export function invalidSessionRequest(message: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', 'INVALID_SESSION_REQUEST', message, {
    domain: SESSIONS_DOMAIN,
  });
}

export interface SessionRequest {
  readonly epochs: number;
  readonly maxBytes: number;
  readonly deletable: boolean;
  readonly sendObjectTo: string | null;
  readonly expiresIn: number;
  readonly attributes: Readonly<Record<string, string>>;
}

function integer(body: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidSessionRequest(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The body's fields, each checked; `bytesMax` is the largest maxBytes allowed (and why). */
export function parseSessionRequest(
  body: unknown,
  bytesMax: { readonly bytes: number; readonly why: string },
): SessionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidSessionRequest('the body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!SESSION_FIELDS.has(key))
      throw invalidSessionRequest(`unknown field ${JSON.stringify(key)}`);
  }
  if (fields.epochs === undefined) throw invalidSessionRequest('epochs is required');
  if (fields.maxBytes === undefined) throw invalidSessionRequest('maxBytes is required');
  const epochs = integer(fields, 'epochs', 1, EPOCHS_MAX);
  const maxBytes = integer(fields, 'maxBytes', 1, Number.MAX_SAFE_INTEGER);
  if (maxBytes > bytesMax.bytes) {
    throw invalidSessionRequest(`maxBytes ${maxBytes} exceeds ${bytesMax.bytes}, ${bytesMax.why}`);
  }
  if (fields.deletable !== undefined && typeof fields.deletable !== 'boolean') {
    throw invalidSessionRequest('deletable must be true or false');
  }
  let sendObjectTo: string | null = null;
  if (fields.sendObjectTo !== undefined && fields.sendObjectTo !== null) {
    if (typeof fields.sendObjectTo !== 'string' || !SUI_ADDRESS.test(fields.sendObjectTo)) {
      throw invalidSessionRequest('sendObjectTo must be a Sui address: 0x and 64 hex digits');
    }
    sendObjectTo = fields.sendObjectTo.toLowerCase();
  }
  const expiresIn =
    fields.expiresIn === undefined
      ? SESSION_EXPIRES_IN_S_DEFAULT
      : integer(fields, 'expiresIn', SESSION_EXPIRES_IN_S_MIN, SESSION_EXPIRES_IN_S_MAX);
  const attributes: Record<string, string> = {};
  if (fields.attributes !== undefined) {
    const given = fields.attributes;
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw invalidSessionRequest('attributes must be an object of string values');
    }
    const entries = Object.entries(given);
    if (entries.length > SESSION_ATTRIBUTES_MAX) {
      throw invalidSessionRequest(`attributes may hold at most ${SESSION_ATTRIBUTES_MAX} entries`);
    }
    for (const [key, value] of entries) {
      if (key.length === 0 || key.length > SESSION_ATTRIBUTE_KEY_CHARS_MAX) {
        throw invalidSessionRequest(
          `attribute keys must have 1 to ${SESSION_ATTRIBUTE_KEY_CHARS_MAX} characters`,
        );
      }
      if (typeof value !== 'string' || value.length > SESSION_ATTRIBUTE_VALUE_CHARS_MAX) {
        throw invalidSessionRequest(
          `attribute ${JSON.stringify(key)} must be a string of at most ${SESSION_ATTRIBUTE_VALUE_CHARS_MAX} characters`,
        );
      }
      attributes[key] = value;
    }
  }
  return {
    epochs,
    maxBytes,
    deletable: fields.deletable === undefined ? true : (fields.deletable as boolean),
    sendObjectTo,
    expiresIn,
    attributes,
  };
}
