/**
 * Checks for JSON-RPC parameters: each returns the normalized value or throws -32602 naming it.
 */
import { bcs } from '@mysten/sui/bcs';
import { isValidSuiAddress, normalizeSuiAddress } from '@mysten/sui/utils';
import { QUERY_RESULTS_MAX } from './limits.js';
import { parseType, type MoveType } from './move-types.js';
import { invalidParams } from './request-errors.js';

export function address(value: unknown, name: string): string {
  if (typeof value === 'string') {
    const normalized = normalizeSuiAddress(value);
    if (isValidSuiAddress(normalized)) return normalized;
  }
  throw invalidParams(`${name} must be a Sui address`);
}

export function digest(value: unknown, name: string): string {
  if (typeof value === 'string' && value.length <= 64) {
    try {
      if (bcs.ObjectDigest.serialize(value).toBytes().length === 33) return value;
    } catch {
      // Falls through to the error below.
    }
  }
  throw invalidParams(`${name} must be a base58 digest`);
}

export function options(value: unknown, name = 'options'): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw invalidParams(`${name} must be an object`);
}

export function limit(value: unknown): number {
  if (value === undefined || value === null) return QUERY_RESULTS_MAX;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidParams('limit must be a positive integer');
  }
  // Sui caps larger page sizes instead of refusing them.
  return Math.min(value, QUERY_RESULTS_MAX);
}

export function typeString(value: unknown, name: string): MoveType {
  if (typeof value !== 'string') throw invalidParams(`${name} must be a Move type string`);
  try {
    return parseType(value);
  } catch (error) {
    throw invalidParams(`${name}: ${(error as Error).message}`);
  }
}
