/**
 * Cold reads of one image through the SDK, as a quilt patch and as a standalone blob of the same
 * bytes, alternating which goes first: each read with a fresh NodeHealth (no latency or failure
 * known) and no cached metadata, its bytes checked, the traffic with the nodes counted at the
 * fetch. Figures are medians: time patch / blob, and the bytes nodes sent against the patch's
 * columns (slivers alone, and with the metadata, which is n × 64 bytes whatever is read).
 */
import { WalrusEdgeClient } from '../../client/index.js';
import { NodeHealth } from '../../client/node-health.js';
import { bytesEqual } from '../../core/bytes.js';
import type { Chain } from '../../core/chain/types.js';
import { encodingParams } from '../../core/encoding/config.js';
import type { QuiltPatchIdEntry } from '../../core/quilt/quilt-blob.js';
import { type Detail, type Figure, figure } from '../edge/report.js';
import type { CollectionFile } from './collection.js';
import { countingFetch, emptyTraffic, receivedBytes } from './node-traffic.js';

/** Bytes of one sliver-pair hash entry of the metadata (primary and secondary hash). */
const METADATA_ENTRY_BYTES = 64;

interface Read {
  readonly ms: number;
  readonly bytes: number;
  readonly slivers: number;
  readonly requests: number;
}

export interface ColdReadTarget {
  readonly image: CollectionFile;
  readonly patch: QuiltPatchIdEntry;
  readonly quiltBytes: number;
  readonly blobId: string;
  readonly nShards: number;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function coldReads(
  chain: Chain,
  rounds: number,
  target: ColdReadTarget,
): Promise<{ figures: Figure[]; details: Detail[] }> {
  const { image, patch } = target;
  const { nPrimary, nSecondary } = encodingParams(target.nShards);
  const symbolBytes = target.quiltBytes / (nPrimary * nSecondary);
  const columnBytes = (patch.range[1] - patch.range[0]) * nPrimary * symbolBytes;
  const reads: Record<'patch' | 'blob', Read[]> = { patch: [], blob: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['patch', 'blob'] as const) : (['blob', 'patch'] as const);
    for (const kind of order) {
      const traffic = emptyTraffic();
      const reader = new WalrusEdgeClient({
        chain,
        nodeOptions: { fetch: countingFetch(traffic), health: new NodeHealth() },
      });
      // The committee comes from the chain adapter's cache: the read is what is timed.
      await chain.readSystem();
      const at = performance.now();
      const data =
        kind === 'patch'
          ? (await reader.readQuiltPatch(patch.quiltPatchId)).data
          : await reader.read(target.blobId);
      const ms = performance.now() - at;
      if (!bytesEqual(data, image.data)) throw new Error(`the ${kind} read returned other bytes`);
      reads[kind].push({
        ms,
        bytes: receivedBytes(traffic),
        slivers: traffic.received.slivers + traffic.received.recovery,
        requests: traffic.requests,
      });
    }
  }
  const med = (kind: 'patch' | 'blob', key: keyof Read) => median(reads[kind].map((r) => r[key]));
  const figures = [
    figure(
      `cold read of a ${kib(image.data.length)} image: time, patch / blob of the same bytes`,
      { value: med('patch', 'ms'), unit: 'ms' },
      { value: med('blob', 'ms'), unit: 'ms' },
      { op: '<=', ratio: 1.5 },
    ),
    figure(
      'cold read: sliver bytes nodes sent for the patch / its columns',
      { value: med('patch', 'slivers') / 1024, unit: 'KiB' },
      {
        value: columnBytes / 1024,
        unit: 'KiB',
        what: `columns [${patch.range[0]}, ${patch.range[1]})`,
      },
      { op: '<=', ratio: 2 },
    ),
    figure(
      'cold read: all bytes nodes sent for the patch (metadata too) / its columns',
      { value: med('patch', 'bytes') / 1024, unit: 'KiB' },
      { value: columnBytes / 1024, unit: 'KiB' },
      { op: '<=', ratio: 2 },
    ),
    figure(
      'cold read: all bytes nodes sent, patch / blob',
      { value: med('patch', 'bytes') / 1024, unit: 'KiB' },
      { value: med('blob', 'bytes') / 1024, unit: 'KiB' },
      { op: '<=', ratio: 2 },
    ),
  ];
  const details: Detail[] = [
    {
      name: 'cold reads',
      value: `${rounds} of each, alternating, medians; fresh NodeHealth each; metadata fetched each time`,
    },
    { name: 'patch reads (ms)', value: reads.patch.map((r) => r.ms.toFixed(0)).join(', ') },
    { name: 'blob reads (ms)', value: reads.blob.map((r) => r.ms.toFixed(0)).join(', ') },
    {
      name: 'requests to nodes per read (median)',
      value: `patch ${med('patch', 'requests')}, blob ${med('blob', 'requests')}`,
    },
    {
      name: 'quilt geometry',
      value:
        `S = ${symbolBytes} B, column = ${kib(nPrimary * symbolBytes)}, ` +
        `metadata = ${kib(target.nShards * METADATA_ENTRY_BYTES)}`,
    },
  ];
  return { figures, details };
}
