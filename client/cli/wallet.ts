/**
 * The wallet that signs a command's transactions, read from the key file network.json names.
 * Its own module because @mysten/sui's key code loads zkLogin's Poseidon tables (~150 ms):
 * read-only commands (read, blob-status, info) never import it.
 */
import { readFileSync } from 'node:fs';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { CliError } from './errors.js';
import { type NetworkConfig, START_HINT } from './network.js';

/** The wallet from a `suiprivkey1…` line (Ed25519, as the devnet writes it). */
export function parseWalletKey(text: string, file: string): Ed25519Keypair {
  let parsed: ReturnType<typeof decodeSuiPrivateKey>;
  try {
    parsed = decodeSuiPrivateKey(text.trim());
  } catch (error) {
    throw new CliError(
      `wallet key file ${file} does not hold a Sui private key: ${(error as Error).message}`,
      'It must hold one line, `suiprivkey1…`; restart the network with `npm start` to rewrite it.',
    );
  }
  if (parsed.scheme !== 'ED25519') {
    throw new CliError(
      `wallet key in ${file} is a ${parsed.scheme} key; walrus-edge signs with Ed25519 keys`,
    );
  }
  return Ed25519Keypair.fromSecretKey(parsed.secretKey);
}

export function loadWallet(network: NetworkConfig): Ed25519Keypair {
  const file = network.walletKeyFile;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CliError(
        `no wallet key at ${file} (named by ${network.file})`,
        `The devnet writes it; ${START_HINT}`,
      );
    }
    throw new CliError(`cannot read wallet key ${file}: ${(error as Error).message}`);
  }
  return parseWalletKey(text, file);
}
