/**
 * Wires one storage node together — storage, service, REST API, HTTP adapter — for main.ts and
 * for tests, which start the same thing in process.
 */
import { join } from 'node:path';
import { createNodeApp } from './api/app.js';
import type { ChainView } from './chain-view.js';
import { type NodeFaults, byzantine } from './faults.js';
import { type RunningServer, serve } from './http/adapter.js';
import type { ConcurrencyLimits } from './limits.js';
import { SHUTDOWN_GRACE_MS } from './limits.js';
import type { Logger } from './log.js';
import type { PendingCacheLimits } from './pending-cache.js';
import { type NodeRecoveryOptions, StorageNode } from './service.js';
import { NodeStorage } from './storage/storage.js';

export interface StartNodeOptions {
  readonly chain: ChainView;
  readonly dataDir: string;
  readonly protocolSecretKey: Uint8Array;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  readonly limits?: Partial<ConcurrencyLimits>;
  readonly pending?: Partial<PendingCacheLimits>;
  readonly nowMs?: () => number;
  /** Recover missing slivers of certified blobs from peers (service.ts). */
  readonly recovery?: NodeRecoveryOptions;
  /** Called when the node holds what it needs for an epoch (service.ts). */
  readonly onEpochReady?: (epoch: number) => Promise<void>;
  /** Test only: the Byzantine modes in force, asked per request (faults.ts). */
  readonly faults?: () => NodeFaults;
}

export interface RunningNode {
  readonly service: StorageNode;
  readonly server: RunningServer;
  readonly url: string;
  /** Stops serving (waiting up to `graceMs` for requests in flight), then closes the storage. */
  close(graceMs?: number): Promise<void>;
}

/** The lmdb environments live under `<dataDir>/db`. */
export function storageRoot(dataDir: string): string {
  return join(dataDir, 'db');
}

export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  const storage = await NodeStorage.open(
    storageRoot(options.dataDir),
    options.chain.nShards,
    options.logger,
  );
  let service: StorageNode;
  try {
    service = await StorageNode.start({
      chain: options.chain,
      storage,
      protocolSecretKey: options.protocolSecretKey,
      logger: options.logger,
      pending: options.pending,
      nowMs: options.nowMs,
      recovery: options.recovery,
      onEpochReady: options.onEpochReady,
    });
  } catch (error) {
    await storage.close();
    throw error;
  }
  const app = createNodeApp(service, {
    logger: options.logger,
    limits: options.limits,
    byzantine:
      options.faults === undefined
        ? undefined
        : byzantine(options.faults, options.protocolSecretKey),
  });
  let server: RunningServer;
  try {
    server = await serve(app.fetch, {
      host: options.host,
      port: options.port,
      bodyBytesMax: app.bodyBytesMax,
      onError: (error) => options.logger.log('warn', 'http.connection_error', { error }),
    });
  } catch (error) {
    await service.close();
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    service,
    server,
    url: server.url,
    close: (graceMs = SHUTDOWN_GRACE_MS) => {
      closing ??= (async () => {
        await server.close(graceMs);
        await service.close();
      })();
      return closing;
    },
  };
}
