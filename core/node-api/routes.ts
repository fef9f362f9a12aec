/**
 * Route paths of the storage-node REST API, spelled once, as Walrus spells them (walrus-service
 * `node/server/routes.rs`), plus our batch-read extension: the node's router and every client (the
 * SDK, the Worker, the node's own recovery) build their paths from these. `ittyPath` converts
 * `{name}` segments to itty-router's `:name` once, at router construction.
 */
export const METADATA_ENDPOINT = '/v1/blobs/{blob_id}/metadata';
export const METADATA_STATUS_ENDPOINT = '/v1/blobs/{blob_id}/metadata/status';
export const SLIVER_ENDPOINT = '/v1/blobs/{blob_id}/slivers/{sliver_pair_index}/{sliver_type}';
export const SLIVER_STATUS_ENDPOINT =
  '/v1/blobs/{blob_id}/slivers/{sliver_pair_index}/{sliver_type}/status';
export const PERMANENT_BLOB_CONFIRMATION_ENDPOINT = '/v1/blobs/{blob_id}/confirmation/permanent';
export const DELETABLE_BLOB_CONFIRMATION_ENDPOINT =
  '/v1/blobs/{blob_id}/confirmation/deletable/{object_id}';
export const RECOVERY_SYMBOL_LIST_ENDPOINT = '/v1/blobs/{blob_id}/recoverySymbols';
export const INCONSISTENCY_PROOF_ENDPOINT = '/v1/blobs/{blob_id}/inconsistencyProof/{sliver_type}';
export const BLOB_STATUS_ENDPOINT = '/v1/blobs/{blob_id}/status';
export const HEALTH_ENDPOINT = '/v1/health';
/** walrus-edge extension: many slivers of one blob and axis in one response (README). */
export const SLIVER_BATCH_ENDPOINT = '/v1/blobs/{blob_id}/slivers';

/** `/v1/blobs/{blob_id}/metadata` → `/v1/blobs/:blob_id/metadata`. */
export function ittyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** Fills a route template, e.g. for clients and tests. */
export function routePath(path: string, params: Readonly<Record<string, string | number>>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new RangeError(`missing route parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
