/**
 * `npm start`: a whole walrus-edge network on one machine — the local ledger with our Move package,
 * N storage nodes holding the shards between them, and the edge Worker (aggregator + publisher).
 * Foreground; Ctrl-C stops everything. Restarting on the same --data-dir resumes the same network
 * (same ports, keys, chain state and stored blobs).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { SuiChain } from '../../core/chain/sui-chain.js';
import { CommitteeKeeper, findOwnedObject } from './committee.js';
import { loadOrCreateKeypair, loadOrCreateUploadSecrets } from './keys.js';
import {
  LAUNCHER_USAGE,
  type LauncherOptions,
  UsageError,
  parseLauncherOptions,
} from './options.js';
import { freePort } from './ports.js';
import { ProcessGroup } from './processes.js';
import { PUBLISHER_BODY_BYTES_LIMIT, workerVars } from '../../workers/env.js';

/** Time for one process to come up (building nothing: `npm ci` built dist/). */
const START_TIMEOUT_MS = 60_000;
/** How often to look for node registrations and committee changes. */
const POLL_MS = 500;

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What is fixed when a data dir is created: a restart must reuse it (node URLs are on chain). */
interface DevnetState {
  readonly nodes: number;
  readonly shards: number;
  readonly epochMs: number;
  readonly ledgerPort: number;
  readonly nodePorts: readonly number[];
}

/** With --faults-files, beside each node's config.json (node-reference/faults.ts). */
const FAULTS_FILE_NAME = 'faults';

export interface NetworkFile {
  readonly nShards: number;
  readonly epoch: number;
  readonly ledgerUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  readonly aggregatorUrl: string;
  readonly publisherUrl: string;
  readonly walletKeyFile: string;
  readonly walletAddress: string;
  /** Bearer key for `POST /v1/upload-sessions` on the devnet's Worker. */
  readonly uploadApiKey: string;
  readonly nodes: readonly {
    name: string;
    url: string;
    shards: number[];
    pid: number;
    /** With --faults-files: the file this node reads Byzantine modes from (on SIGHUP). */
    faultsFile?: string;
    nodeId: string;
  }[];
}

const log = (line: string) => process.stdout.write(`[devnet] ${line}\n`);

async function loadState(dir: string, options: LauncherOptions): Promise<DevnetState> {
  const path = join(dir, 'devnet.json');
  if (existsSync(path)) {
    const state = JSON.parse(readFileSync(path, 'utf8')) as DevnetState;
    if (state.nodes !== options.nodes || state.shards !== options.shards) {
      throw new UsageError(
        `${dir} holds a network of ${state.nodes} nodes and ${state.shards} shards; ` +
          `run with those, or use another --data-dir (or delete ${dir}) for a new network`,
      );
    }
    return state;
  }
  const state: DevnetState = {
    nodes: options.nodes,
    shards: options.shards,
    epochMs: options.epochMs,
    ledgerPort: await freePort(),
    nodePorts: await Promise.all(Array.from({ length: options.nodes }, () => freePort())),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify(state, null, 2) + '\n');
  return state;
}

async function fund(ledgerUrl: string, address: string): Promise<void> {
  await requestSuiFromFaucetV2({ host: ledgerUrl, recipient: address });
}

function writeNodeConfig(
  dir: string,
  index: number,
  port: number,
  chain: { url: string; packageId: string; systemObjectId: string },
  faultsFile: boolean,
): string {
  const nodeDir = join(dir, 'nodes', `node-${index}`);
  mkdirSync(nodeDir, { recursive: true });
  const path = join(nodeDir, 'config.json');
  const config = {
    name: `node-${index}`,
    listen: `127.0.0.1:${port}`,
    publicUrl: `http://127.0.0.1:${port}`,
    dataDir: 'data',
    keyDir: 'keys',
    keyFile: 'keys/protocol.key',
    chain: { ...chain, suiKeyFile: 'keys/sui.key' },
    ...(faultsFile ? { faultsFile: FAULTS_FILE_NAME } : {}),
  };
  writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
  return path;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function run(options: LauncherOptions): Promise<void> {
  const dir = resolve(options.dataDir);
  const state = await loadState(dir, options);
  const group = new ProcessGroup(join(dir, 'logs'));
  let keeper: CommitteeKeeper | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    keeper?.stop();
    await group.stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('exit', () => group.killAllNow());

  try {
    const admin = loadOrCreateKeypair(join(dir, 'keys', 'admin.key'));
    const walletKeyFile = join(dir, 'wallet.key');
    const wallet = loadOrCreateKeypair(walletKeyFile);
    const ledger = group.start('ledger', [
      join(DIST, 'devnet', 'ledger-main.js'),
      '--data-dir',
      join(dir, 'ledger'),
      '--admin',
      admin.toSuiAddress(),
      '--port',
      String(state.ledgerPort),
      '--n-shards',
      String(state.shards),
      '--epoch-ms',
      String(state.epochMs),
    ]);
    const [, ledgerUrl] = await ledger.waitForLine(/ledger listening on (\S+)/, START_TIMEOUT_MS);
    const [, packageId, systemObjectId] = await ledger.waitForLine(
      /walrus-edge package (0x[0-9a-f]+) system (0x[0-9a-f]+)/,
      START_TIMEOUT_MS,
    );
    log(`ledger ${ledgerUrl} (package ${packageId})`);
    const chain = new SuiChain({ url: ledgerUrl, packageId, systemObjectId });
    const nodeKeys = state.nodePorts.map((_, i) =>
      loadOrCreateKeypair(join(dir, 'nodes', `node-${i}`, 'keys', 'sui.key')),
    );
    for (const keypair of [admin, wallet, ...nodeKeys])
      await fund(ledgerUrl, keypair.toSuiAddress());

    const nodes = state.nodePorts.map((port, i) => {
      const config = writeNodeConfig(
        dir,
        i,
        port,
        { url: ledgerUrl, packageId, systemObjectId },
        options.faultsFiles,
      );
      return group.start(`node-${i}`, [
        join(DIST, 'node-reference', 'main.js'),
        '--config',
        config,
      ]);
    });
    const nodeCapType = chain.type('nodes', 'NodeCap');
    const nodeIds = await Promise.all(
      nodeKeys.map((keypair, i) =>
        waitFor(
          `node-${i} to register on chain (see ${nodes[i].logFile})`,
          async () => (await findOwnedObject(chain, keypair.toSuiAddress(), nodeCapType))?.objectId,
          START_TIMEOUT_MS,
        ),
      ),
    );
    log(`${nodeIds.length} storage nodes registered`);
    keeper = new CommitteeKeeper(chain, admin, log);
    const system = await chain.readSystem({ fresh: true });
    if (system.members.length === 0) {
      await keeper.selectIfIdle(nodeIds);
      await chain.advanceEpoch(admin).catch(() => {
        // The ledger's epoch timer advances it when due.
      });
    }
    const ready = await waitFor(
      'the first committee to take over',
      async () => {
        const s = await chain.readSystem({ fresh: true });
        return s.members.length === nodeIds.length && s.epochState.kind !== 'sync' ? s : undefined;
      },
      START_TIMEOUT_MS * 2,
    );
    void keeper.keep(nodeIds, POLL_MS * 4);

    const uploadSecrets = loadOrCreateUploadSecrets(join(dir, 'keys', 'upload-secrets.json'));
    const vars = workerVars({
      suiRpcUrl: ledgerUrl,
      packageId,
      systemObjectId,
      publisherSecretKey: wallet.getSecretKey(),
      // The devnet publisher accepts what the end-to-end tests store (tens of MB).
      publisherBodyBytesMax: PUBLISHER_BODY_BYTES_LIMIT,
      publisherQuiltBodyBytesMax: PUBLISHER_BODY_BYTES_LIMIT,
      uploadApiKeys: [uploadSecrets.apiKey],
      uploadTokenSecret: uploadSecrets.tokenSecret,
    });
    const workerProcess = group.start(
      'worker',
      [
        join(DIST, 'devnet', 'launcher', 'worker-main.js'),
        '--port',
        String(options.port),
        '--persist-dir',
        join(dir, 'worker'),
      ],
      // worker-main.ts WORKER_VARS_ENV (not imported: importing it would run that entry point).
      { WALRUS_EDGE_WORKER_VARS: JSON.stringify({ ...vars, ...options.workerVars }) },
    );
    const [, workerUrl] = await workerProcess.waitForLine(
      /worker listening on (\S+)/,
      START_TIMEOUT_MS,
    );
    const network: NetworkFile = {
      nShards: state.shards,
      epoch: ready.epoch,
      ledgerUrl,
      packageId,
      systemObjectId,
      aggregatorUrl: workerUrl,
      publisherUrl: workerUrl,
      walletKeyFile,
      walletAddress: wallet.toSuiAddress(),
      uploadApiKey: uploadSecrets.apiKey,
      nodes: ready.members.map((member) => {
        const index = nodeIds.indexOf(member.nodeId);
        return {
          name: member.name,
          url: member.networkAddress,
          shards: [...member.shards],
          pid: nodes[index]?.process.pid ?? 0,
          nodeId: member.nodeId,
          ...(options.faultsFiles
            ? { faultsFile: join(dir, 'nodes', `node-${index}`, FAULTS_FILE_NAME) }
            : {}),
        };
      }),
    };
    writeFileSync(join(dir, 'network.json'), JSON.stringify(network, null, 2) + '\n');
    process.stdout.write(
      [
        '',
        `walrus-edge devnet is up: ${state.nodes} storage nodes, ${state.shards} shards, epoch ${ready.epoch}`,
        `  ledger (Sui JSON-RPC)  ${ledgerUrl}`,
        `  aggregator             ${workerUrl}/v1/blobs/{blobId}`,
        `  publisher              ${workerUrl}/v1/blobs?epochs=N   (PUT the bytes)`,
        `  upload sessions        ${workerUrl}/v1/upload-sessions   (Bearer uploadApiKey of network.json)`,
        ...network.nodes.map((n) => `  ${n.name.padEnd(22)} ${n.url}  (${n.shards.length} shards)`),
        `  network file           ${join(dir, 'network.json')}`,
        `  wallet key             ${walletKeyFile}`,
        `  logs                   ${join(dir, 'logs')}/`,
        '',
        'Try:  npx walrus-edge store README.md --epochs 2',
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    await shutdown(1);
  }
}

try {
  await run(parseLauncherOptions(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    if (error.message !== '') process.stderr.write(`error: ${error.message}\n`);
    process.stderr.write(LAUNCHER_USAGE + '\n');
    process.exit(error.message === '' ? 0 : 2);
  }
  throw error;
}
