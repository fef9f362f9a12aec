/**
 * The CLI's help texts, in a module that imports nothing heavy: `walrus-edge --help` and
 * `walrus-edge <command> --help` print these without loading any command (client/cli/main.ts
 * loads a command's module only to run it).
 */
import { NO_PROGRESS_ENV } from './progress.js';

export const NETWORK_FILE_DEFAULT = '.devnet/network.json';
/** Overrides the default network file; `--network FILE` overrides this. */
export const NETWORK_FILE_ENV = 'WALRUS_EDGE_NETWORK';

export const USAGE = `Usage: walrus-edge [--network FILE] <command> [options]

Commands:
  store FILE --epochs N|max [--permanent] [--json]
                        Encode FILE, register it, upload it to the storage nodes and certify it.
                        Deletable unless --permanent. --json prints one object:
                        {blobId, objectId, size, encodedSize, endEpoch, cost, deletable,
                        certifiedEpoch}; cost is in MIST, as a decimal string, gas not included.
  read BLOB_ID [--out FILE] [--json]
                        Reconstruct a blob; raw bytes to stdout, or to FILE (written atomically).
  blob-status BLOB_ID [--json]
                        The status the storage nodes report, backed by more than f shards.
  list-blobs [--include-expired] [--json]
                        The wallet's Blob objects.
  delete BLOB_ID | --object-id ID [--json]
                        Delete the wallet's deletable Blob objects of a blob (or one object).
  extend --object-id ID --epochs N|max [--json]
                        Buy more epochs for a certified Blob object of the wallet.
  store-quilt (--paths PATH… | --blobs JSON…) --epochs N|max [--permanent] [--json]
                        Store files as one quilt; identifiers are file names (--paths, directories
                        recursively) or given with tags as JSON: {"path","identifier","tags"}.
                        --json prints {blobStoreResult, storedQuiltBlobs:[{identifier,
                        quiltPatchId, range}]}.
  read-quilt (--quilt-id ID [--identifiers ID… | --tag KEY VALUE] | --quilt-patch-ids P…)
             [--out DIR] [--json]
                        Read quilt patches (all of the quilt with --quilt-id alone), each from its
                        own columns; into DIR, one file per identifier, or raw to stdout.
  list-patches-in-quilt QUILT_ID [--json]
                        The patches of a quilt: identifier, quilt patch ID, columns, tags.
  info [--json]         Epoch, shards, storage nodes, prices and limits of the network.
  blob-id FILE [--n-shards N] [--json]
                        Print the Walrus blob ID of FILE, computed locally (default n-shards: 1000).
  session create --epochs N --max-bytes N [--permanent] [--send-object-to ADDR]
                 [--expires-in S] [--json]
                        For backends: a presigned, resumable (tus) upload session on the network's
                        Worker; prints its upload endpoint, status URL, page URL and expiry. The
                        API key is $WALRUS_EDGE_UPLOAD_API_KEY, else network.json's uploadApiKey.

Options:
  --network FILE        The network file written by \`npm start\` (default: ${NETWORK_FILE_DEFAULT},
                        or $${NETWORK_FILE_ENV})
  -h, --help            Show this help; \`walrus-edge <command> --help\` for one command

JSON output puts MIST amounts and u64 byte counts in decimal strings. Progress bars go to stderr
when it is a terminal (set ${NO_PROGRESS_ENV} to turn them off).
Exit status: 0 success, 1 failure, 2 bad command line.`;

export const STORE_USAGE =
  'Usage: walrus-edge store FILE --epochs N|max [--permanent] [--json] [--network FILE]';
export const READ_USAGE = 'Usage: walrus-edge read BLOB_ID [--out FILE] [--json] [--network FILE]';
export const STORE_QUILT_USAGE =
  'Usage: walrus-edge store-quilt (--paths PATH… | --blobs JSON…) --epochs N|max [--permanent] [--json] [--network FILE]';
export const READ_QUILT_USAGE =
  'Usage: walrus-edge read-quilt (--quilt-id ID [--identifiers ID… | --tag KEY VALUE] | --quilt-patch-ids P…) [--out DIR] [--json] [--network FILE]';
export const LIST_PATCHES_USAGE =
  'Usage: walrus-edge list-patches-in-quilt QUILT_ID [--json] [--network FILE]';
export const BLOB_STATUS_USAGE = 'Usage: walrus-edge blob-status BLOB_ID [--json] [--network FILE]';
export const LIST_BLOBS_USAGE =
  'Usage: walrus-edge list-blobs [--include-expired] [--json] [--network FILE]';
export const DELETE_USAGE =
  'Usage: walrus-edge delete BLOB_ID | --blob-id ID | --object-id ID [--json] [--network FILE]';
export const EXTEND_USAGE =
  'Usage: walrus-edge extend --object-id ID --epochs N|max [--json] [--network FILE]';
export const SESSION_USAGE =
  'Usage: walrus-edge session create --epochs N --max-bytes N [--permanent] [--send-object-to ADDR] [--expires-in S] [--json] [--network FILE]';
export const INFO_USAGE = 'Usage: walrus-edge info [--json] [--network FILE]';
export const BLOB_ID_USAGE = 'Usage: walrus-edge blob-id FILE [--n-shards N] [--json]';
