/**
 * Sui keys of the devnet (wallet, admin, nodes): one `suiprivkey…` line per file, mode 0600; and
 * the secrets of its Worker's upload sessions.
 */
import { randomBytes } from 'node:crypto';
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

/** The upload-session secrets of the devnet Worker: an API key and the presigned-URL HMAC key. */
export interface UploadSecrets {
  readonly apiKey: string;
  readonly tokenSecret: string;
}

/** 32 random bytes as base64url: both secrets are this long (256 bits). */
function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Kept in `path` (mode 0600) so a restarted devnet keeps its sessions' URLs valid. */
export function loadOrCreateUploadSecrets(path: string): UploadSecrets {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as UploadSecrets;
  const secrets: UploadSecrets = { apiKey: `wek_${randomSecret()}`, tokenSecret: randomSecret() };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}
