/**
 * The pure parts of client-side encoding, in Node: strict base64, the register body (size against
 * maxBytes before any decoding, metadata parsed exactly, blob ID recomputed), the certify body
 * (each confirmation verified against the message and its member's key, bad ones ignored and named,
 * quorum by shard weight) and UPLOAD_RELAY_BYTES_MAX's bounds. The whole flow runs against a devnet
 * in test/network/devnet/client-encoding.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Base64Error, base64ToBytes, bytesToBase64 } from '../../../core/base64.js';
import { blobIdToString } from '../../../core/blob-id.js';
import { blsPublicKey, blsRandomSecretKey, blsSign, signersFromBitmap } from '../../../core/bls.js';
import type { SystemState } from '../../../core/chain/types.js';
import { computeBlobMetadata } from '../../../core/encoding/blob-encoder.js';
import { encodeBlobMetadata } from '../../../core/encoding/metadata.js';
import { ApiError } from '../../../core/http/errors.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import {
  certificateOf,
  parseRegisterRequest,
  registerBodyBytesMax,
  verifyConfirmations,
} from '../../../durable-objects/client-encoded.js';
import { SESSION_ENCODE_BYTES_LIMIT } from '../../../durable-objects/session-record.js';
import { workerConfig } from '../../../workers/env.js';
import { randomBytes } from '../../helpers/random.js';

const N_SHARDS = 10;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    return `${e.httpStatus} ${e.reason} ${e.message}`;
  }
  throw new Error('no error');
}

describe('base64', () => {
  it('round-trips any bytes and refuses what is not padded base64', () => {
    for (const length of [0, 1, 2, 3, 4, 95, 96, 20_000]) {
      const bytes = randomBytes(length, length + 1);
      expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    }
    expect(bytesToBase64(new TextEncoder().encode('ab'))).toBe('YWI=');
    for (const bad of ['YWI', 'YW I=', 'YWI=\n', 'YW-_', '====', 'Y===', '@@@@']) {
      expect(() => base64ToBytes(bad), bad).toThrow(Base64Error);
    }
  });
});

describe('register bodies', () => {
  const bytes = randomBytes(5000, 11);
  const { metadata, blobId } = computeBlobMetadata(bytes, N_SHARDS);
  const good = {
    unencodedLength: bytes.length,
    metadata: bytesToBase64(encodeBlobMetadata(metadata)),
    blobId: blobIdToString(blobId),
  };
  const parse = (body: unknown, maxBytes = 10_000) =>
    parseRegisterRequest(JSON.stringify(body), N_SHARDS, maxBytes);

  it('recomputes the blob ID from the metadata', () => {
    const asked = parse(good);
    expect(asked.blobId).toEqual(blobId);
    expect(asked.unencodedLength).toBe(bytes.length);
    const { blobId: _, ...withoutId } = good;
    expect(parse(withoutId).blobId).toEqual(blobId);
  });

  it('refuses more than maxBytes with 413 before decoding the metadata', () => {
    expect(refusal(() => parse({ ...good, metadata: '!' }, bytes.length - 1))).toMatch(
      /^413 UPLOAD_TOO_LARGE .*maxBytes 4999; nothing was registered/,
    );
  });

  it('refuses every malformed body with 400 and a reason', () => {
    const raw = base64ToBytes(good.metadata);
    const cases: [string | unknown, RegExp][] = [
      ['{', /^400 INVALID_ENCODED_REQUEST .*JSON/],
      [[good], /^400 INVALID_ENCODED_REQUEST .*object/],
      [{ ...good, extra: 1 }, /unknown field "extra"/],
      [{ ...good, unencodedLength: 1.5 }, /unencodedLength/],
      [{ ...good, unencodedLength: '5000' }, /unencodedLength/],
      [{ ...good, metadata: 5 }, /^400 INVALID_METADATA/],
      [{ ...good, metadata: ` ${good.metadata}` }, /^400 INVALID_METADATA/],
      [{ ...good, metadata: bytesToBase64(raw.subarray(0, raw.length - 1)) }, /INVALID_METADATA/],
      [{ ...good, metadata: bytesToBase64(Uint8Array.from([...raw, 7])) }, /trailing/],
      [{ ...good, unencodedLength: 4999 }, /for 5000 bytes, unencodedLength says 4999/],
      [{ ...good, blobId: blobIdToString(new Uint8Array(32)) }, /^400 BLOB_ID_MISMATCH/],
      [{ ...good, blobId: 42 }, /^400 BLOB_ID_MISMATCH/],
    ];
    for (const [body, expected] of cases) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      expect(
        refusal(() => parseRegisterRequest(text, N_SHARDS, 10_000)),
        text.slice(0, 80),
      ).toMatch(expected);
    }
    const otherShards = computeBlobMetadata(bytes, 12).metadata;
    expect(
      refusal(() => parse({ ...good, metadata: bytesToBase64(encodeBlobMetadata(otherShards)) })),
    ).toMatch(/12 sliver pairs; the network has 10 shards/);
  });

  it('bounds the body by the network: the metadata of its shard count fits, little more', () => {
    expect(JSON.stringify(good).length).toBeLessThan(registerBodyBytesMax(N_SHARDS));
    expect(registerBodyBytesMax(N_SHARDS)).toBeLessThan(JSON.stringify(good).length + 2048);
  });
});

describe('certify bodies', () => {
  const keys = [3, 3, 2, 2].map(() => blsRandomSecretKey());
  const members = [3, 3, 2, 2].map((weight, i) => ({
    index: i,
    nodeId: `0x${i}`,
    name: `node-${i}`,
    networkAddress: `http://127.0.0.1:${9000 + i}`,
    blsPublicKey: blsPublicKey(keys[i]),
    networkPublicKey: new Uint8Array(32),
    weight,
    shards: Array.from({ length: weight }, (_, s) => i * 3 + s),
  })) as SystemState['members'];
  const system = { epoch: 4, nShards: N_SHARDS, members } as SystemState;
  const message = storageConfirmationMessage(4, randomBytes(32, 12), { kind: 'permanent' });
  const signed = (i: number, key = keys[i]) => ({
    memberIndex: i,
    signature: bytesToBase64(blsSign(key, message)),
  });
  const verify = (confirmations: unknown) =>
    verifyConfirmations(JSON.stringify({ confirmations }), members, message);

  it('aggregates a quorum of shard weight and ignores bad confirmations, naming them', () => {
    const foreign = blsRandomSecretKey();
    const odd = verify([
      signed(1, foreign),
      { memberIndex: 1, signature: 'bad' },
      signed(2),
      signed(2),
    ]);
    expect(odd.accepted.map((c) => c.memberIndex)).toEqual([2]);
    expect(odd.rejected).toEqual([
      'member 1 (node-1): the signature does not verify for this blob and epoch',
      'member 1 (node-1): the signature is not base64',
      'member 2 (node-2): confirmed twice',
    ]);
    const verdict = verify([
      signed(0),
      { memberIndex: 7, signature: signed(0).signature },
      signed(2),
      signed(3),
    ]);
    expect(verdict.accepted.map((c) => c.memberIndex)).toEqual([0, 2, 3]);
    expect(verdict.weight).toBe(7);
    expect(verdict.rejected).toEqual(['member 7: not a member of the committee']);
    const certificate = certificateOf(verdict, system, 4, message);
    expect(signersFromBitmap(certificate.signersBitmap, 4)).toEqual([0, 2, 3]);
    expect(certificate.message).toEqual(message);
  });

  it('refuses below quorum with 409, the ignored ones and a moved epoch in the reason', () => {
    // 3 + 2 = 5 of 10 shards: 3w ≥ 2n + 1 needs 7.
    const verdict = verify([signed(0), signed(2), signed(1, blsRandomSecretKey())]);
    const reason = refusal(() => certificateOf(verdict, system, 3, message));
    expect(reason).toMatch(/^409 NOT_ENOUGH_CONFIRMATIONS valid confirmations weigh 5 of 10/);
    expect(reason).toMatch(/member 1 \(node-1\): the signature does not verify/);
    expect(reason).toMatch(/epoch moved from 3 to 4/);
  });

  it('refuses a malformed body or more confirmations than members with 400', () => {
    for (const body of ['[]', '{"confirmations":{}}', '{"confirmations":[],"x":1}', 'no']) {
      expect(refusal(() => verifyConfirmations(body, members, message))).toMatch(/^400 /);
    }
    expect(refusal(() => verify([{ memberIndex: '0', signature: 'x' }]))).toMatch(/^400 /);
    expect(refusal(() => verify([null]))).toMatch(/^400 /);
    expect(refusal(() => verify([0, 1, 2, 3, 0].map((i) => signed(i))))).toMatch(
      /5 confirmations for a committee of 4/,
    );
  });
});

describe('UPLOAD_RELAY_BYTES_MAX', () => {
  const base = {
    SUI_RPC_URL: 'http://x',
    WALRUS_PACKAGE_ID: '0x1',
    WALRUS_SYSTEM_OBJECT_ID: '0x2',
  };
  it('defaults to and is capped by what a Durable Object encodes', () => {
    expect(workerConfig(base).uploadRelayBytesMax).toBe(SESSION_ENCODE_BYTES_LIMIT);
    expect(workerConfig({ ...base, UPLOAD_RELAY_BYTES_MAX: '262144' }).uploadRelayBytesMax).toBe(
      262_144,
    );
    expect(() =>
      workerConfig({ ...base, UPLOAD_RELAY_BYTES_MAX: String(SESSION_ENCODE_BYTES_LIMIT + 1) }),
    ).toThrow(/UPLOAD_RELAY_BYTES_MAX must be a decimal from 1 to 16777216/);
  });
});
