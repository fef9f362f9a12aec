/**
 * What a command runs with: its I/O (injectable, so tests need no process streams) and, for
 * commands that talk to a network, a session (network file, chain, wallet) opened on demand.
 */
import type { Chain, ChainSigner } from '../../core/chain/types.js';
import { SuiChain } from '../../core/chain/sui-chain.js';
import { loadNetworkConfig, type NetworkConfig, resolveNetworkFile } from './network.js';

export interface CliIo {
  /** One line to stdout. */
  readonly out: (line: string) => void;
  /** One line to stderr. */
  readonly err: (line: string) => void;
  /** Raw bytes to stdout (`read` without --out); resolves once written. */
  readonly writeOut: (bytes: Uint8Array) => Promise<void>;
  /** Raw text to stderr, no newline added (progress redraws). */
  readonly writeErr: (text: string) => void;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds, for progress throttling. */
  readonly now: () => number;
}

export interface Session {
  readonly io: CliIo;
  readonly network: NetworkConfig;
  readonly chain: Chain;
  /** The wallet; read on first use, so read-only commands work without a key file. */
  signer(): Promise<ChainSigner>;
}

export interface CommandContext {
  readonly io: CliIo;
  /** Opens the network named by `--network` (or the env/default); throws CliError if missing. */
  openSession(networkFlag: string | undefined): Session;
}

/** The real session: network.json from disk, `SuiChain` over the ledger URL, the wallet key file. */
export function openFileSession(io: CliIo, networkFlag: string | undefined): Session {
  const { file, source } = resolveNetworkFile(networkFlag, io.env);
  const network = loadNetworkConfig(file, source);
  const chain = new SuiChain({
    url: network.ledgerUrl,
    packageId: network.packageId,
    systemObjectId: network.systemObjectId,
  });
  let signer: Promise<ChainSigner> | undefined;
  return {
    io,
    network,
    chain,
    signer: () => (signer ??= import('./wallet.js').then((wallet) => wallet.loadWallet(network))),
  };
}
