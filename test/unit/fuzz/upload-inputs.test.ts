/**
 * Fuzzing what a browser or backend sends the upload-session routes: presigned upload and status
 * tokens (workers/upload-tokens.ts), tus headers (durable-objects/tus.ts) and the session request
 * body (workers/upload-sessions.ts). Properties: a token verifies only as it was signed — any
 * other text, any one-character change, another secret or another session fails; headers and
 * bodies parse or are refused with a 4xx ApiError carrying a reason, never another error.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApiError } from '../../../core/http/errors.js';
import {
  decimalHeader,
  requireTusResumable,
  uploadMetadata,
} from '../../../durable-objects/tus.js';
import { parseSessionRequest } from '../../../workers/session-request.js';
import {
  openUploadToken,
  signStatusToken,
  signUploadToken,
  statusTokenVerifies,
} from '../../../workers/upload-tokens.js';
import { fuzzParameters } from '../../helpers/fuzz.js';

const SECRET = 'fuzz-token-secret-of-at-least-32-characters';
const OTHER_SECRET = 'another-token-secret-of-at-least-32-chars';
/** Crypto per case: fewer runs than the pure parsers, the same coverage of token shapes. */
const TOKEN_RUNS = 200;

const sessionId = fc.stringMatching(/^[0-9a-f]{32}$/);
const expiresAtS = fc.integer({ min: 0, max: 999_999_999_999 });

function refusedWith4xx(call: () => unknown): void {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect(api.httpStatus).toBeGreaterThanOrEqual(400);
    expect(api.httpStatus).toBeLessThan(500);
    expect(api.reason.length).toBeGreaterThan(0);
  }
}

describe('fuzz: session tokens', () => {
  it('an upload token opens to its grant, and no one-character change of it opens', async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionId,
        expiresAtS,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }),
        async (id, expires, at, replacement) => {
          const token = await signUploadToken(SECRET, { sessionId: id, expiresAtS: expires });
          expect(await openUploadToken(SECRET, token)).toEqual({
            sessionId: id,
            expiresAtS: expires,
          });
          expect(await openUploadToken(OTHER_SECRET, token)).toBeUndefined();
          const i = at % token.length;
          const changed = token.slice(0, i) + replacement + token.slice(i + 1);
          if (changed !== token) expect(await openUploadToken(SECRET, changed)).toBeUndefined();
        },
      ),
      fuzzParameters('upload-token-tamper', TOKEN_RUNS),
    );
  });

  it('arbitrary text never opens as an upload token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc
            .tuple(sessionId, expiresAtS, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/))
            .map(([id, e, mac]) => `${id}.${e}.${mac}`),
        ),
        async (text) => {
          expect(await openUploadToken(SECRET, text)).toBeUndefined();
        },
      ),
      fuzzParameters('upload-token-forged', TOKEN_RUNS),
    );
  });

  it('a status token verifies for its session only, under its secret only', async () => {
    await fc.assert(
      fc.asyncProperty(sessionId, sessionId, async (id, other) => {
        const token = await signStatusToken(SECRET, id);
        expect(await statusTokenVerifies(SECRET, id, token)).toBe(true);
        expect(await statusTokenVerifies(OTHER_SECRET, id, token)).toBe(false);
        if (other !== id) expect(await statusTokenVerifies(SECRET, other, token)).toBe(false);
      }),
      fuzzParameters('status-token', TOKEN_RUNS),
    );
  });
});

describe('fuzz: tus headers and session requests', () => {
  const headerText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.stringMatching(/^[0-9 ]{0,20}$/),
    fc.constantFrom('1.0.0', '0.2.2', '', '-1', '1e3', '9007199254740993', ' 12 '),
  );
  const metadataText = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc
      .array(
        fc.tuple(
          fc.stringMatching(/^[A-Za-z0-9_.-]{0,10}$/),
          fc.option(fc.base64String({ maxLength: 16 })),
        ),
        { maxLength: 40 },
      )
      .map((pairs) => pairs.map(([k, v]) => (v === null ? k : `${k} ${v}`)).join(',')),
  );

  it('Tus-Resumable, Upload-Length/Offset and Upload-Metadata parse or are a 4xx', () => {
    fc.assert(
      fc.property(headerText, metadataText, (value, metadata) => {
        const headers = new Headers();
        // Header values cannot hold control characters or non-Latin-1: as a client could send.
        const safe = (text: string) => text.replace(/[^\x20-\x7e]/g, '');
        headers.set('tus-resumable', safe(value));
        headers.set('upload-length', safe(value));
        headers.set('upload-metadata', safe(metadata));
        refusedWith4xx(() => requireTusResumable(headers));
        refusedWith4xx(() => {
          const length = decimalHeader(headers, 'upload-length');
          if (length !== undefined) expect(Number.isSafeInteger(length) && length >= 0).toBe(true);
        });
        refusedWith4xx(() => uploadMetadata(headers));
      }),
      fuzzParameters('tus-headers'),
    );
  });

  it('a session request body is a checked request or a 4xx with a reason', () => {
    const field = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.string({ maxLength: 70 }),
      fc.constant(null),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record(
            {
              epochs: field,
              maxBytes: field,
              deletable: field,
              sendObjectTo: field,
              expiresIn: field,
              attributes: field,
            },
            { requiredKeys: [] },
          ),
          fc.jsonValue(),
        ),
        (body) => {
          refusedWith4xx(() => {
            const request = parseSessionRequest(body, { bytes: 16 << 20, why: 'the limit' });
            expect(request.maxBytes).toBeLessThanOrEqual(16 << 20);
            expect(request.epochs).toBeGreaterThanOrEqual(1);
          });
        },
      ),
      fuzzParameters('session-request'),
    );
  });
});
