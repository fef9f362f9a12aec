/**
 * Reply shapes of the JSON-RPC read methods, as `@mysten/sui/jsonRpc` parses them: object data
 * (`showType`, `showOwner`, `showBcs`, `showContent`, …), transaction blocks, dynamic field info.
 */
import { bcs } from '@mysten/sui/bcs';
import { fromBase64, toBase64 } from '@mysten/sui/utils';
import { eventJson } from './effects.js';
import { toJsonValue } from './layouts.js';
import type { Ledger } from './ledger.js';
import { formatType, parseType, type StructType } from './move-types.js';
import { ownerToJson, ZERO_DIGEST, type ObjectRecord } from './objects.js';
import { RequestError, RPC_INVALID_PARAMS } from './request-errors.js';
import type { TxRecord } from './state.js';

export function objectData(
  ledger: Ledger,
  record: ObjectRecord,
  show: Record<string, unknown>,
): Record<string, unknown> {
  const type = parseType(record.type);
  const shortType = formatType(type, true);
  const data: Record<string, unknown> = {
    objectId: record.id,
    version: record.version.toString(),
    digest: record.digest,
  };
  if (show.showType === true) data.type = shortType;
  if (show.showOwner === true) data.owner = ownerToJson(record.owner);
  if (show.showPreviousTransaction === true) data.previousTransaction = record.previousTransaction;
  if (show.showStorageRebate === true) data.storageRebate = record.storageRebate.toString();
  if (show.showBcs === true) {
    data.bcs = {
      dataType: 'moveObject',
      type: shortType,
      hasPublicTransfer: record.hasPublicTransfer,
      version: record.version.toString(),
      bcsBytes: toBase64(record.contents),
    };
  }
  if (show.showContent === true) {
    let fields: unknown = null;
    try {
      fields = toJsonValue(ledger.layouts.of(type).parse(record.contents));
    } catch {
      // A type whose layout is not registered (should not happen) is shown without fields.
    }
    data.content = {
      dataType: 'moveObject',
      type: shortType,
      hasPublicTransfer: record.hasPublicTransfer,
      fields,
    };
  }
  if (show.showDisplay === true) data.display = { data: null, error: null };
  return data;
}

export function packageData(
  ledger: Ledger,
  id: string,
  show: Record<string, unknown>,
): Record<string, unknown> {
  const data: Record<string, unknown> = { objectId: id, version: '1', digest: ZERO_DIGEST };
  if (show.showType === true) data.type = 'package';
  if (show.showOwner === true) data.owner = 'Immutable';
  if (show.showPreviousTransaction === true) data.previousTransaction = ledger.chainDigest;
  if (show.showContent === true) data.content = { dataType: 'package', disassembled: {} };
  if (show.showBcs === true) {
    data.bcs = {
      dataType: 'package',
      id,
      version: '1',
      moduleMap: {},
      typeOriginTable: [],
      linkageTable: {},
    };
  }
  return data;
}

export function objectResponse(ledger: Ledger, id: string, show: Record<string, unknown>): unknown {
  const record = ledger.getObject(id);
  if (record !== undefined) return { data: objectData(ledger, record, show) };
  if (ledger.registry.package(id) !== undefined) return { data: packageData(ledger, id, show) };
  const tombstone = ledger.state.tombstones.get(id);
  if (tombstone !== undefined) {
    return {
      error: {
        code: 'deleted',
        object_id: id,
        version: tombstone.version.toString(),
        digest: tombstone.digest,
      },
    };
  }
  return { error: { code: 'notExists', object_id: id } };
}

function argumentJson(arg: {
  $kind: string;
  Input?: number;
  Result?: number;
  NestedResult?: [number, number];
}): unknown {
  if (arg.$kind === 'GasCoin') return 'GasCoin';
  if (arg.$kind === 'Input') return { Input: arg.Input };
  if (arg.$kind === 'Result') return { Result: arg.Result };
  return { NestedResult: arg.NestedResult };
}

/** Sui's `SuiTransactionBlock` JSON, approximated: pure values stay base64 BCS. */
export function transactionJson(record: TxRecord): unknown {
  const [signed] = bcs.SenderSignedData.parse(fromBase64(record.rawTransaction));
  const v1 = signed.intentMessage.value.V1!;
  const pt = v1.kind.ProgrammableTransaction!;
  return {
    data: {
      messageVersion: 'v1',
      transaction: {
        kind: 'ProgrammableTransaction',
        inputs: pt.inputs.map((input) => {
          if (input.Pure) return { type: 'pure', valueType: null, value: input.Pure.bytes };
          const obj = input.Object!;
          if (obj.SharedObject) {
            return {
              type: 'object',
              objectType: 'sharedObject',
              objectId: obj.SharedObject.objectId,
              initialSharedVersion: obj.SharedObject.initialSharedVersion,
              mutable: obj.SharedObject.mutable,
            };
          }
          const ref = (obj.ImmOrOwnedObject ?? obj.Receiving)!;
          return {
            type: 'object',
            objectType: 'immOrOwnedObject',
            objectId: ref.objectId,
            version: ref.version,
            digest: ref.digest,
          };
        }),
        transactions: pt.commands.map((command) => {
          const c = command as Record<string, unknown> & { $kind: string };
          if (c.$kind === 'MoveCall') {
            const call = command.MoveCall!;
            return {
              MoveCall: {
                package: call.package,
                module: call.module,
                function: call.function,
                type_arguments: call.typeArguments,
                arguments: call.arguments.map(argumentJson),
              },
            };
          }
          if (c.$kind === 'TransferObjects') {
            const t = command.TransferObjects!;
            return { TransferObjects: [t.objects.map(argumentJson), argumentJson(t.address)] };
          }
          if (c.$kind === 'SplitCoins') {
            const t = command.SplitCoins!;
            return { SplitCoins: [argumentJson(t.coin), t.amounts.map(argumentJson)] };
          }
          if (c.$kind === 'MergeCoins') {
            const t = command.MergeCoins!;
            return { MergeCoins: [argumentJson(t.destination), t.sources.map(argumentJson)] };
          }
          if (c.$kind === 'MakeMoveVec') {
            const t = command.MakeMoveVec!;
            return { MakeMoveVec: [t.type, t.elements.map(argumentJson)] };
          }
          return { [c.$kind]: null };
        }),
      },
      sender: v1.sender,
      gasData: {
        payment: v1.gasData.payment,
        owner: v1.gasData.owner,
        price: v1.gasData.price,
        budget: v1.gasData.budget,
      },
    },
    txSignatures: signed.txSignatures,
  };
}

export function transactionResponse(
  record: TxRecord,
  show: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): unknown {
  const response: Record<string, unknown> = { digest: record.digest };
  if (show.showInput === true) response.transaction = transactionJson(record);
  if (show.showRawInput === true) response.rawTransaction = record.rawTransaction;
  if (show.showEffects === true) response.effects = record.effects;
  if (show.showRawEffects === true) response.rawEffects = Array.from(record.effectsBcs);
  if (show.showEvents === true) response.events = record.events.map(eventJson);
  if (show.showObjectChanges === true) response.objectChanges = record.objectChanges;
  if (show.showBalanceChanges === true) response.balanceChanges = record.balanceChanges;
  return {
    ...response,
    timestampMs: String(record.timestampMs),
    checkpoint: String(record.seq),
    ...extra,
  };
}

export function notFoundTransaction(d: string): RequestError {
  // The SDK recognizes exactly this text as "not found" (jsonRpc/core.mjs).
  return new RequestError(
    RPC_INVALID_PARAMS,
    `Could not find the referenced transaction [TransactionDigest(${d})].`,
  );
}

export function dynamicFieldInfo(ledger: Ledger, record: ObjectRecord): unknown {
  const field = record.dynamicField!;
  const type = parseType(record.type) as StructType;
  const nameType = parseType(field.nameType);
  let value: unknown = null;
  try {
    value = toJsonValue(ledger.layouts.of(nameType).parse(field.name));
  } catch {
    // Unknown layout: the name is still given as BCS.
  }
  return {
    name: { type: formatType(nameType, true), value },
    bcsName: toBase64(field.name),
    bcsEncoding: 'base64',
    type: 'DynamicField',
    objectType: formatType(type.typeArgs[1], true),
    objectId: record.id,
    version: record.version.toString(),
    digest: record.digest,
  };
}
