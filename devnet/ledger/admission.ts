/**
 * Admission of a user transaction: decode the BCS, check its signatures, expiration and gas data,
 * then load its input objects and gas coins into a working set. Every failure here is a
 * {@link RequestError}: the transaction is refused, nothing is charged.
 * Cheap checks come first; signature verification (the expensive step) runs before any object
 * is looked at, and object checks run synchronously right before execution.
 */
import { bcs } from '@mysten/sui/bcs';
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import { fromBase64, isValidSuiAddress, normalizeSuiAddress } from '@mysten/sui/utils';
import { verifyTransactionSignature } from '@mysten/sui/verify';
import {
  GAS_BUDGET_MAX_MIST,
  GAS_BUDGET_MIN_MIST,
  GAS_PAYMENT_OBJECTS_MAX,
  GAS_PRICE_MAX_MIST,
  GAS_PRICE_REFERENCE_MIST,
  PURE_ARG_BYTES_MAX,
  SIGNATURE_CHARS_MAX,
  TX_BYTES_MAX,
  TX_COMMANDS_MAX,
  TX_INPUTS_MAX,
  TX_SIGNATURES_MAX,
} from './limits.js';
import { formatType, GAS_COIN_TYPE, parseType, typesEqual } from './move-types.js';
import { coinBalance, coinContents, type Value } from './ptb.js';
import { invalidParams, txRejected } from './request-errors.js';
import type { Registry } from './registry.js';
import type { WorkingSet } from './working-set.js';

type TransactionData = ReturnType<typeof bcs.TransactionData.parse>;
type TransactionDataV1 = NonNullable<TransactionData['V1']>;
export type ProgrammableTransaction = NonNullable<
  TransactionDataV1['kind']['ProgrammableTransaction']
>;
type GasData = TransactionDataV1['gasData'];
type Expiration = TransactionDataV1['expiration'];

export interface ParsedTransaction {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly sender: string;
  readonly gasData: GasData;
  readonly expiration: Expiration;
  readonly pt: ProgrammableTransaction;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CLOCK_OBJECT_ID = normalizeSuiAddress('0x6');

export function decodeBase64(text: unknown, what: string, bytesMax: number): Uint8Array {
  if (typeof text !== 'string' || text.length > Math.ceil(bytesMax / 3) * 4 || !BASE64.test(text)) {
    throw invalidParams(`${what} must be base64 of at most ${bytesMax} bytes`);
  }
  try {
    return fromBase64(text);
  } catch {
    throw invalidParams(`${what} is not valid base64`);
  }
}

/** Decodes `TransactionData` bytes; only V1 programmable transactions are accepted. */
export function parseTransaction(txBytes: unknown): ParsedTransaction {
  const bytes = decodeBase64(txBytes, 'tx_bytes', TX_BYTES_MAX);
  let data: TransactionData;
  try {
    data = bcs.TransactionData.parse(bytes);
  } catch (error) {
    throw invalidParams(`tx_bytes is not BCS TransactionData (${(error as Error).message})`);
  }
  const v1 = data.V1;
  const pt = v1?.kind.ProgrammableTransaction;
  if (v1 === undefined || pt === undefined || pt === null) {
    throw invalidParams('only programmable transactions (TransactionData::V1) are supported');
  }
  if (pt.inputs.length > TX_INPUTS_MAX) throw txRejected(`more than ${TX_INPUTS_MAX} inputs`);
  if (pt.commands.length > TX_COMMANDS_MAX)
    throw txRejected(`more than ${TX_COMMANDS_MAX} commands`);
  return {
    bytes,
    digest: TransactionDataBuilder.getDigestFromBytes(bytes),
    sender: normalizeSuiAddress(v1.sender),
    gasData: v1.gasData,
    expiration: v1.expiration,
    pt,
  };
}

/** Every signature verifies over the intent message and comes from the sender or gas owner. */
export async function verifySignatures(tx: ParsedTransaction, signatures: unknown): Promise<void> {
  if (
    !Array.isArray(signatures) ||
    signatures.length === 0 ||
    signatures.length > TX_SIGNATURES_MAX
  ) {
    throw invalidParams(`signatures must be an array of 1 to ${TX_SIGNATURES_MAX} strings`);
  }
  const required = new Set([tx.sender, normalizeSuiAddress(tx.gasData.owner)]);
  const signed = new Set<string>();
  for (const signature of signatures) {
    if (typeof signature !== 'string' || signature.length > SIGNATURE_CHARS_MAX) {
      throw invalidParams('each signature must be a base64 string');
    }
    let address: string;
    try {
      address = (await verifyTransactionSignature(tx.bytes, signature)).toSuiAddress();
    } catch (error) {
      throw txRejected(`Invalid user signature: ${(error as Error).message}`);
    }
    if (!required.has(address)) {
      throw txRejected(`Invalid user signature: signer ${address} is neither sender nor gas owner`);
    }
    signed.add(address);
  }
  for (const address of required) {
    if (!signed.has(address))
      throw txRejected(`Invalid user signature: missing signature of ${address}`);
  }
}

export interface ChainView {
  readonly epoch: bigint;
  readonly nowMs: number;
  /** Base58 digest of checkpoint 0 (the chain identifier `ValidDuring` names). */
  readonly chainDigest: string;
}

export function checkExpiration(expiration: Expiration, chain: ChainView): void {
  switch (expiration.$kind) {
    case 'None':
      return;
    case 'Epoch':
      if (chain.epoch > BigInt(expiration.Epoch!)) throw txRejected('Transaction Expired');
      return;
    case 'ValidDuring':
    case 'Validity': {
      const v = (expiration.ValidDuring ?? expiration.Validity)!;
      if (v.chain !== chain.chainDigest)
        throw txRejected(`Transaction is for chain ${v.chain}, not ${chain.chainDigest}`);
      if (v.minEpoch !== null && chain.epoch < BigInt(v.minEpoch))
        throw txRejected('Transaction is not yet valid (epoch)');
      if (v.maxEpoch !== null && chain.epoch > BigInt(v.maxEpoch))
        throw txRejected('Transaction Expired');
      if (v.minTimestamp !== null && chain.nowMs < Number(v.minTimestamp))
        throw txRejected('Transaction is not yet valid (time)');
      if (v.maxTimestamp !== null && chain.nowMs > Number(v.maxTimestamp))
        throw txRejected('Transaction Expired');
      return;
    }
    default:
      throw txRejected('unsupported transaction expiration');
  }
}

export function checkGasData(gasData: GasData, dryRun: boolean): { price: bigint; budget: bigint } {
  const price = BigInt(gasData.price);
  const budget = BigInt(gasData.budget);
  if (price < GAS_PRICE_REFERENCE_MIST) {
    throw txRejected(
      `Gas price ${price} under reference gas price (RGP) ${GAS_PRICE_REFERENCE_MIST}`,
    );
  }
  if (price > GAS_PRICE_MAX_MIST)
    throw txRejected(`Gas price ${price} exceeds the maximum ${GAS_PRICE_MAX_MIST}`);
  if (budget > GAS_BUDGET_MAX_MIST)
    throw txRejected(`Gas budget ${budget} is above the maximum ${GAS_BUDGET_MAX_MIST}`);
  const minimum = (GAS_BUDGET_MIN_MIST * price) / GAS_PRICE_REFERENCE_MIST;
  if (budget < minimum && !dryRun)
    throw txRejected(`Gas budget ${budget} is under the minimum ${minimum}`);
  if (gasData.payment.length > GAS_PAYMENT_OBJECTS_MAX) {
    throw txRejected(`more than ${GAS_PAYMENT_OBJECTS_MAX} gas payment objects`);
  }
  return { price, budget };
}

/**
 * Loads the PTB inputs; owned objects must match the given reference and belong to the sender
 * (unless `anyOwner`, for dev-inspect).
 */
export function loadInputs(
  ws: WorkingSet,
  pt: ProgrammableTransaction,
  sender: string,
  registry: Registry,
  anyOwner = false,
): Value[] {
  const seen = new Set<string>();
  const values = pt.inputs.map((input, index): Value => {
    if (input.$kind === 'Pure') {
      const bytes = fromBase64(input.Pure!.bytes);
      if (bytes.length > PURE_ARG_BYTES_MAX)
        throw txRejected(`input ${index}: pure argument over ${PURE_ARG_BYTES_MAX} bytes`);
      return { kind: 'pure', bytes };
    }
    if (input.$kind !== 'Object')
      throw txRejected(`input ${index}: ${input.$kind} inputs are not supported`);
    const arg = input.Object!;
    const ref = arg.ImmOrOwnedObject ?? arg.SharedObject;
    if (arg.$kind === 'Receiving' || ref === undefined)
      throw txRejected(`input ${index}: Receiving inputs are not supported`);
    const id = normalizeSuiAddress(ref.objectId);
    if (seen.has(id)) throw txRejected(`input ${index}: object ${id} appears twice`);
    seen.add(id);
    const object = ws.load(id, 'system');
    if (object === undefined || object.before === undefined)
      throw txRejected(`Object ${id} does not exist`);
    const record = object.before;
    const mutable = arg.SharedObject?.mutable === true;
    let role: typeof object.role;
    if (arg.$kind === 'SharedObject') {
      if (record.owner.kind !== 'shared') throw txRejected(`Object ${id} is not shared`);
      if (BigInt(arg.SharedObject!.initialSharedVersion) !== record.owner.initialSharedVersion) {
        throw txRejected(
          `Object ${id} has initial shared version ${record.owner.initialSharedVersion}`,
        );
      }
      // Sui refuses a transaction that asks for the clock mutably.
      if (mutable && id === CLOCK_OBJECT_ID)
        throw txRejected('The Clock object 0x6 can only be used immutably');
      role = mutable ? 'shared-mut-input' : 'shared-imm-input';
    } else {
      const owned = arg.ImmOrOwnedObject!;
      if (BigInt(owned.version) !== record.version || owned.digest !== record.digest) {
        throw txRejected(
          `Object ${id} is not available for consumption, its current version: ${record.version}`,
        );
      }
      if (record.owner.kind === 'immutable') role = 'immutable-input';
      else if (record.owner.kind === 'address' && (anyOwner || record.owner.address === sender)) {
        role = 'owned-input';
      } else throw txRejected(`Object ${id} is not owned by the sender ${sender}`);
    }
    ws.objects.set(id, { ...object, role });
    return { kind: 'object', id };
  });
  // Packages are immutable inputs on Sui; here a call to a package we do not know is refused
  // up front, as Sui refuses a transaction that names a missing package.
  for (const command of pt.commands) {
    if (command.MoveCall && registry.package(command.MoveCall.package) === undefined) {
      throw txRejected(`Package ${normalizeSuiAddress(command.MoveCall.package)} does not exist`);
    }
  }
  return values;
}

/** A dry run without payment gets a coin that exists only for that run, as Sui does. */
export const MOCK_GAS_ID = normalizeSuiAddress('0x0');
const MOCK_GAS_BALANCE_MIST = 1_000_000_000_000_000_000n;

export interface LoadedGas {
  readonly gasId: string;
  readonly mock: boolean;
}

/**
 * Loads the payment coins, merges them into the first ("smashing"), and reserves the budget:
 * the PTB sees the balance minus the budget, as on Sui, so it cannot spend the gas money.
 */
export function loadGas(
  ws: WorkingSet,
  gasData: GasData,
  budget: bigint,
  dryRun: boolean,
): LoadedGas {
  if (gasData.payment.length === 0) {
    if (!dryRun) throw txRejected('Gas payment is empty (address-balance gas is not supported)');
    ws.addNew(
      MOCK_GAS_ID,
      GAS_COIN_TYPE,
      coinContents(MOCK_GAS_ID, MOCK_GAS_BALANCE_MIST - budget),
      true,
      {
        createdHere: false,
        owner: { kind: 'address', address: normalizeSuiAddress(gasData.owner) },
      },
    );
    ws.objects.set(MOCK_GAS_ID, { ...ws.get(MOCK_GAS_ID)!, role: 'gas' });
    return { gasId: MOCK_GAS_ID, mock: true };
  }
  const owner = normalizeSuiAddress(gasData.owner);
  let total = 0n;
  const ids = gasData.payment.map((ref) => {
    const id = normalizeSuiAddress(ref.objectId);
    if (!isValidSuiAddress(id)) throw txRejected(`bad gas object id ${ref.objectId}`);
    if (ws.get(id) !== undefined)
      throw txRejected(`Gas object ${id} is also an input or listed twice`);
    const object = ws.load(id, 'gas');
    const record = object?.before;
    if (object === undefined || record === undefined)
      throw txRejected(`Gas object ${id} does not exist`);
    if (BigInt(ref.version) !== record.version || ref.digest !== record.digest) {
      throw txRejected(
        `Gas object ${id} is not available for consumption, its current version: ${record.version}`,
      );
    }
    if (record.owner.kind !== 'address' || record.owner.address !== owner) {
      throw txRejected(`Gas object ${id} is not owned by the gas owner ${owner}`);
    }
    if (!typesEqual(parseType(record.type), GAS_COIN_TYPE)) {
      throw txRejected(`Gas object ${id} is a ${record.type}, not a ${formatType(GAS_COIN_TYPE)}`);
    }
    total += coinBalance(record.contents);
    return id;
  });
  if (total < budget) {
    throw txRejected(`Balance of gas object ${ids[0]} is lower than the needed amount: ${budget}`);
  }
  const [primary, ...rest] = ids;
  for (const id of rest) {
    const coin = ws.get(id)!;
    coin.status = 'deleted';
    coin.owner = null;
    coin.dirty = true;
  }
  ws.setContents(ws.get(primary)!, coinContents(primary, total - budget));
  return { gasId: primary, mock: false };
}
