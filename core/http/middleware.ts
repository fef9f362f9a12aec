/**
 * The handler shape shared by every HTTP surface (Hono's): a `fetch(request) → Response` function,
 * and middleware as functions from the next handler to a wrapping handler. Middleware factories do
 * their configuration work once, at construction, never per request.
 */
export type FetchHandler = (request: Request) => Promise<Response>;
export type Middleware = (next: FetchHandler) => FetchHandler;

/** Wraps `handler` in `middleware`; the first one listed is the outermost. */
export function compose(middleware: readonly Middleware[], handler: FetchHandler): FetchHandler {
  let composed = handler;
  for (let i = middleware.length - 1; i >= 0; i--) composed = middleware[i](composed);
  return composed;
}
