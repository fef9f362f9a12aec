/**
 * The node's on-chain identity, kept in the key dir apart from the data dir, so wiping the data
 * keeps the identity (the node then recovers its slivers by replaying events):
 *
 *  - `sui.key`: the Sui Ed25519 key that owns the NodeCap and pays gas; Sui's bech32 form
 *    (`suiprivkey1…`) on one line, mode 0600, created on first start.
 *  - `node-cap.json`: the NodeCap's ID (= the node ID) and the System it belongs to, written after
 *    `register_node`. It is a cache: if it is lost, the NodeCap the key owns is found again.
 *
 * `ensureRegistered` registers the node with a proof of possession of its BLS key on first start;
 * `epochSyncDone` reports that the node holds its shards for an epoch; `invalidateBlobId` submits
 * an invalid-blob certificate. Transactions of one node go
 * through one queue: they share the key's gas coins.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { blsPublicKey, blsSign } from '../../core/bls.js';
import { ChainAbortError } from '../../core/chain/errors.js';
import type { CertificateInput } from '../../core/chain/types.js';
import { fetchObjects } from '../../core/chain/objects.js';
import { GAS_BUDGET_MIST_DEFAULT, type SuiChain } from '../../core/chain/sui-chain.js';
import { hexToBytes } from '../../core/hex.js';
import { bytesEqual } from '../../core/bytes.js';
import { proofOfPossessionMessage } from '../../core/messages.js';
import { KEY_FILE_MODE, KeyFileError } from '../keys.js';
import type { Logger } from '../log.js';

/** Gas the node wants before registering: one transaction's default budget. */
export const REGISTRATION_GAS_MIST_MIN = GAS_BUDGET_MIST_DEFAULT;
/** Waits between registration attempts (no gas yet, network down) double up to this. */
export const REGISTRATION_RETRY_MS_MAX = 60_000;
const REGISTRATION_RETRY_MS_FIRST = 1_000;
/** Attempts at `epoch_sync_done` before the next readiness check tries again. */
export const EPOCH_SYNC_ATTEMPTS_MAX = 5;
const EPOCH_SYNC_RETRY_MS_FIRST = 500;
/** `NodeCap` BCS: id (32) ‖ node_id (32) ‖ last_epoch_sync_done u32. */
const NODE_CAP_SYNC_EPOCH_OFFSET = 64;
/** Aborts that mean "nothing to report", not failure. */
const SYNC_DONE_ABORTS_BENIGN = new Set([
  'EDuplicateSyncDone',
  'EInvalidSyncEpoch',
  'ENotCommitteeMember',
]);

export class IdentityError extends Error {
  override name = 'IdentityError';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Loads the Sui key at `path`, or creates it there (mode 0600). */
export function loadOrCreateSuiKey(path: string, logger: Logger): Ed25519Keypair {
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0)
      logger.log('warn', 'key.permissions', {
        path,
        mode: mode.toString(8),
        fix: `chmod 600 ${path}`,
      });
    try {
      return Ed25519Keypair.fromSecretKey(text.trim());
    } catch (error) {
      throw new KeyFileError(`${path}: not a Sui Ed25519 key (${(error as Error).message})`);
    }
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const keypair = Ed25519Keypair.generate();
  // 'wx': never overwrite a key another process created meanwhile.
  writeFileSync(path, `${keypair.getSecretKey()}\n`, { mode: KEY_FILE_MODE, flag: 'wx' });
  chmodSync(path, KEY_FILE_MODE);
  logger.log('info', 'sui_key.created', { path, address: keypair.toSuiAddress() });
  return keypair;
}

export interface NodeCapRecord {
  readonly nodeId: string;
  readonly systemObjectId: string;
}

export function readNodeCapRecord(path: string): NodeCapRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const value = JSON.parse(text) as Partial<NodeCapRecord>;
  if (typeof value.nodeId !== 'string' || typeof value.systemObjectId !== 'string')
    throw new IdentityError(`${path}: nodeId and systemObjectId are required`);
  return {
    nodeId: normalizeSuiAddress(value.nodeId),
    systemObjectId: normalizeSuiAddress(value.systemObjectId),
  };
}

function writeNodeCapRecord(path: string, record: NodeCapRecord): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: KEY_FILE_MODE });
  renameSync(temporary, path); // atomic: a crash leaves the old record or the new one
}

export interface NodeIdentityOptions {
  readonly chain: SuiChain;
  readonly signer: Ed25519Keypair;
  readonly protocolSecretKey: Uint8Array;
  readonly recordPath: string;
  /** On-chain name (≤ 100 bytes). */
  readonly name: string;
  /** A faucet to ask for gas when the key has none (devnets); otherwise the node waits. */
  readonly faucetUrl: string | null;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export class NodeIdentity {
  #nodeId: string | null;
  readonly #options: NodeIdentityOptions;
  #transactions: Promise<unknown> = Promise.resolve();

  constructor(options: NodeIdentityOptions) {
    this.#options = options;
    const record = readNodeCapRecord(options.recordPath);
    if (record !== null && record.systemObjectId !== options.chain.systemObjectId) {
      throw new IdentityError(
        `${options.recordPath} registers this node with System ${record.systemObjectId}, not ` +
          `${options.chain.systemObjectId}: use another key dir for another network`,
      );
    }
    this.#nodeId = record?.nodeId ?? null;
  }

  get nodeId(): string | null {
    return this.#nodeId;
  }

  get address(): string {
    return this.#options.signer.toSuiAddress();
  }

  /** Runs transactions one at a time: they spend the same gas coins. */
  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#transactions.then(work, work);
    this.#transactions = run.catch(() => {});
    return run;
  }

  /**
   * The node ID: from the record, else from a NodeCap the key already owns, else by registering
   * (`register_node` with a proof of possession). Retries until it succeeds or `signal` aborts.
   */
  async ensureRegistered(networkAddress: string): Promise<string> {
    const { logger, signal } = this.#options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#serialized(() => this.#registerOnce(networkAddress));
      } catch (error) {
        if (error instanceof IdentityError || signal?.aborted === true) throw error;
        const delayMs = Math.min(
          REGISTRATION_RETRY_MS_MAX,
          REGISTRATION_RETRY_MS_FIRST * 2 ** (attempt - 1),
        );
        logger.log('warn', 'chain.registration_retry', { attempt, delayMs, error });
        await sleep(delayMs, signal);
      }
    }
  }

  async #registerOnce(networkAddress: string): Promise<string> {
    const { chain, logger, signer, protocolSecretKey } = this.#options;
    const ownKey = blsPublicKey(protocolSecretKey);
    if (this.#nodeId === null) this.#nodeId = await this.#ownedNodeCap();
    if (this.#nodeId !== null) {
      const info = await chain.readNode(this.#nodeId);
      if (
        !bytesEqual(info.blsPublicKey, ownKey) &&
        !(info.nextBlsPublicKey !== null && bytesEqual(info.nextBlsPublicKey, ownKey))
      ) {
        throw new IdentityError(
          `node ${this.#nodeId} is registered with another BLS key than the key file's: restore ` +
            'the protocol key that registered it',
        );
      }
      if (info.networkAddress !== networkAddress) {
        logger.log('warn', 'chain.network_address_differs', {
          nodeId: this.#nodeId,
          onChain: info.networkAddress,
          local: networkAddress,
        });
      }
      logger.log('info', 'chain.node_known', { nodeId: this.#nodeId, address: this.address });
      return this.#nodeId;
    }
    await this.#ensureGas();
    const system = await chain.readSystem({ fresh: true });
    const pop = blsSign(
      protocolSecretKey,
      proofOfPossessionMessage(system.epoch, hexToBytes(this.address, 32), ownKey),
    );
    const result = await chain.registerNode(
      {
        name: this.#options.name,
        networkAddress,
        blsPublicKey: ownKey,
        // Walrus's network key signs TLS certificates; this node has no TLS yet, so it publishes
        // its Sui key (flag ‖ 32 bytes = the 33 bytes Move expects) in that slot.
        networkPublicKey: signer.getPublicKey().toSuiBytes(),
        proofOfPossession: pop,
      },
      signer,
    );
    this.#nodeId = result.nodeCap.objectId;
    writeNodeCapRecord(this.#options.recordPath, {
      nodeId: this.#nodeId,
      systemObjectId: chain.systemObjectId,
    });
    logger.log('info', 'chain.node_registered', {
      nodeId: this.#nodeId,
      address: this.address,
      networkAddress,
      digest: result.digest,
      gasUsedMist: result.gasUsedMist,
    });
    return this.#nodeId;
  }

  /** A NodeCap the key owns (registered, then the record was lost): adopt it. */
  async #ownedNodeCap(): Promise<string | null> {
    const { chain, logger } = this.#options;
    const page = await chain.client.getOwnedObjects({
      owner: this.address,
      filter: { StructType: `${chain.packageId}::nodes::NodeCap` },
      limit: 1,
    });
    const objectId = page.data[0]?.data?.objectId;
    if (objectId === undefined) return null;
    const nodeId = normalizeSuiAddress(objectId);
    writeNodeCapRecord(this.#options.recordPath, { nodeId, systemObjectId: chain.systemObjectId });
    logger.log('info', 'chain.node_cap_adopted', { nodeId });
    return nodeId;
  }

  async #ensureGas(): Promise<void> {
    const { chain, faucetUrl, logger } = this.#options;
    const balance = async () =>
      BigInt((await chain.client.getBalance({ owner: this.address })).totalBalance);
    let mist = await balance();
    if (mist >= REGISTRATION_GAS_MIST_MIN) return;
    if (faucetUrl !== null) {
      await requestSuiFromFaucetV2({ host: faucetUrl, recipient: this.address });
      mist = await balance();
      logger.log('info', 'chain.faucet_funded', { address: this.address, mist });
      if (mist >= REGISTRATION_GAS_MIST_MIN) return;
    }
    logger.log('warn', 'chain.needs_gas', {
      address: this.address,
      mist,
      needMist: REGISTRATION_GAS_MIST_MIN,
      fix: `send SUI to ${this.address}`,
    });
    throw new Error(
      `the node's address holds ${mist} MIST of the ${REGISTRATION_GAS_MIST_MIN} it needs`,
    );
  }

  /**
   * Reports `epoch_sync_done(epoch)` unless there is nothing to report: another epoch by now, not
   * a member, or already reported (the NodeCap remembers). Errors are logged, never thrown.
   */
  async epochSyncDone(epoch: number): Promise<void> {
    const { logger } = this.#options;
    if (this.#nodeId === null) {
      logger.log('info', 'chain.epoch_sync_skipped', { epoch, why: 'not registered yet' });
      return;
    }
    for (let attempt = 1; attempt <= EPOCH_SYNC_ATTEMPTS_MAX; attempt++) {
      try {
        await this.#serialized(() => this.#syncDoneOnce(epoch));
        return;
      } catch (error) {
        if (
          error instanceof ChainAbortError &&
          SYNC_DONE_ABORTS_BENIGN.has(error.abortName ?? '')
        ) {
          logger.log('info', 'chain.epoch_sync_skipped', { epoch, why: error.abortName });
          return;
        }
        logger.log('warn', 'chain.epoch_sync_failed', { epoch, attempt, error });
        if (attempt < EPOCH_SYNC_ATTEMPTS_MAX)
          await sleep(EPOCH_SYNC_RETRY_MS_FIRST * 2 ** (attempt - 1), this.#options.signal);
      }
    }
  }

  /**
   * Submits an invalid-blob-ID certificate (invalidation.ts), through the node's transaction
   * queue. A blob already invalidated (by another node's certificate) is not an error.
   */
  async invalidateBlobId(certificate: CertificateInput): Promise<void> {
    const { chain, logger, signer } = this.#options;
    try {
      const result = await this.#serialized(() => chain.invalidateBlobId(certificate, signer));
      logger.log('warn', 'chain.blob_invalidated', { digest: result.digest });
    } catch (error) {
      logger.log('warn', 'chain.invalidate_failed', { error });
      throw error;
    }
  }

  async #syncDoneOnce(epoch: number): Promise<void> {
    const { chain, logger, signer } = this.#options;
    const nodeId = this.#nodeId!;
    const system = await chain.readSystem({ fresh: true });
    if (system.epoch !== epoch) {
      logger.log('info', 'chain.epoch_sync_skipped', { epoch, why: `epoch is ${system.epoch}` });
      return;
    }
    if (!system.members.some((member) => member.nodeId === nodeId)) {
      logger.log('info', 'chain.epoch_sync_skipped', { epoch, why: 'not a committee member' });
      return;
    }
    const [cap] = await fetchObjects(chain.client, [nodeId]);
    const view = new DataView(cap.bytes.buffer, cap.bytes.byteOffset, cap.bytes.byteLength);
    const lastDone = view.getUint32(NODE_CAP_SYNC_EPOCH_OFFSET, true);
    if (lastDone >= epoch) {
      logger.log('info', 'chain.epoch_sync_skipped', { epoch, why: 'already reported' });
      return;
    }
    const result = await chain.epochSyncDone(cap.ref, epoch, signer);
    logger.log('info', 'chain.epoch_sync_done', {
      epoch,
      nodeId,
      digest: result.digest,
      gasUsedMist: result.gasUsedMist,
    });
  }
}
