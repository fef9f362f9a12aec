/**
 * RFC 9110 §13.2.2: the conditional request headers of a GET or HEAD, evaluated in the RFC's
 * order, for an immutable representation whose only validator is a strong ETag (`"<blob id>"`).
 * A blob ID names one byte string forever, so there is no Last-Modified, and the date conditions
 * are ignored as §13.1.3 and §13.1.4 require when no modification date is available.
 *
 * When a header is malformed, the decision always falls to the answer that cannot be wrong: a
 * malformed If-Match cannot match (412); a malformed If-None-Match does not match (serve the
 * representation); a malformed If-Range does not hold (ignore Range and send all of it).
 */
import {
  parseEntityTag,
  parseEntityTagList,
  strongMatch,
  weakMatch,
  type EntityTag,
} from './entity-tags.js';

/** What a request carries its headers in; `Headers` is one. */
export interface HeaderSource {
  get(name: string): string | null;
}

export interface Representation {
  /** The strong ETag as sent, quotes included: `"<blob id>"`. */
  readonly etag: string;
  /**
   * Whether a current representation exists. Only then does `*` match, and only then can a tag
   * match. A caller that answers before looking the blob up may pass `true` on the grounds that a
   * tag equal to `"<blob id>"` names the exact bytes the client holds; `*` then claims existence.
   */
  readonly exists: boolean;
}

export type PreconditionDecision =
  /**
   * Serve the representation. `rangeAllowed`: the Range header may be honoured — the method is
   * GET (§14.2: the only method Range is defined for) and If-Range, if present, holds.
   */
  | { readonly kind: 'proceed'; readonly rangeAllowed: boolean }
  /** 304 (If-None-Match matched on GET/HEAD), with the headers a 200 would carry (§15.4.5). */
  | { readonly kind: 'not-modified' }
  /** 412 (If-Match did not match). */
  | { readonly kind: 'precondition-failed' };

function listMatches(
  header: string,
  ours: EntityTag,
  exists: boolean,
  match: (a: EntityTag, b: EntityTag) => boolean,
): boolean | undefined {
  const list = parseEntityTagList(header);
  if (list === undefined) return undefined;
  if (!exists) return false;
  return list === '*' || list.some((tag) => match(tag, ours));
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and If-Range for a GET
 * or HEAD, in §13.2.2's order, and says whether to serve (and whether Range applies), answer 304,
 * or answer 412.
 */
export function evaluatePreconditions(
  method: string,
  headers: HeaderSource,
  representation: Representation,
): PreconditionDecision {
  if (method !== 'GET' && method !== 'HEAD') {
    // For other methods a matching If-None-Match is a 412, not a 304 (§13.1.2).
    throw new TypeError(`evaluatePreconditions handles GET and HEAD, got ${method}`);
  }
  const ours = parseEntityTag(representation.etag);
  if (ours === undefined || ours.weak) {
    throw new TypeError(`etag must be a strong entity-tag, got ${representation.etag}`);
  }
  const { exists } = representation;
  // Step 1: If-Match, strong comparison; false → 412.
  const ifMatch = headers.get('if-match');
  if (ifMatch !== null && listMatches(ifMatch, ours, exists, strongMatch) !== true) {
    return { kind: 'precondition-failed' };
  }
  // Step 2: If-Unmodified-Since — no modification date exists, so it is ignored (§13.1.4).
  // Step 3: If-None-Match, weak comparison; a match on GET/HEAD → 304.
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null && listMatches(ifNoneMatch, ours, exists, weakMatch) === true) {
    return { kind: 'not-modified' };
  }
  // Step 4: If-Modified-Since — ignored when If-None-Match is present, and without a
  // modification date in any case (§13.1.3).
  // Step 5: If-Range, only for a GET; only a strongly matching entity-tag holds: a weak tag never
  // does (§13.1.5), and a date cannot, as there is no Last-Modified to equal it.
  if (method !== 'GET') return { kind: 'proceed', rangeAllowed: false };
  const ifRange = headers.get('if-range');
  if (ifRange === null) return { kind: 'proceed', rangeAllowed: true };
  const tag = parseEntityTag(ifRange);
  return { kind: 'proceed', rangeAllowed: exists && tag !== undefined && strongMatch(tag, ours) };
}
