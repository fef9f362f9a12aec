/**
 * The local ledger: a single-process Sui stand-in that a stock `SuiJsonRpcClient` can use.
 * Package authors need `registry.ts` (types) and `framework.ts` (common layouts).
 */
export {
  Ledger,
  CLOCK_ID,
  type LedgerOptions,
  type TimerSpec,
  type SystemArg,
  type ExecuteResult,
} from './ledger.js';
export { serveLedger, type LedgerServer, type ServeOptions } from './server.js';
export { createLedgerApp, FAUCET_PATH } from './app.js';
export type {
  Ability,
  AbortLocation,
  Access,
  AnyBcs,
  CallContext,
  Coins,
  DynamicFields,
  FieldParent,
  FunctionDef,
  ModuleDef,
  MutRef,
  ObjectHandle,
  PackageDef,
  StructDef,
  SystemContext,
} from './registry.js';
export { UID, ID, BALANCE, COIN, CLOCK, vecMapLayout, fieldLayout } from './framework.js';
export type { ObjectRecord, Owner } from './objects.js';
export type { TxRecord } from './state.js';
export type { EventRecord } from './effects.js';
