/**
 * Client-side encoding, the session object's side (issue 11): a client that encoded a file past
 * the relay's limit asks the session to register the blob (`/encoded/register`), sends metadata and
 * slivers to the storage nodes itself, and hands their confirmations back (`/encoded/certify`).
 * The object trusts nothing it is sent: the metadata is parsed exactly and its blob ID recomputed
 * (so the blob registered is the one the metadata describes, for this network's shard count, no
 * larger than the session's maxBytes), and every confirmation is checked against a message the
 * object builds itself and the member's key from the chain, as the relay does (client/store.ts).
 * These are the pure parts; upload-session.ts owns the record and the chain calls.
 */
import { base64Chars, base64ToBytes, bytesToBase64 } from '../core/base64.js';
import { blobIdFromString, blobIdToString, deriveBlobId } from '../core/blob-id.js';
import {
  blsAcceptSameMessage,
  blsAggregateSignatures,
  blsHashMessage,
  blsVerifyHashed,
  isQuorumWeight,
  signersBitmap,
} from '../core/bls.js';
import type { CertificateInput, SystemState } from '../core/chain/types.js';
import { maxBlobBytes } from '../core/encoding/config.js';
import {
  type BlobMetadata,
  MetadataVerificationError,
  decodeBlobMetadata,
  metadataWithIdBcsBytes,
  rootHashOfMetadata,
} from '../core/encoding/metadata.js';
import { BLS_SIGNATURE_BYTES } from '../core/bls.js';
import { bytesEqual } from '../core/bytes.js';
import { ApiError } from '../core/http/errors.js';
import type { Confirmation } from '../client/store.js';
import type { EncodedMember, RegisterAnswer } from '../client/encoded-wire.js';

export const ENCODED_DOMAIN = 'sessions.walrus-edge';
/** A register body is the metadata's base64 and a few short fields; this bounds the fields. */
export const REGISTER_BODY_FIELDS_BYTES_MAX = 1024;
/** JSON of one confirmation: a member index and 128 base64 characters, with room for spacing. */
export const CERTIFY_ENTRY_BYTES_MAX = 256;
/**
 * How long after registering the client has to certify: sending a session's largest blob to every
 * node takes minutes, not hours. After it the alarm fails the session (the registration lapses
 * with its storage; nothing is certified).
 */
export const CLIENT_CERTIFY_WINDOW_MS = 60 * 60 * 1000;
const REGISTER_FIELDS = new Set(['unencodedLength', 'metadata', 'blobId']);

function invalid(reason: string, message: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', reason, message, { domain: ENCODED_DOMAIN });
}

/** The largest register body for a network of `nShards` (its metadata is 66 bytes a shard). */
export function registerBodyBytesMax(nShards: number): number {
  return base64Chars(metadataWithIdBcsBytes(nShards)) + REGISTER_BODY_FIELDS_BYTES_MAX;
}

/** The largest certify body for a committee of `members`. */
export function certifyBodyBytesMax(members: number): number {
  return CERTIFY_ENTRY_BYTES_MAX * (members + 1);
}

function jsonObject(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid('INVALID_ENCODED_REQUEST', 'the body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('INVALID_ENCODED_REQUEST', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export interface RegisterRequest {
  readonly unencodedLength: number;
  readonly metadata: BlobMetadata;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
}

/**
 * A register body, checked in order of cost: its length against the session's `maxBytes` (413,
 * before any metadata is decoded), the metadata parsed exactly, its length and shard count against
 * the request and the network, then the blob ID recomputed (and compared with the client's, if
 * given).
 */
export function parseRegisterRequest(
  text: string,
  nShards: number,
  maxBytes: number,
): RegisterRequest {
  const body = jsonObject(text);
  for (const key of Object.keys(body)) {
    if (!REGISTER_FIELDS.has(key)) {
      throw invalid('INVALID_ENCODED_REQUEST', `unknown field ${JSON.stringify(key)}`);
    }
  }
  const length = body.unencodedLength;
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw invalid('INVALID_ENCODED_REQUEST', 'unencodedLength must be a non-negative integer');
  }
  if (length > maxBytes) {
    throw new ApiError(
      'RESOURCE_EXHAUSTED',
      'UPLOAD_TOO_LARGE',
      `unencodedLength ${length} exceeds the session's maxBytes ${maxBytes}; nothing was registered`,
      { domain: ENCODED_DOMAIN, httpStatus: 413 },
    );
  }
  if (length > maxBlobBytes(nShards)) {
    throw invalid(
      'INVALID_ENCODED_REQUEST',
      `unencodedLength ${length} exceeds the largest blob of ${nShards} shards`,
    );
  }
  if (typeof body.metadata !== 'string') {
    throw invalid('INVALID_METADATA', 'metadata must be base64 text');
  }
  let metadata: BlobMetadata;
  try {
    metadata = decodeBlobMetadata(base64ToBytes(body.metadata));
  } catch (error) {
    const why = error instanceof MetadataVerificationError ? error.message : 'not padded base64';
    throw invalid('INVALID_METADATA', `metadata is not BCS BlobMetadata: ${why}`);
  }
  if (metadata.unencodedLength !== length) {
    throw invalid(
      'INVALID_METADATA',
      `the metadata is for ${metadata.unencodedLength} bytes, unencodedLength says ${length}`,
    );
  }
  if (metadata.hashes.length !== nShards) {
    throw invalid(
      'INVALID_METADATA',
      `the metadata has ${metadata.hashes.length} sliver pairs; the network has ${nShards} shards`,
    );
  }
  const rootHash = rootHashOfMetadata(metadata);
  const blobId = deriveBlobId(rootHash, length);
  if (body.blobId !== undefined) {
    let claimed: Uint8Array | undefined;
    try {
      claimed = typeof body.blobId === 'string' ? blobIdFromString(body.blobId) : undefined;
    } catch {
      claimed = undefined;
    }
    if (claimed === undefined || !bytesEqual(claimed, blobId)) {
      throw invalid(
        'BLOB_ID_MISMATCH',
        `the metadata hashes to blob ID ${blobIdToString(blobId)}, not ${JSON.stringify(body.blobId)}`,
      );
    }
  }
  return { unencodedLength: length, metadata, blobId, rootHash };
}

/** The register answer: the registration and the committee the slivers go to. */
export function registerAnswer(
  blobId: Uint8Array,
  blobObjectId: string,
  deletable: boolean,
  system: SystemState,
): RegisterAnswer {
  const committee: EncodedMember[] = system.members.map((member, memberIndex) => ({
    memberIndex,
    name: member.name,
    nodeUrl: member.networkAddress,
    publicKey: bytesToBase64(member.blsPublicKey),
    shards: [...member.shards],
    weight: member.weight,
  }));
  return {
    blobId: blobIdToString(blobId),
    blobObjectId,
    epoch: system.epoch,
    nShards: system.nShards,
    deletable,
    committee,
  };
}

export interface CertifyVerdict {
  readonly accepted: readonly Confirmation[];
  readonly weight: number;
  /** One line per confirmation ignored, naming the member and why. */
  readonly rejected: readonly string[];
}

/**
 * A certify body's confirmations, each verified against `message` and its member's key: the shape
 * must be right (400 otherwise), but a confirmation that is not base64, names no member, repeats
 * one or does not verify is only ignored, and said why.
 */
export function verifyConfirmations(
  text: string,
  members: SystemState['members'],
  message: Uint8Array,
): CertifyVerdict {
  const body = jsonObject(text);
  const list = body.confirmations;
  if (Object.keys(body).some((key) => key !== 'confirmations') || !Array.isArray(list)) {
    throw invalid('INVALID_ENCODED_REQUEST', 'the body must be {"confirmations": [...]}');
  }
  if (list.length > members.length) {
    throw invalid(
      'INVALID_ENCODED_REQUEST',
      `${list.length} confirmations for a committee of ${members.length}`,
    );
  }
  // First the shape and the members of every entry, in order; then the signatures, the first of
  // each member all at once (one pairing check when all verify, blsAcceptSameMessage), a member's
  // later ones only if its first failed; then the verdict, in the body's order.
  const entries: ({ memberIndex: number; bytes: Uint8Array } | { why: string })[] = [];
  for (const entry of list as unknown[]) {
    const { memberIndex, signature } = (entry ?? {}) as Record<string, unknown>;
    if (typeof memberIndex !== 'number' || typeof signature !== 'string') {
      throw invalid(
        'INVALID_ENCODED_REQUEST',
        'each confirmation is {"memberIndex": integer, "signature": base64}',
      );
    }
    if (!Number.isInteger(memberIndex) || memberIndex < 0 || memberIndex >= members.length) {
      entries.push({ why: `member ${memberIndex}: not a member of the committee` });
      continue;
    }
    try {
      entries.push({ memberIndex, bytes: base64ToBytes(signature) });
    } catch {
      const name = members[memberIndex].name;
      entries.push({ why: `member ${memberIndex} (${name}): the signature is not base64` });
    }
  }
  const hashed = blsHashMessage(message);
  const firsts = new Map<number, Uint8Array>();
  for (const entry of entries) {
    if ('bytes' in entry && !firsts.has(entry.memberIndex))
      firsts.set(entry.memberIndex, entry.bytes);
  }
  const firstIndices = [...firsts.keys()];
  const firstValid = blsAcceptSameMessage(
    firstIndices.map((i) => ({ signature: firsts.get(i)!, publicKey: members[i].blsPublicKey })),
    hashed,
  );
  const firstVerdict = new Map(firstIndices.map((i, at) => [i, firstValid[at]]));
  const accepted: Confirmation[] = [];
  const rejected: string[] = [];
  const seen = new Set<number>();
  let weight = 0;
  for (const entry of entries) {
    if ('why' in entry) {
      rejected.push(entry.why);
      continue;
    }
    const { memberIndex, bytes } = entry;
    const member = members[memberIndex];
    if (seen.has(memberIndex)) {
      rejected.push(`member ${memberIndex} (${member.name}): confirmed twice`);
      continue;
    }
    const valid =
      bytes === firsts.get(memberIndex)
        ? firstVerdict.get(memberIndex) === true
        : bytes.length === BLS_SIGNATURE_BYTES &&
          blsVerifyHashed(bytes, member.blsPublicKey, hashed);
    if (!valid) {
      rejected.push(
        `member ${memberIndex} (${member.name}): the signature does not verify for this blob and epoch`,
      );
      continue;
    }
    seen.add(memberIndex);
    accepted.push({ memberIndex, signature: bytes });
    weight += member.weight;
  }
  return { accepted, weight, rejected };
}

/** 409 with the reason quorum was not reached, or the certificate of a quorum. */
export function certificateOf(
  verdict: CertifyVerdict,
  system: SystemState,
  registeredEpoch: number | undefined,
  message: Uint8Array,
): CertificateInput {
  if (!isQuorumWeight(verdict.weight, system.nShards)) {
    const epochMoved =
      registeredEpoch !== undefined && registeredEpoch !== system.epoch
        ? ` The epoch moved from ${registeredEpoch} to ${system.epoch}: confirmations must be signed for epoch ${system.epoch}.`
        : '';
    const ignored = verdict.rejected.length > 0 ? ` Ignored: ${verdict.rejected.join('; ')}.` : '';
    throw new ApiError(
      'FAILED_PRECONDITION',
      'NOT_ENOUGH_CONFIRMATIONS',
      `valid confirmations weigh ${verdict.weight} of ${system.nShards} shards, not a quorum (3w ≥ 2n + 1); the blob is not certified.${ignored}${epochMoved}`,
      { domain: ENCODED_DOMAIN, httpStatus: 409 },
    );
  }
  return {
    signature: blsAggregateSignatures(verdict.accepted.map((c) => c.signature)),
    signersBitmap: signersBitmap(
      verdict.accepted.map((c) => c.memberIndex),
      system.members.length,
    ),
    message,
  };
}
