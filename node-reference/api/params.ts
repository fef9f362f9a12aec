/**
 * Parsing of path parameters, query parameters and request bodies for the node API. Every parser
 * either returns a checked value or throws an ApiError with a Walrus reason; none trusts its input.
 */
import type { IRequest } from 'itty-router';
import { InvalidBlobIdError, blobIdFromString } from '../../core/blob-id.js';
import { HASH_BYTES } from '../../core/encoding/config.js';
import type { SliverAxis } from '../../core/encoding/mapping.js';
import {
  type BlobMetadata,
  MetadataVerificationError,
  decodeBlobMetadata,
} from '../../core/encoding/metadata.js';
import { NodeErrors } from '../errors.js';
import { RECOVERY_SYMBOL_IDS_MAX } from '../limits.js';
import type { RecoverySymbolFilter, SymbolId, UploadIntent } from '../service.js';

export function blobIdParam(request: IRequest): Uint8Array {
  try {
    return blobIdFromString(request.params.blob_id ?? '');
  } catch (error) {
    if (error instanceof InvalidBlobIdError) throw NodeErrors.invalidBlobId(error.message);
    throw error;
  }
}

/** A sliver pair index: decimal, at most u16 (the range check against n is the service's). */
export function pairIndexParam(request: IRequest): number {
  const text = request.params.sliver_pair_index ?? '';
  if (!/^\d{1,5}$/.test(text) || Number(text) > 0xffff)
    throw NodeErrors.invalidPath(`invalid sliver pair index ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseAxis(text: string | undefined): SliverAxis | null {
  return text === 'primary' || text === 'secondary' ? text : null;
}

export function axisParam(request: IRequest): SliverAxis {
  const axis = parseAxis(request.params.sliver_type);
  if (axis === null)
    throw NodeErrors.invalidPath(
      `invalid sliver type ${JSON.stringify(request.params.sliver_type)}`,
    );
  return axis;
}

/** A Sui object ID: `0x` and up to 64 hex digits, left-padded to 32 bytes. */
export function objectIdParam(request: IRequest): Uint8Array {
  const text = request.params.object_id ?? '';
  const match = /^(?:0x)?([0-9a-fA-F]{1,64})$/.exec(text);
  if (match === null) throw NodeErrors.invalidPath(`invalid object ID ${JSON.stringify(text)}`);
  return new Uint8Array(Buffer.from(match[1].padStart(2 * HASH_BYTES, '0'), 'hex'));
}

/** A single-valued query parameter, or undefined. */
export function queryValue(request: IRequest, name: string): string | undefined {
  const value = request.query[name];
  if (Array.isArray(value))
    throw NodeErrors.invalidQuery(`query parameter ${name} given more than once`);
  return value;
}

export function boolQuery(request: IRequest, name: string): boolean {
  const value = queryValue(request, name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw NodeErrors.invalidQuery(`query parameter ${name} must be true or false`);
}

export function u64Query(request: IRequest, name: string): number | undefined {
  const value = queryValue(request, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw NodeErrors.invalidQuery(`query parameter ${name} must be an integer`);
  return Number(value);
}

export function intentQuery(request: IRequest): UploadIntent {
  return boolQuery(request, 'pending') ? 'pending' : 'immediate';
}

/** BCS bodies: `application/octet-stream` (any parameters) or no Content-Type at all. */
export function requireBcsContentType(request: Request): void {
  const header = request.headers.get('content-type');
  if (header === null) return;
  const mediaType = header.split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/octet-stream') throw NodeErrors.invalidContentType();
}

export function decodeMetadataBody(body: Uint8Array): BlobMetadata {
  try {
    return decodeBlobMetadata(body);
  } catch (error) {
    if (!(error instanceof MetadataVerificationError)) throw error;
    if (error.reason === 'MALFORMED') throw NodeErrors.undecodableBcs('BlobMetadata');
    if (error.reason === 'UNSUPPORTED_ENCODING_TYPE') throw NodeErrors.unsupportedEncodingType();
    throw NodeErrors.invalidMetadata(error.message);
  }
}

function parseSymbolId(text: string): SymbolId {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  if (match === null) throw NodeErrors.invalidFilter(`invalid symbol ID ${JSON.stringify(text)}`);
  return { primaryIndex: Number(match[1]), secondaryIndex: Number(match[2]) };
}

/** `id=p-s` (repeatable) or `targetSliver=i&targetType=axis`, plus an optional `proofAxis`. */
export function recoveryFilterQuery(request: IRequest): RecoverySymbolFilter {
  const proofAxisText = queryValue(request, 'proofAxis');
  const proofAxis = proofAxisText === undefined ? null : parseAxis(proofAxisText);
  if (proofAxisText !== undefined && proofAxis === null)
    throw NodeErrors.invalidFilter('proofAxis must be primary or secondary');
  const rawIds = request.query.id;
  const targetSliver = queryValue(request, 'targetSliver');
  const targetType = queryValue(request, 'targetType');
  if (rawIds !== undefined) {
    if (targetSliver !== undefined || targetType !== undefined) {
      throw NodeErrors.invalidFilter('give either symbol IDs or a target sliver, not both');
    }
    const texts = Array.isArray(rawIds) ? rawIds : [rawIds];
    if (texts.length > RECOVERY_SYMBOL_IDS_MAX) {
      throw NodeErrors.invalidFilter(`at most ${RECOVERY_SYMBOL_IDS_MAX} symbol IDs per request`);
    }
    const unique = new Map<string, SymbolId>();
    for (const text of texts) {
      const id = parseSymbolId(text);
      unique.set(`${id.primaryIndex}-${id.secondaryIndex}`, id);
    }
    const ids = [...unique.values()].sort(
      (a, b) => a.primaryIndex - b.primaryIndex || a.secondaryIndex - b.secondaryIndex,
    );
    return { kind: 'ids', ids, proofAxis };
  }
  if (targetSliver === undefined && targetType === undefined) throw NodeErrors.noSymbolsSpecified();
  const targetAxis = parseAxis(targetType);
  if (targetSliver === undefined || !/^\d{1,5}$/.test(targetSliver) || targetAxis === null) {
    throw NodeErrors.invalidFilter(
      'targetSliver must be a sliver index and targetType primary or secondary',
    );
  }
  return { kind: 'recovers', targetAxis, targetIndex: Number(targetSliver), proofAxis };
}
