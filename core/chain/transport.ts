/**
 * JSON-RPC over a caller-supplied `fetch`, with a timeout on every request and a bound on the
 * response size. It implements `@mysten/sui`'s `JsonRpcTransport`, so `SuiJsonRpcClient` runs on
 * it unchanged, in Node and in workerd alike (no Node built-ins: only fetch, AbortController and
 * timers).
 */
import { BodyTooLargeError, readBodyBounded } from '../http/body.js';
import type { JsonRpcTransport, JsonRpcTransportRequestOptions } from '@mysten/sui/jsonRpc';
import { checkInteger } from '../assert.js';
import { ChainNetworkError, ChainRpcError } from './errors.js';

/** A fullnode answers reads in well under a second; execution waits for finality (a few s). */
export const REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
export const REQUEST_TIMEOUT_MS_MAX = 10 * 60_000;
/**
 * The largest JSON-RPC response we read. Our largest replies are 50-object pages of System-sized
 * objects (a System with a 1000-slot accounting ring and a full committee is a few hundred KiB
 * of base64); anything far beyond that is a broken or hostile server.
 */
export const RESPONSE_BYTES_MAX = 32 * 1024 * 1024;

/** Attempts of a read whose connection broke (see `request`). */
export const READ_ATTEMPTS_ON_CONNECTION_LOSS = 3;
const RESEND_DELAY_MS = 100;
/** Methods that change the chain: never resent. */
const EXECUTING_METHODS = new Set(['sui_executeTransactionBlock']);
/** Errors of requests that got no answer at all, without timing out. */
const CONNECTION_LOST = new WeakSet<Error>();

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  readonly url: string;
  readonly fetch?: FetchFunction;
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

async function readBounded(response: Response, method: string): Promise<string> {
  try {
    return new TextDecoder().decode(await readBodyBounded(response, RESPONSE_BYTES_MAX));
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new ChainNetworkError(`${method}: response ${error.message}`, method, false);
    throw error;
  }
}

interface RpcReply {
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown } | null;
}

export class TimedJsonRpcTransport implements JsonRpcTransport {
  readonly #url: string;
  readonly #fetch: FetchFunction;
  readonly #timeoutMs: number;
  readonly #headers: Readonly<Record<string, string>>;
  #requestId = 0;

  constructor(options: TransportOptions) {
    this.#url = options.url;
    // workerd refuses `fetch` called with a foreign `this`, so the global is bound here.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = checkInteger(
      'timeoutMs',
      options.timeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT,
      1,
      REQUEST_TIMEOUT_MS_MAX,
    );
    this.#headers = options.headers ?? {};
  }

  /**
   * A read whose connection broke before any answer (not a timeout) is sent again, up to
   * READ_ATTEMPTS_ON_CONNECTION_LOSS times in all: a pooled keep-alive connection that the server
   * closed just as it was reused fails that way (seen under load from workerd to a Node ledger).
   * Executions are never resent: whether the first one reached the chain is unknown.
   */
  async request<T>(input: JsonRpcTransportRequestOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#requestOnce<T>(input);
      } catch (error) {
        const resend =
          error instanceof ChainNetworkError &&
          CONNECTION_LOST.has(error) &&
          !EXECUTING_METHODS.has(input.method) &&
          input.signal?.aborted !== true &&
          attempt < READ_ATTEMPTS_ON_CONNECTION_LOSS;
        if (!resend) throw error;
        await new Promise((resolve) => setTimeout(resolve, RESEND_DELAY_MS * attempt));
      }
    }
  }

  async #requestOnce<T>(input: JsonRpcTransportRequestOptions): Promise<T> {
    const { method, params, signal } = input;
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    let text: string;
    try {
      const response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.#headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.#requestId, method, params }),
        signal: controller.signal,
      });
      text = await readBounded(response, method);
      if (!response.ok && !text.startsWith('{')) {
        throw new ChainRpcError(`${method}: HTTP ${response.status}`, method, response.status);
      }
    } catch (error) {
      if (error instanceof ChainRpcError || error instanceof ChainNetworkError) throw error;
      if (signal?.aborted === true) throw signal.reason;
      const message = timedOut
        ? `${method}: no answer from ${this.#url} within ${this.#timeoutMs} ms`
        : `${method}: request to ${this.#url} failed: ${(error as Error).message}`;
      const failure = new ChainNetworkError(message, method, timedOut, { cause: error });
      if (!timedOut) CONNECTION_LOST.add(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
    let reply: RpcReply;
    try {
      reply = JSON.parse(text) as RpcReply;
    } catch (error) {
      throw new ChainNetworkError(`${method}: the answer is not JSON`, method, false, {
        cause: error,
      });
    }
    if (reply.error !== undefined && reply.error !== null) {
      const code = typeof reply.error.code === 'number' ? reply.error.code : 0;
      throw new ChainRpcError(`${method}: ${String(reply.error.message)}`, method, code);
    }
    return reply.result as T;
  }
}
