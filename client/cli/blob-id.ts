/**
 * `walrus-edge blob-id FILE [--n-shards N] [--json]`: the blob ID a file gets on a network of
 * n_shards shards, computed locally (the whole Red Stuff encoding, on every core).
 */
import { blobIdToString } from '../../core/blob-id.js';
import { bytesToHex } from '../../core/hex.js';
import {
  DataTooLargeError,
  encodedBlobLength,
  maxBlobBytes,
  SHARDS_MAX,
  SHARDS_MIN,
} from '../../core/encoding/config.js';
import { EncoderPool } from '../node/encoder-pool.js';
import { CliError } from './errors.js';
import { readBlobFile } from './files.js';

/** Walrus mainnet and testnet both run with 1000 shards. */
export const N_SHARDS_DEFAULT = 1000;

export interface BlobIdOptions {
  readonly file: string;
  readonly nShards: number;
  readonly json: boolean;
}

export function parseShardCount(text: string | undefined): number {
  if (text === undefined) return N_SHARDS_DEFAULT;
  const value = Number(text);
  if (!Number.isInteger(value) || value < SHARDS_MIN || value > SHARDS_MAX) {
    throw new CliError(
      `--n-shards must be an integer from ${SHARDS_MIN} to ${SHARDS_MAX}, got ${JSON.stringify(text)}`,
      'Walrus mainnet and testnet use 1000 shards (the default).',
    );
  }
  return value;
}

function readInput(file: string, nShards: number): Uint8Array {
  return readBlobFile(
    file,
    maxBlobBytes(nShards),
    () =>
      new CliError(
        `${file} is too large for ${nShards} shards: the maximum blob size is ${maxBlobBytes(nShards)} bytes`,
        'Use a network with more shards (--n-shards), or split the file.',
      ),
  );
}

export async function blobIdCommand(
  options: BlobIdOptions,
  out: (line: string) => void,
): Promise<void> {
  const blob = readInput(options.file, options.nShards);
  const pool = new EncoderPool();
  try {
    const encoded = await pool.encode(blob, options.nShards);
    const blobId = blobIdToString(encoded.blobId);
    if (options.json) {
      out(
        JSON.stringify({
          blobId,
          rootHash: bytesToHex(encoded.rootHash),
          unencodedLength: blob.length,
          encodedLength: encodedBlobLength(blob.length, options.nShards),
          symbolSize: encoded.layout.symbolBytes,
          nShards: options.nShards,
        }),
      );
    } else {
      out(blobId);
    }
  } catch (error) {
    if (error instanceof DataTooLargeError) {
      throw new CliError(
        error.message,
        'Use a network with more shards (--n-shards), or split the file.',
      );
    }
    throw error;
  } finally {
    await pool.close();
  }
}
