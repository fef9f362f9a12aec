/**
 * The ledger's HTTP surface as a `fetch(Request) → Response` handler: JSON-RPC on `POST /`,
 * the faucet on `POST /v2/gas` (the shape `requestSuiFromFaucetV2` sends and expects), and a
 * health check. Bodies are bounded while they stream in; every failure is an answer.
 */
import { BodyTooLargeError, readBodyBounded } from '../../core/http/body.js';
import { isValidSuiAddress, normalizeSuiAddress } from '@mysten/sui/utils';
import { FAUCET_BODY_BYTES_MAX, RPC_BATCH_REQUESTS_MAX, RPC_BODY_BYTES_MAX } from './limits.js';
import type { Ledger } from './ledger.js';
import {
  RequestError,
  RPC_INTERNAL_ERROR,
  RPC_INVALID_PARAMS,
  RPC_INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND,
  RPC_OVERSIZED_REQUEST,
  RPC_PARSE_ERROR,
} from './request-errors.js';
import { rpcMethods } from './rpc.js';

export const FAUCET_PATH = '/v2/gas';
export const HEALTH_PATH = '/health';

type Id = string | number | null;

export interface LedgerApp {
  fetch(request: Request): Promise<Response>;
}

/** Reads at most `bytesMax` bytes (core/http/body.ts). */
function readBody(request: Request, bytesMax: number): Promise<Uint8Array> {
  return readBodyBounded(request, bytesMax);
}

function json(value: unknown, status = 200): Response {
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  return new Response(text, { status, headers: { 'content-type': 'application/json' } });
}

function rpcError(id: Id, code: number, message: string): unknown {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

export function createLedgerApp(
  ledger: Ledger,
  log: (message: string) => void = () => {},
): LedgerApp {
  const methods = rpcMethods(ledger);

  async function call(request: unknown): Promise<unknown> {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return rpcError(null, RPC_INVALID_REQUEST, 'Invalid request');
    }
    const { jsonrpc, id, method, params } = request as Record<string, unknown>;
    const replyId: Id = typeof id === 'string' || typeof id === 'number' ? id : null;
    if (jsonrpc !== '2.0' || typeof method !== 'string')
      return rpcError(replyId, RPC_INVALID_REQUEST, 'Invalid request');
    const handler = methods.get(method);
    if (handler === undefined)
      return rpcError(replyId, RPC_METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 100)}`);
    if (params !== undefined && !Array.isArray(params)) {
      return rpcError(
        replyId,
        RPC_INVALID_PARAMS,
        'Invalid params: only positional (array) params are supported',
      );
    }
    try {
      return { jsonrpc: '2.0', id: replyId, result: await handler(params ?? []) };
    } catch (error) {
      if (error instanceof RequestError) return rpcError(replyId, error.code, error.message);
      log(`internal error in ${method}: ${(error as Error).stack ?? error}`);
      return rpcError(replyId, RPC_INTERNAL_ERROR, 'Internal error');
    }
  }

  async function rpc(request: Request): Promise<Response> {
    let body: Uint8Array;
    try {
      body = await readBody(request, RPC_BODY_BYTES_MAX);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return json(
        rpcError(null, RPC_OVERSIZED_REQUEST, `Request body exceeds ${RPC_BODY_BYTES_MAX} bytes`),
        413,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return json(rpcError(null, RPC_PARSE_ERROR, 'Parse error'));
    }
    if (!Array.isArray(parsed)) return json(await call(parsed));
    if (parsed.length === 0 || parsed.length > RPC_BATCH_REQUESTS_MAX) {
      return json(
        rpcError(
          null,
          RPC_INVALID_REQUEST,
          `A batch holds 1 to ${RPC_BATCH_REQUESTS_MAX} requests`,
        ),
      );
    }
    const replies: unknown[] = [];
    // Sequential on purpose: transactions in a batch commit in the order they were sent.
    for (const item of parsed) replies.push(await call(item));
    return json(replies);
  }

  function faucetFailure(message: string, status: number): Response {
    return json({ status: { Failure: { internal: message } }, coins_sent: null }, status);
  }

  async function faucet(request: Request): Promise<Response> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(await readBody(request, FAUCET_BODY_BYTES_MAX)));
    } catch (error) {
      if (error instanceof BodyTooLargeError) return faucetFailure('request body too large', 413);
      return faucetFailure('request body is not JSON', 400);
    }
    const recipient = (parsed as { FixedAmountRequest?: { recipient?: unknown } } | null)
      ?.FixedAmountRequest?.recipient;
    if (typeof recipient !== 'string' || !isValidSuiAddress(normalizeSuiAddress(recipient))) {
      return faucetFailure('expected {"FixedAmountRequest":{"recipient":"0x…"}}', 400);
    }
    const sent = ledger.faucet(normalizeSuiAddress(recipient));
    return json(
      {
        status: 'Success',
        coins_sent: [
          { amount: Number(sent.amount), id: sent.coinId, transferTxDigest: sent.digest },
        ],
      },
      201,
    );
  }

  return {
    async fetch(request: Request): Promise<Response> {
      const path = new URL(request.url).pathname;
      try {
        if (request.method === 'GET' && path === HEALTH_PATH) return json({ status: 'ok' });
        if (request.method !== 'POST') return new Response('use POST', { status: 405 });
        if (path === FAUCET_PATH) return await faucet(request);
        return await rpc(request);
      } catch (error) {
        log(`unhandled error on ${request.method} ${path}: ${(error as Error).stack ?? error}`);
        return json(rpcError(null, RPC_INTERNAL_ERROR, 'Internal error'), 500);
      }
    },
  };
}
