/** Sui keys of the devnet (wallet, admin, nodes): one `suiprivkey…` line per file, mode 0600. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';

export function loadOrCreateKeypair(path: string): Ed25519Keypair {
  if (existsSync(path)) {
    return Ed25519Keypair.fromSecretKey(
      decodeSuiPrivateKey(readFileSync(path, 'utf8').trim()).secretKey,
    );
  }
  const keypair = Ed25519Keypair.generate();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, keypair.getSecretKey() + '\n', { mode: 0o600 });
  return keypair;
}
