/**
 * One error funnel for the Worker: Walrus's error shape (spec: api.md §1.5),
 * `{"error":{code,status,message,details:[{"@type":"ErrorInfo",reason,domain}]}}`.
 */
export const ERROR_DOMAIN = 'edge.walrus-edge';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'OUT_OF_RANGE',
  416: 'OUT_OF_RANGE',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function errorResponse(code: number, reason: string, message: string): Response {
  return Response.json(
    {
      error: {
        code,
        status: STATUS_NAMES[code] ?? 'UNKNOWN',
        message,
        details: [{ '@type': 'ErrorInfo', reason, domain: ERROR_DOMAIN }],
      },
    },
    { status: code, headers: { 'x-content-type-options': 'nosniff' } },
  );
}

/** Unknown errors: logged, answered with a generic 500 that leaks nothing internal. */
export function internalError(error: unknown): Response {
  console.error('walrus-edge worker: internal error', error);
  return errorResponse(500, 'INTERNAL', 'internal error');
}
