/**
 * CLI failures. Every error leaves the CLI as one `error: …` line, optionally followed by one
 * `hint: …` line (the next step), and a non-zero exit code: 2 when the command line is wrong, 1
 * when the operation failed. `toCliError` turns the typed errors of core/chain and client/ into
 * that form; it branches on classes (and on a Move abort's constant name), never on message text.
 */
import { InvalidBlobIdError } from '../../core/blob-id.js';
import {
  ChainAbortError,
  ChainError,
  ChainExecutionError,
  ChainNetworkError,
  ChainObjectError,
  ChainRpcError,
} from '../../core/chain/errors.js';
import { DataTooLargeError } from '../../core/encoding/config.js';
import {
  DuplicateIdentifierError,
  InvalidQuiltPatchIdError,
  QuiltDecodeError,
  QuiltLimitError,
} from '../../core/quilt/errors.js';
import {
  BlobInconsistentError,
  BlobNotFoundError,
  BlobUnavailableError,
  QuiltPatchNotFoundError,
} from '../read/errors.js';
import { StorageNodeError } from '../storage-node-client.js';
import { NotEnoughConfirmationsError } from '../store.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

export { CliError, EXIT_FAILURE, EXIT_USAGE, usageError } from './cli-error.js';

/** What the error mapping may mention: where the network is described and where its ledger is. */
export interface ErrorContext {
  readonly networkFile?: string;
  readonly ledgerUrl?: string;
}

const FUND_HINT =
  'Fund the wallet (the devnet funds it on `npm start`), or store fewer or smaller blobs.';
const RETRY_HINT = 'An epoch change was in progress; retry in a moment.';

/** Move aborts a user can meet, by constant name: what it means and what to do. */
const ABORTS: Readonly<Record<string, readonly [what: string, hint: string]>> = {
  EBlobNotDeletable: [
    'the blob is permanent: only deletable blobs can be deleted',
    'A permanent blob stays stored until its end epoch. Store without --permanent to be able to delete.',
  ],
  EInsufficientPayment: [
    'the payment did not cover the price',
    'Prices may have changed since they were read; check `walrus-edge info` and retry.',
  ],
  ENotEnough: ['the wallet does not hold enough SUI', FUND_HINT],
  EInvalidEpochsAhead: [
    'the number of epochs is out of range',
    '`walrus-edge info` shows the maximum number of epochs ahead.',
  ],
  EStorageExceeded: [
    'the network has no free storage capacity for that size and number of epochs',
    'Store for fewer epochs or a smaller blob; `walrus-edge info` shows the capacity.',
  ],
  ENotCertified: [
    'the blob is not certified',
    'Only certified blobs can be extended; `walrus-edge blob-status` shows the status.',
  ],
  EAlreadyCertified: ['the blob is already certified', 'Nothing to do.'],
  EResourceBounds: [
    'the blob has expired (the current epoch is past its end epoch)',
    'Expired blobs can no longer be extended or deleted; store the file again.',
  ],
  EDataTooLarge: ['the blob is too large for this network', 'Split the file.'],
  EWrongEpochState: ['the system is changing epochs', RETRY_HINT],
  EIncorrectEpoch: ['the confirmations were signed for another epoch', RETRY_HINT],
  ENotEnoughStake: ['the certificate is not signed by a quorum of shards', RETRY_HINT],
};

function abortError(error: ChainAbortError): CliError {
  const where = `${error.module}${error.functionName === undefined ? '' : `::${error.functionName}`}`;
  const detail = `transaction ${error.digest} aborted in ${where} with ${error.abortName ?? 'code'} ${error.code}`;
  const known = error.abortName === undefined ? undefined : ABORTS[error.abortName];
  if (known === undefined) return new CliError(detail, 'See move/README.md "Abort codes".');
  return new CliError(`${known[0]} (${detail})`, known[1]);
}

/** Sui's execution failures (not Move aborts) that mean: the wallet cannot pay. */
const GAS_FAILURES = /^(InsufficientGas|InsufficientCoinBalance|GasBalanceTooLow)/;

function chainError(error: ChainError, context: ErrorContext): CliError {
  const ledger = context.ledgerUrl ?? 'the ledger';
  if (error instanceof ChainAbortError) return abortError(error);
  if (error instanceof ChainExecutionError) {
    const hint = GAS_FAILURES.test(error.status) ? FUND_HINT : undefined;
    return new CliError(error.message, hint);
  }
  if (error instanceof ChainNetworkError) {
    const source = context.networkFile === undefined ? '' : ` (from ${context.networkFile})`;
    return new CliError(
      `cannot reach the ledger at ${ledger}${source}: ${error.message}`,
      'Is the network running? Start a local network with `npm start`.',
    );
  }
  if (error instanceof ChainRpcError) {
    return new CliError(`${ledger} refused ${error.method}: ${error.message}`);
  }
  if (error instanceof ChainObjectError) {
    if (error.reason === 'not-found') {
      return new CliError(
        `object ${error.objectId} does not exist on this network`,
        "Check the object ID; `walrus-edge list-blobs` lists the wallet's blobs.",
      );
    }
    if (error.reason === 'wrong-type') {
      return new CliError(`object ${error.objectId} is not a walrus-edge Blob: ${error.message}`);
    }
    return new CliError(`object ${error.objectId}: ${error.message}`);
  }
  return new CliError(`chain: ${error.message}`);
}

/** The one-line form of any error a command can throw. */
export function toCliError(error: unknown, context: ErrorContext = {}): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ChainError) return chainError(error, context);
  if (error instanceof BlobNotFoundError) {
    return new CliError(
      error.message,
      'Check the blob ID; the blob may have expired or been deleted (`walrus-edge blob-status`).',
    );
  }
  if (error instanceof BlobInconsistentError) {
    return new CliError(
      `invalid blob: ${error.message}`,
      'Its writer encoded it inconsistently; no correct reader returns bytes for it.',
    );
  }
  if (error instanceof BlobUnavailableError) {
    return new CliError(
      error.message,
      'Too few storage nodes answered with valid data; retry later, and check the nodes with `walrus-edge info`.',
    );
  }
  if (error instanceof NotEnoughConfirmationsError) {
    return new CliError(
      `storing failed: ${error.message}`,
      'Check that the storage nodes are running. The registered Blob object stays in the wallet ' +
        '(`walrus-edge list-blobs`) until it expires or is deleted.',
    );
  }
  if (error instanceof StorageNodeError) {
    const hint =
      error.status === 0
        ? 'Is the storage node running? `walrus-edge info` lists them.'
        : undefined;
    return new CliError(`storage node: ${error.message}`, hint);
  }
  if (error instanceof InvalidBlobIdError) {
    return new CliError(`invalid blob ID: ${error.message}`, undefined, EXIT_USAGE);
  }
  if (error instanceof DataTooLargeError) return new CliError(error.message, 'Split the file.');
  return quiltError(error) ?? otherError(error);
}

/** The quilt errors of core/quilt and client/quilt-patches.ts. */
function quiltError(error: unknown): CliError | undefined {
  if (error instanceof InvalidQuiltPatchIdError) {
    return new CliError(`invalid quilt patch ID: ${error.message}`, undefined, EXIT_USAGE);
  }
  if (error instanceof QuiltPatchNotFoundError) {
    return new CliError(error.message, '`walrus-edge list-patches-in-quilt` lists its patches.');
  }
  if (error instanceof QuiltLimitError || error instanceof DuplicateIdentifierError) {
    return new CliError(error.message);
  }
  if (error instanceof QuiltDecodeError) {
    const hint =
      error.reason === 'NOT_A_QUILT_LENGTH'
        ? 'The blob is not a quilt; read it with `walrus-edge read`.'
        : 'The verified bytes do not hold a valid quilt patch there; check the ID.';
    return new CliError(`invalid quilt: ${error.message}`, hint);
  }
  return undefined;
}

function otherError(error: unknown): CliError {
  if (error instanceof Error) return new CliError(error.message);
  return new CliError(String(error));
}
