/**
 * Upload sessions at the edge (issue 10's API, exact): `POST /v1/upload-sessions` with an API key
 * creates a session and answers its presigned URLs; the upload endpoint speaks tus 1.0.0 (and takes
 * a plain PUT); the status URL answers JSON or Server-Sent Events. This module checks keys, bodies
 * and tokens, then hands the request to the session's Durable Object
 * (durable-objects/upload-session.ts), which owns everything after that.
 *
 * URLs: `uploadEndpoint` = /v1/uploads/{token} (tus creation, OPTIONS, plain PUT), the upload it
 * creates = /v1/uploads/{token}/upload (HEAD, PATCH, DELETE), `statusUrl` =
 * /v1/upload-sessions/{id}/status/{statusToken}, `pageUrl` = /upload/{token} (the browser upload
 * page, workers/upload-page.ts). With a key, GET /v1/upload-sessions/{id} reads that key's own session.
 * Client-side encoding (files past the relay's limit): GET /v1/uploads/{token}/session answers the
 * session's descriptor, POST /v1/uploads/{token}/encoded/register and …/certify go to the object.
 *
 * Over 400 lines because every route here shares the key check, the token check and the forwarding
 * to the session's object; apart they would export those for one another.
 */
import type { DurableObjectNamespace } from '@cloudflare/workers-types/index.js';
import type { Chain } from '../core/chain/types.js';
import { maxBlobBytes } from '../core/encoding/config.js';
import { ApiError } from '../core/http/errors.js';
import { readBodyBounded } from '../core/http/body.js';
import type { SessionDescriptor } from '../client/session-descriptor.js';
import type { SessionInit } from '../durable-objects/session-record.js';
import { TUS_VERSION, tusError } from '../durable-objects/tus.js';
import type { Env, WorkerConfig } from './env.js';
import {
  SESSIONS_DOMAIN,
  SESSION_REQUEST_BYTES_MAX,
  invalidSessionRequest,
  parseSessionRequest,
} from './session-request.js';
import {
  apiKeyId,
  isSessionId,
  newSessionId,
  openUploadToken,
  signStatusToken,
  signUploadToken,
  statusTokenVerifies,
} from './upload-tokens.js';

/** What the routes need: the parsed config, the bindings, the chain for the network's limits. */
export interface SessionDeps {
  readonly config: WorkerConfig;
  readonly env: Env;
  readonly chain: Pick<Chain, 'readSystem'>;
}

interface Enabled {
  readonly keys: readonly string[];
  readonly secret: string;
  readonly sessions: DurableObjectNamespace;
}

function enabled(deps: SessionDeps): Enabled {
  const { config, env } = deps;
  if (
    config.uploadApiKeys.length === 0 ||
    config.uploadTokenSecret === undefined ||
    env.UPLOAD_SESSION === undefined ||
    env.UPLOAD_STAGING === undefined ||
    env.PUBLISHER_WALLET === undefined ||
    config.publisherSecretKey === undefined
  ) {
    throw new ApiError(
      'UNIMPLEMENTED',
      'UPLOAD_SESSIONS_DISABLED',
      'upload sessions need UPLOAD_API_KEYS, UPLOAD_TOKEN_SECRET, PUBLISHER_SECRET_KEY and the UPLOAD_SESSION, PUBLISHER_WALLET and UPLOAD_STAGING bindings',
      { domain: SESSIONS_DOMAIN },
    );
  }
  return {
    keys: config.uploadApiKeys,
    secret: config.uploadTokenSecret,
    sessions: env.UPLOAD_SESSION,
  };
}

/** The key's ID, or 401. */
async function authenticate(request: Request, keys: readonly string[]): Promise<string> {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header.trim());
  const unauthenticated = (reason: string, message: string) =>
    new ApiError('UNAUTHENTICATED', reason, message, {
      domain: SESSIONS_DOMAIN,
      headers: { 'www-authenticate': 'Bearer' },
    });
  if (match === null)
    throw unauthenticated('API_KEY_REQUIRED', 'send Authorization: Bearer <api key>');
  const id = await apiKeyId(keys, match[1]);
  if (id === undefined) throw unauthenticated('INVALID_API_KEY', 'the API key is not valid');
  return id;
}

function sessionStub(sessions: DurableObjectNamespace, sessionId: string) {
  return sessions.get(sessions.idFromName(sessionId));
}

/** Sends `request` (method, headers, streamed body) to the session's object at `path`. */
async function toSession(
  sessions: DurableObjectNamespace,
  sessionId: string,
  path: string,
  request: Request,
  method = request.method,
): Promise<Response> {
  const stub = sessionStub(sessions, sessionId);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const answer = (await stub.fetch(`https://upload-session${path}`, {
    method,
    headers: request.headers as never,
    body: hasBody ? (request.body as never) : null,
  })) as unknown as Response;
  // Responses from fetch have immutable headers: the Worker's CORS layer needs to add its own.
  return new Response(answer.body, answer);
}

/**
 * The largest `maxBytes`: this edge's limit and the network's largest blob. Files past the relay's
 * limit (UPLOAD_RELAY_BYTES_MAX) are encoded by the client, so the Durable Object's 128 MB does not
 * bound a session.
 */
async function sessionBytesMax(deps: SessionDeps): Promise<{ bytes: number; why: string }> {
  const limits = [
    { bytes: deps.config.uploadSessionBytesMax, why: 'this edge’s UPLOAD_SESSION_BYTES_MAX' },
  ];
  const system = await deps.chain.readSystem();
  if (system.nShards > 0) {
    limits.push({
      bytes: maxBlobBytes(system.nShards),
      why: `the largest blob of a network of ${system.nShards} shards`,
    });
  }
  return limits.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

export async function createSessionRoute(request: Request, deps: SessionDeps): Promise<Response> {
  const { keys, secret, sessions } = enabled(deps);
  const keyId = await authenticate(request, keys);
  const text = new TextDecoder().decode(await readBodyBounded(request, SESSION_REQUEST_BYTES_MAX));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidSessionRequest('the body must be JSON');
  }
  const parsed = parseSessionRequest(body, await sessionBytesMax(deps));
  const sessionId = newSessionId();
  const now = Date.now();
  const expiresAtS = Math.floor(now / 1000) + parsed.expiresIn;
  const init: SessionInit = {
    sessionId,
    keyId,
    epochs: parsed.epochs,
    maxBytes: parsed.maxBytes,
    deletable: parsed.deletable,
    sendObjectTo: parsed.sendObjectTo,
    attributes: parsed.attributes,
    createdAtMs: now,
    expiresAtMs: expiresAtS * 1000,
  };
  const created = await toSession(
    sessions,
    sessionId,
    '/init',
    new Request('https://upload-session/init', { method: 'POST', body: JSON.stringify(init) }),
  );
  if (!created.ok) throw new Error(`the session object refused init: ${created.status}`);
  const origin = new URL(request.url).origin;
  const token = await signUploadToken(secret, { sessionId, expiresAtS });
  const statusToken = await signStatusToken(secret, sessionId);
  return Response.json(
    {
      sessionId,
      uploadEndpoint: `${origin}/v1/uploads/${token}`,
      statusUrl: `${origin}/v1/upload-sessions/${sessionId}/status/${statusToken}`,
      pageUrl: `${origin}/upload/${token}`,
      expiresAt: new Date(expiresAtS * 1000).toISOString(),
      maxBytes: parsed.maxBytes,
    },
    { status: 201, headers: { 'cache-control': 'no-store' } },
  );
}

/** GET /v1/upload-sessions/{id} with the key that created it; any other key sees 404. */
export async function sessionInfoRoute(
  request: Request,
  sessionId: string,
  deps: SessionDeps,
): Promise<Response> {
  const { keys, sessions } = enabled(deps);
  const keyId = await authenticate(request, keys);
  if (!isSessionId(sessionId)) throw tusError(404, 'SESSION_NOT_FOUND', 'no such upload session');
  return toSession(sessions, sessionId, `/info?keyId=${keyId}`, request, 'GET');
}

export async function sessionStatusRoute(
  request: Request,
  sessionId: string,
  token: string,
  deps: SessionDeps,
): Promise<Response> {
  const { secret, sessions } = enabled(deps);
  if (!isSessionId(sessionId) || !(await statusTokenVerifies(secret, sessionId, token))) {
    throw tusError(404, 'SESSION_NOT_FOUND', 'no such upload session');
  }
  return toSession(sessions, sessionId, '/status', request, 'GET');
}

/**
 * The session a presigned token is for: 401 when it does not verify (tampered or foreign), 410
 * when `live` and it has expired.
 */
async function grantOf(secret: string, token: string, live: boolean) {
  const grant = await openUploadToken(secret, token);
  if (grant === undefined) {
    throw tusError(
      401,
      'INVALID_UPLOAD_TOKEN',
      'the upload URL is not valid (tampered or foreign)',
    );
  }
  if (live && Date.now() >= grant.expiresAtS * 1000) {
    throw tusError(410, 'SESSION_EXPIRED', 'the upload session has expired');
  }
  return grant;
}

/** What the session's object tells the Worker for a descriptor (its `GET /descriptor`). */
export interface SessionFacts {
  readonly maxBytes: number;
  readonly relayBytesMax: number;
  readonly expiresAtMs: number;
  readonly status: SessionDescriptor['status'];
}

/**
 * `GET /v1/uploads/{token}/session`, no key (the token is the credential): the SessionDescriptor
 * a browser needs to pick relay or client-side encoding (client/session-descriptor.ts).
 */
export async function sessionDescriptorRoute(
  request: Request,
  token: string,
  deps: SessionDeps,
): Promise<Response> {
  const { secret, sessions } = enabled(deps);
  const grant = await grantOf(secret, token, true);
  const answer = await toSession(sessions, grant.sessionId, '/descriptor', request, 'GET');
  if (!answer.ok) return answer;
  const facts = (await answer.json()) as SessionFacts;
  const system = await deps.chain.readSystem();
  const origin = new URL(request.url).origin;
  const statusToken = await signStatusToken(secret, grant.sessionId);
  const descriptor: SessionDescriptor = {
    sessionId: grant.sessionId,
    uploadEndpoint: `${origin}/v1/uploads/${token}`,
    statusUrl: `${origin}/v1/upload-sessions/${grant.sessionId}/status/${statusToken}`,
    encodedEndpoint: `${origin}/v1/uploads/${token}/encoded`,
    aggregatorUrl: origin,
    maxBytes: facts.maxBytes,
    relayBytesMax: facts.relayBytesMax,
    nShards: system.nShards,
    expiresAt: new Date(facts.expiresAtMs).toISOString(),
    status: facts.status,
  };
  return Response.json(descriptor, { headers: { 'cache-control': 'no-store' } });
}

const ENCODED_STEPS = new Set(['register', 'certify']);

/**
 * `POST /v1/uploads/{token}/encoded/{register|certify}`: client-side encoding's two steps, decided
 * by the session's object (durable-objects/client-encoded.ts). Registering needs a live token;
 * certifying a blob registered in time may finish after the token expires (the object bounds it).
 */
export async function encodedRoute(
  request: Request,
  token: string,
  step: string,
  deps: SessionDeps,
): Promise<Response> {
  const { secret, sessions } = enabled(deps);
  if (!ENCODED_STEPS.has(step)) throw tusError(404, 'NOT_FOUND', `no such step ${step}`);
  if (request.method !== 'POST') {
    throw tusError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on this URL`);
  }
  const grant = await grantOf(secret, token, step === 'register');
  return toSession(sessions, grant.sessionId, `/encoded/${step}`, request, 'POST');
}

const ENDPOINT_METHODS: Readonly<Record<string, string>> = {
  OPTIONS: '/create',
  POST: '/create',
  PUT: '/put',
};
const UPLOAD_METHODS = new Set(['OPTIONS', 'HEAD', 'PATCH', 'DELETE']);

/**
 * The upload endpoint (`upload` false) and the upload it created (`upload` true): the token must
 * verify (else 401) and not have expired (else 410); the object decides the rest.
 */
export async function uploadRoute(
  request: Request,
  token: string,
  upload: boolean,
  deps: SessionDeps,
): Promise<Response> {
  const { secret, sessions } = enabled(deps);
  // tus clients without PATCH/DELETE send POST with the method they mean (tus core protocol).
  const override = request.headers.get('x-http-method-override')?.toUpperCase();
  const method = request.method === 'POST' && override !== undefined ? override : request.method;
  const path = upload
    ? UPLOAD_METHODS.has(method)
      ? '/upload'
      : undefined
    : ENDPOINT_METHODS[method];
  if (path === undefined) {
    throw tusError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on this URL`);
  }
  const grant = await grantOf(secret, token, true);
  const answer = await toSession(sessions, grant.sessionId, path, request, method);
  if (answer.status === 201 || (method === 'PUT' && answer.ok)) {
    answer.headers.set('location', `${new URL(request.url).origin}/v1/uploads/${token}/upload`);
  }
  if (!answer.headers.has('tus-resumable') && method !== 'OPTIONS') {
    answer.headers.set('tus-resumable', TUS_VERSION);
  }
  return answer;
}
