/**
 * Move abort codes of the walrus_edge package and of the framework functions our transactions
 * call, by module. Generated from the `const E…: u64 = N;` lines of move/sources/*.move (the same
 * table as move/README.md "Abort codes"); test/network/core/chain-adapter.test.ts re-parses the sources and
 * fails when this table drifts. Keep in sync with move/sources.
 */

/** Abort names of our package, module → code → constant name. */
export const PACKAGE_ABORTS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  blob: {
    2: 'EResourceBounds',
    3: 'EResourceSize',
    5: 'EAlreadyCertified',
    6: 'EInvalidBlobId',
    7: 'ENotCertified',
    8: 'EBlobNotDeletable',
    9: 'EInvalidBlobPersistenceType',
    10: 'EInvalidBlobObject',
    11: 'EDuplicateMetadata',
    12: 'EMissingMetadata',
  },
  bls_aggregate: {
    0: 'EInvalidBitmap',
    1: 'ESigVerification',
    2: 'ENotEnoughStake',
    3: 'EIncorrectCommittee',
  },
  committee: { 0: 'EInvalidShardAssignment' },
  encoding: { 0: 'EInvalidEncodingType', 1: 'EInvalidNShards', 2: 'EDataTooLarge' },
  messages: {
    0: 'EIncorrectAppId',
    1: 'EIncorrectEpoch',
    2: 'EInvalidMsgType',
    3: 'EIncorrectIntentVersion',
    4: 'EInvalidKeyLength',
    5: 'EInvalidBlobPersistenceType',
    6: 'EMessageTooShort',
  },
  metadata: { 0: 'EKeyNotFound', 1: 'ETooManyPairs', 2: 'EEntryTooLong' },
  nodes: {
    0: 'EInvalidNameLength',
    1: 'EInvalidNetworkAddressLength',
    2: 'EInvalidNetworkPublicKeyLength',
    3: 'EInvalidProofOfPossession',
  },
  storage_resource: {
    0: 'EInvalidEpoch',
    1: 'EIncompatibleEpochs',
    2: 'EIncompatibleAmount',
    3: 'EInvalidEpochRange',
  },
  system: {
    0: 'EWrongVersion',
    1: 'EInvalidEpochsAhead',
    2: 'EInvalidResourceSize',
    3: 'EStorageExceeded',
    4: 'EInsufficientPayment',
    5: 'EInvalidIdEpoch',
    6: 'EWrongEpochState',
    7: 'EEpochChangeTooEarly',
    8: 'ENotRegisteredNode',
    9: 'EInvalidSyncEpoch',
    10: 'EDuplicateSyncDone',
    11: 'ENotCommitteeMember',
    12: 'EInvalidNShards',
    13: 'EInvalidMaxEpochsAhead',
    14: 'EInvalidEpochDuration',
  },
};

/** The Sui framework (0x2) aborts a payment or object mix-up in our PTBs can reach. */
export const FRAMEWORK_ABORTS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  balance: { 0: 'ENonZero', 1: 'EOverflow', 2: 'ENotEnough' },
  coin: { 2: 'ENotEnough' },
  dynamic_field: { 0: 'EFieldAlreadyExists', 1: 'EFieldDoesNotExist', 2: 'EFieldTypeMismatch' },
};

const FRAMEWORK_ADDRESS_MAX = 3n;

function addressValue(address: string): bigint | undefined {
  try {
    return BigInt(address.startsWith('0x') ? address : `0x${address}`);
  } catch {
    return undefined;
  }
}

/**
 * The constant's name for an abort at `address::module` with `code`, when we know it: framework
 * names for 0x1–0x3, our names when `address` is one of `packageIds`, otherwise none.
 */
export function abortName(
  address: string,
  module: string,
  code: number,
  packageIds: readonly string[],
): string | undefined {
  const value = addressValue(address);
  if (value === undefined) return undefined;
  let table: Readonly<Record<string, Readonly<Record<number, string>>>>;
  if (value <= FRAMEWORK_ADDRESS_MAX) table = FRAMEWORK_ABORTS;
  else if (packageIds.some((id) => addressValue(id) === value)) table = PACKAGE_ABORTS;
  else return undefined;
  return Object.hasOwn(table, module) ? table[module][code] : undefined;
}
