/**
 * The reference storage node as a process:
 *
 *   node dist/node-reference/main.js [--config node.json]
 *
 * Loads the config (config.ts), creates the BLS protocol key on first start, opens the chain view
 * and storage, serves the REST API, and logs one JSON line per event to stdout. SIGINT/SIGTERM stop
 * it cleanly: no new connections, requests in flight get a grace period, storage is flushed and
 * closed, exit code 0.
 */
import { ConfigError, type NodeConfig, loadConfig } from './config.js';
import type { ChainView } from './chain-view.js';
import { enableFailPoint, parseFailPoints } from './fail-points.js';
import { loadOrCreateProtocolKey } from './keys.js';
import { type Logger, jsonLogger } from './log.js';
import { startNode } from './node.js';
import { FileChainView } from './testing/file-chain.js';

function openChain(config: NodeConfig): ChainView {
  if (config.chain.stateFile !== null) return new FileChainView(config.chain.stateFile);
  throw new ConfigError(
    'no chain configured: the Sui chain adapter is not wired into the node yet; for ' +
      'development set chain.stateFile (or WALRUS_NODE_CHAIN_STATE_FILE) to a JSON chain ' +
      'state (see node-reference/testing/file-chain.ts)',
  );
}

async function main(): Promise<void> {
  let config: NodeConfig;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    jsonLogger().log('error', 'config.invalid', { message: error.message });
    process.exitCode = 2;
    return;
  }
  const logger: Logger = jsonLogger(config.logLevel);
  if (config.failPoints !== null) {
    for (const [name, action] of parseFailPoints(config.failPoints)) enableFailPoint(name, action);
    logger.log('warn', 'fail_points.enabled', { spec: config.failPoints });
  }
  const protocolSecretKey = loadOrCreateProtocolKey(config.keyFile, logger);
  const chain = openChain(config);
  const node = await startNode({
    chain,
    dataDir: config.dataDir,
    protocolSecretKey,
    host: config.host,
    port: config.port,
    logger,
    limits: config.limits,
    pending: config.pending,
  });
  logger.log('info', 'node.listening', {
    url: node.url,
    publicUrl: config.publicUrl ?? node.url,
    dataDir: config.dataDir,
    chainUrl: config.chain.url,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'node.stopping', { signal });
    node.close().then(
      () => {
        logger.log('info', 'node.stopped', { signal });
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.log('error', 'node.stop_failed', { error });
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  jsonLogger().log('error', 'node.failed', { error });
  process.exit(1);
});
