/**
 * The one error funnel of every HTTP surface (the storage node, the edge Worker, the ledger's REST
 * neighbours): handlers throw, the funnel renders Google AIP-193
 * `{"error":{code,status,message,details:[{"@type":"ErrorInfo",reason,domain}]}}` as Walrus does
 * (docs/spec/api.md §1.5). Anything that is not an ApiError becomes a generic 500 that leaks nothing;
 * the real cause goes to the log under a trace ID, which the response carries in a DebugInfo.
 */
import type { FetchHandler, Middleware } from './middleware.js';

/** Walrus's domain for everything that is not specific to one service. */
export const GLOBAL_ERROR_DOMAIN = 'global';

/** AIP-193 status names and the HTTP status each maps to (Walrus `ApiStatusCode`). */
export const API_STATUS_HTTP = Object.freeze({
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  SIZE_EXCEEDED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RANGE_NOT_SATISFIABLE: 416,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE_FOR_LEGAL_REASONS: 451,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
});
export type ApiStatus = keyof typeof API_STATUS_HTTP;

export interface ApiErrorOptions {
  readonly domain?: string;
  /** Overrides the HTTP status implied by `status` (e.g. 413 for an over-long body). */
  readonly httpStatus?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra response headers (e.g. `Retry-After` on a 503). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/** An error with a machine-readable reason; clients key off `details[0].reason`. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly domain: string;
  readonly httpStatus: number;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly status: ApiStatus,
    readonly reason: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.domain = options.domain ?? GLOBAL_ERROR_DOMAIN;
    this.httpStatus = options.httpStatus ?? API_STATUS_HTTP[status];
    this.metadata = options.metadata;
    this.headers = options.headers;
  }
}

export interface ErrorBody {
  readonly error: {
    readonly code: number;
    readonly status: string;
    readonly message: string;
    readonly details: readonly Record<string, unknown>[];
  };
}

export function errorBody(
  error: ApiError,
  extraDetails: readonly Record<string, unknown>[] = [],
): ErrorBody {
  const info: Record<string, unknown> = {
    '@type': 'ErrorInfo',
    reason: error.reason,
    domain: error.domain,
  };
  if (error.metadata !== undefined) info.metadata = error.metadata;
  return {
    error: {
      code: error.httpStatus,
      status: error.status,
      message: error.message,
      details: [info, ...extraDetails],
    },
  };
}

export function errorResponse(
  error: ApiError,
  extraDetails: readonly Record<string, unknown>[] = [],
): Response {
  return new Response(JSON.stringify(errorBody(error, extraDetails)), {
    status: error.httpStatus,
    // An error is about this moment: never stored by a cache, never sniffed into something else.
    headers: {
      ...error.headers,
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

export interface ErrorFunnelOptions {
  /** Receives every non-API error with its trace ID; must not throw. */
  readonly onInternalError?: (error: unknown, traceId: string, request: Request) => void;
}

/** A fresh trace ID: 16 hex digits from the Web Crypto RNG (in Node, workerd and browsers). */
export function newTraceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Converts anything thrown below it into an AIP-193 response. */
export function errorFunnel(options: ErrorFunnelOptions = {}): Middleware {
  const onInternalError = options.onInternalError ?? (() => {});
  return (next: FetchHandler): FetchHandler =>
    async function errorFunnelHandler(request: Request): Promise<Response> {
      try {
        return await next(request);
      } catch (error) {
        if (error instanceof ApiError) return errorResponse(error);
        const traceId = newTraceId();
        onInternalError(error, traceId, request);
        const internal = new ApiError(
          'INTERNAL',
          'INTERNAL_ERROR',
          'an internal error has occurred, please report it',
        );
        return errorResponse(internal, [
          { '@type': 'DebugInfo', stackEntries: [], detail: `TraceID: ${traceId}` },
        ]);
      }
    };
}
