/**
 * The RPC surface of PublisherWallet (durable-objects/publisher-wallet.ts), without workerd's
 * types, for the callers' side: the Worker's publisher route and the upload sessions.
 */
import type {
  BlobHandle,
  CertificateInput,
  MutatedResult,
  RegisterBlobParams,
  RegisterResult,
  SystemState,
  TxResult,
} from '../core/chain/types.js';

export interface PublisherWalletApi {
  reserveAndRegister(params: RegisterBlobParams, system?: SystemState): Promise<RegisterResult>;
  certifyBlob(blob: BlobHandle, certificate: CertificateInput): Promise<MutatedResult>;
  setBlobAttributes(
    blob: BlobHandle,
    attributes: Readonly<Record<string, string>>,
  ): Promise<MutatedResult>;
  transferBlob(blob: BlobHandle, recipient: string): Promise<TxResult>;
  address(): Promise<string>;
}
