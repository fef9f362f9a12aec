/**
 * The publisher routes' shared pipeline (Walrus's path, query and response JSON, docs/spec/api.md
 * §3.2): the query is checked, the bytes are encoded, paid for from the configured wallet, uploaded
 * to the storage nodes and certified, and the answer is Walrus's `BlobStoreResult`. `PUT /v1/blobs`
 * stores its body as is; `PUT /v1/quilts` (quilt-publisher.ts) stores the quilt of its files.
 */
import type { Chain, ChainSigner } from '../core/chain/types.js';
import {
  NotEnoughConfirmationsError,
  type StoreChain,
  type StoreOptions,
  type StoreResult,
  storeBlob,
} from '../client/store.js';
import type { StorageNodeClientOptions } from '../client/storage-node-client.js';
import { readBodyBounded } from '../core/http/body.js';
import { DataTooLargeError } from '../core/encoding/config.js';
import { EdgeErrors } from './api-errors.js';

/** Walrus mainnet's limit on epochs ahead. */
export const EPOCHS_MAX = 53;
/** Walrus's `PublisherQuery` keys that every publisher route accepts; others are refused. */
const KNOWN_PARAMS = ['epochs', 'permanent', 'deletable', 'force', 'encoding_type'] as const;

export interface PublisherDeps {
  /** A store's chain; quilts also mark their blob (the wallet's Durable Object or the adapter). */
  readonly chain: StoreChain & Pick<Chain, 'setBlobAttributes'>;
  readonly signer: ChainSigner;
  readonly bodyBytesMax: number;
  /** The invocation's request gate and the isolate's node health. */
  readonly nodeOptions?: StorageNodeClientOptions;
}

export interface PublisherQuery {
  readonly epochs: number;
  readonly deletable: boolean;
}

/** Walrus's `BlobStoreResult` as the publisher answers it (camelCase, docs/spec/api.md §3.2). */
export interface BlobStoreResult {
  readonly newlyCreated: {
    readonly blobObject: {
      readonly id: string;
      readonly registeredEpoch: number;
      readonly blobId: string;
      readonly size: number;
      readonly encodingType: 'RS2';
      readonly certifiedEpoch: number | null;
      readonly storage: {
        readonly id: string;
        readonly startEpoch: number;
        readonly endEpoch: number;
        readonly storageSize: number;
      };
      readonly deletable: boolean;
    };
    readonly resourceOperation: {
      readonly registerFromScratch: {
        readonly encodedLength: number;
        readonly epochsAhead: number;
      };
    };
    readonly cost: number;
  };
}

/**
 * The `PublisherQuery` of a publisher route; `routeParams` are the keys only that route adds
 * (e.g. `quilt_version`), accepted with any value.
 */
export function parsePublisherQuery(url: URL, routeParams: readonly string[] = []): PublisherQuery {
  for (const key of url.searchParams.keys()) {
    if (!(KNOWN_PARAMS as readonly string[]).includes(key) && !routeParams.includes(key)) {
      throw EdgeErrors.malformedRequest(`unknown query parameter ${key}`);
    }
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

/**
 * Runs one store (client/store.ts's pipeline: encode, register, upload, certify; or a quilt's,
 * client/store-quilt.ts, on top of it) with the route's wallet and query, and answers its
 * `BlobStoreResult` next to what the store returned.
 */
export async function publishWith<R extends StoreResult>(
  store: (options: StoreOptions) => Promise<R>,
  deps: PublisherDeps,
  query: PublisherQuery,
): Promise<{ readonly stored: R; readonly blobStoreResult: BlobStoreResult }> {
  let stored: R;
  try {
    stored = await store({
      chain: deps.chain,
      signer: deps.signer,
      epochs: query.epochs,
      deletable: query.deletable,
      nodeOptions: deps.nodeOptions,
    });
  } catch (error) {
    if (error instanceof DataTooLargeError) throw EdgeErrors.blobTooLarge(error.message);
    if (error instanceof NotEnoughConfirmationsError) {
      throw EdgeErrors.insufficientConfirmations(error.message);
    }
    throw error;
  }
  return { stored, blobStoreResult: blobStoreResultOf(stored, query) };
}

function blobStoreResultOf(stored: StoreResult, query: PublisherQuery): BlobStoreResult {
  const blob = stored.blobObject;
  return {
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
  };
}

/** `PUT /v1/blobs?epochs=N[&permanent=true|&deletable=true]`: the body is the blob. */
export async function publishBlobRoute(request: Request, deps: PublisherDeps): Promise<Response> {
  const query = parsePublisherQuery(new URL(request.url));
  // 413 as soon as the body passes the limit, declared or counted.
  const body = await readBodyBounded(request, deps.bodyBytesMax);
  const { blobStoreResult } = await publishWith((options) => storeBlob(body, options), deps, query);
  return Response.json(blobStoreResult);
}
