/**
 * PublisherWallet: the one Durable Object (named PUBLISHER_WALLET_NAME) that spends the publisher
 * wallet's gas coins. Isolates that each built their own transactions from the same wallet picked
 * the same coin and failed with "Gas object not available"; every paying path (upload sessions and
 * `PUT /v1/blobs`) now calls this object over RPC instead, and its one chain adapter sequences the
 * sender's transactions (core/chain/executor.ts), each picking coins only after the previous one
 * has executed: concurrent uploads queue for the wallet instead of failing for want of a coin.
 * Reads stay with the callers; only transactions come here.
 */
import { DurableObject } from 'cloudflare:workers';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { SuiChain } from '../core/chain/sui-chain.js';
import type {
  BlobHandle,
  CertificateInput,
  MutatedResult,
  RegisterBlobParams,
  RegisterResult,
  SystemState,
  TxResult,
} from '../core/chain/types.js';
import { type Env, workerConfig } from '../workers/env.js';
import type { PublisherWalletApi } from './wallet-api.js';

/** A transaction may wait behind others here; each chain request still has its own deadline. */
const CHAIN_TIMEOUT_MS_WALLET = 20_000;

/** Only what the result says about the chain: RPC results must be structured-clonable. */
function txResult(result: TxResult): TxResult {
  return { digest: result.digest, gasUsedMist: result.gasUsedMist, events: result.events };
}

export class PublisherWallet extends DurableObject<Env> implements PublisherWalletApi {
  #paying: { key: string; chain: SuiChain; signer: Ed25519Keypair } | undefined;

  #wallet(): { chain: SuiChain; signer: Ed25519Keypair } {
    const config = workerConfig(this.env);
    const key = config.publisherSecretKey;
    if (key === undefined)
      throw new Error('the publisher wallet has no key (PUBLISHER_SECRET_KEY)');
    if (this.#paying?.key !== key) {
      this.#paying = {
        key,
        chain: new SuiChain({
          url: config.suiRpcUrl,
          packageId: config.packageId,
          systemObjectId: config.systemObjectId,
          timeoutMs: CHAIN_TIMEOUT_MS_WALLET,
        }),
        signer: Ed25519Keypair.fromSecretKey(decodeSuiPrivateKey(key).secretKey),
      };
    }
    return this.#paying;
  }

  async reserveAndRegister(
    params: RegisterBlobParams,
    system?: SystemState,
  ): Promise<RegisterResult> {
    const { chain, signer } = this.#wallet();
    const registered = await chain.reserveAndRegister(params, signer, { system });
    return { ...txResult(registered), blob: registered.blob, cost: registered.cost };
  }

  async certifyBlob(blob: BlobHandle, certificate: CertificateInput): Promise<MutatedResult> {
    const { chain, signer } = this.#wallet();
    const certified = await chain.certifyBlob(blob, certificate, signer);
    return { ...txResult(certified), ref: certified.ref };
  }

  async setBlobAttributes(
    blob: BlobHandle,
    attributes: Readonly<Record<string, string>>,
  ): Promise<MutatedResult> {
    const { chain, signer } = this.#wallet();
    const set = await chain.setBlobAttributes(blob, attributes, signer);
    return { ...txResult(set), ref: set.ref };
  }

  async transferBlob(blob: BlobHandle, recipient: string): Promise<TxResult> {
    const { chain, signer } = this.#wallet();
    return txResult(await chain.transferBlob(blob, recipient, signer));
  }

  async address(): Promise<string> {
    return this.#wallet().signer.toSuiAddress();
  }
}
