/**
 * The publisher route, `PUT /v1/blobs?epochs=N[&permanent=true|&deletable=true]` (Walrus's path and
 * response JSON, docs/spec/api.md §3.2): the Worker encodes the body, pays from its configured wallet,
 * uploads to the storage nodes, certifies, and answers `newlyCreated`.
 */
import type { ChainSigner } from '../core/chain/types.js';
import { NotEnoughConfirmationsError, type StoreChain, storeBlob } from '../client/store.js';
import type { StorageNodeClientOptions } from '../client/storage-node-client.js';
import { readBodyBounded } from '../core/http/body.js';
import { DataTooLargeError } from '../core/encoding/config.js';
import { EdgeErrors } from './api-errors.js';
/** Walrus mainnet's limit on epochs ahead. */
export const EPOCHS_MAX = 53;
const KNOWN_PARAMS = new Set(['epochs', 'permanent', 'deletable', 'force', 'encoding_type']);

export interface PublisherDeps {
  readonly chain: StoreChain;
  readonly signer: ChainSigner;
  readonly bodyBytesMax: number;
  /** The invocation's request gate and the isolate's node health. */
  readonly nodeOptions?: StorageNodeClientOptions;
}

function parseQuery(url: URL): { epochs: number; deletable: boolean } {
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) throw EdgeErrors.malformedRequest(`unknown query parameter ${key}`);
  }
  const epochsText = url.searchParams.get('epochs') ?? '1';
  const epochs = Number(epochsText);
  if (!/^\d+$/.test(epochsText) || epochs < 1 || epochs > EPOCHS_MAX) {
    throw EdgeErrors.malformedRequest(`epochs must be an integer from 1 to ${EPOCHS_MAX}`);
  }
  const permanent = url.searchParams.get('permanent') === 'true';
  const deletableFlag = url.searchParams.get('deletable') === 'true';
  if (permanent && deletableFlag) {
    throw EdgeErrors.invalidPersistence('a blob cannot be both permanent and deletable');
  }
  const encoding = url.searchParams.get('encoding_type');
  if (encoding !== null && encoding !== 'RS2')
    throw EdgeErrors.malformedRequest('only RS2 is supported');
  // Deletable is Walrus's default since v1.33.
  return { epochs, deletable: !permanent };
}

export async function publishBlobRoute(request: Request, deps: PublisherDeps): Promise<Response> {
  const query = parseQuery(new URL(request.url));
  // 413 as soon as the body passes the limit, declared or counted.
  const body = await readBodyBounded(request, deps.bodyBytesMax);
  try {
    const stored = await storeBlob(body, {
      chain: deps.chain,
      signer: deps.signer,
      epochs: query.epochs,
      deletable: query.deletable,
      nodeOptions: deps.nodeOptions,
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
    if (error instanceof DataTooLargeError) throw EdgeErrors.blobTooLarge(error.message);
    if (error instanceof NotEnoughConfirmationsError) {
      throw EdgeErrors.insufficientConfirmations(error.message);
    }
    throw error;
  }
}
