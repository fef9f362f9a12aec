/**
 * `walrus-edge read BLOB_ID [--out FILE] [--json]`: reconstruct a blob from the storage nodes
 * (every sliver verified against the metadata) and write its raw bytes to stdout, or to FILE
 * atomically. With --json, print `{blobId, size, out}` (with --out) or `{blobId, size, blob}`
 * (blob in standard base64, as Walrus's JSON mode does).
 */
import { resolve } from 'node:path';
import { blobIdToString } from '../../core/blob-id.js';
import { readBlob } from '../read/blob.js';
import { NETWORK_OPTION, parseBlobIdArg, parseCommandArgs, positionalsExactly } from './args.js';
import type { CommandContext, Session } from './context.js';
import { CliError } from './errors.js';
import { checkWritable, writeFileAtomic } from './files.js';
import { createProgress, readStep } from './progress.js';
import { READ_USAGE } from './usage.js';

export { READ_USAGE };

export interface ReadCommandOptions {
  readonly blobId: Uint8Array;
  readonly out: string | undefined;
  readonly json: boolean;
  readonly network: string | undefined;
}

export function parseReadArgs(args: readonly string[]): ReadCommandOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    { out: { type: 'string' }, json: { type: 'boolean', default: false }, ...NETWORK_OPTION },
    READ_USAGE,
  );
  const [blobId] = positionalsExactly(positionals, ['BLOB_ID'], 'read', READ_USAGE);
  return {
    blobId: parseBlobIdArg(blobId, READ_USAGE),
    out: values.out,
    json: values.json,
    network: values.network,
  };
}

export type ReadJson =
  | { readonly blobId: string; readonly size: number; readonly out: string }
  | { readonly blobId: string; readonly size: number; readonly blob: string };

export function readJson(blobId: Uint8Array, blob: Uint8Array, out: string | undefined): ReadJson {
  const id = blobIdToString(blobId);
  if (out !== undefined) return { blobId: id, size: blob.length, out };
  return {
    blobId: id,
    size: blob.length,
    blob: Buffer.from(blob.buffer, blob.byteOffset, blob.length).toString('base64'),
  };
}

export async function readCommand(options: ReadCommandOptions, session: Session): Promise<void> {
  const { io } = session;
  const out = options.out === undefined ? undefined : resolve(options.out);
  if (out !== undefined) checkWritable(out);
  const system = await session.chain.readSystem();
  if (system.members.length === 0) {
    throw new CliError(
      `the network has no storage committee yet (epoch ${system.epoch})`,
      'Wait for the first epoch change.',
    );
  }
  const progress = createProgress(io);
  let blob: Uint8Array;
  try {
    blob = await readBlob(options.blobId, system, {
      onProgress: (step) => progress.update(readStep(step)),
    });
  } finally {
    progress.finish();
  }
  if (out !== undefined) {
    writeFileAtomic(out, blob);
    if (options.json) io.out(JSON.stringify(readJson(options.blobId, blob, out)));
    else io.out(`Blob ${blobIdToString(options.blobId)} (${blob.length} bytes) written to ${out}.`);
    return;
  }
  if (options.json) io.out(JSON.stringify(readJson(options.blobId, blob, undefined)));
  else await io.writeOut(blob);
}

export async function runRead(args: readonly string[], context: CommandContext): Promise<void> {
  const options = parseReadArgs(args);
  await readCommand(options, context.openSession(options.network));
}
