/**
 * How a read can fail, in Walrus's terms (docs/spec/api.md §3.1 "Read errors"): the blob does not
 * exist (404), it cannot be read now (503, retry with backoff), or it can never be read because
 * its writer encoded it inconsistently (the network invalidates such blobs).
 */

/** A quorum of shards' nodes say the blob is not stored (Walrus: BLOB_NOT_FOUND, 404). */
export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
}

/** Not enough nodes answered with valid data; retry later (Walrus: BLOB_UNAVAILABLE, 503). */
export class BlobUnavailableError extends Error {
  override name = 'BlobUnavailableError';
}

/**
 * Verified symbols decode to a sliver that contradicts the metadata: the blob's encoding is
 * inconsistent, and no correct reader will ever return bytes for it.
 */
export class BlobInconsistentError extends Error {
  override name = 'BlobInconsistentError';
}

/** No patch of the quilt has the identifier asked for (Walrus: QUILT_PATCH_NOT_FOUND, 404). */
export class QuiltPatchNotFoundError extends Error {
  override name = 'QuiltPatchNotFoundError';
  constructor(
    readonly quiltId: string,
    readonly identifier: string,
  ) {
    super(`quilt ${quiltId} has no patch with identifier ${JSON.stringify(identifier)}`);
  }
}
