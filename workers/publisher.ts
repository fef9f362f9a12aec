/**
 * The publisher route, `PUT /v1/blobs?epochs=N[&permanent=true|&deletable=true]` (Walrus's path and
 * response JSON, spec: api.md §3.2): the Worker encodes the body, pays from its configured wallet,
 * uploads to the storage nodes, certifies, and answers `newlyCreated`.
 */
import type { Chain, ChainSigner } from '../core/chain/types.js';
import { NotEnoughConfirmationsError, storeBlob } from '../client/store.js';
import { BodyTooLargeError, readBodyBounded } from '../core/http/body.js';
import { DataTooLargeError } from '../core/encoding/config.js';
import { errorResponse } from './errors.js';

/** Walrus's publisher default (`--max-body-size` 10 240 KiB). */
export const PUBLISHER_BODY_BYTES_DEFAULT = 10 * 1024 * 1024;
/** Walrus mainnet's limit on epochs ahead. */
const EPOCHS_MAX = 53;
const KNOWN_PARAMS = new Set(['epochs', 'permanent', 'deletable', 'force', 'encoding_type']);

export interface PublisherDeps {
  readonly chain: Chain;
  readonly signer: ChainSigner;
  readonly bodyBytesMax: number;
}

/** Reads the request body, answering 413 as soon as it passes the limit. */
async function readBody(request: Request, bytesMax: number): Promise<Uint8Array | Response> {
  try {
    return await readBodyBounded(request, bytesMax);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return errorResponse(413, 'BODY_TOO_LARGE', error.message);
    throw error;
  }
}

function parseQuery(url: URL): { epochs: number; deletable: boolean } | Response {
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key))
      return errorResponse(400, 'MALFORMED_REQUEST', `unknown query parameter ${key}`);
  }
  const epochsText = url.searchParams.get('epochs') ?? '1';
  const epochs = Number(epochsText);
  if (!/^\d+$/.test(epochsText) || epochs < 1 || epochs > EPOCHS_MAX) {
    return errorResponse(
      400,
      'MALFORMED_REQUEST',
      `epochs must be an integer from 1 to ${EPOCHS_MAX}`,
    );
  }
  const permanent = url.searchParams.get('permanent') === 'true';
  const deletableFlag = url.searchParams.get('deletable') === 'true';
  if (permanent && deletableFlag) {
    return errorResponse(
      400,
      'INVALID_BLOB_PERSISTENCE',
      'a blob cannot be both permanent and deletable',
    );
  }
  const encoding = url.searchParams.get('encoding_type');
  if (encoding !== null && encoding !== 'RS2')
    return errorResponse(400, 'MALFORMED_REQUEST', 'only RS2 is supported');
  // Deletable is Walrus's default since v1.33.
  return { epochs, deletable: !permanent };
}

export async function publishBlobRoute(request: Request, deps: PublisherDeps): Promise<Response> {
  const query = parseQuery(new URL(request.url));
  if (query instanceof Response) return query;
  const body = await readBody(request, deps.bodyBytesMax);
  if (body instanceof Response) return body;
  try {
    const stored = await storeBlob(body, {
      chain: deps.chain,
      signer: deps.signer,
      epochs: query.epochs,
      deletable: query.deletable,
    });
    const blob = stored.blobObject;
    return Response.json({
      newlyCreated: {
        blobObject: {
          id: blob.objectId,
          registeredEpoch: blob.registeredEpoch,
          blobId: stored.blobId,
          size: blob.size,
          encodingType: 'RS2',
          certifiedEpoch: blob.certifiedEpoch,
          storage: {
            id: blob.storage.objectId,
            startEpoch: blob.storage.startEpoch,
            endEpoch: blob.storage.endEpoch,
            storageSize: Number(blob.storage.storageSize),
          },
          deletable: blob.deletable,
        },
        resourceOperation: {
          registerFromScratch: {
            encodedLength: Number(stored.cost.encodedLength),
            epochsAhead: query.epochs,
          },
        },
        cost: Number(stored.cost.totalMist),
      },
    });
  } catch (error) {
    if (error instanceof DataTooLargeError)
      return errorResponse(413, 'BLOB_TOO_LARGE', error.message);
    if (error instanceof NotEnoughConfirmationsError)
      return errorResponse(504, 'INSUFFICIENT_CONFIRMATIONS', error.message);
    throw error;
  }
}
