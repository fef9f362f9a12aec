/**
 * Sui JSON-RPC methods over the ledger, with the reply shapes `@mysten/sui/jsonRpc` parses
 * (checked against the SDK's `jsonRpc/core.mjs`: `rawEffects` as a byte array, `objectChanges`
 * for object types, events with base64 BCS). Every parameter is validated and bounded; a bad one
 * is a RequestError (-32602), never an exception escaping to the server.
 */
import { deriveDynamicFieldID, normalizeSuiAddress, toBase64 } from '@mysten/sui/utils';
import { decodeBase64 } from './admission.js';
import { eventJson } from './effects.js';
import { GAS_PRICE_REFERENCE_MIST, MULTI_GET_OBJECTS_MAX, TX_BYTES_MAX } from './limits.js';
import type { Ledger } from './ledger.js';
import { formatType, normalizedParam, SUI_TYPE } from './move-types.js';
import { invalidParams } from './request-errors.js';
import { address, digest, limit, options, typeString } from './rpc-params.js';
import { balances, coinsOf, coinStruct, objectFilter, page, queryEvents } from './rpc-queries.js';
import {
  dynamicFieldInfo,
  notFoundTransaction,
  objectData,
  objectResponse,
  transactionJson,
  transactionResponse,
} from './rpc-shapes.js';

export type RpcMethod = (params: readonly unknown[]) => unknown;

/** Protocol and API version we claim; the SDK only displays it. */
const RPC_API_VERSION = '1.60.0';

// ---- Checkpoints, system state, Move metadata ----

function checkpointJson(ledger: Ledger, seq: number): unknown {
  const record = ledger.state.txs.get(ledger.state.txOrder[seq])!;
  const previous =
    seq === 0 ? null : ledger.state.txs.get(ledger.state.txOrder[seq - 1])!.checkpointDigest;
  return {
    epoch: (record.effects as { executedEpoch: string }).executedEpoch,
    sequenceNumber: String(seq),
    digest: record.checkpointDigest,
    networkTotalTransactions: String(seq + 1),
    previousDigest: previous,
    epochRollingGasCostSummary: {
      computationCost: '0',
      storageCost: '0',
      storageRebate: '0',
      nonRefundableStorageFee: '0',
    },
    timestampMs: String(record.timestampMs),
    transactions: [record.digest],
    checkpointCommitments: [],
    validatorSignature: toBase64(new Uint8Array(48)),
  };
}

function systemState(ledger: Ledger): unknown {
  const epoch = ledger.suiEpoch();
  const zero = '0';
  return {
    epoch: epoch.toString(),
    protocolVersion: '1',
    systemStateVersion: '2',
    referenceGasPrice: GAS_PRICE_REFERENCE_MIST.toString(),
    epochStartTimestampMs: String(ledger.epochStartMs(epoch)),
    epochDurationMs: String(ledger.suiEpochDurationMs),
    safeMode: false,
    safeModeStorageRewards: zero,
    safeModeComputationRewards: zero,
    safeModeStorageRebates: zero,
    safeModeNonRefundableStorageFee: zero,
    stakeSubsidyStartEpoch: zero,
    maxValidatorCount: zero,
    minValidatorJoiningStake: zero,
    validatorLowStakeThreshold: zero,
    validatorVeryLowStakeThreshold: zero,
    validatorLowStakeGracePeriod: zero,
    storageFundTotalObjectStorageRebates: zero,
    storageFundNonRefundableBalance: zero,
    stakeSubsidyBalance: zero,
    stakeSubsidyDistributionCounter: zero,
    stakeSubsidyCurrentDistributionAmount: zero,
    stakeSubsidyPeriodLength: zero,
    stakeSubsidyDecreaseRate: 0,
    totalStake: zero,
    activeValidators: [],
    atRiskValidators: [],
    pendingActiveValidatorsId: ZERO_ID,
    pendingActiveValidatorsSize: zero,
    pendingRemovals: [],
    stakingPoolMappingsId: ZERO_ID,
    stakingPoolMappingsSize: zero,
    inactivePoolsId: ZERO_ID,
    inactivePoolsSize: zero,
    validatorCandidatesId: ZERO_ID,
    validatorCandidatesSize: zero,
    validatorReportRecords: [],
  };
}

const ZERO_ID = normalizeSuiAddress('0x0');

const ABILITY_NAMES: Record<string, string> = {
  copy: 'Copy',
  drop: 'Drop',
  store: 'Store',
  key: 'Key',
};

function normalizedFunction(ledger: Ledger, params: readonly unknown[]): unknown {
  const pkg = address(params[0], 'package');
  if (typeof params[1] !== 'string' || typeof params[2] !== 'string') {
    throw invalidParams('module and function must be strings');
  }
  const fn = ledger.registry.function(pkg, params[1], params[2]);
  if (fn === undefined)
    throw invalidParams(`No function was found with function name ${params[2]}`);
  return {
    visibility: 'Public',
    isEntry: fn.def.isEntry === true,
    typeParameters: Array.from({ length: fn.typeParams }, (_, i) => ({
      abilities: (fn.def.typeParamAbilities?.[i] ?? []).map((a) => ABILITY_NAMES[a]),
    })),
    parameters: fn.params.map(normalizedParam),
    return: fn.returns.map((type) => normalizedParam({ ref: null, type })),
  };
}

// ---- The method table ----

export function rpcMethods(ledger: Ledger): Map<string, RpcMethod> {
  const methods = new Map<string, RpcMethod>();
  const add = (name: string, method: RpcMethod) => methods.set(name, method);

  add('sui_executeTransactionBlock', async (p) => {
    const { record } = await ledger.execute(p[0], p[1]);
    return transactionResponse(record, options(p[2]), { confirmedLocalExecution: true });
  });
  add('sui_dryRunTransactionBlock', async (p) => {
    const { record } = await ledger.execute(p[0], [], { dryRun: true });
    return {
      effects: record.effects,
      events: record.events.map(eventJson),
      objectChanges: record.objectChanges,
      balanceChanges: record.balanceChanges,
      input: (transactionJson(record) as { data: unknown }).data,
    };
  });
  add('sui_devInspectTransactionBlock', (p) => {
    const sender = address(p[0], 'sender_address');
    const { record, returned } = ledger.devInspect(
      sender,
      decodeBase64(p[1], 'tx_bytes', TX_BYTES_MAX),
    );
    const status = record.effects.status as { error?: string };
    return {
      effects: record.effects,
      events: record.events.map(eventJson),
      rawEffects: Array.from(record.effectsBcs),
      results:
        returned?.map((values) => ({
          returnValues: values.map((value) => [Array.from(value.bytes), value.type]),
          mutableReferenceOutputs: [],
        })) ?? null,
      error: status.error ?? null,
    };
  });
  add('sui_getTransactionBlock', (p) => {
    const d = digest(p[0], 'digest');
    const record = ledger.getTransaction(d);
    if (record === undefined) throw notFoundTransaction(d);
    return transactionResponse(record, options(p[1]));
  });
  add('sui_multiGetTransactionBlocks', (p) => {
    if (!Array.isArray(p[0]) || p[0].length > MULTI_GET_OBJECTS_MAX)
      throw invalidParams(`digests: at most ${MULTI_GET_OBJECTS_MAX}`);
    const show = options(p[1]);
    return p[0].map((d) => {
      const record = ledger.getTransaction(digest(d, 'digest'));
      if (record === undefined) throw notFoundTransaction(d as string);
      return transactionResponse(record, show);
    });
  });
  add('sui_getTotalTransactionBlocks', () => String(ledger.state.txOrder.length));
  add('sui_getObject', (p) => objectResponse(ledger, address(p[0], 'object_id'), options(p[1])));
  add('sui_multiGetObjects', (p) => {
    if (!Array.isArray(p[0]) || p[0].length > MULTI_GET_OBJECTS_MAX)
      throw invalidParams(`object_ids: at most ${MULTI_GET_OBJECTS_MAX}`);
    const show = options(p[1]);
    return p[0].map((id) => objectResponse(ledger, address(id, 'object_id'), show));
  });
  add('suix_getOwnedObjects', (p) => {
    const owner = address(p[0], 'address');
    const query = options(p[1], 'query');
    const filter = objectFilter(query.filter);
    const show = options(query.options);
    const result = page(ledger.state.ownedBy(owner).filter(filter), p[2], limit(p[3]));
    return {
      ...result,
      data: result.data.map((record) => ({ data: objectData(ledger, record, show) })),
    };
  });
  add('suix_getCoins', (p) => {
    const coinType = p[1] === undefined || p[1] === null ? SUI_TYPE : typeString(p[1], 'coin_type');
    const result = page(coinsOf(ledger, address(p[0], 'owner'), coinType), p[2], limit(p[3]));
    return { ...result, data: result.data.map(coinStruct) };
  });
  add('suix_getAllCoins', (p) => {
    const result = page(coinsOf(ledger, address(p[0], 'owner'), undefined), p[1], limit(p[2]));
    return { ...result, data: result.data.map(coinStruct) };
  });
  add('suix_getBalance', (p) => {
    const coinType = p[1] === undefined || p[1] === null ? SUI_TYPE : typeString(p[1], 'coin_type');
    const [found] = balances(coinsOf(ledger, address(p[0], 'owner'), coinType));
    return (
      found ?? {
        coinType: formatType(coinType, true),
        coinObjectCount: 0,
        totalBalance: '0',
        lockedBalance: {},
      }
    );
  });
  add('suix_getAllBalances', (p) => balances(coinsOf(ledger, address(p[0], 'owner'), undefined)));
  add('suix_getDynamicFields', (p) => {
    const parent = address(p[0], 'parent_object_id');
    const fields = ledger.state.childrenOf(parent).filter((r) => r.dynamicField !== undefined);
    const result = page(fields, p[1], limit(p[2]));
    return { ...result, data: result.data.map((record) => dynamicFieldInfo(ledger, record)) };
  });
  add('suix_getDynamicFieldObject', (p) => {
    const parent = address(p[0], 'parent_object_id');
    const name = options(p[1], 'name');
    const nameType = typeString(name.type, 'name.type');
    let bytes: Uint8Array;
    try {
      bytes = ledger.layouts.encode(nameType, name.value);
    } catch (error) {
      throw invalidParams(
        `name.value is not a ${formatType(nameType)}: ${(error as Error).message}`,
      );
    }
    const id = deriveDynamicFieldID(parent, formatType(nameType), bytes);
    const record = ledger.getObject(id);
    if (record === undefined)
      return { error: { code: 'dynamicFieldNotFound', parent_object_id: parent } };
    return {
      data: objectData(ledger, record, {
        showType: true,
        showOwner: true,
        showContent: true,
        showPreviousTransaction: true,
      }),
    };
  });
  add('suix_queryEvents', (p) => queryEvents(ledger, p));
  add('suix_getReferenceGasPrice', () => GAS_PRICE_REFERENCE_MIST.toString());
  add('suix_getLatestSuiSystemState', () => systemState(ledger));
  add('sui_getChainIdentifier', () => ledger.chainIdentifier);
  add('sui_getLatestCheckpointSequenceNumber', () => String(ledger.state.txOrder.length - 1));
  add('sui_getCheckpoint', (p) => {
    const id = p[0];
    let seq: number;
    if (typeof id === 'string' && /^[0-9]{1,15}$/.test(id)) seq = Number(id);
    else {
      const d = digest(id, 'id');
      seq = ledger.state.txOrder.findIndex((t) => ledger.state.txs.get(t)!.checkpointDigest === d);
    }
    if (seq < 0 || seq >= ledger.state.txOrder.length)
      throw invalidParams(`checkpoint ${String(id)} not found`);
    return checkpointJson(ledger, seq);
  });
  add('sui_getNormalizedMoveFunction', (p) => normalizedFunction(ledger, p));
  add('rpc.discover', () => ({
    openrpc: '1.2.6',
    info: { title: 'walrus-edge local ledger', version: RPC_API_VERSION },
    methods: [...methods.keys()].map((name) => ({ name, params: [] })),
  }));
  return methods;
}
