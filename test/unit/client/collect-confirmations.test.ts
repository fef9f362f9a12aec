/**
 * collectConfirmations: confirmations count toward the quorum only once their signatures verify
 * over the message, checked together when they would complete one; a forged one is named and left
 * out, and collecting waits for the members still storing. Real BLS keys and signatures; each
 * member's store is a promise the test settles, in the order a network might.
 */
import { describe, expect, it } from 'vitest';
import {
  blsAggregateSignatures,
  blsPublicKey,
  blsSign,
  signersBitmap,
  verifyCertificate,
} from '../../../core/bls.js';
import { storageConfirmationMessage } from '../../../core/messages.js';
import {
  type Confirmation,
  type StoreCommittee,
  collectConfirmations,
} from '../../../client/store.js';
import { deferred } from '../../../client/deferred.js';
import { randomBytes } from '../../helpers/random.js';

const N_SHARDS = 10;
// Weights 3, 3, 2, 2 of 10 shards: a quorum (3w ≥ 21) needs 7.
const WEIGHTS = [3, 3, 2, 2];

const keys = WEIGHTS.map((_, i) => {
  const key = randomBytes(32, 40 + i);
  key[0] &= 0x3f; // below the group order
  return key;
});
const committee: StoreCommittee = {
  nShards: N_SHARDS,
  members: WEIGHTS.map((weight, i) => ({
    name: `node-${i}`,
    networkAddress: `http://127.0.0.1:${9000 + i}`,
    blsPublicKey: blsPublicKey(keys[i]),
    weight,
    shards: [],
  })),
};
const message = storageConfirmationMessage(2, randomBytes(32, 7), { kind: 'permanent' });
const otherMessage = storageConfirmationMessage(3, randomBytes(32, 7), { kind: 'permanent' });

function members() {
  const pending = WEIGHTS.map(() => deferred<Confirmation>());
  const collecting = collectConfirmations(committee, message, (i) => pending[i].promise);
  return { pending, collecting };
}
const honest = (i: number): Confirmation => ({
  memberIndex: i,
  signature: blsSign(keys[i], message),
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('collectConfirmations', () => {
  it('resolves at the first quorum of good signatures, without waiting for the rest', async () => {
    const { pending, collecting } = members();
    pending[0].resolve(honest(0));
    pending[2].resolve(honest(2));
    await tick();
    pending[1].resolve(honest(1)); // 3 + 2 + 3 = 8 ≥ 7
    const { confirmations, failures } = await collecting;
    expect(confirmations.map((c) => c.memberIndex).sort()).toEqual([0, 1, 2]);
    expect(failures).toEqual([]);
    const signers = confirmations.map((c) => c.memberIndex);
    const certified = verifyCertificate(
      committee.members.map((m) => ({ publicKey: m.blsPublicKey, weight: m.weight })),
      N_SHARDS,
      blsAggregateSignatures(confirmations.map((c) => c.signature)),
      signersBitmap(signers, WEIGHTS.length),
      message,
    );
    expect(certified).toBe(true);
  });

  it('leaves out a forged confirmation that would complete the quorum, and waits for another', async () => {
    const { pending, collecting } = members();
    let done = false;
    void collecting.then(() => (done = true));
    pending[0].resolve(honest(0));
    pending[2].resolve({ memberIndex: 2, signature: blsSign(keys[1], message) }); // another key
    await tick();
    pending[1].resolve(honest(1)); // 8 by weight, but only 6 of it verifies
    await tick();
    expect(done).toBe(false);
    pending[3].resolve(honest(3)); // 6 + 2 = 8
    const { confirmations, failures } = await collecting;
    expect(confirmations.map((c) => c.memberIndex).sort()).toEqual([0, 1, 3]);
    expect(failures).toEqual([
      'node node-2 sent a confirmation that does not verify under its key',
    ]);
  });

  it('settles with what verified once every member has answered', async () => {
    const { pending, collecting } = members();
    pending[0].resolve(honest(0));
    pending[1].reject(new Error('node-1 is down'));
    pending[2].resolve({ memberIndex: 2, signature: new Uint8Array(96) });
    await tick();
    pending[3].resolve({ memberIndex: 3, signature: blsSign(keys[3], otherMessage) });
    const { confirmations, failures } = await collecting;
    expect(confirmations.map((c) => c.memberIndex)).toEqual([0]);
    expect(failures).toEqual([
      'node-1 is down',
      'node node-2 sent a confirmation that does not verify under its key',
      'node node-3 sent a confirmation that does not verify under its key',
    ]);
  });
});
