/**
 * The walrus-wasm side of bench/encode-process.ts: what `walrus-edge blob-id FILE --n-shards N`
 * does, with the official encoder. compute_metadata is the official call that yields the blob ID
 * (it computes every sliver hash but, unlike `encode`, fills no sliver buffers), so this is the
 * faster of the wasm's two ways to get a blob ID. It imports nothing of walrus-edge.
 *
 *   node dist/bench/encode-wasm-blob-id.js FILE N_SHARDS
 */
import { readFileSync } from 'node:fs';
import { BlobEncoder } from '@mysten/walrus-wasm';

const [file, nShardsText] = process.argv.slice(2);
const encoder = new BlobEncoder(Number(nShardsText));
const [blobId] = encoder.compute_metadata(readFileSync(file)) as [number[]];
encoder.free();
// The blob ID's display form: unpadded base64url of its 32 bytes.
process.stdout.write(Buffer.from(blobId).toString('base64url') + '\n');
