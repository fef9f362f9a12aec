/**
 * The chain interface (types.ts) and its Sui JSON-RPC implementation. Runs in Node and workerd:
 * the only I/O is the caller's `fetch`.
 */
export type * from './types.js';
export {
  SuiChain,
  type SuiChainOptions,
  GAS_BUDGET_MIST_DEFAULT,
  PAGE_SIZE_MAX,
  SYSTEM_CACHE_MS_DEFAULT,
} from './sui-chain.js';
export {
  ChainAbortError,
  ChainError,
  ChainExecutionError,
  ChainNetworkError,
  ChainObjectError,
  ChainRpcError,
  executionError,
  type ChainObjectErrorReason,
} from './errors.js';
export { PACKAGE_ABORTS, FRAMEWORK_ABORTS, abortName } from './abort-codes.js';
export {
  type Committee,
  memberByNodeId,
  pairOwner,
  pairsOfMember,
  memberWeight,
  registerCost,
  shardOwner,
  shardOwners,
  signersWeight,
  storageCostMist,
  storageUnitsOfBytes,
  writeCostMist,
} from './committee.js';
export { eventCursor, parseEventCursor } from './decode.js';
export { GAS_PRICE_CACHE_MS } from './executor.js';
export {
  TimedJsonRpcTransport,
  REQUEST_TIMEOUT_MS_DEFAULT,
  RESPONSE_BYTES_MAX,
  type FetchFunction,
} from './transport.js';
