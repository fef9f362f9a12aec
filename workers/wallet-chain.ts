/**
 * The chain as a paying path sees it when the publisher wallet's Durable Object exists: reads from
 * the caller's own adapter (cached per isolate), every transaction through PublisherWallet, which
 * signs with the wallet's key itself (the `signer` argument of these methods is not used).
 */
import type { Chain, SystemState } from '../core/chain/types.js';
import type { DurableObjectNamespace } from '@cloudflare/workers-types/index.js';
import type { StoreChain } from '../client/store.js';
import type { PublisherWalletApi } from '../durable-objects/wallet-api.js';

/** The name of the one PublisherWallet object (durable-objects/publisher-wallet.ts). */
export const PUBLISHER_WALLET_NAME = 'publisher';

export type PayingChain = StoreChain & Pick<Chain, 'setBlobAttributes' | 'transferBlob'>;

export function publisherWallet(namespace: DurableObjectNamespace): PublisherWalletApi {
  return namespace.get(
    namespace.idFromName(PUBLISHER_WALLET_NAME),
  ) as unknown as PublisherWalletApi;
}

/** `reads` for reads, `wallet` for every transaction. */
export function walletPaidChain(reads: Chain, wallet: PublisherWalletApi): PayingChain {
  return {
    readSystem: (options) => reads.readSystem(options),
    readBlob: (objectId, options) => reads.readBlob(objectId, options),
    // A SystemState is plain data: it crosses the RPC boundary as a structured clone.
    reserveAndRegister: (params, _signer, options) =>
      wallet.reserveAndRegister(params, options?.system as SystemState | undefined),
    certifyBlob: (blob, certificate) => wallet.certifyBlob(blob, certificate),
    setBlobAttributes: (blob, attributes) => wallet.setBlobAttributes(blob, attributes),
    transferBlob: (blob, recipient) => wallet.transferBlob(blob, recipient),
  };
}
