/**
 * CORS as Walrus's nodes and daemons configure it: any origin, any method, any header (so browsers
 * can talk to nodes directly), and the headers a range-reading client needs exposed. Preflights
 * are answered here without reaching the router.
 */
import type { FetchHandler, Middleware } from './middleware.js';

export interface CorsOptions {
  readonly origin: string;
  readonly allowMethods: readonly string[];
  /** Empty: mirror the preflight's Access-Control-Request-Headers (= any header). */
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

const DEFAULTS = {
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'],
  allowHeaders: [],
  exposeHeaders: ['ETag', 'Content-Range', 'Accept-Ranges', 'Content-Length'],
  maxAgeSeconds: 86_400,
} satisfies CorsOptions;

function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (a Response from fetch()): copy once.
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    return copy;
  }
}

export function cors(options: Partial<CorsOptions> = {}): Middleware {
  const config: CorsOptions = { ...DEFAULTS, ...options };
  const allowMethods = config.allowMethods.join(', ');
  const fixedAllowHeaders = config.allowHeaders.length > 0 ? config.allowHeaders.join(', ') : null;
  const simpleHeaders: Record<string, string> = {
    'access-control-allow-origin': config.origin,
    'access-control-expose-headers': config.exposeHeaders.join(', '),
  };
  if (config.origin !== '*') simpleHeaders.vary = 'Origin';
  const maxAge = String(config.maxAgeSeconds);

  return (next: FetchHandler): FetchHandler =>
    async function corsHandler(request: Request): Promise<Response> {
      if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
        const requested = request.headers.get('access-control-request-headers');
        const headers: Record<string, string> = {
          ...simpleHeaders,
          'access-control-allow-methods': allowMethods,
          'access-control-max-age': maxAge,
        };
        const allowHeaders = fixedAllowHeaders ?? requested ?? '*';
        if (allowHeaders !== '') headers['access-control-allow-headers'] = allowHeaders;
        return new Response(null, { status: 204, headers });
      }
      return withHeaders(await next(request), simpleHeaders);
    };
}
