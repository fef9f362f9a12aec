/**
 * walrus_edge on the ledger, part 2: storage nodes (proof of possession), committee selection and
 * the epoch change (EpochParametersSelected, EpochChangeStart, ShardsReceived, EpochChangeDone),
 * the blob lifecycle with real BLS certificates (register, certify, attributes, extend, delete),
 * invalidation with f+1 weight, fee payout to the committee and staged key rotation — with the
 * aborts move/README.md lists for each step. Driven by the stock SDK over JSON-RPC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcs } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { fromBase64 } from '@mysten/sui/utils';
import type { Transaction } from '@mysten/sui/transactions';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { blobIdToU256, deriveBlobId } from '../../../core/blob-id.js';
import { blsAggregatePublicKeys, blsPublicKey, blsRandomSecretKey } from '../../../core/bls.js';
import { encodedBlobLength } from '../../../core/encoding/config.js';
import { invalidBlobIdMessage, storageConfirmationMessage } from '../../../core/messages.js';
import {
  abortPattern,
  certificate,
  createdIds,
  Decode,
  eventsOf,
  fund,
  metadataFieldId,
  newTestNode,
  objectBcs,
  PKG,
  proofOfPossession,
  readNodeInfo,
  readSystemBcs,
  run,
  startHarness,
  statusOf,
  type Harness,
  type TestNode,
} from '../../../devnet/package/testing.js';

const N_SHARDS = 10;
const EPOCH_MS = 60_000;
const MAX_EPOCHS_AHEAD = 5;
const STORAGE_PRICE = 1_000n;
const WRITE_PRICE = 2_000n;
const BLOB_SIZE = 1000;
const ENCODED = BigInt(encodedBlobLength(BLOB_SIZE, N_SHARDS));

function uncompressed(publicKey: Uint8Array): number[] {
  return Array.from(bls12_381.G1.Point.fromBytes(publicKey).toBytes(false));
}

function randomRoot(): Uint8Array {
  const root = new Uint8Array(32);
  crypto.getRandomValues(root);
  return root;
}

interface BlobInput {
  readonly root: bigint;
  readonly idBytes: Uint8Array;
  readonly id: bigint;
  readonly size: number;
}

function blobInput(size = BLOB_SIZE): BlobInput {
  const root = randomRoot();
  const idBytes = deriveBlobId(root, size);
  return { root: blobIdToU256(root), idBytes, id: blobIdToU256(idBytes), size };
}

function hexBytes(id: string): Uint8Array {
  return Uint8Array.from(Buffer.from(id.slice(2), 'hex'));
}

describe('walrus_edge package: nodes, epochs and the blob lifecycle', () => {
  let h: Harness;
  const user = new Ed25519Keypair();
  const nodes = ['alpha', 'beta', 'gamma', 'delta'].map(newTestNode);
  const outsider = newTestNode('epsilon');
  /** Committee members in node-id order, as the chain orders them. */
  let members: TestNode[] = [];
  let tableId = '';

  beforeAll(async () => {
    h = await startHarness({
      system: {
        nShards: N_SHARDS,
        epochDurationMs: EPOCH_MS,
        maxEpochsAhead: MAX_EPOCHS_AHEAD,
        totalCapacity: 1n << 30n,
        storagePrice: STORAGE_PRICE,
        writePrice: WRITE_PRICE,
      },
    });
    await fund(h.server.url, user, 2);
    for (const node of [...nodes, outsider]) await fund(h.server.url, node.operator);
    tableId = (await readSystemBcs(h.client, h.systemId)).nodes.id.id;
  });

  afterAll(async () => {
    await h?.close();
  });

  const system = (tx: Transaction) => tx.object(h.systemId);
  const memberIds = () => members.map((node) => node.nodeId);

  function registerNode(
    node: TestNode,
    options: { pop?: Uint8Array; blsKey?: Uint8Array; networkKey?: Uint8Array; name?: string } = {},
    signer = node.operator,
  ) {
    return run(h.client, signer, (tx) => {
      const [cap] = tx.moveCall({
        target: `${PKG}::system::register_node`,
        arguments: [
          system(tx),
          tx.pure.string(options.name ?? node.name),
          tx.pure.string(`${node.name}.walrus.test:9185`),
          tx.pure.vector('u8', options.blsKey ?? node.blsPublic),
          tx.pure.vector('u8', options.networkKey ?? node.networkPublicKey),
          tx.pure.vector('u8', options.pop ?? proofOfPossession(node, 0)),
        ],
      });
      tx.transferObjects([cap], signer.toSuiAddress());
    });
  }

  function selectCommittee(ids: string[], counts: number[], signer = h.admin) {
    return run(h.client, signer, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::set_next_committee`,
        arguments: [
          system(tx),
          tx.object(adminCapId),
          tx.pure.vector('address', ids),
          tx.pure.vector('u16', counts),
        ],
      });
    });
  }

  function advanceEpoch(signer: Ed25519Keypair = user) {
    return run(h.client, signer, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::advance_epoch`,
        arguments: [system(tx), tx.object.clock()],
      });
    });
  }

  function syncDone(node: TestNode, epoch: number) {
    return run(h.client, node.operator, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::epoch_sync_done`,
        arguments: [system(tx), tx.object(node.nodeId), tx.pure.u32(epoch), tx.object.clock()],
      });
    });
  }

  /** reserve_space for `epochs`, kept by the user. */
  async function reserve(amount: bigint, epochs: number): Promise<string> {
    const result = await run(h.client, user, (tx) => {
      const [storage] = tx.moveCall({
        target: `${PKG}::system::reserve_space`,
        arguments: [system(tx), tx.pure.u64(amount), tx.pure.u32(epochs), tx.gas],
      });
      tx.transferObjects([storage], user.toSuiAddress());
    });
    expect(statusOf(result)).toBe('success');
    return createdIds(result, 'storage_resource::Storage')[0];
  }

  function register(
    storageId: string,
    blob: BlobInput,
    options: { deletable?: boolean; blobId?: bigint; encodingType?: number; pay?: bigint } = {},
  ) {
    return run(h.client, user, (tx) => {
      const coin = options.pay === undefined ? tx.gas : tx.splitCoins(tx.gas, [options.pay])[0];
      const [created] = tx.moveCall({
        target: `${PKG}::system::register_blob`,
        arguments: [
          system(tx),
          tx.object(storageId),
          tx.pure.u256(options.blobId ?? blob.id),
          tx.pure.u256(blob.root),
          tx.pure.u64(blob.size),
          tx.pure.u8(options.encodingType ?? 1),
          tx.pure.bool(options.deletable ?? false),
          coin,
        ],
      });
      tx.transferObjects(
        options.pay === undefined ? [created] : [created, coin],
        user.toSuiAddress(),
      );
    });
  }

  async function registerFresh(blob: BlobInput, deletable = false, epochs = 3): Promise<string> {
    const storageId = await reserve(ENCODED, epochs);
    const result = await register(storageId, blob, { deletable });
    expect(statusOf(result)).toBe('success');
    return createdIds(result, 'blob::Blob')[0];
  }

  function certify(
    blobObjectId: string,
    cert: { signature: Uint8Array; bitmap: Uint8Array },
    message: Uint8Array,
  ) {
    return run(h.client, user, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::certify_blob`,
        arguments: [
          system(tx),
          tx.object(blobObjectId),
          tx.pure.vector('u8', cert.signature),
          tx.pure.vector('u8', cert.bitmap),
          tx.pure.vector('u8', message),
        ],
      });
    });
  }

  function permanentMessage(epoch: number, blob: BlobInput): Uint8Array {
    return storageConfirmationMessage(epoch, blob.idBytes, { kind: 'permanent' });
  }

  async function readBlob(id: string) {
    return Decode.Blob.parse(await objectBcs(h.client, id));
  }

  let adminCapId = '';

  it('registers nodes whose proof of possession verifies', async () => {
    const caps = await h.client.getOwnedObjects({
      owner: h.admin.toSuiAddress(),
      filter: { StructType: `${PKG}::system::AdminCap` },
    });
    adminCapId = caps.data[0].data!.objectId;

    for (const node of [...nodes, outsider]) {
      const result = await registerNode(node);
      expect(statusOf(result)).toBe('success');
      expect(result.events).toEqual([]);
      const [capId] = createdIds(result, 'nodes::NodeCap');
      node.nodeId = capId;
      expect(Decode.NodeCap.parse(await objectBcs(h.client, capId))).toEqual({
        id: { id: capId },
        node_id: capId,
        last_epoch_sync_done: 0,
      });
      const field = await readNodeInfo(h.client, tableId, capId);
      expect(field.name).toBe(capId);
      expect(field.value).toEqual({
        node_id: capId,
        name: node.name,
        network_address: `${node.name}.walrus.test:9185`,
        bls_key: { bytes: uncompressed(node.blsPublic) },
        next_bls_key: null,
        network_public_key: Array.from(node.networkPublicKey),
        rewards: '0',
      });
    }
    expect((await readSystemBcs(h.client, h.systemId)).nodes.size).toBe('5');
    const nodeCaps = await h.client.multiGetObjects({
      ids: [...nodes, outsider].map((node) => node.nodeId),
      options: { showBcs: true, showOwner: true },
    });
    nodeCaps.forEach((cap, i) => {
      const node = [...nodes, outsider][i];
      expect(cap.data!.owner).toEqual({ AddressOwner: node.operator.toSuiAddress() });
      const bytes = (cap.data!.bcs as { bcsBytes: string }).bcsBytes;
      expect(Decode.NodeCap.parse(fromBase64(bytes)).node_id).toBe(node.nodeId);
    });
    members = [...nodes].sort((a, b) => (BigInt(a.nodeId) < BigInt(b.nodeId) ? -1 : 1));
  });

  it('refuses an invalid proof of possession and malformed keys', async () => {
    const node = newTestNode('mallory');
    await fund(h.server.url, node.operator);
    const other = newTestNode('other');
    const invalid = abortPattern('nodes', 3, 'verified_key');
    // Signed with another secret key.
    expect(
      statusOf(
        await registerNode(node, {
          pop: proofOfPossession({ ...node, blsSecret: other.blsSecret }, 0),
        }),
      ),
    ).toMatch(invalid);
    // Signed for another sender (replayed by a different address).
    expect(
      statusOf(await registerNode(node, { pop: proofOfPossession(node, 0, user.toSuiAddress()) })),
    ).toMatch(invalid);
    // Signed for another epoch.
    expect(statusOf(await registerNode(node, { pop: proofOfPossession(node, 1) }))).toMatch(
      invalid,
    );
    // Not a signature at all.
    expect(statusOf(await registerNode(node, { pop: new Uint8Array(96) }))).toMatch(invalid);
    expect(statusOf(await registerNode(node, { blsKey: node.blsPublic.subarray(0, 47) }))).toMatch(
      abortPattern('messages', 4, 'new_proof_of_possession_msg'),
    );
    expect(statusOf(await registerNode(node, { networkKey: new Uint8Array(32) }))).toMatch(
      abortPattern('nodes', 2, 'new'),
    );
    expect(statusOf(await registerNode(node, { name: 'x'.repeat(101) }))).toMatch(
      abortPattern('nodes', 0, 'new'),
    );
  });

  it('selects the first committee, advances to epoch 1 and completes the epoch change', async () => {
    expect(statusOf(await advanceEpoch())).toMatch(abortPattern('system', 6, 'advance_epoch'));
    const counts = [3, 3, 2, 2];
    // Passed in reverse node-id order: the chain sorts them.
    const ids = [...memberIds()].reverse();
    const reversedCounts = [...counts].reverse();

    expect(
      statusOf(await selectCommittee([...ids.slice(0, 3), h.admin.toSuiAddress()], reversedCounts)),
    ).toMatch(abortPattern('system', 8, 'set_next_committee'));
    expect(statusOf(await selectCommittee(ids, [3, 3, 2, 1]))).toMatch(
      abortPattern('committee', 0, 'initialize'),
    );
    expect(statusOf(await selectCommittee(ids, [3, 3, 4]))).toMatch(
      abortPattern('committee', 0, 'sorted_assignment'),
    );
    expect(statusOf(await selectCommittee([ids[0], ids[0]], [5, 5]))).toMatch(
      abortPattern('committee', 0, 'sorted_assignment'),
    );

    const selected = await selectCommittee(ids, reversedCounts);
    expect(statusOf(selected)).toBe('success');
    expect(selected.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [`${PKG}::events::EpochParametersSelected`, { next_epoch: 1 }],
    ]);
    let state = await readSystemBcs(h.client, h.systemId);
    expect(state.epoch_state.NextSelected).toBe('0');
    expect(state.next_shards!.pos0.contents).toEqual([
      { key: members[0].nodeId, value: [0, 1, 2] },
      { key: members[1].nodeId, value: [3, 4, 5] },
      { key: members[2].nodeId, value: [6, 7] },
      { key: members[3].nodeId, value: [8, 9] },
    ]);
    expect(statusOf(await selectCommittee(ids, reversedCounts))).toMatch(
      abortPattern('system', 6, 'set_next_committee'),
    );

    // Epoch 0 → 1 needs no waiting; anyone may call it.
    const advanced = await advanceEpoch();
    expect(statusOf(advanced)).toBe('success');
    expect(advanced.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [`${PKG}::events::EpochChangeStart`, { epoch: 1 }],
    ]);
    state = await readSystemBcs(h.client, h.systemId);
    expect(state.committee.epoch).toBe(1);
    expect(state.committee.n_shards).toBe(N_SHARDS);
    expect(state.committee.members).toEqual(
      members.map((node, i) => ({
        public_key: { bytes: uncompressed(node.blsPublic) },
        weight: counts[i],
        node_id: node.nodeId,
      })),
    );
    expect(state.committee.total_aggregated_key.bytes).toEqual(
      Array.from(blsAggregatePublicKeys(members.map((n) => n.blsPublic))),
    );
    expect(state.next_shards).toBeNull();
    expect(state.shards.pos0.contents).toEqual([
      { key: members[0].nodeId, value: [0, 1, 2] },
      { key: members[1].nodeId, value: [3, 4, 5] },
      { key: members[2].nodeId, value: [6, 7] },
      { key: members[3].nodeId, value: [8, 9] },
    ]);
    expect(state.epoch_state.Sync).toBe(0);

    expect(statusOf(await syncDone(members[0], 2))).toMatch(
      abortPattern('system', 9, 'epoch_sync_done'),
    );
    expect(statusOf(await syncDone(outsider, 1))).toMatch(
      abortPattern('system', 11, 'epoch_sync_done'),
    );

    const first = await syncDone(members[0], 1);
    expect(statusOf(first)).toBe('success');
    expect(first.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [`${PKG}::events::ShardsReceived`, { epoch: 1, shards: [0, 1, 2] }],
    ]);
    expect((await readSystemBcs(h.client, h.systemId)).epoch_state.Sync).toBe(3);
    expect(
      Decode.NodeCap.parse(await objectBcs(h.client, members[0].nodeId)).last_epoch_sync_done,
    ).toBe(1);
    expect(statusOf(await syncDone(members[0], 1))).toMatch(
      abortPattern('system', 10, 'epoch_sync_done'),
    );

    expect(statusOf(await syncDone(members[1], 1))).toBe('success');
    expect((await readSystemBcs(h.client, h.systemId)).epoch_state.Sync).toBe(6);
    // 3 · 8 ≥ 2 · 10 + 1: quorum.
    const quorum = await syncDone(members[2], 1);
    expect(quorum.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [`${PKG}::events::ShardsReceived`, { epoch: 1, shards: [6, 7] }],
      [`${PKG}::events::EpochChangeDone`, { epoch: 1 }],
    ]);
    expect((await readSystemBcs(h.client, h.systemId)).epoch_state.Done).toBe(String(h.nowMs));
    // A late report only emits ShardsReceived.
    const late = await syncDone(members[3], 1);
    expect(late.events!.map((e) => e.type)).toEqual([`${PKG}::events::ShardsReceived`]);
    expect((await readSystemBcs(h.client, h.systemId)).epoch_state.Done).toBe(String(h.nowMs));

    const byType = await eventsOf(h.client, 'ShardsReceived');
    expect(byType.map((e) => (e.parsedJson as { shards: number[] }).shards)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
      [8, 9],
    ]);
    const decoded = bcs
      .struct('ShardsReceived', { epoch: bcs.u32(), shards: bcs.vector(bcs.u16()) })
      .parse(fromBase64(byType[2].bcs));
    expect(decoded).toEqual({ epoch: 1, shards: [6, 7] });
  });

  let permanentBlob: BlobInput;
  let permanentId = '';

  it('registers a blob: BlobRegistered, the Blob wraps its Storage, the write fee is paid', async () => {
    permanentBlob = blobInput();
    const storageId = await reserve(ENCODED, 3);
    const before = await readSystemBcs(h.client, h.systemId);
    const result = await register(storageId, permanentBlob);
    expect(statusOf(result)).toBe('success');
    [permanentId] = createdIds(result, 'blob::Blob');
    expect(result.events).toHaveLength(1);
    const event = result.events![0];
    expect(event.type).toBe(`${PKG}::events::BlobRegistered`);
    expect(event.parsedJson).toEqual({
      epoch: 1,
      blob_id: permanentBlob.id.toString(),
      size: String(BLOB_SIZE),
      encoding_type: 1,
      end_epoch: 4,
      deletable: false,
      object_id: permanentId,
    });
    const eventBcs = bcs
      .struct('BlobRegistered', {
        epoch: bcs.u32(),
        blob_id: bcs.u256(),
        size: bcs.u64(),
        encoding_type: bcs.u8(),
        end_epoch: bcs.u32(),
        deletable: bcs.bool(),
        object_id: bcs.Address,
      })
      .parse(fromBase64(event.bcs));
    expect(eventBcs.blob_id).toBe(permanentBlob.id.toString());

    expect(await readBlob(permanentId)).toEqual({
      id: { id: permanentId },
      registered_epoch: 1,
      blob_id: permanentBlob.id.toString(),
      size: String(BLOB_SIZE),
      encoding_type: 1,
      certified_epoch: null,
      storage: {
        id: { id: storageId },
        start_epoch: 1,
        end_epoch: 4,
        storage_size: ENCODED.toString(),
      },
      deletable: false,
    });
    expect(result.effects!.wrapped?.map((ref) => ref.objectId)).toEqual([storageId]);
    const after = await readSystemBcs(h.client, h.systemId);
    expect(BigInt(after.accounting[0].fees) - BigInt(before.accounting[0].fees)).toBe(WRITE_PRICE);
  });

  it('register_blob aborts: blob ID mismatch, storage too small, encoding, payment, expired storage', async () => {
    const blob = blobInput();
    const storageId = await reserve(ENCODED, 1);
    // A root hash and size that do not derive the blob ID. The full text is Sui's, with Move's
    // function index (declaration order in blob.move: `new` is the 12th function).
    expect(statusOf(await register(storageId, blob, { blobId: blobInput().id }))).toBe(
      `MoveAbort(MoveLocation { module: ModuleId { address: ${PKG.slice(2)}, name: ` +
        `Identifier("blob") }, function: 11, instruction: 0, function_name: Some("new") }, 6) ` +
        'in command 0',
    );
    expect(statusOf(await register(storageId, { ...blob, size: BLOB_SIZE + 1 }))).toMatch(
      abortPattern('blob', 6, 'new'),
    );
    expect(statusOf(await register(storageId, blob, { encodingType: 0 }))).toMatch(
      abortPattern('encoding', 0, 'encoded_blob_length'),
    );
    // The write fee is one unit × 2000; 1999 is short.
    expect(statusOf(await register(storageId, blob, { pay: WRITE_PRICE - 1n }))).toMatch(
      abortPattern('system', 4, 'register_blob'),
    );
    const small = await reserve(ENCODED - 1n, 1);
    expect(statusOf(await register(small, blob))).toMatch(abortPattern('blob', 3, 'new'));
    const huge = blobInput(10_000_000);
    expect(statusOf(await register(storageId, huge))).toMatch(
      abortPattern('encoding', 2, 'symbol_size'),
    );
    // The same storage registers fine with exact payment.
    expect(statusOf(await register(storageId, blob, { pay: WRITE_PRICE }))).toBe('success');
  });

  it('certify_blob aborts on weight, bitmap, epoch and signature before certifying', async () => {
    const message = permanentMessage(1, permanentBlob);
    // alpha-or-beta (3) + gamma-or-delta (2) = 5 shards: 15 < 21.
    const weak = certificate(memberIds(), [members[0], members[3]], message);
    expect(statusOf(await certify(permanentId, weak, message))).toMatch(
      abortPattern('bls_aggregate', 2, 'verify_certificate_and_weight'),
    );
    const good = certificate(memberIds(), members.slice(0, 3), message);
    // A set bit for member 4 of a 4-member committee.
    const pastEnd = { ...good, bitmap: Uint8Array.of(good.bitmap[0] | 0x10) };
    expect(statusOf(await certify(permanentId, pastEnd, message))).toMatch(
      abortPattern('bls_aggregate', 0, 'verify_certificate_and_weight'),
    );
    // Longer than ceil(4 / 8) = 1 byte.
    const overLong = { ...good, bitmap: Uint8Array.of(good.bitmap[0], 0) };
    expect(statusOf(await certify(permanentId, overLong, message))).toMatch(
      abortPattern('bls_aggregate', 0, 'verify_certificate_and_weight'),
    );
    // Bitmap names a signer that did not sign.
    const liar = { ...good, bitmap: Uint8Array.of(0x0f) };
    expect(statusOf(await certify(permanentId, liar, message))).toMatch(
      abortPattern('bls_aggregate', 1, 'verify_certificate_and_weight'),
    );
    // A quorum signed a message for epoch 0.
    const stale = permanentMessage(0, permanentBlob);
    expect(
      statusOf(await certify(permanentId, certificate(memberIds(), members, stale), stale)),
    ).toMatch(abortPattern('messages', 1, 'new_certified_message'));
    // A valid certificate for another blob.
    const otherMessage = permanentMessage(1, blobInput());
    expect(
      statusOf(
        await certify(permanentId, certificate(memberIds(), members, otherMessage), otherMessage),
      ),
    ).toMatch(abortPattern('blob', 6, 'certify_with_certified_msg'));
    // A quorum signed an invalid-blob-id message, not a certificate.
    const wrongType = invalidBlobIdMessage(1, permanentBlob.idBytes);
    expect(
      statusOf(await certify(permanentId, certificate(memberIds(), members, wrongType), wrongType)),
    ).toMatch(abortPattern('messages', 2, 'certify_blob_message'));
    expect((await readBlob(permanentId)).certified_epoch).toBeNull();
  });

  it('certifies with a quorum certificate, and refuses to certify twice', async () => {
    const message = permanentMessage(1, permanentBlob);
    const cert = certificate(memberIds(), members.slice(0, 3), message);
    const result = await certify(permanentId, cert, message);
    expect(statusOf(result)).toBe('success');
    expect(result.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [
        `${PKG}::events::BlobCertified`,
        {
          epoch: 1,
          blob_id: permanentBlob.id.toString(),
          end_epoch: 4,
          deletable: false,
          object_id: permanentId,
          is_extension: false,
        },
      ],
    ]);
    expect((await readBlob(permanentId)).certified_epoch).toBe(1);
    const again = certificate(memberIds(), members, message);
    expect(statusOf(await certify(permanentId, again, message))).toMatch(
      abortPattern('blob', 5, 'certify_with_certified_msg'),
    );
  });

  let deletableBlob: BlobInput;
  let deletableId = '';

  it('certifies a deletable blob only with its own object ID', async () => {
    deletableBlob = blobInput();
    deletableId = await registerFresh(deletableBlob, true);
    const permanent = permanentMessage(1, deletableBlob);
    expect(
      statusOf(await certify(deletableId, certificate(memberIds(), members, permanent), permanent)),
    ).toMatch(abortPattern('blob', 9, 'certify_with_certified_msg'));
    const otherObject = storageConfirmationMessage(1, deletableBlob.idBytes, {
      kind: 'deletable',
      objectId: hexBytes(permanentId),
    });
    expect(
      statusOf(
        await certify(deletableId, certificate(memberIds(), members, otherObject), otherObject),
      ),
    ).toMatch(abortPattern('blob', 10, 'certify_with_certified_msg'));
    const message = storageConfirmationMessage(1, deletableBlob.idBytes, {
      kind: 'deletable',
      objectId: hexBytes(deletableId),
    });
    const result = await certify(
      deletableId,
      certificate(memberIds(), members.slice(1), message),
      message,
    );
    expect(statusOf(result)).toBe('success');
    expect(result.events![0].parsedJson).toMatchObject({ deletable: true, object_id: deletableId });
  });

  it('keeps blob attributes in the b"metadata" dynamic field', async () => {
    const set = (key: string, value: string) =>
      run(h.client, user, (tx) => {
        tx.moveCall({
          target: `${PKG}::blob::insert_or_update_metadata_pair`,
          arguments: [tx.object(deletableId), tx.pure.string(key), tx.pure.string(value)],
        });
      });
    expect(statusOf(await set('content-type', 'text/plain'))).toBe('success');
    expect(statusOf(await set('owner', 'me'))).toBe('success');
    expect(statusOf(await set('content-type', 'text/html'))).toBe('success');
    const fieldId = metadataFieldId(deletableId);
    const field = Decode.MetadataField.parse(await objectBcs(h.client, fieldId));
    expect(field.name).toEqual(Array.from(new TextEncoder().encode('metadata')));
    expect(field.value.metadata.contents).toEqual([
      { key: 'content-type', value: 'text/html' },
      { key: 'owner', value: 'me' },
    ]);
    const listed = await h.client.getDynamicFields({ parentId: deletableId });
    expect(listed.data.map((f) => f.objectId)).toEqual([fieldId]);

    expect(statusOf(await set('k', 'v'.repeat(1025)))).toMatch(
      abortPattern('metadata', 2, 'insert_or_update'),
    );
    const removeMissing = await run(h.client, user, (tx) => {
      tx.moveCall({
        target: `${PKG}::blob::remove_metadata_pair`,
        arguments: [tx.object(deletableId), tx.pure.string('missing')],
      });
    });
    expect(statusOf(removeMissing)).toMatch(abortPattern('metadata', 0, 'remove'));
    const takeNone = await run(h.client, user, (tx) => {
      const [metadata] = tx.moveCall({
        target: `${PKG}::blob::take_metadata`,
        arguments: [tx.object(permanentId)],
      });
      void metadata;
    });
    expect(statusOf(takeNone)).toMatch(abortPattern('blob', 12, 'take_metadata'));
    const duplicate = await run(h.client, user, (tx) => {
      const [metadata] = tx.moveCall({ target: `${PKG}::metadata::new` });
      tx.moveCall({
        target: `${PKG}::blob::add_metadata`,
        arguments: [tx.object(deletableId), metadata],
      });
    });
    expect(statusOf(duplicate)).toMatch(abortPattern('blob', 11, 'add_metadata'));

    const removed = await run(h.client, user, (tx) => {
      tx.moveCall({
        target: `${PKG}::blob::remove_metadata_pair`,
        arguments: [tx.object(deletableId), tx.pure.string('content-type')],
      });
    });
    expect(statusOf(removed)).toBe('success');
    expect(
      Decode.MetadataField.parse(await objectBcs(h.client, fieldId)).value.metadata.contents,
    ).toEqual([{ key: 'owner', value: 'me' }]);
  });

  it('delete_blob refuses a permanent blob and deletes a deletable one, returning its Storage', async () => {
    const refuse = await run(h.client, user, (tx) => {
      const [storage] = tx.moveCall({
        target: `${PKG}::system::delete_blob`,
        arguments: [system(tx), tx.object(permanentId)],
      });
      tx.transferObjects([storage], user.toSuiAddress());
    });
    expect(statusOf(refuse)).toMatch(abortPattern('blob', 8, 'delete'));

    const storageId = (await readBlob(deletableId)).storage.id.id;
    const deleted = await run(h.client, user, (tx) => {
      const [storage] = tx.moveCall({
        target: `${PKG}::system::delete_blob`,
        arguments: [system(tx), tx.object(deletableId)],
      });
      tx.transferObjects([storage], user.toSuiAddress());
    });
    expect(statusOf(deleted)).toBe('success');
    expect(deleted.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [
        `${PKG}::events::BlobDeleted`,
        {
          epoch: 1,
          blob_id: deletableBlob.id.toString(),
          end_epoch: 4,
          object_id: deletableId,
          was_certified: true,
        },
      ],
    ]);
    expect(deleted.effects!.unwrapped?.map((ref) => ref.reference.objectId)).toEqual([storageId]);
    expect(Decode.Storage.parse(await objectBcs(h.client, storageId))).toEqual({
      id: { id: storageId },
      start_epoch: 1,
      end_epoch: 4,
      storage_size: ENCODED.toString(),
    });
    expect((await h.client.getObject({ id: deletableId })).error?.code).toBe('deleted');
    expect((await h.client.getObject({ id: metadataFieldId(deletableId) })).error?.code).toBe(
      'deleted',
    );
  });

  it('extend_blob buys more epochs and emits BlobCertified with is_extension', async () => {
    const uncertified = await registerFresh(blobInput());
    const extend = (blobId: string, epochs: number) =>
      run(h.client, user, (tx) => {
        tx.moveCall({
          target: `${PKG}::system::extend_blob`,
          arguments: [system(tx), tx.object(blobId), tx.pure.u32(epochs), tx.gas],
        });
      });
    expect(statusOf(await extend(uncertified, 1))).toMatch(
      abortPattern('blob', 7, 'assert_certified_not_expired'),
    );
    expect(statusOf(await extend(permanentId, 0))).toMatch(
      abortPattern('system', 1, 'extend_blob'),
    );
    // end 4, epoch 1: slots 3.. ; 3 + 3 > 5.
    expect(statusOf(await extend(permanentId, 3))).toMatch(
      abortPattern('system', 1, 'extend_blob'),
    );

    const before = await readSystemBcs(h.client, h.systemId);
    const result = await extend(permanentId, 2);
    expect(statusOf(result)).toBe('success');
    expect(result.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [
        `${PKG}::events::BlobCertified`,
        {
          epoch: 1,
          blob_id: permanentBlob.id.toString(),
          end_epoch: 6,
          deletable: false,
          object_id: permanentId,
          is_extension: true,
        },
      ],
    ]);
    expect((await readBlob(permanentId)).storage.end_epoch).toBe(6);
    const after = await readSystemBcs(h.client, h.systemId);
    for (let slot = 0; slot < MAX_EPOCHS_AHEAD; slot++) {
      const extended = slot === 3 || slot === 4;
      expect(BigInt(after.accounting[slot].used) - BigInt(before.accounting[slot].used)).toBe(
        extended ? ENCODED : 0n,
      );
      expect(BigInt(after.accounting[slot].fees) - BigInt(before.accounting[slot].fees)).toBe(
        extended ? STORAGE_PRICE : 0n,
      );
    }
  });

  it('extend_blob_with_resource fuses a Storage that starts where the blob ends', async () => {
    const blob = blobInput();
    const blobId = await registerFresh(blob, false, 2); // [1, 3)
    const message = permanentMessage(1, blob);
    expect(
      statusOf(await certify(blobId, certificate(memberIds(), members, message), message)),
    ).toBe('success');

    // A piece [3, 5) of the blob's size: reserve [1, 5) and split at 3.
    const source = await reserve(ENCODED, 4);
    const split = await run(h.client, user, (tx) => {
      const [tail] = tx.moveCall({
        target: `${PKG}::storage_resource::split_by_epoch`,
        arguments: [tx.object(source), tx.pure.u32(3)],
      });
      tx.transferObjects([tail], user.toSuiAddress());
    });
    const [tailId] = createdIds(split, 'storage_resource::Storage');
    const withResource = (storageId: string) =>
      run(h.client, user, (tx) => {
        tx.moveCall({
          target: `${PKG}::system::extend_blob_with_resource`,
          arguments: [system(tx), tx.object(blobId), tx.object(storageId)],
        });
      });
    // [1, 3) does not reach past the blob's end.
    expect(statusOf(await withResource(source))).toMatch(
      abortPattern('blob', 2, 'extend_with_resource'),
    );
    const other = await reserve(ENCODED + 2n, 4);
    expect(statusOf(await withResource(other))).toMatch(
      abortPattern('storage_resource', 2, 'fuse_periods'),
    );
    const gap = await reserve(ENCODED, 5); // [1, 6) starts before the blob's end
    expect(statusOf(await withResource(gap))).toMatch(
      abortPattern('storage_resource', 1, 'fuse_periods'),
    );

    const result = await withResource(tailId);
    expect(statusOf(result)).toBe('success');
    expect(result.events![0].parsedJson).toMatchObject({
      end_epoch: 5,
      is_extension: true,
      epoch: 1,
    });
    expect((await readBlob(blobId)).storage).toMatchObject({ start_epoch: 1, end_epoch: 5 });
    expect(result.effects!.deleted?.map((ref) => ref.objectId)).toEqual([tailId]);
  });

  it('invalidate_blob_id needs f+1 weight and emits InvalidBlobID', async () => {
    const bad = blobInput();
    const message = invalidBlobIdMessage(1, bad.idBytes);
    const invalidate = (cert: { signature: Uint8Array; bitmap: Uint8Array }) =>
      run(h.client, user, (tx) => {
        tx.moveCall({
          target: `${PKG}::system::invalidate_blob_id`,
          arguments: [
            system(tx),
            tx.pure.vector('u8', cert.signature),
            tx.pure.vector('u8', cert.bitmap),
            tx.pure.vector('u8', message),
          ],
        });
      });
    // One 3-shard node: 9 < 11.
    expect(statusOf(await invalidate(certificate(memberIds(), [members[0]], message)))).toMatch(
      abortPattern('bls_aggregate', 2, 'verify_certificate_and_weight'),
    );
    // 3 + 2 = 5 shards: 15 ≥ 11, below a quorum.
    const result = await invalidate(certificate(memberIds(), [members[1], members[2]], message));
    expect(statusOf(result)).toBe('success');
    expect(result.events!.map((e) => [e.type, e.parsedJson])).toEqual([
      [`${PKG}::events::InvalidBlobID`, { epoch: 1, blob_id: bad.id.toString() }],
    ]);
    const listed = await eventsOf(h.client, 'InvalidBlobID');
    expect(listed).toHaveLength(1);
  });

  it('epoch 2: key rotation, too-early advance, fee payout, expired storage, collect_rewards', async () => {
    // beta stages a new BLS key with a PoP for epoch 1.
    const beta = members[1];
    const newSecret = blsRandomSecretKey();
    const newPublic = blsPublicKey(newSecret);
    const staged = await run(h.client, beta.operator, (tx) => {
      tx.moveCall({
        target: `${PKG}::system::set_next_bls_key`,
        arguments: [
          system(tx),
          tx.object(beta.nodeId),
          tx.pure.vector('u8', newPublic),
          tx.pure.vector(
            'u8',
            proofOfPossession({ ...beta, blsSecret: newSecret, blsPublic: newPublic }, 1),
          ),
        ],
      });
      tx.moveCall({
        target: `${PKG}::system::set_network_address`,
        arguments: [system(tx), tx.object(beta.nodeId), tx.pure.string('beta.moved:9185')],
      });
    });
    expect(statusOf(staged)).toBe('success');
    let info = (await readNodeInfo(h.client, tableId, beta.nodeId)).value;
    expect(info.next_bls_key).toEqual({ bytes: uncompressed(newPublic) });
    expect(info.network_address).toBe('beta.moved:9185');

    const expiring = await reserve(ENCODED, 1); // [1, 2)
    // alpha 3 → 4, beta 3 → 2: beta's last shard moves to alpha.
    const counts = [4, 2, 2, 2];
    expect(statusOf(await selectCommittee(memberIds(), counts))).toBe('success');
    const next = (await readSystemBcs(h.client, h.systemId)).next_shards!.pos0.contents;
    expect(next).toEqual([
      { key: members[0].nodeId, value: [0, 1, 2, 5] },
      { key: members[1].nodeId, value: [3, 4] },
      { key: members[2].nodeId, value: [6, 7] },
      { key: members[3].nodeId, value: [8, 9] },
    ]);
    h.nowMs += EPOCH_MS - 1;
    expect(statusOf(await advanceEpoch())).toMatch(abortPattern('system', 7, 'advance_epoch'));
    h.nowMs += 1;

    const before = await readSystemBcs(h.client, h.systemId);
    const pot = BigInt(before.accounting[0].fees);
    expect(pot).toBeGreaterThan(0n);
    expect(statusOf(await advanceEpoch())).toBe('success');
    const after = await readSystemBcs(h.client, h.systemId);
    expect(after.committee.epoch).toBe(2);
    expect(after.committee.members.map((m) => m.weight)).toEqual(counts);
    expect(after.committee.members[1].public_key.bytes).toEqual(uncompressed(newPublic));
    expect(after.accounting.length).toBe(MAX_EPOCHS_AHEAD);
    // Epoch 1's fees go to its committee (weights 3, 3, 2, 2), rounding down; the rest stays.
    let paid = 0n;
    for (const [i, weight] of [3, 3, 2, 2].entries()) {
      const share = (pot * BigInt(weight)) / BigInt(N_SHARDS);
      const rewards = BigInt(
        (await readNodeInfo(h.client, tableId, members[i].nodeId)).value.rewards,
      );
      expect(rewards).toBe(share);
      paid += share;
    }
    expect(BigInt(after.accounting[0].fees)).toBe(BigInt(before.accounting[1].fees) + pot - paid);
    expect(after.accounting[0].used).toBe(before.accounting[1].used);
    expect(after.used_capacity).toBe(after.accounting[0].used);
    expect(after.accounting[MAX_EPOCHS_AHEAD - 1]).toEqual({ used: '0', fees: '0' });
    info = (await readNodeInfo(h.client, tableId, beta.nodeId)).value;
    expect(info.bls_key).toEqual({ bytes: uncompressed(newPublic) });
    expect(info.next_bls_key).toBeNull();

    // Storage for [1, 2) has expired in epoch 2.
    expect(statusOf(await register(expiring, blobInput()))).toMatch(abortPattern('blob', 2, 'new'));

    // Certificates now need beta's new key.
    const rotated = [
      members[0],
      { ...beta, blsSecret: newSecret, blsPublic: newPublic },
      members[2],
    ];
    const blob = blobInput();
    const blobId = await registerFresh(blob);
    const message = permanentMessage(2, blob);
    expect(
      statusOf(
        await certify(blobId, certificate(memberIds(), members.slice(0, 3), message), message),
      ),
    ).toMatch(abortPattern('bls_aggregate', 1, 'verify_certificate_and_weight'));
    expect(
      statusOf(await certify(blobId, certificate(memberIds(), rotated, message), message)),
    ).toBe('success');

    const alpha = members[0];
    const owed = BigInt((await readNodeInfo(h.client, tableId, alpha.nodeId)).value.rewards);
    const collected = await run(h.client, alpha.operator, (tx) => {
      const [coin] = tx.moveCall({
        target: `${PKG}::system::collect_rewards`,
        arguments: [system(tx), tx.object(alpha.nodeId)],
      });
      tx.transferObjects([coin], alpha.operator.toSuiAddress());
    });
    expect(statusOf(collected)).toBe('success');
    const [coinId] = createdIds(collected, 'coin::Coin<0x2::sui::SUI>');
    expect(Decode.Coin.parse(await objectBcs(h.client, coinId)).balance).toBe(owed.toString());
    expect((await readNodeInfo(h.client, tableId, alpha.nodeId)).value.rewards).toBe('0');

    // A cap of a node that is not registered in this System cannot exist, but a stale epoch can:
    expect(statusOf(await syncDone(alpha, 1))).toMatch(
      abortPattern('system', 9, 'epoch_sync_done'),
    );
    for (const node of members.slice(0, 3))
      expect(statusOf(await syncDone(node, 2))).toBe('success');
    expect((await readSystemBcs(h.client, h.systemId)).epoch_state.$kind).toBe('Done');
  });

  it('burn deletes any blob with its storage and no event', async () => {
    const blobId = await registerFresh(blobInput());
    const storageId = (await readBlob(blobId)).storage.id.id;
    const burned = await run(h.client, user, (tx) => {
      tx.moveCall({ target: `${PKG}::blob::burn`, arguments: [tx.object(blobId)] });
    });
    expect(statusOf(burned)).toBe('success');
    expect(burned.events).toEqual([]);
    expect(burned.effects!.deleted?.map((ref) => ref.objectId)).toEqual([blobId]);
    expect(burned.effects!.unwrappedThenDeleted?.map((ref) => ref.objectId)).toEqual([storageId]);
  });
});
