/**
 * Errors that reject a request before anything executes. The JSON-RPC layer maps them to error
 * codes; nothing is committed and no gas is charged.
 */

/** JSON-RPC codes Sui's server uses (see `@mysten/sui/jsonRpc` errors). */
export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;
export const RPC_OVERSIZED_REQUEST = -32701;
/** `TransactionExecutionClientError`: the transaction was refused before execution. */
export const RPC_TX_REJECTED = -32002;

export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function invalidParams(message: string): RequestError {
  return new RequestError(RPC_INVALID_PARAMS, `Invalid params: ${message}`);
}

export function txRejected(message: string): RequestError {
  return new RequestError(RPC_TX_REJECTED, message);
}
