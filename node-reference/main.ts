/**
 * The reference storage node as a process:
 *
 *   node dist/node-reference/main.js [--config node.json]
 *
 * Loads the config (config.ts), creates the BLS protocol key on first start, opens the chain view
 * and storage, serves the REST API, and logs one JSON line per event to stdout. SIGINT/SIGTERM stop
 * it cleanly: no new connections, requests in flight get a grace period, storage is flushed and
 * closed, exit code 0.
 *
 * With a Sui chain configured (`chain.url`, `chain.packageId`, `chain.systemObjectId`) the node
 * also creates its Sui key on first start, registers itself on chain once it listens (NodeCap
 * recorded in the key dir; later starts reuse it), follows the package's events
 * (chain/sui-chain-view.ts), recovers missing slivers of certified blobs from its peers
 * (recovery.ts) and reports `epoch_sync_done` when it holds its shards. With `chain.stateFile`
 * it runs against a JSON chain file instead (development and tests).
 */
import { join } from 'node:path';
import { SuiChain } from '../core/chain/sui-chain.js';
import { IdentityError, NodeIdentity, loadOrCreateSuiKey } from './chain/identity.js';
import { SuiChainView } from './chain/sui-chain-view.js';
import { ConfigError, type NodeConfig, loadConfig } from './config.js';
import { enableFailPoint, parseFailPoints } from './fail-points.js';
import { type NodeFaults, readNodeFaults } from './faults.js';
import { BlobInvalidator } from './invalidation.js';
import type { InconsistencyProof } from '../core/encoding/inconsistency.js';
import { loadOrCreateProtocolKey } from './keys.js';
import { type Logger, jsonLogger } from './log.js';
import { type RunningNode, type StartNodeOptions, startNode } from './node.js';
import { FileChainView } from './testing/file-chain.js';

/** The file the NodeCap ID is recorded in, inside the key dir. */
export const NODE_CAP_RECORD_FILE = 'node-cap.json';

interface SuiParts {
  readonly view: SuiChainView;
  readonly identity: NodeIdentity;
}

function suiSettings(config: NodeConfig) {
  const { url, packageId, systemObjectId } = config.chain;
  const missing = Object.entries({ url, packageId, systemObjectId })
    .filter(([, value]) => value === null)
    .map(([key]) => `chain.${key}`);
  if (missing.length === 3) {
    throw new ConfigError(
      'no chain configured: set chain.url, chain.packageId and chain.systemObjectId (or ' +
        'WALRUS_NODE_CHAIN_URL, WALRUS_NODE_PACKAGE_ID, WALRUS_NODE_SYSTEM_OBJECT_ID); for ' +
        'development, chain.stateFile names a JSON chain state (testing/file-chain.ts)',
    );
  }
  if (missing.length > 0) throw new ConfigError(`the Sui chain needs ${missing.join(', ')} too`);
  return { url: url!, packageId: packageId!, systemObjectId: systemObjectId! };
}

async function openSui(
  config: NodeConfig,
  protocolSecretKey: Uint8Array,
  logger: Logger,
  signal: AbortSignal,
): Promise<SuiParts> {
  const chain = new SuiChain(suiSettings(config));
  if (!config.keyDirConfigured) {
    logger.log('warn', 'key_dir.default', {
      keyDir: config.keyDir,
      fix: 'set keyDir outside the data dir, so that wiping data keeps the node identity',
    });
  }
  const signer = loadOrCreateSuiKey(config.chain.suiKeyFile, logger);
  const identity = new NodeIdentity({
    chain,
    signer,
    protocolSecretKey,
    recordPath: join(config.keyDir, NODE_CAP_RECORD_FILE),
    name: config.name ?? `walrus-edge-${signer.toSuiAddress().slice(2, 10)}`,
    faucetUrl: config.chain.faucetUrl,
    logger,
    signal,
  });
  const view = await SuiChainView.open({
    chain,
    nodeId: identity.nodeId,
    logger,
    pollMs: config.chain.pollMs ?? undefined,
  });
  logger.log('info', 'chain.opened', {
    url: config.chain.url,
    systemObjectId: chain.systemObjectId,
    epoch: view.currentEpoch(),
    nodeId: identity.nodeId,
    address: signer.toSuiAddress(),
  });
  return { view, identity };
}

/**
 * Registers (first start) or confirms the node on chain, then tells the view who it is. An
 * identity that contradicts the chain (another BLS key, another System) is fatal: the node could
 * only sign confirmations nobody accepts.
 */
function register(
  parts: SuiParts,
  node: RunningNode,
  config: NodeConfig,
  logger: Logger,
  fatal: () => void,
): void {
  const networkAddress = config.publicUrl ?? node.url;
  parts.identity.ensureRegistered(networkAddress).then(
    (nodeId) => parts.view.setNodeId(nodeId),
    (error: unknown) => {
      logger.log('error', 'chain.registration_failed', { error });
      if (error instanceof IdentityError) fatal();
    },
  );
}

function loadConfigOrExit(): NodeConfig | null {
  try {
    const config = loadConfig(process.argv.slice(2), process.env);
    if (config.chain.stateFile === null) suiSettings(config);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    jsonLogger().log('error', 'config.invalid', { message: error.message });
    process.exitCode = 2;
    return null;
  }
}

/**
 * What the node does with a proven inconsistent blob: attestations from f + 1 shards, then the
 * certificate on chain (invalidation.ts). Failures are logged; the blob is not retried.
 */
function invalidatorOf(
  sui: SuiParts,
  logger: Logger,
): (blobId: Uint8Array, proof: InconsistencyProof) => void {
  const invalidator = new BlobInvalidator({
    system: () => sui.view.system(),
    submit: (certificate) => sui.identity.invalidateBlobId(certificate),
    logger,
  });
  return (blobId, proof) => {
    invalidator.invalidate(blobId, proof).then(
      (outcome) => logger.log('warn', 'invalidation.outcome', { outcome }),
      (error: unknown) => logger.log('error', 'invalidation.failed', { error }),
    );
  };
}

/**
 * Test only: the Byzantine modes (faults.ts) when any are configured, the file re-read on SIGHUP
 * so a test can change how a running node misbehaves; undefined otherwise (no middleware at all).
 */
function byzantineModes(config: NodeConfig, logger: Logger): (() => NodeFaults) | undefined {
  if (config.faults === null && config.faultsFile === null) return undefined;
  const { faults: spec, faultsFile: file } = config;
  let current = readNodeFaults(spec, file);
  logger.log('warn', 'faults.enabled', { spec, file, faults: current });
  process.on('SIGHUP', () => {
    try {
      current = readNodeFaults(spec, file);
      logger.log('warn', 'faults.reloaded', { faults: current });
    } catch (error) {
      logger.log('error', 'faults.invalid', { error });
    }
  });
  return () => current;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config === null) return;
  const logger: Logger = jsonLogger(config.logLevel);
  if (config.failPoints !== null) {
    for (const [name, action] of parseFailPoints(config.failPoints)) enableFailPoint(name, action);
    logger.log('warn', 'fail_points.enabled', { spec: config.failPoints });
  }
  const faults = byzantineModes(config, logger);
  const protocolSecretKey = loadOrCreateProtocolKey(config.keyFile, logger);
  const shutdown = new AbortController();
  const sui =
    config.chain.stateFile === null
      ? await openSui(config, protocolSecretKey, logger, shutdown.signal)
      : null;
  const common: Omit<StartNodeOptions, 'chain'> = {
    dataDir: config.dataDir,
    protocolSecretKey,
    host: config.host,
    port: config.port,
    logger,
    limits: config.limits,
    pending: config.pending,
    faults,
  };
  const node =
    sui === null
      ? await startNode({ ...common, chain: new FileChainView(config.chain.stateFile!) })
      : await startNode({
          ...common,
          chain: sui.view,
          recovery: {
            peers: () => sui.view.peers(),
            limits: config.recovery,
            onInconsistent: invalidatorOf(sui, logger),
          },
          onEpochReady: (epoch) => sui.identity.epochSyncDone(epoch),
        });
  logger.log('info', 'node.listening', {
    url: node.url,
    publicUrl: config.publicUrl ?? node.url,
    dataDir: config.dataDir,
    chainUrl: config.chain.url,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'FATAL') => {
    if (stopping) return;
    stopping = true;
    shutdown.abort();
    logger.log('info', 'node.stopping', { signal });
    node.close().then(
      () => {
        logger.log('info', 'node.stopped', { signal });
        process.exitCode = signal === 'FATAL' ? 1 : 0;
      },
      (error: unknown) => {
        logger.log('error', 'node.stop_failed', { error });
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (sui !== null) register(sui, node, config, logger, () => stop('FATAL'));
}

main().catch((error: unknown) => {
  jsonLogger().log('error', 'node.failed', { error });
  process.exit(1);
});
