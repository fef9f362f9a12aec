/**
 * Chain failures, one class per cause. Callers branch on the class (and on `ChainAbortError`'s
 * module and code), never on message text:
 *
 * - `ChainNetworkError`: the request did not get an answer (connection failure, timeout, a
 *   response too large or not JSON). Retrying a read is safe; retrying a transaction is safe only
 *   after checking whether it landed.
 * - `ChainRpcError`: the server answered with an HTTP or JSON-RPC error (a bad parameter, a
 *   transaction refused before execution).
 * - `ChainExecutionError`: the transaction executed and failed (gas is spent); `digest` names it.
 * - `ChainAbortError`: an execution failure that is a Move abort, with its module and code.
 * - `ChainObjectError`: an object is missing, has another type, or does not decode.
 */
import { abortName } from './abort-codes.js';

export class ChainError extends Error {
  override name = 'ChainError';
}

export class ChainNetworkError extends ChainError {
  override name = 'ChainNetworkError';
  constructor(
    message: string,
    readonly method: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ChainRpcError extends ChainError {
  override name = 'ChainRpcError';
  constructor(
    message: string,
    readonly method: string,
    /** The JSON-RPC error code, or the HTTP status when the server did not answer JSON-RPC. */
    readonly code: number,
  ) {
    super(message);
  }
}

export class ChainExecutionError extends ChainError {
  override name = 'ChainExecutionError';
  constructor(
    /** The transaction digest: it is on chain, and its gas is spent. */
    readonly digest: string,
    /** Sui's failure text, e.g. `InsufficientGas` or `MoveAbort(…) in command 2`. */
    readonly status: string,
    message = `transaction ${digest} failed: ${status}`,
  ) {
    super(message);
  }
}

/** A Move abort. `abortName` is the constant's name (`EInsufficientPayment`) when known. */
export class ChainAbortError extends ChainExecutionError {
  override name = 'ChainAbortError';
  constructor(
    digest: string,
    status: string,
    /** The module's package address, normalized (0x + 64 hex digits). */
    readonly address: string,
    readonly module: string,
    readonly code: number,
    readonly abortName: string | undefined,
    readonly functionName: string | undefined,
    /** The PTB command that aborted. */
    readonly command: number | undefined,
  ) {
    const where = `${module}${functionName === undefined ? '' : `::${functionName}`}`;
    super(
      digest,
      status,
      `transaction ${digest} aborted in ${where} with ${abortName ?? 'code'} ${code}`,
    );
  }
}

export type ChainObjectErrorReason = 'not-found' | 'wrong-type' | 'malformed' | 'not-owned';

export class ChainObjectError extends ChainError {
  override name = 'ChainObjectError';
  constructor(
    readonly objectId: string,
    readonly reason: ChainObjectErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sui's `{:?}` text of a Move abort, as JSON-RPC prints it in `effects.status.error`:
 * `MoveAbort(MoveLocation { module: ModuleId { address: <hex>, name: Identifier("m") },
 * function: N, instruction: N, function_name: Some("f") }, CODE) in command K`.
 */
const MOVE_ABORT_PATTERN =
  /^MoveAbort\(MoveLocation \{ module: ModuleId \{ address: (?:0x)?([0-9a-fA-F]{1,64}), name: Identifier\("(\w+)"\) \}, function: \d+, instruction: \d+, function_name: (?:Some\("(\w+)"\)|None) \}, (\d+)\)(?: in command (\d+))?/;

/** The typed error for a failed execution: a `ChainAbortError` when the text is a Move abort. */
export function executionError(
  digest: string,
  status: string,
  packageIds: readonly string[],
): ChainExecutionError {
  const match = MOVE_ABORT_PATTERN.exec(status);
  if (match === null) return new ChainExecutionError(digest, status);
  const [, hex, module, functionName, codeText, commandText] = match;
  const address = `0x${hex.toLowerCase().padStart(64, '0')}`;
  const code = Number(codeText);
  return new ChainAbortError(
    digest,
    status,
    address,
    module,
    code,
    abortName(address, module, code, packageIds),
    functionName,
    commandText === undefined ? undefined : Number(commandText),
  );
}
