/**
 * `walrus-edge blob-id FILE [--n-shards N] [--json]`: the blob ID a file gets on a network of
 * n_shards shards, computed locally (the whole Red Stuff encoding, on every core).
 */
import { parseArgs } from 'node:util';
import { bytesToHex } from '../../core/hex.js';
import {
  DataTooLargeError,
  encodedBlobLength,
  maxBlobBytes,
  SHARDS_MAX,
  SHARDS_MIN,
} from '../../core/encoding/config.js';
import { EncoderPool } from '../node/encoder-pool.js';
import { CliError } from './cli-error.js';
import type { CommandContext } from './context.js';
import { readBlobFile } from './files.js';
import { BLOB_ID_USAGE } from './usage.js';

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

function readInput(file: string, nShards: number, onSize: (bytes: number) => void): Uint8Array {
  return readBlobFile(
    file,
    maxBlobBytes(nShards),
    () =>
      new CliError(
        `${file} is too large for ${nShards} shards: the maximum blob size is ${maxBlobBytes(nShards)} bytes`,
        'Use a network with more shards (--n-shards), or split the file.',
      ),
    onSize,
  );
}

export async function blobIdCommand(
  options: BlobIdOptions,
  out: (line: string) => void,
): Promise<void> {
  const pool = new EncoderPool();
  try {
    // Worker threads boot while the file is read.
    const blob = readInput(options.file, options.nShards, (bytes) => {
      if (pool.usesWorkers(bytes, options.nShards)) pool.start();
    });
    // The blob ID needs the metadata only: the slivers are not kept.
    const encoded = await pool.computeMetadata(blob, options.nShards);
    // Loaded by the encoder already; not imported above, so workers start before it loads.
    const { blobIdToString } = await import('../../core/blob-id.js');
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

/** `walrus-edge blob-id …` as main.ts runs it. */
export async function runBlobId(args: readonly string[], context: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'n-shards': { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    throw new CliError('blob-id takes exactly one FILE', BLOB_ID_USAGE);
  }
  await blobIdCommand(
    { file: positionals[0], nShards: parseShardCount(values['n-shards']), json: values.json },
    context.io.out,
  );
}
