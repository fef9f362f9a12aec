/**
 * The pure parts of upload sessions, in Node: the session request's checks, the presigned tokens
 * (sign, open, refuse anything else), API key lookup, tus header parsing, and the configuration of
 * the upload secrets. The whole flow runs in test/workerd/upload-sessions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../core/http/errors.js';
import { uploadMetadata, decimalHeader } from '../../../durable-objects/tus.js';
import { workerConfig } from '../../../workers/env.js';
import { parseSessionRequest } from '../../../workers/session-request.js';
import {
  apiKeyId,
  openUploadToken,
  signStatusToken,
  signUploadToken,
  statusTokenVerifies,
} from '../../../workers/upload-tokens.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const LIMIT = { bytes: 1000, why: 'the test limit' };

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return `${(error as ApiError).httpStatus} ${(error as ApiError).message}`;
  }
  throw new Error('no error');
}

describe('session requests', () => {
  it('takes the fields with their defaults', () => {
    expect(parseSessionRequest({ epochs: 3, maxBytes: 1000 }, LIMIT)).toEqual({
      epochs: 3,
      maxBytes: 1000,
      deletable: true,
      sendObjectTo: null,
      expiresIn: 3600,
      attributes: {},
    });
    const address = `0x${'AB'.repeat(32)}`;
    expect(
      parseSessionRequest(
        {
          epochs: 1,
          maxBytes: 1,
          deletable: false,
          sendObjectTo: address,
          expiresIn: 10,
          attributes: { 'content-type': 'image/png' },
        },
        LIMIT,
      ),
    ).toMatchObject({ deletable: false, sendObjectTo: address.toLowerCase(), expiresIn: 10 });
  });

  it('names what is wrong, and the limit maxBytes ran into', () => {
    expect(reasonOf(() => parseSessionRequest({ epochs: 1, maxBytes: 1001 }, LIMIT))).toBe(
      '400 maxBytes 1001 exceeds 1000, the test limit',
    );
    expect(reasonOf(() => parseSessionRequest({ epochs: 54, maxBytes: 1 }, LIMIT))).toMatch(
      /epochs must be an integer from 1 to 53/,
    );
    expect(reasonOf(() => parseSessionRequest(null, LIMIT))).toMatch(/JSON object/);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(
      reasonOf(() => parseSessionRequest({ epochs: 1, maxBytes: 1, attributes: many }, LIMIT)),
    ).toMatch(/at most 32 entries/);
    expect(
      reasonOf(() =>
        parseSessionRequest({ epochs: 1, maxBytes: 1, attributes: { k: 'v'.repeat(1025) } }, LIMIT),
      ),
    ).toMatch(/at most 1024 characters/);
    expect(
      reasonOf(() => parseSessionRequest({ epochs: 1, maxBytes: 1, expiresIn: 604_801 }, LIMIT)),
    ).toMatch(/expiresIn must be an integer from 10 to 604800/);
  });
});

describe('presigned tokens', () => {
  const grant = { sessionId: '0123456789abcdef0123456789abcdef', expiresAtS: 1_900_000_000 };

  it('open to their grant under the secret that signed them, and nothing else', async () => {
    const token = await signUploadToken(SECRET, grant);
    expect(await openUploadToken(SECRET, token)).toEqual(grant);
    expect(await openUploadToken(`${SECRET}x`, token)).toBeUndefined();
    const [id, expiry, mac] = token.split('.');
    // Another session, another expiry, a flipped MAC bit, a non-canonical last character.
    expect(await openUploadToken(SECRET, `${'f'.repeat(32)}.${expiry}.${mac}`)).toBeUndefined();
    expect(await openUploadToken(SECRET, `${id}.${Number(expiry) + 1}.${mac}`)).toBeUndefined();
    const flipped = mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await openUploadToken(SECRET, `${id}.${expiry}.${flipped}`)).toBeUndefined();
    const last = mac.at(-1)!;
    const alias = 'AEIMQUYcgkosw048'.includes(last)
      ? String.fromCharCode(last.charCodeAt(0) + 1)
      : last;
    if (alias !== last) {
      expect(
        await openUploadToken(SECRET, `${id}.${expiry}.${mac.slice(0, -1)}${alias}`),
      ).toBeUndefined();
    }
    expect(await openUploadToken(SECRET, 'garbage')).toBeUndefined();
  });

  it('keep status and upload tokens apart', async () => {
    const status = await signStatusToken(SECRET, grant.sessionId);
    expect(await statusTokenVerifies(SECRET, grant.sessionId, status)).toBe(true);
    expect(await statusTokenVerifies(SECRET, 'f'.repeat(32), status)).toBe(false);
    const upload = (await signUploadToken(SECRET, grant)).split('.')[2];
    expect(await statusTokenVerifies(SECRET, grant.sessionId, upload)).toBe(false);
  });

  it('finds an API key among several, by digest', async () => {
    const keys = ['first-key-0123456789abcdef', 'second-key-0123456789abcdef'];
    const id = await apiKeyId(keys, keys[1]);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await apiKeyId(keys, keys[0])).not.toBe(id);
    expect(await apiKeyId(keys, `${keys[1]}x`)).toBeUndefined();
    expect(await apiKeyId([], keys[0])).toBeUndefined();
  });
});

describe('tus headers and the upload configuration', () => {
  it('parses Upload-Metadata strictly and decimals plainly', () => {
    const headers = (value: string) => new Headers({ 'upload-metadata': value });
    expect(uploadMetadata(headers('filename dGVzdA==,private'))).toBe('filename dGVzdA==,private');
    expect(() => uploadMetadata(headers('a b c'))).toThrow(ApiError);
    expect(() => uploadMetadata(headers('a x!,b'))).toThrow(ApiError);
    expect(() => uploadMetadata(headers('a YQ==,a YQ=='))).toThrow(/unique/);
    expect(() => uploadMetadata(headers(`k ${'A'.repeat(4100)}`))).toThrow(/4096/);
    expect(decimalHeader(new Headers({ 'upload-offset': '42' }), 'upload-offset')).toBe(42);
    expect(() => decimalHeader(new Headers({ 'upload-offset': '-1' }), 'upload-offset')).toThrow(
      ApiError,
    );
    expect(() => decimalHeader(new Headers({ 'upload-offset': '1e3' }), 'upload-offset')).toThrow(
      ApiError,
    );
  });

  it('refuses short keys and secrets instead of running with them', () => {
    const base = {
      SUI_RPC_URL: 'http://x',
      WALRUS_PACKAGE_ID: '0x1',
      WALRUS_SYSTEM_OBJECT_ID: '0x2',
    };
    expect(workerConfig({ ...base, UPLOAD_API_KEYS: ' , ' }).uploadApiKeys).toEqual([]);
    expect(() => workerConfig({ ...base, UPLOAD_API_KEYS: 'short' })).toThrow(/24\+ characters/);
    expect(() => workerConfig({ ...base, UPLOAD_TOKEN_SECRET: 'short' })).toThrow(
      /32\+ characters/,
    );
    const config = workerConfig({
      ...base,
      UPLOAD_API_KEYS: 'a-key-of-24-characters-or-more, another-key-of-24-characters',
      UPLOAD_TOKEN_SECRET: SECRET,
      UPLOAD_SESSION_BYTES_MAX: '2048',
    });
    expect(config.uploadApiKeys).toEqual([
      'a-key-of-24-characters-or-more',
      'another-key-of-24-characters',
    ]);
    expect(config.uploadSessionBytesMax).toBe(2048);
    expect(workerConfig(base).uploadSessionBytesMax).toBe(100 * 1024 * 1024);
  });
});
