/**
 * UploadSession: one Durable Object per upload session (named by its session ID), SQLite-backed.
 * It owns the session's record and tus offset, stages received bytes in R2 (staging.ts), answers
 * status as JSON or Server-Sent Events, and, once the last byte is staged, stores the blob on
 * Walrus from its alarm (session-store.ts). The alarm also expires abandoned sessions: their staged
 * bytes are deleted and the state becomes `expired`.
 *
 * The Worker (workers/upload-sessions.ts) checks API keys and presigned tokens before it forwards a
 * request here, on an internal path: POST /init, GET /info, GET /status, and the tus operations
 * OPTIONS|POST /create, PUT /put, HEAD|PATCH|DELETE /upload; for client-side encoding GET
 * /descriptor, POST /encoded/register and /encoded/certify (client-encoded.ts). The input gate makes "check offset,
 * then stage" safe against a concurrent PATCH only up to the first R2 call, so a PATCH also holds
 * `#patching` until it is done (a second one gets 423, which tus clients retry).
 *
 * Over 400 lines because the tus operations, the status stream and the alarm's state machine all
 * read and write the one record, and apart they would pass it and its invariants around.
 */
import { DurableObject } from 'cloudflare:workers';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { SuiChain } from '../core/chain/sui-chain.js';
import { ApiError } from '../core/http/errors.js';
import { errorFunnel } from '../core/http/errors.js';
import { compose } from '../core/http/middleware.js';
import { sharedNodeHealth } from '../client/node-health.js';
import { RequestGate, WORKERS_HEADERS_WAITING_MAX } from '../client/request-gate.js';
import { type Env, workerConfig } from '../workers/env.js';
import { publisherWallet, walletPaidChain } from '../workers/wallet-chain.js';
import {
  FINAL_STATES,
  type SessionInit,
  type SessionRecord,
  type SessionState,
  statusOf,
} from './session-record.js';
import { handOver, storeSessionBlob } from './session-store.js';
import {
  CLIENT_CERTIFY_WINDOW_MS,
  ENCODED_DOMAIN,
  certificateOf,
  certifyBodyBytesMax,
  parseRegisterRequest,
  registerAnswer,
  registerBodyBytesMax,
  verifyConfirmations,
} from './client-encoded.js';
import type { SessionFacts } from '../workers/upload-sessions.js';
import { blobIdFromString, blobIdToString } from '../core/blob-id.js';
import { readBodyBounded } from '../core/http/body.js';
import { hexToBytes } from '../core/hex.js';
import { type BlobPersistence, storageConfirmationMessage } from '../core/messages.js';
import {
  STAGED_CHUNKS_MAX,
  type StagedChunk,
  deleteStaged,
  readStaged,
  stageBody,
} from './staging.js';
import {
  TUS_EXTENSIONS,
  TUS_VERSION,
  decimalHeader,
  httpDate,
  isOffsetOctetStream,
  requireTusResumable,
  tusError,
  uploadMetadata,
} from './tus.js';

const RECORD_KEY = 'session';
/** A final status stays readable this long; then the object deletes itself. */
export const SESSION_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Open status streams per session. */
export const STATUS_STREAMS_MAX = 16;
/** A comment line this often keeps proxies from closing an idle stream (docs/spec/edge-platform.md §3.5). */
const STATUS_PING_MS = 15_000;
/** A store interrupted by a restart is started again this many times at most, then fails. */
const PROCESSING_ATTEMPTS_MAX = 2;
/** Chain reads of a session's store: it runs in an alarm, not on a client's clock. */
const CHAIN_TIMEOUT_MS_SESSION = 20_000;
/** A client-encoded session whose deadline passed while it certified: look again this soon. */
const CLIENT_CERTIFY_RECHECK_MS = 60_000;

const encoder = new TextEncoder();

const FUNNEL = errorFunnel({
  onInternalError: (error, traceId, request) =>
    console.error(
      `upload session: internal error ${traceId} on ${request.method} ${request.url}`,
      error,
    ),
});

export class UploadSession extends DurableObject<Env> {
  #record: SessionRecord | undefined;
  #patching = false;
  /** A certify step is verifying or on chain: a second one waits for its answer instead. */
  #certifying = false;
  readonly #streams = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #ping: ReturnType<typeof setInterval> | undefined;
  readonly #handle = compose([FUNNEL], (request) => this.#route(request));

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        'CREATE TABLE IF NOT EXISTS chunks (start INTEGER PRIMARY KEY, length INTEGER NOT NULL)',
      );
      this.#record = await ctx.storage.get<SessionRecord>(RECORD_KEY);
      // Whatever stopped this object (a restart, an eviction), its pending work has an alarm.
      const record = this.#record;
      if (record !== undefined && (await ctx.storage.getAlarm()) === null) {
        const busy = record.state === 'encoding' || record.state === 'storing';
        await ctx.storage.setAlarm(
          FINAL_STATES.has(record.state) || busy ? Date.now() : record.expiresAtMs,
        );
      }
    });
  }

  override async fetch(request: Request): Promise<Response> {
    try {
      return await this.#handle(request);
    } finally {
      // A request refused before its body was read: release the body, so the caller's stream
      // into this object ends instead of failing after the response has gone.
      if (request.body !== null && !request.bodyUsed) void request.body.cancel().catch(() => {});
    }
  }

  async #route(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const method = request.method;
    if (path === '/init' && method === 'POST') return this.#init(request);
    if (path === '/info' && method === 'GET') return this.#info(request);
    if (path === '/status' && method === 'GET') return this.#status(request);
    if (method === 'OPTIONS') return this.#options();
    if (path === '/create' && method === 'POST') return this.#create(request);
    if (path === '/put' && method === 'PUT') return this.#put(request);
    if (path === '/upload' && method === 'HEAD') return this.#head(request);
    if (path === '/upload' && method === 'PATCH') return this.#patch(request);
    if (path === '/upload' && method === 'DELETE') return this.#terminate(request);
    if (path === '/descriptor' && method === 'GET') return this.#descriptor();
    if (path === '/encoded/register' && method === 'POST') return this.#register(request);
    if (path === '/encoded/certify' && method === 'POST') return this.#certify(request);
    throw tusError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`);
  }

  // ---- records ----

  #existing(): SessionRecord {
    if (this.#record === undefined)
      throw tusError(404, 'SESSION_NOT_FOUND', 'no such upload session');
    return this.#record;
  }

  async #save(record: SessionRecord): Promise<void> {
    this.#record = record;
    await this.ctx.storage.put(RECORD_KEY, record);
    this.#broadcast(record);
  }

  #chunks(): StagedChunk[] {
    return this.ctx.storage.sql
      .exec<{ start: number; length: number }>('SELECT start, length FROM chunks ORDER BY start')
      .toArray()
      .map((row) => ({ offset: row.start, length: row.length }));
  }

  /** 410 when the session can take no more bytes: expired, terminated or failed. */
  #writable(record: SessionRecord): void {
    if (
      record.state === 'expired' ||
      ((record.state === 'created' || record.state === 'uploading') &&
        Date.now() >= record.expiresAtMs)
    ) {
      throw tusError(410, 'SESSION_EXPIRED', 'the upload session has expired');
    }
    if (record.state === 'failed') {
      throw tusError(
        410,
        'SESSION_ENDED',
        `the upload session has ended: ${record.error ?? 'failed'}`,
      );
    }
  }

  #tusHeaders(record: SessionRecord): Record<string, string> {
    return {
      'tus-resumable': TUS_VERSION,
      'upload-offset': String(record.bytesReceived),
      ...(record.uploadLength === null ? {} : { 'upload-length': String(record.uploadLength) }),
      'upload-expires': httpDate(record.expiresAtMs),
      'cache-control': 'no-store',
    };
  }

  // ---- session ----

  async #init(request: Request): Promise<Response> {
    if (this.#record !== undefined) throw tusError(409, 'SESSION_EXISTS', 'the session exists');
    const init = (await request.json()) as SessionInit;
    await this.#save({
      ...init,
      state: 'created',
      endpointUsed: false,
      uploadLength: null,
      bytesReceived: 0,
      uploadMetadata: null,
      processingAttempts: 0,
    });
    await this.ctx.storage.setAlarm(init.expiresAtMs);
    return new Response(null, { status: 204 });
  }

  #info(request: Request): Response {
    const record = this.#record;
    const keyId = new URL(request.url).searchParams.get('keyId');
    // Another key's session answers exactly as a missing one.
    if (record === undefined || keyId !== record.keyId) {
      throw tusError(404, 'SESSION_NOT_FOUND', 'no such upload session');
    }
    return Response.json(
      {
        sessionId: record.sessionId,
        epochs: record.epochs,
        maxBytes: record.maxBytes,
        deletable: record.deletable,
        sendObjectTo: record.sendObjectTo,
        attributes: record.attributes,
        expiresAt: new Date(record.expiresAtMs).toISOString(),
        ...statusOf(record),
      },
      { headers: { 'cache-control': 'no-store' } },
    );
  }

  // ---- status ----

  #status(request: Request): Response {
    const record = this.#existing();
    const headers = { 'cache-control': 'no-store' };
    if (!(request.headers.get('accept') ?? '').includes('text/event-stream')) {
      return Response.json(statusOf(record), { headers });
    }
    if (this.#streams.size >= STATUS_STREAMS_MAX) {
      throw new ApiError(
        'RESOURCE_EXHAUSTED',
        'TOO_MANY_STATUS_STREAMS',
        `a session serves at most ${STATUS_STREAMS_MAX} status streams at once`,
      );
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    void writer.write(encoder.encode(`retry: 2000\n\n${statusEvent(record)}`)).catch(() => {});
    if (FINAL_STATES.has(record.state)) {
      void writer.close().catch(() => {});
    } else {
      this.#streams.add(writer);
      this.#ping ??= setInterval(() => this.#sendAll(encoder.encode(': ping\n\n')), STATUS_PING_MS);
    }
    return new Response(readable, {
      headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
    });
  }

  #sendAll(bytes: Uint8Array): void {
    for (const writer of this.#streams) {
      writer.write(bytes).catch(() => this.#drop(writer));
    }
  }

  #drop(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.#streams.delete(writer);
    void writer.close().catch(() => {});
    if (this.#streams.size === 0 && this.#ping !== undefined) {
      clearInterval(this.#ping);
      this.#ping = undefined;
    }
  }

  #broadcast(record: SessionRecord): void {
    if (this.#streams.size === 0) return;
    this.#sendAll(encoder.encode(statusEvent(record)));
    if (FINAL_STATES.has(record.state)) for (const writer of [...this.#streams]) this.#drop(writer);
  }

  // ---- tus ----

  #options(): Response {
    const record = this.#existing();
    return new Response(null, {
      status: 204,
      headers: {
        'tus-resumable': TUS_VERSION,
        'tus-version': TUS_VERSION,
        'tus-extension': TUS_EXTENSIONS,
        'tus-max-size': String(this.#relayBytesMax(record)),
      },
    });
  }

  /** The one upload of this endpoint: its length, checked against the session's limit. */
  async #begin(
    record: SessionRecord,
    length: number,
    metadata: string | null,
  ): Promise<SessionRecord> {
    this.#writable(record);
    if (record.endpointUsed) {
      throw tusError(
        403,
        'UPLOAD_ENDPOINT_USED',
        'this upload endpoint has already been used for its one upload',
      );
    }
    if (length > record.maxBytes) {
      throw tusError(
        413,
        'UPLOAD_TOO_LARGE',
        `Upload-Length ${length} exceeds the session's maxBytes ${record.maxBytes}`,
      );
    }
    const relayMax = this.#relayBytesMax(record);
    if (length > relayMax) {
      throw tusError(
        413,
        'USE_CLIENT_ENCODING',
        `Upload-Length ${length} exceeds the ${relayMax} bytes this edge encodes itself (UPLOAD_RELAY_BYTES_MAX): encode the file on the client (client-side encoding: GET {uploadEndpoint}/session, then {encodedEndpoint}/register), up to the session's maxBytes ${record.maxBytes}`,
      );
    }
    const begun: SessionRecord = {
      ...record,
      state: 'uploading',
      endpointUsed: true,
      uploadLength: length,
      uploadMetadata: metadata,
    };
    await this.#save(begun);
    return begun;
  }

  async #create(request: Request): Promise<Response> {
    requireTusResumable(request.headers);
    const record = this.#existing();
    if (request.headers.has('upload-defer-length')) {
      throw tusError(
        400,
        'DEFER_LENGTH_UNSUPPORTED',
        'creation-defer-length is not supported: send Upload-Length',
      );
    }
    const length = decimalHeader(request.headers, 'upload-length');
    if (length === undefined)
      throw tusError(400, 'UPLOAD_LENGTH_REQUIRED', 'Upload-Length is required');
    const metadata = uploadMetadata(request.headers);
    let begun = await this.#begin(record, length, metadata);
    // creation-with-upload: the first bytes may ride on the creation request.
    if (isOffsetOctetStream(request.headers)) {
      await this.#receive(request, 0);
      begun = this.#existing();
    } else {
      await request.body?.cancel().catch(() => {});
    }
    await this.#completeIfDone();
    return new Response(null, { status: 201, headers: this.#tusHeaders(this.#record ?? begun) });
  }

  async #put(request: Request): Promise<Response> {
    const record = this.#existing();
    const length = decimalHeader(request.headers, 'content-length');
    if (length === undefined) {
      throw tusError(
        411,
        'LENGTH_REQUIRED',
        'a plain PUT needs Content-Length (use tus for streams)',
      );
    }
    await this.#begin(record, length, null);
    await this.#receive(request, 0);
    await this.#completeIfDone();
    const now = this.#existing();
    if (now.bytesReceived !== length) {
      throw tusError(
        400,
        'UPLOAD_INCOMPLETE',
        `received ${now.bytesReceived} of ${length} bytes; resume with tus at the upload URL`,
      );
    }
    return Response.json(statusOf(now), { status: 200, headers: this.#tusHeaders(now) });
  }

  #uploaded(): SessionRecord {
    const record = this.#existing();
    // A client-encoded session has no tus upload: nothing may be staged for it.
    if (!record.endpointUsed || record.mode === 'client')
      throw tusError(404, 'UPLOAD_NOT_FOUND', 'no upload was created at this endpoint');
    return record;
  }

  #head(request: Request): Response {
    requireTusResumable(request.headers);
    const record = this.#uploaded();
    this.#writable(record);
    const headers = this.#tusHeaders(record);
    if (record.uploadMetadata !== null) headers['upload-metadata'] = record.uploadMetadata;
    return new Response(null, { status: 200, headers });
  }

  async #patch(request: Request): Promise<Response> {
    requireTusResumable(request.headers);
    const record = this.#uploaded();
    this.#writable(record);
    if (!isOffsetOctetStream(request.headers)) {
      throw tusError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'PATCH bodies must be application/offset+octet-stream',
      );
    }
    const offset = decimalHeader(request.headers, 'upload-offset');
    if (offset === undefined)
      throw tusError(400, 'UPLOAD_OFFSET_REQUIRED', 'Upload-Offset is required');
    if (this.#patching) {
      throw tusError(423, 'UPLOAD_LOCKED', 'another PATCH of this upload is in progress');
    }
    if (offset !== record.bytesReceived) {
      throw tusError(
        409,
        'OFFSET_MISMATCH',
        `Upload-Offset ${offset} is not the upload's offset ${record.bytesReceived}`,
      );
    }
    await this.#receive(request, offset);
    await this.#completeIfDone();
    return new Response(null, { status: 204, headers: this.#tusHeaders(this.#existing()) });
  }

  /** Stages the body from `offset`; 413 if it runs past Upload-Length (what fits is kept). */
  async #receive(request: Request, offset: number): Promise<void> {
    const record = this.#existing();
    const remaining = (record.uploadLength ?? 0) - offset;
    const declared = decimalHeader(request.headers, 'content-length');
    if (declared !== undefined && declared > remaining) {
      throw tusError(
        413,
        'UPLOAD_TOO_LARGE',
        `the body of ${declared} bytes runs past Upload-Length (${remaining} bytes left)`,
      );
    }
    const staged = this.ctx.storage.sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM chunks')
      .one().n;
    if (staged >= STAGED_CHUNKS_MAX) {
      throw tusError(
        400,
        'TOO_MANY_CHUNKS',
        `an upload may arrive in at most ${STAGED_CHUNKS_MAX} pieces`,
      );
    }
    const bucket = this.#bucket();
    this.#patching = true;
    let outcome;
    try {
      outcome = await stageBody(
        bucket,
        record.sessionId,
        request.body,
        offset,
        remaining,
        async (chunk) => {
          this.ctx.storage.sql.exec(
            'INSERT OR REPLACE INTO chunks (start, length) VALUES (?, ?)',
            chunk.offset,
            chunk.length,
          );
          await this.#save({ ...this.#existing(), bytesReceived: chunk.offset + chunk.length });
        },
      );
    } finally {
      this.#patching = false;
    }
    if (outcome.overflow) {
      throw tusError(
        413,
        'UPLOAD_TOO_LARGE',
        'the body runs past Upload-Length',
        this.#tusHeaders(this.#existing()),
      );
    }
  }

  async #completeIfDone(): Promise<void> {
    const record = this.#existing();
    if (record.state !== 'uploading' || record.bytesReceived !== record.uploadLength) return;
    await this.#save({ ...record, state: 'encoding' });
    // The store runs in the alarm: it survives this request, and a restart runs it again.
    await this.ctx.storage.setAlarm(Date.now());
  }

  async #terminate(request: Request): Promise<Response> {
    requireTusResumable(request.headers);
    const record = this.#uploaded();
    this.#writable(record);
    if (record.state !== 'uploading') {
      throw tusError(403, 'UPLOAD_COMPLETE', 'the upload is complete and its blob is being stored');
    }
    await this.#end({
      ...record,
      state: 'failed',
      error: 'the upload was terminated by the client',
    });
    return new Response(null, { status: 204, headers: { 'tus-resumable': TUS_VERSION } });
  }

  // ---- alarm: expiry, storing, retention ----

  #bucket() {
    const bucket = this.env.UPLOAD_STAGING;
    if (bucket === undefined) throw new Error('the UPLOAD_STAGING bucket is not bound');
    return bucket;
  }

  /** A final state: staged bytes deleted, the record kept for SESSION_RETENTION_MS. */
  async #end(record: SessionRecord): Promise<void> {
    await deleteStaged(this.#bucket(), record.sessionId);
    this.ctx.storage.sql.exec('DELETE FROM chunks');
    await this.#save({ ...record, endedAtMs: Date.now() });
    await this.ctx.storage.setAlarm(Date.now() + SESSION_RETENTION_MS);
  }

  override async alarm(): Promise<void> {
    const record = this.#record;
    if (record === undefined) return;
    const now = Date.now();
    if (FINAL_STATES.has(record.state)) {
      if (now >= (record.endedAtMs ?? 0) + SESSION_RETENTION_MS) {
        await deleteStaged(this.#bucket(), record.sessionId);
        await this.ctx.storage.deleteAll();
        this.#record = undefined;
      }
      return;
    }
    if (record.state === 'created' || record.state === 'uploading') {
      if (now >= record.expiresAtMs) await this.#end({ ...record, state: 'expired' });
      else await this.ctx.storage.setAlarm(record.expiresAtMs);
      return;
    }
    if (record.mode === 'client') {
      // The client encodes and distributes: all this object does alone is give up in the end.
      const certifyBy = record.certifyByMs ?? record.expiresAtMs;
      if (now < certifyBy) await this.ctx.storage.setAlarm(certifyBy);
      else if (!this.#certifying) {
        await this.#end({
          ...record,
          state: 'failed',
          error: 'the blob was registered but the client did not certify it in time',
        });
      } else await this.ctx.storage.setAlarm(now + CLIENT_CERTIFY_RECHECK_MS);
      return;
    }
    await this.#store(record);
  }

  async #store(record: SessionRecord): Promise<void> {
    if (record.processingAttempts >= PROCESSING_ATTEMPTS_MAX) {
      await this.#end({ ...record, state: 'failed', error: 'storing was interrupted too often' });
      return;
    }
    const attempt: SessionRecord = {
      ...record,
      state: 'encoding',
      processingAttempts: record.processingAttempts + 1,
    };
    await this.#save(attempt);
    try {
      const blob = await readStaged(
        this.#bucket(),
        record.sessionId,
        this.#chunks(),
        record.uploadLength ?? 0,
      );
      const stored = await storeSessionBlob(blob, attempt, {
        ...this.#storeDeps(),
        onState: (state: SessionState) => void this.#save({ ...this.#existing(), state }),
      });
      await this.#end({ ...this.#existing(), state: 'certified', ...stored });
    } catch (error) {
      console.error(`upload session ${record.sessionId}: storing failed`, error);
      await this.#end({
        ...this.#existing(),
        state: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  // ---- client-side encoding (client-encoded.ts) ----

  /** The largest file the relay takes for this session. */
  #relayBytesMax(record: SessionRecord): number {
    return Math.min(workerConfig(this.env).uploadRelayBytesMax, record.maxBytes);
  }

  #descriptor(): Response {
    const record = this.#existing();
    const facts: SessionFacts = {
      maxBytes: record.maxBytes,
      relayBytesMax: this.#relayBytesMax(record),
      expiresAtMs: record.expiresAtMs,
      status: statusOf(record),
    };
    return Response.json(facts, { headers: { 'cache-control': 'no-store' } });
  }

  /** The one-upload rule of tus, for registering: an unused, live session. */
  #registrable(record: SessionRecord): void {
    this.#writable(record);
    if (record.endpointUsed || record.state !== 'created') {
      throw tusError(
        403,
        'UPLOAD_ENDPOINT_USED',
        'this upload endpoint has already been used for its one upload',
      );
    }
  }

  async #register(request: Request): Promise<Response> {
    this.#registrable(this.#existing());
    const deps = this.#storeDeps();
    const system = await deps.chain.readSystem({ fresh: true });
    if (system.members.length === 0) {
      throw new ApiError('UNAVAILABLE', 'NO_COMMITTEE', 'the network has no committee yet', {
        domain: ENCODED_DOMAIN,
      });
    }
    const body = await readBodyBounded(
      request,
      registerBodyBytesMax(system.nShards),
      'REGISTER_BODY_TOO_LARGE',
    );
    const record = this.#existing();
    const asked = parseRegisterRequest(
      new TextDecoder().decode(body),
      system.nShards,
      record.maxBytes,
    );
    // Checked again: a tus creation or another register may have used the session meanwhile.
    this.#registrable(this.#existing());
    const certifyByMs = Date.now() + CLIENT_CERTIFY_WINDOW_MS;
    await this.#save({
      ...this.#existing(),
      state: 'storing',
      endpointUsed: true,
      mode: 'client',
      uploadLength: asked.unencodedLength,
      registeredEpoch: system.epoch,
      certifyByMs,
    });
    await this.ctx.storage.setAlarm(certifyByMs);
    let blobObjectId: string;
    try {
      const registered = await deps.chain.reserveAndRegister(
        {
          size: asked.unencodedLength,
          epochs: record.epochs,
          blobId: asked.blobId,
          rootHash: asked.rootHash,
          deletable: record.deletable,
        },
        deps.signer,
        { system },
      );
      blobObjectId = registered.blob.objectId;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      await this.#end({
        ...this.#existing(),
        state: 'failed',
        error: `registering the blob failed: ${why}`,
      });
      throw new ApiError('UNAVAILABLE', 'REGISTER_FAILED', `registering the blob failed: ${why}`, {
        domain: ENCODED_DOMAIN,
        httpStatus: 502,
      });
    }
    await this.#save({
      ...this.#existing(),
      blobId: blobIdToString(asked.blobId),
      blobObjectId,
    });
    return Response.json(registerAnswer(asked.blobId, blobObjectId, record.deletable, system), {
      headers: { 'cache-control': 'no-store' },
    });
  }

  async #certify(request: Request): Promise<Response> {
    const record = this.#existing();
    if (record.state === 'certified') {
      throw tusError(409, 'ALREADY_CERTIFIED', 'the blob of this session is already certified');
    }
    if (record.state === 'failed' || record.state === 'expired') {
      throw tusError(
        410,
        'SESSION_ENDED',
        `the upload session has ended: ${record.error ?? record.state}`,
      );
    }
    if (
      record.mode !== 'client' ||
      record.blobObjectId === undefined ||
      record.blobId === undefined
    ) {
      throw tusError(409, 'NOT_REGISTERED', 'register the blob first ({encodedEndpoint}/register)');
    }
    if (this.#certifying) {
      throw tusError(
        409,
        'CERTIFY_IN_PROGRESS',
        'another certify request of this session is running',
      );
    }
    this.#certifying = true;
    try {
      const deps = this.#storeDeps();
      const system = await deps.chain.readSystem({ fresh: true });
      const body = await readBodyBounded(
        request,
        certifyBodyBytesMax(system.members.length),
        'CERTIFY_BODY_TOO_LARGE',
      );
      const persistence: BlobPersistence = record.deletable
        ? { kind: 'deletable', objectId: hexToBytes(record.blobObjectId, 32) }
        : { kind: 'permanent' };
      const message = storageConfirmationMessage(
        system.epoch,
        blobIdFromString(record.blobId),
        persistence,
      );
      const verdict = verifyConfirmations(new TextDecoder().decode(body), system.members, message);
      const certificate = certificateOf(verdict, system, record.registeredEpoch, message);
      let certifiedEpoch: number;
      try {
        await deps.chain.certifyBlob(record.blobObjectId, certificate, deps.signer);
        certifiedEpoch =
          (await deps.chain.readBlob(record.blobObjectId)).certifiedEpoch ?? system.epoch;
        await handOver(record.blobObjectId, record, deps);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        await this.#end({
          ...this.#existing(),
          state: 'failed',
          error: `certifying failed: ${why}`,
        });
        throw new ApiError('UNAVAILABLE', 'CERTIFY_FAILED', `certifying the blob failed: ${why}`, {
          domain: ENCODED_DOMAIN,
          httpStatus: 502,
        });
      }
      await this.#end({ ...this.#existing(), state: 'certified', certifiedEpoch });
      return Response.json(statusOf(this.#existing()), {
        headers: { 'cache-control': 'no-store' },
      });
    } finally {
      this.#certifying = false;
    }
  }

  #storeDeps() {
    const config = workerConfig(this.env);
    if (config.publisherSecretKey === undefined) throw new Error('the publisher wallet has no key');
    if (this.env.PUBLISHER_WALLET === undefined) throw new Error('PUBLISHER_WALLET is not bound');
    const reads = new SuiChain({
      url: config.suiRpcUrl,
      packageId: config.packageId,
      systemObjectId: config.systemObjectId,
      timeoutMs: CHAIN_TIMEOUT_MS_SESSION,
    });
    return {
      chain: walletPaidChain(reads, publisherWallet(this.env.PUBLISHER_WALLET)),
      signer: Ed25519Keypair.fromSecretKey(
        decodeSuiPrivateKey(config.publisherSecretKey).secretKey,
      ),
      // A Durable Object has its own 6 connections waiting for headers (docs/spec/edge-platform.md §1.4).
      nodeOptions: { health: sharedNodeHealth, gate: new RequestGate(WORKERS_HEADERS_WAITING_MAX) },
    };
  }
}

function statusEvent(record: SessionRecord): string {
  return `event: status\ndata: ${JSON.stringify(statusOf(record))}\n\n`;
}
