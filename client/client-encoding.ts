/**
 * Client-side encoding of an upload session (issue 11), for files past what the edge's relay
 * encodes: the client encodes the file itself (by default here, in the calling thread; the browser
 * page passes its Web Worker's encoder), asks the session to register the blob
 * (`{encodedEndpoint}/register`: the session's Durable Object checks the metadata and its size and
 * pays), sends metadata and slivers straight to every committee member with deadlines and retries
 * (client/store.ts, the same code as `storeBlob`), stops waiting once the confirmations weigh a
 * quorum, so a hung node does not hold it up, and hands the confirmations to
 * `{encodedEndpoint}/certify`, where the session verifies each one and certifies.
 *
 * Isomorphic: Web APIs only (it is bundled for the browser).
 *
 *   const session: SessionDescriptor = await (await fetch(`${uploadEndpoint}/session`)).json();
 *   const { blobId } = await uploadClientEncoded(file, session, { onProgress: console.log });
 */
import { base64ToBytes, bytesToBase64 } from '../core/base64.js';
import { blobIdToString } from '../core/blob-id.js';
import { isQuorumWeight } from '../core/bls.js';
import { encodeBlob } from '../core/encoding/blob-encoder.js';
import { primarySliverBytes, secondarySliverBytes } from '../core/encoding/config.js';
import { encodeBlobMetadata } from '../core/encoding/metadata.js';
import { sliverDataBcsBytes } from '../core/encoding/sliver-data.js';
import { hexToBytes } from '../core/hex.js';
import { readBodyBounded } from '../core/http/body.js';
import { type BlobPersistence, storageConfirmationMessage } from '../core/messages.js';
import type {
  CertifyRequestBody,
  EncodedMember,
  RegisterAnswer,
  RegisterRequestBody,
} from './encoded-wire.js';
import type {
  SessionDescriptor,
  SessionUploadResult,
  UploadProgress,
} from './session-descriptor.js';
import type { StorageNodeClientOptions } from './storage-node-client.js';
import {
  type EncodedSlivers,
  NotEnoughConfirmationsError,
  type StoreCommittee,
  collectConfirmations,
  storeOnMember,
} from './store.js';

/** Registering waits for the publisher wallet's turn and one transaction. */
export const REGISTER_TIMEOUT_MS = 60_000;
/** Certifying verifies the confirmations and runs up to three transactions (certify, attributes, transfer). */
export const CERTIFY_TIMEOUT_MS = 120_000;
/** A register answer lists the committee: a few hundred bytes a member, plus its shard numbers. */
const REGISTER_ANSWER_BYTES_MAX = 4 * 1024 * 1024;
/** A certify answer (or any error) is a status object. */
const CERTIFY_ANSWER_BYTES_MAX = 64 * 1024;

export interface ClientEncodingOptions {
  /** The encoder (the browser page passes its Web Worker's); default: encodeBlob in this thread. */
  readonly encode?: (bytes: Uint8Array, nShards: number) => Promise<EncodedSlivers>;
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly signal?: AbortSignal;
  /** Used for the session's routes and the storage nodes; default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Deadlines and gate of the storage-node requests (client/storage-node-client.ts). */
  readonly nodeOptions?: StorageNodeClientOptions;
}

/** The session refused a step: its HTTP status and AIP-193 reason (e.g. 413 UPLOAD_TOO_LARGE). */
export class ClientEncodingError extends Error {
  override name = 'ClientEncodingError';
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | undefined,
  ) {
    super(message);
  }
}

/** Posts `body` as JSON under a deadline; the answer's JSON, or ClientEncodingError. */
async function postJson(
  fetchFn: typeof fetch,
  url: string,
  body: unknown,
  timeoutMs: number,
  answerBytesMax: number,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal === undefined ? deadline : AbortSignal.any([deadline, signal]),
  });
  const text = new TextDecoder().decode(await readBodyBounded(response, answerBytesMax));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { message?: string; details?: { reason?: string }[] } })
      ?.error;
    throw new ClientEncodingError(
      `${new URL(url).pathname.split('/').pop()} failed (${response.status}): ${error?.message ?? text.slice(0, 200)}`,
      response.status,
      error?.details?.[0]?.reason,
    );
  }
  if (parsed === undefined)
    throw new ClientEncodingError(`${url} answered no JSON`, 502, undefined);
  return parsed;
}

function isMember(value: unknown, index: number, nShards: number): value is EncodedMember {
  const m = value as Record<string, unknown> | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    m.memberIndex === index &&
    typeof m.name === 'string' &&
    typeof m.nodeUrl === 'string' &&
    typeof m.publicKey === 'string' &&
    Array.isArray(m.shards) &&
    m.shards.every((s) => Number.isInteger(s) && s >= 0 && s < nShards) &&
    m.weight === m.shards.length
  );
}

/** The register answer, checked: for our blob, our shard count, a committee of all shards. */
function registration(value: unknown, blobId: string, nShards: number): RegisterAnswer {
  const answer = value as RegisterAnswer;
  const committee = Array.isArray(answer?.committee) ? answer.committee : [];
  if (
    answer?.blobId !== blobId ||
    answer.nShards !== nShards ||
    typeof answer.blobObjectId !== 'string' ||
    !Number.isInteger(answer.epoch) ||
    typeof answer.deletable !== 'boolean' ||
    committee.length === 0 ||
    !committee.every((member, index) => isMember(member, index, nShards)) ||
    committee.reduce((sum, member) => sum + member.weight, 0) !== nShards
  ) {
    throw new ClientEncodingError(
      'the register answer is malformed or for another blob',
      502,
      undefined,
    );
  }
  return answer;
}

function committeeOf(answer: RegisterAnswer): StoreCommittee {
  return {
    nShards: answer.nShards,
    members: answer.committee.map((member) => ({
      name: member.name,
      networkAddress: member.nodeUrl,
      blsPublicKey: base64ToBytes(member.publicKey),
      weight: member.weight,
      shards: member.shards,
    })),
  };
}

/** BCS bytes of every sliver of a blob: one primary and one secondary sliver a shard. */
function sliverBytesTotal(blobBytes: number, nShards: number): number {
  const primary = sliverDataBcsBytes(primarySliverBytes(blobBytes, nShards));
  const secondary = sliverDataBcsBytes(secondarySliverBytes(blobBytes, nShards));
  return nShards * (primary + secondary);
}

export async function uploadClientEncoded(
  file: Blob | Uint8Array,
  session: SessionDescriptor,
  options: ClientEncodingOptions = {},
): Promise<SessionUploadResult> {
  // Browsers throw "Illegal invocation" for a fetch called off `globalThis`.
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const report = options.onProgress ?? (() => {});
  const { signal } = options;
  const size = file instanceof Uint8Array ? file.length : file.size;
  if (size > session.maxBytes) {
    throw new ClientEncodingError(
      `the file of ${size} bytes exceeds the session's maxBytes ${session.maxBytes}`,
      413,
      'UPLOAD_TOO_LARGE',
    );
  }
  const total = sliverBytesTotal(size, session.nShards);
  report({ stage: 'encoding', bytesDone: 0, bytesTotal: total });
  const bytes = file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer());
  const encoded = await (options.encode ?? (async (b, n) => encodeBlob(b, n)))(
    bytes,
    session.nShards,
  );
  signal?.throwIfAborted();
  const blobId = blobIdToString(encoded.blobId);

  const request: RegisterRequestBody = {
    unencodedLength: size,
    metadata: bytesToBase64(encodeBlobMetadata(encoded.metadata)),
    blobId,
  };
  const registered = registration(
    await postJson(
      fetchFn,
      `${session.encodedEndpoint}/register`,
      request,
      REGISTER_TIMEOUT_MS,
      REGISTER_ANSWER_BYTES_MAX,
      signal,
    ),
    blobId,
    session.nShards,
  );
  const committee = committeeOf(registered);
  const persistence: BlobPersistence = registered.deletable
    ? { kind: 'deletable', objectId: hexToBytes(registered.blobObjectId, 32) }
    : { kind: 'permanent' };
  const message = storageConfirmationMessage(registered.epoch, encoded.blobId, persistence);

  let sent = 0;
  report({ stage: 'uploading', bytesDone: 0, bytesTotal: total });
  const nodeOptions = { ...options.nodeOptions, fetch: options.nodeOptions?.fetch ?? fetchFn };
  const { confirmations, failures } = await collectConfirmations(committee, message, (index) =>
    storeOnMember(encoded, committee, index, persistence, message, { nodeOptions, signal }, (b) => {
      sent = Math.min(sent + b, total);
      report({ stage: 'uploading', bytesDone: sent, bytesTotal: total });
    }),
  );
  const weight = confirmations.reduce((sum, c) => sum + committee.members[c.memberIndex].weight, 0);
  if (!isQuorumWeight(weight, committee.nShards)) {
    throw new NotEnoughConfirmationsError(
      `confirmations from ${weight} of ${committee.nShards} shards are not a quorum` +
        (failures.length ? `: ${failures[0]}` : ''),
    );
  }

  report({ stage: 'storing', bytesDone: sent, bytesTotal: total });
  const body: CertifyRequestBody = {
    confirmations: confirmations.map((c) => ({
      memberIndex: c.memberIndex,
      signature: bytesToBase64(c.signature),
    })),
  };
  const status = (await postJson(
    fetchFn,
    `${session.encodedEndpoint}/certify`,
    body,
    CERTIFY_TIMEOUT_MS,
    CERTIFY_ANSWER_BYTES_MAX,
    signal,
  )) as { state?: string; blobId?: string; blobObjectId?: string; certifiedEpoch?: number };
  if (
    status.state !== 'certified' ||
    status.blobId !== blobId ||
    typeof status.blobObjectId !== 'string' ||
    typeof status.certifiedEpoch !== 'number'
  ) {
    throw new ClientEncodingError('the certify answer is not a certified status', 502, undefined);
  }
  report({ stage: 'certified', bytesDone: sent, bytesTotal: total });
  return {
    blobId,
    blobObjectId: status.blobObjectId,
    certifiedEpoch: status.certifiedEpoch,
  };
}
