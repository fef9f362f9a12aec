/**
 * Execution failures, carried as Sui's `ExecutionFailureStatus` (for the BCS effects) together
 * with the text Sui's JSON-RPC prints for it (`{:?}` of the Rust enum, then ` in command N`).
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';

export interface AbortInfo {
  readonly packageId: string;
  readonly module: string;
  readonly functionName: string;
  readonly functionIndex: number;
  readonly code: bigint;
}

/** A failed transaction; `status` is the `ExecutionFailureStatus` value for `@mysten/sui/bcs`. */
export class ExecutionFailure extends Error {
  override name = 'ExecutionFailure';
  command: number | undefined;

  constructor(
    readonly status: Record<string, unknown>,
    readonly debugText: string,
    readonly abort?: AbortInfo,
  ) {
    super(debugText);
  }

  /** Sui's `ExecutionStatus::Failure` text: the error, then ` in command N` when known. */
  get statusText(): string {
    return this.command === undefined
      ? this.debugText
      : `${this.debugText} in command ${this.command}`;
  }

  atCommand(command: number): this {
    if (this.command === undefined) this.command = command;
    return this;
  }
}

function moveLocationText(info: Omit<AbortInfo, 'code'>): string {
  const address = normalizeSuiAddress(info.packageId).slice(2);
  return (
    `MoveLocation { module: ModuleId { address: ${address}, name: Identifier("${info.module}") }, ` +
    `function: ${info.functionIndex}, instruction: 0, function_name: Some("${info.functionName}") }`
  );
}

function moveLocationBcs(info: Omit<AbortInfo, 'code'>): unknown {
  return {
    module: { address: normalizeSuiAddress(info.packageId), name: info.module },
    function: info.functionIndex,
    instruction: 0,
    functionName: info.functionName,
  };
}

export function moveAbort(info: AbortInfo): ExecutionFailure {
  return new ExecutionFailure(
    { MoveAbort: [moveLocationBcs(info), info.code] },
    `MoveAbort(${moveLocationText(info)}, ${info.code})`,
    info,
  );
}

/**
 * An exception escaping a TypeScript function: Move would have stopped with a runtime error
 * (arithmetic, vector index) there, so that is how it is reported.
 */
export function runtimeError(info: Omit<AbortInfo, 'code'>): ExecutionFailure {
  return new ExecutionFailure(
    { MovePrimitiveRuntimeError: moveLocationBcs(info) },
    `MovePrimitiveRuntimeError(MoveLocationOpt(Some(${moveLocationText(info)})))`,
  );
}

export type CommandArgumentErrorKind =
  | 'TypeMismatch'
  | 'InvalidBCSBytes'
  | 'InvalidUsageOfPureArg'
  | 'InvalidGasCoinUsage'
  | 'InvalidValueUsage'
  | 'InvalidObjectByValue'
  | 'InvalidObjectByMutRef'
  | 'SharedObjectOperationNotAllowed'
  | 'InvalidArgumentArity'
  | 'InvalidTransferObject'
  | 'InvalidMakeMoveVecNonObjectArgument'
  | 'ArgumentWithoutValue';

export function commandArgumentError(
  argIdx: number,
  kind: CommandArgumentErrorKind,
): ExecutionFailure {
  return new ExecutionFailure(
    { CommandArgumentError: { argIdx, kind: { [kind]: true } } },
    `CommandArgumentError { arg_idx: ${argIdx}, kind: ${kind} }`,
  );
}

export function indexOutOfBounds(argIdx: number, idx: number): ExecutionFailure {
  return new ExecutionFailure(
    { CommandArgumentError: { argIdx, kind: { IndexOutOfBounds: { idx } } } },
    `CommandArgumentError { arg_idx: ${argIdx}, kind: IndexOutOfBounds { idx: ${idx} } }`,
  );
}

export function secondaryIndexOutOfBounds(
  argIdx: number,
  resultIdx: number,
  secondaryIdx: number,
): ExecutionFailure {
  return new ExecutionFailure(
    {
      CommandArgumentError: {
        argIdx,
        kind: { SecondaryIndexOutOfBounds: { resultIdx, secondaryIdx } },
      },
    },
    `CommandArgumentError { arg_idx: ${argIdx}, kind: SecondaryIndexOutOfBounds { ` +
      `result_idx: ${resultIdx}, secondary_idx: ${secondaryIdx} } }`,
  );
}

export function invalidResultArity(argIdx: number, resultIdx: number): ExecutionFailure {
  return new ExecutionFailure(
    { CommandArgumentError: { argIdx, kind: { InvalidResultArity: { resultIdx } } } },
    `CommandArgumentError { arg_idx: ${argIdx}, kind: InvalidResultArity { result_idx: ${resultIdx} } }`,
  );
}

export function typeArgumentError(
  argumentIdx: number,
  kind: 'TypeNotFound' | 'ConstraintNotSatisfied',
): ExecutionFailure {
  return new ExecutionFailure(
    { TypeArgumentError: { argumentIdx, kind: { [kind]: true } } },
    `TypeArgumentError { argument_idx: ${argumentIdx}, kind: ${kind} }`,
  );
}

export function unusedValueWithoutDrop(resultIdx: number, secondaryIdx: number): ExecutionFailure {
  return new ExecutionFailure(
    { UnusedValueWithoutDrop: { resultIdx, secondaryIdx } },
    `UnusedValueWithoutDrop { result_idx: ${resultIdx}, secondary_idx: ${secondaryIdx} }`,
  );
}

export function objectTooBig(objectSize: number, maxObjectSize: number): ExecutionFailure {
  return new ExecutionFailure(
    { MoveObjectTooBig: { objectSize, maxObjectSize } },
    `MoveObjectTooBig { object_size: ${objectSize}, max_object_size: ${maxObjectSize} }`,
  );
}

/** Variants without data, named as in Sui. */
export type SimpleFailure =
  | 'InsufficientGas'
  | 'InvariantViolation'
  | 'InsufficientCoinBalance'
  | 'CoinBalanceOverflow'
  | 'FunctionNotFound'
  | 'ArityMismatch'
  | 'TypeArityMismatch'
  | 'InvalidTransferObject'
  | 'SharedObjectOperationNotAllowed'
  | 'FeatureNotYetSupported'
  | 'NonEntryFunctionInvoked';

export function simpleFailure(kind: SimpleFailure): ExecutionFailure {
  return new ExecutionFailure({ [kind]: true }, kind);
}

/**
 * A package implementation broke a Move rule the compiler would have enforced (an object
 * neither placed nor returned, a write through `&`): reported as Sui's invariant violation and
 * logged with the reason, since it is a bug in the TypeScript mirror, not in the transaction.
 */
export class PackageBug extends Error {
  override name = 'PackageBug';
}

/** Thrown inside a call by `ctx.abort`, converted to {@link moveAbort} by the executor. */
export class MoveAbortSignal extends Error {
  override name = 'MoveAbortSignal';
  constructor(readonly info: AbortInfo) {
    super(`MoveAbort ${info.module}::${info.functionName} code ${info.code}`);
  }
}
