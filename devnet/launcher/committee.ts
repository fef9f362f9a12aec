/**
 * The devnet's committee: every node gets an even share of the shards, selected by the admin at
 * the first epoch and re-selected after every epoch change (nothing on chain selects committees
 * automatically: the slim package leaves that to the admin), so epochs keep advancing on the
 * ledger's timer.
 */
import type { ObjectRef } from '../../core/chain/types.js';
import type { SuiChain } from '../../core/chain/sui-chain.js';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';

/** n shards over k nodes: the first n mod k nodes get one more. */
export function evenShardCounts(nShards: number, nodes: number): number[] {
  return Array.from(
    { length: nodes },
    (_, i) => Math.floor(nShards / nodes) + (i < nShards % nodes ? 1 : 0),
  );
}

export async function findOwnedObject(
  chain: SuiChain,
  owner: string,
  type: string,
): Promise<ObjectRef | undefined> {
  const page = await chain.client.getOwnedObjects({ owner, filter: { StructType: type } });
  const data = page.data[0]?.data;
  return data ? { objectId: data.objectId, version: data.version, digest: data.digest } : undefined;
}

export class CommitteeKeeper {
  private stopped = false;

  constructor(
    private readonly chain: SuiChain,
    private readonly admin: Ed25519Keypair,
    private readonly log: (line: string) => void,
  ) {}

  private async adminCap(): Promise<ObjectRef> {
    const cap = await findOwnedObject(
      this.chain,
      this.admin.toSuiAddress(),
      this.chain.type('system', 'AdminCap'),
    );
    if (cap === undefined)
      throw new Error(
        'the devnet admin holds no AdminCap: was the ledger started with another admin?',
      );
    return cap;
  }

  /** Selects `nodeIds` with an even shard split as the next committee, unless already selected. */
  async selectIfIdle(nodeIds: readonly string[]): Promise<void> {
    const system = await this.chain.readSystem({ fresh: true });
    if (system.epochState.kind !== 'done') return;
    const counts = evenShardCounts(system.nShards, nodeIds.length);
    await this.chain.setNextCommittee(
      await this.adminCap(),
      nodeIds.map((nodeId, i) => ({ nodeId, shardCount: counts[i] })),
      this.admin,
    );
    this.log(`selected the committee for epoch ${system.epoch + 1}`);
  }

  /** Re-selects the committee whenever an epoch change completes, until `stop`. */
  async keep(nodeIds: readonly string[], pollMs: number): Promise<void> {
    while (!this.stopped) {
      try {
        await this.selectIfIdle(nodeIds);
      } catch (error) {
        this.log(`committee selection failed, will retry: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
