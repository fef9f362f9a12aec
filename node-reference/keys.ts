/**
 * The node's BLS12-381 protocol key: generated on first start into the data dir with mode 0600,
 * loaded on every later start. The file holds the 32-byte secret key as base64 on one line.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BLS_SECRET_KEY_BYTES, blsPublicKey, blsRandomSecretKey } from '../core/bls.js';
import type { Logger } from './log.js';

export const KEY_FILE_MODE = 0o600;

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

function parseKey(path: string, text: string): Uint8Array {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new KeyFileError(`${path}: not base64`);
  const key = new Uint8Array(Buffer.from(trimmed, 'base64'));
  if (key.length !== BLS_SECRET_KEY_BYTES) {
    throw new KeyFileError(
      `${path}: a protocol key is ${BLS_SECRET_KEY_BYTES} bytes, found ${key.length}`,
    );
  }
  try {
    blsPublicKey(key);
  } catch (error) {
    throw new KeyFileError(
      `${path}: not a valid BLS12-381 secret key (${(error as Error).message})`,
    );
  }
  return key;
}

/** Loads the key at `path`, or creates it there (mode 0600) if the file does not exist. */
export function loadOrCreateProtocolKey(path: string, logger: Logger): Uint8Array {
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      logger.log('warn', 'key.permissions', {
        path,
        mode: mode.toString(8),
        fix: `chmod 600 ${path}`,
      });
    }
    return parseKey(path, text);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = blsRandomSecretKey();
  // 'wx': never overwrite a key another process created meanwhile.
  writeFileSync(path, `${Buffer.from(key).toString('base64')}\n`, {
    mode: KEY_FILE_MODE,
    flag: 'wx',
  });
  chmodSync(path, KEY_FILE_MODE); // the umask may have narrowed the mode further; make it exact.
  logger.log('info', 'key.created', {
    path,
    publicKey: Buffer.from(blsPublicKey(key)).toString('base64'),
  });
  return key;
}
