/**
 * Walrus `BlobStatus` as the node reports it (GET /v1/blobs/{id}/status): derived from the blob's
 * registration in the current epoch. JSON is serde camelCase except the inner deletable counts,
 * which Walrus leaves in snake_case (docs/spec/api.md §1.4).
 */
import { type BlobRegistration, type ChainEventId, liveObjects } from './chain-view.js';

export interface DeletableCounts {
  readonly count_deletable_total: number;
  readonly count_deletable_certified: number;
}

export type BlobStatus =
  | 'nonexistent'
  | { readonly invalid: { readonly event: ChainEventId } }
  | {
      readonly permanent: {
        readonly endEpoch: number;
        readonly isCertified: boolean;
        readonly statusEvent: ChainEventId;
        readonly deletableCounts: DeletableCounts;
        readonly initialCertifiedEpoch: number | null;
      };
    }
  | {
      readonly deletable: {
        readonly initialCertifiedEpoch: number | null;
        readonly deletableCounts: DeletableCounts;
      };
    };

/**
 * The status a registration implies in `epoch`. Of several live permanent objects, a certified
 * one wins, then the latest end epoch: that is the guarantee a reader can rely on.
 */
export function blobStatusOf(registration: BlobRegistration | null, epoch: number): BlobStatus {
  if (registration === null) return 'nonexistent';
  if (registration.invalidEvent !== null) return { invalid: { event: registration.invalidEvent } };
  const live = liveObjects(registration, epoch);
  const permanents = live.filter((object) => !object.deletable);
  const deletables = live.filter((object) => object.deletable);
  const deletableCounts = {
    count_deletable_total: deletables.length,
    count_deletable_certified: deletables.filter((object) => object.certifiedEpoch !== null).length,
  };
  const certifiedEpochs = live.flatMap((object) =>
    object.certifiedEpoch === null ? [] : [object.certifiedEpoch],
  );
  const initialCertifiedEpoch = certifiedEpochs.length === 0 ? null : Math.min(...certifiedEpochs);
  if (permanents.length > 0) {
    const certified = permanents.filter((object) => object.certifiedEpoch !== null);
    const pool = certified.length > 0 ? certified : permanents;
    const latest = pool.reduce((a, b) => (b.endEpoch > a.endEpoch ? b : a));
    return {
      permanent: {
        endEpoch: latest.endEpoch,
        isCertified: certified.length > 0,
        statusEvent: latest.event,
        deletableCounts,
        initialCertifiedEpoch,
      },
    };
  }
  if (deletables.length > 0) return { deletable: { initialCertifiedEpoch, deletableCounts } };
  return 'nonexistent';
}
