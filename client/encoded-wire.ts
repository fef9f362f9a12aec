/**
 * The JSON of client-side encoding's two steps (`{encodedEndpoint}/register`, `/certify`), shared
 * by the session's Durable Object (durable-objects/client-encoded.ts), which answers them, and the
 * client (client/client-encoding.ts). Bytes travel as padded base64 (core/base64.ts), blob IDs as
 * their usual base64url text, object IDs as 0x-hex.
 */

/** POST `{encodedEndpoint}/register`. */
export interface RegisterRequestBody {
  readonly unencodedLength: number;
  /** Base64 of the BCS `BlobMetadata` exactly as the nodes receive it (metadata PUT body). */
  readonly metadata: string;
  /** Optional: the blob ID the client computed; refused if the metadata does not hash to it. */
  readonly blobId?: string;
}

/** One committee member, as a client needs it to send slivers and expect a confirmation. */
export interface EncodedMember {
  /** Bit of the signers bitmap; what a confirmation names. */
  readonly memberIndex: number;
  readonly name: string;
  /** The storage node's URL (it answers CORS). */
  readonly nodeUrl: string;
  /** Base64 of the 48-byte compressed BLS public key its confirmation verifies under. */
  readonly publicKey: string;
  /** Shards held, in on-chain order: which sliver pairs go to it. */
  readonly shards: readonly number[];
  /** Shards held: its weight towards the quorum. */
  readonly weight: number;
}

export interface RegisterAnswer {
  readonly blobId: string;
  readonly blobObjectId: string;
  /** The epoch of the committee below; confirmations are signed for it. */
  readonly epoch: number;
  readonly nShards: number;
  readonly deletable: boolean;
  readonly committee: readonly EncodedMember[];
}

/** POST `{encodedEndpoint}/certify`. */
export interface CertifyRequestBody {
  readonly confirmations: readonly {
    readonly memberIndex: number;
    /** Base64 of the member's 96-byte BLS signature over the storage confirmation. */
    readonly signature: string;
  }[];
}
