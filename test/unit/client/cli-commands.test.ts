/**
 * The `walrus-edge` network commands without a network: argument parsing and its errors, the
 * network file (missing, malformed) and the wallet key, the JSON every command prints (built from
 * fixed inputs), Walrus's blob-status aggregation, error mapping, and when progress is drawn.
 * A fake Chain behind `main`'s injectable session covers paging and delete resolution. The
 * end-to-end runs against a real devnet live in the devnet test.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { describe, expect, it } from 'vitest';
import { blobIdToString } from '../../../core/blob-id.js';
import {
  ChainAbortError,
  ChainExecutionError,
  ChainNetworkError,
  ChainObjectError,
} from '../../../core/chain/errors.js';
import type { Chain, ChainBlob, Page, SystemState } from '../../../core/chain/types.js';
import { blobStatusJson, parseBlobStatusArgs } from '../../../client/cli/blob-status.js';
import {
  aggregateBlobStatus,
  parseNodeBlobStatus,
  type NodeBlobStatus,
} from '../../../client/status.js';
import type { CliIo, Session } from '../../../client/cli/context.js';
import { deletableBlobs, parseDeleteArgs } from '../../../client/cli/delete.js';
import { CliError, toCliError } from '../../../client/cli/errors.js';
import { extendJson, extensionEpochs, parseExtendArgs } from '../../../client/cli/extend.js';
import { checkWritable, writeFileAtomic } from '../../../client/cli/files.js';
import { formatBytes, formatMist } from '../../../client/cli/format.js';
import { infoJson, parseInfoArgs } from '../../../client/cli/info.js';
import { listedBlobJson, parseListBlobsArgs, sortBlobs } from '../../../client/cli/list-blobs.js';
import { main, splitGlobalOptions } from '../../../client/cli/main.js';
import {
  NETWORK_FILE_DEFAULT,
  parseNetworkConfig,
  resolveNetworkFile,
} from '../../../client/cli/network.js';
import { parseWalletKey } from '../../../client/cli/wallet.js';
import {
  createProgress,
  progressEnabled,
  progressLine,
  storeStep,
} from '../../../client/cli/progress.js';
import { parseReadArgs, readJson } from '../../../client/cli/read.js';
import { parseStoreArgs, resolveEpochs, storeJson } from '../../../client/cli/store.js';
import { BlobNotFoundError, BlobUnavailableError } from '../../../client/read/errors.js';
import type { StoreResult } from '../../../client/store.js';
import { NotEnoughConfirmationsError } from '../../../client/store.js';

const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-cli-commands-'));
const BLOB_ID = new Uint8Array(32).fill(7);
const BLOB_ID_TEXT = blobIdToString(BLOB_ID);
const OTHER_ID = new Uint8Array(32).fill(9);
const PACKAGE_ID = `0x${'26'.repeat(32)}`;
const objectId = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const wallet = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(3));
const OWNER = wallet.toSuiAddress();

/** Runs `main` with captured output; `session` replaces the network file when given. */
async function run(
  argv: string[],
  options: { env?: Record<string, string>; session?: (io: CliIo) => Session } = {},
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Partial<CliIo> = {
    stderrIsTty: false,
    env: options.env ?? {},
    writeOut: async () => {},
  };
  const code = await main(
    argv,
    (line) => stdout.push(line),
    (line) => stderr.push(line),
    {
      io,
      openSession: options.session === undefined ? undefined : (cliIo) => options.session!(cliIo),
    },
  );
  return { code, stdout, stderr };
}

function system(overrides: Partial<SystemState> = {}): SystemState {
  const member = (index: number, shards: number[]) => ({
    index,
    nodeId: objectId(100 + index),
    name: `node-${index}`,
    networkAddress: `http://127.0.0.1:${9100 + index}`,
    blsPublicKey: new Uint8Array(48),
    networkPublicKey: new Uint8Array(33),
    weight: shards.length,
    shards,
  });
  return {
    objectId: objectId(1),
    objectVersion: '5',
    epoch: 4,
    epochState: { kind: 'done', completedMs: 0 },
    nShards: 10,
    epochDurationMs: 600_000,
    members: [member(0, [0, 1, 2, 3, 4]), member(1, [5, 6, 7, 8, 9])],
    nextShards: null,
    storagePricePerUnitMist: 1_000n,
    writePricePerUnitMist: 2_000n,
    totalCapacityBytes: 1n << 40n,
    usedCapacityBytes: 123n,
    maxEpochsAhead: 20,
    ...overrides,
  };
}

function blob(n: number, overrides: Partial<ChainBlob> = {}): ChainBlob {
  return {
    ref: { objectId: objectId(n), version: '3', digest: 'digest' },
    objectId: objectId(n),
    registeredEpoch: 2,
    blobId: BLOB_ID,
    size: 1234,
    encodingType: 1,
    certifiedEpoch: 3,
    storage: { objectId: objectId(n + 1000), startEpoch: 2, endEpoch: 10, storageSize: 5_000_000n },
    deletable: true,
    owner: OWNER,
    ...overrides,
  };
}

const NETWORK_JSON = {
  nShards: 10,
  ledgerUrl: 'http://127.0.0.1:9000',
  packageId: PACKAGE_ID,
  systemObjectId: objectId(1),
  aggregatorUrl: 'http://127.0.0.1:8787',
  publisherUrl: 'http://127.0.0.1:8787',
  walletKeyFile: 'wallet.key',
  nodes: [{ name: 'node-0', url: 'http://127.0.0.1:9100', shards: [0, 1], pid: 1 }],
};

/** A session over a fake chain: only the methods a test provides exist. */
function fakeSession(chain: Partial<Chain>, io: CliIo): Session {
  return {
    io,
    network: parseNetworkConfig(JSON.stringify(NETWORK_JSON), join(dir, 'network.json')),
    chain: chain as Chain,
    signer: async () => wallet,
  };
}

describe('argument parsing', () => {
  it('parses store: deletable by default, --permanent, epochs as a number or max', () => {
    expect(parseStoreArgs(['a.bin', '--epochs', '3'])).toEqual({
      file: 'a.bin',
      epochs: 3,
      deletable: true,
      json: false,
      network: undefined,
    });
    expect(
      parseStoreArgs(['a.bin', '--epochs', 'max', '--permanent', '--json', '--network', 'n.json']),
    ).toEqual({
      file: 'a.bin',
      epochs: 'max',
      deletable: false,
      json: true,
      network: 'n.json',
    });
    expect(resolveEpochs('max', 53)).toBe(53);
    expect(resolveEpochs(53, 53)).toBe(53);
    expect(() => resolveEpochs(54, 53)).toThrow(/at most 53 epochs ahead/);
  });

  it('rejects bad store command lines with a usage error (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['a.bin'], /--epochs is required/],
      [['--epochs', '3'], /store needs FILE/],
      [['a.bin', 'b.bin', '--epochs', '3'], /unexpected "b.bin"/],
      [['a.bin', '--epochs', '0'], /--epochs must be a whole number/],
      [['a.bin', '--epochs', '1.5'], /--epochs must be a whole number/],
      [['a.bin', '--epochs', '-1'], /--epochs/],
      [['a.bin', '--epochs', '4294967296'], /from 1 to 4294967295/],
      [['a.bin', '--epochs', '2', '--permanent', '--deletable'], /not both/],
      [['a.bin', '--epochs', '2', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const error = (() => {
        try {
          parseStoreArgs(args);
        } catch (e) {
          return e;
        }
      })();
      expect(error, args.join(' ')).toBeInstanceOf(CliError);
      expect((error as CliError).message).toMatch(message);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).hint).toMatch(/^Usage: walrus-edge store FILE/);
    }
  });

  it('parses read, blob-status, list-blobs and info', () => {
    expect(parseReadArgs([BLOB_ID_TEXT, '--out', 'x.bin'])).toMatchObject({
      blobId: BLOB_ID,
      out: 'x.bin',
      json: false,
    });
    expect(() => parseReadArgs(['not-a-blob-id'])).toThrow(/invalid blob ID "not-a-blob-id"/);
    expect(() => parseReadArgs([])).toThrow(/read needs BLOB_ID/);
    expect(parseBlobStatusArgs([BLOB_ID_TEXT, '--json']).blobId).toEqual(BLOB_ID);
    expect(parseBlobStatusArgs(['--blob-id', BLOB_ID_TEXT]).blobId).toEqual(BLOB_ID);
    expect(() => parseBlobStatusArgs([BLOB_ID_TEXT, '--blob-id', BLOB_ID_TEXT])).toThrow(
      /not both/,
    );
    expect(parseListBlobsArgs(['--include-expired'])).toEqual({
      includeExpired: true,
      json: false,
      network: undefined,
    });
    expect(() => parseListBlobsArgs(['extra'])).toThrow(/list-blobs takes no arguments/);
    expect(parseInfoArgs(['--json'])).toEqual({ json: true, network: undefined });
  });

  it('takes blob IDs that start with a dash (1 in 32 do) as IDs, not options', () => {
    const dashed = new Uint8Array(32);
    dashed[0] = 0xf8; // base64url "-" is 62: the first 6 bits 111110
    const text = blobIdToString(dashed);
    expect(text.startsWith('-')).toBe(true);
    expect(parseReadArgs([text, '--out', 'x.bin'])).toMatchObject({ blobId: dashed, out: 'x.bin' });
    expect(parseReadArgs(['--out', 'x.bin', text]).blobId).toEqual(dashed);
    expect(parseBlobStatusArgs(['--blob-id', text]).blobId).toEqual(dashed);
    expect(parseBlobStatusArgs([text, '--json']).blobId).toEqual(dashed);
    // Anything else that starts with a dash is still an option.
    expect(() => parseReadArgs([BLOB_ID_TEXT, '-m'])).toThrow(/Unknown option '-m'/);
  });

  it('parses delete by blob ID or object ID, never both or neither', () => {
    expect(parseDeleteArgs([BLOB_ID_TEXT]).target).toEqual({ kind: 'blobId', blobId: BLOB_ID });
    expect(parseDeleteArgs(['--blob-id', BLOB_ID_TEXT, '--yes']).target).toEqual({
      kind: 'blobId',
      blobId: BLOB_ID,
    });
    expect(parseDeleteArgs(['--object-id', '0xAB']).target).toEqual({
      kind: 'objectId',
      objectId: objectId(0xab),
    });
    expect(() => parseDeleteArgs([])).toThrow(/exactly one of BLOB_ID/);
    expect(() => parseDeleteArgs([BLOB_ID_TEXT, '--object-id', '0x1'])).toThrow(
      /exactly one of BLOB_ID/,
    );
    expect(() => parseDeleteArgs(['--object-id', '12'])).toThrow(/Sui object ID/);
  });

  it("parses extend with ours and Walrus's flag names", () => {
    expect(parseExtendArgs(['--object-id', '0x1', '--epochs', '2'])).toEqual({
      objectId: objectId(1),
      epochs: 2,
      json: false,
      network: undefined,
    });
    expect(
      parseExtendArgs(['--blob-obj-id', '0x1', '--epochs-extended', 'max', '--json']),
    ).toMatchObject({ epochs: 'max', json: true });
    expect(() => parseExtendArgs(['--epochs', '2'])).toThrow(/extend needs --object-id/);
    expect(() => parseExtendArgs(['--object-id', '0x1'])).toThrow(/--epochs is required/);
    expect(() =>
      parseExtendArgs(['--object-id', '0x1', '--blob-obj-id', '0x2', '--epochs', '1']),
    ).toThrow(/not both/);
  });

  it('takes --network before the command too', () => {
    expect(splitGlobalOptions(['--network', 'a.json', 'info', '--json'])).toEqual({
      network: 'a.json',
      rest: ['info', '--json'],
    });
    expect(splitGlobalOptions(['--network=b.json', 'info'])).toEqual({
      network: 'b.json',
      rest: ['info'],
    });
    expect(splitGlobalOptions(['info', '--network', 'c.json'])).toEqual({
      network: undefined,
      rest: ['info', '--network', 'c.json'],
    });
    expect(() => splitGlobalOptions(['--network'])).toThrow(/--network needs a FILE/);
  });
});

describe('main: exit codes, help and the network file', () => {
  it('prints usage for help, per-command usage, and exit 2 for unknown commands', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const name of [
      'store',
      'read',
      'blob-status',
      'list-blobs',
      'delete',
      'extend',
      'info',
      'blob-id',
    ]) {
      expect(help.stdout.join('\n')).toContain(`  ${name} `);
    }
    expect(help.stdout.join('\n')).toMatch(/cost is in MIST, as a decimal string/);
    expect(await run(['read', '--help'])).toMatchObject({
      code: 0,
      stdout: [expect.stringMatching(/^Usage: walrus-edge read BLOB_ID/)],
    });
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr[0]).toBe('error: unknown command "frobnicate"');
  });

  it('checks arguments before looking for a network', async () => {
    const result = await run([
      'store',
      'a.bin',
      '--epochs',
      'zero',
      '--network',
      join(dir, 'missing.json'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(/^error: --epochs must be a whole number/);
    expect(result.stderr[1]).toMatch(/^hint: Usage: walrus-edge store/);
    expect(result.stdout).toEqual([]);
  });

  it('names a missing network file and says how to start one', async () => {
    const missing = join(dir, 'nope', 'network.json');
    for (const [argv, env, source] of [
      [['info', '--network', missing], {}, ' (from --network)'],
      [['--network', missing, 'list-blobs'], {}, ' (from --network)'],
      [['read', BLOB_ID_TEXT], { WALRUS_EDGE_NETWORK: missing }, ' (from $WALRUS_EDGE_NETWORK)'],
    ] as const) {
      const result = await run([...argv], { env: { ...env } });
      expect(result.code).toBe(1);
      expect(result.stderr).toEqual([
        `error: no network file at ${missing}${source}`,
        'hint: Start a local network with `npm start`.',
      ]);
    }
    expect(resolveNetworkFile(undefined, {})).toEqual({
      file: NETWORK_FILE_DEFAULT,
      source: 'default',
    });
    expect(NETWORK_FILE_DEFAULT).toBe('.devnet/network.json');
    expect(resolveNetworkFile(undefined, { WALRUS_EDGE_NETWORK: 'e.json' }).file).toBe('e.json');
    expect(resolveNetworkFile('f.json', { WALRUS_EDGE_NETWORK: 'e.json' }).file).toBe('f.json');
  });

  it('reads network.json and refuses a malformed one', async () => {
    const file = join(dir, 'net', 'network.json');
    const config = parseNetworkConfig(JSON.stringify(NETWORK_JSON), file);
    expect(config).toMatchObject({
      ledgerUrl: 'http://127.0.0.1:9000',
      packageId: PACKAGE_ID,
      nShards: 10,
    });
    expect(config.walletKeyFile).toBe(join(dir, 'net', 'wallet.key'));
    expect(() => parseNetworkConfig('{"nShards": 10', file)).toThrow(/is not valid JSON/);
    expect(() =>
      parseNetworkConfig(JSON.stringify({ ...NETWORK_JSON, ledgerUrl: 5 }), file),
    ).toThrow(/"ledgerUrl" must be a non-empty string/);
    expect(() =>
      parseNetworkConfig(JSON.stringify({ ...NETWORK_JSON, packageId: 'x' }), file),
    ).toThrow(/"packageId" is "x"/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[]');
    const result = await run(['info', '--network', broken]);
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toBe(`error: network file ${broken} is malformed: not a JSON object`);
    expect(result.stderr[1]).toMatch(/^hint: Restart the network with `npm start`/);
  });

  it('reads the wallet key in suiprivkey form', () => {
    const key = wallet.getSecretKey();
    expect(parseWalletKey(`${key}\n`, 'wallet.key').toSuiAddress()).toBe(OWNER);
    expect(() => parseWalletKey('hello', 'wallet.key')).toThrow(/does not hold a Sui private key/);
  });
});

describe('JSON output from fixed inputs', () => {
  it('store: one object, cost in MIST as a decimal string', () => {
    const result: StoreResult = {
      blobId: BLOB_ID_TEXT,
      blobObject: blob(5, { deletable: false }),
      size: 1234,
      encodedSize: 66_560,
      endEpoch: 10,
      cost: { encodedLength: 66_560n, storageMist: 6_000n, writeMist: 2_000n, totalMist: 8_000n },
      certifiedEpoch: 3,
    };
    expect(storeJson(result)).toEqual({
      blobId: BLOB_ID_TEXT,
      objectId: objectId(5),
      size: 1234,
      encodedSize: 66_560,
      endEpoch: 10,
      cost: '8000',
      deletable: false,
      certifiedEpoch: 3,
    });
  });

  it('list-blobs: entries in registration order, expired flagged', () => {
    const blobs = [
      blob(2, { registeredEpoch: 3 }),
      blob(1, { certifiedEpoch: null, storage: { ...blob(1).storage, endEpoch: 4 } }),
    ];
    expect(sortBlobs(blobs).map((b) => listedBlobJson(b, 4))).toEqual([
      {
        blobId: BLOB_ID_TEXT,
        objectId: objectId(1),
        size: 1234,
        registeredEpoch: 2,
        certifiedEpoch: null,
        certified: false,
        endEpoch: 4,
        deletable: true,
        expired: true,
      },
      {
        blobId: BLOB_ID_TEXT,
        objectId: objectId(2),
        size: 1234,
        registeredEpoch: 3,
        certifiedEpoch: 3,
        certified: true,
        endEpoch: 10,
        deletable: true,
        expired: false,
      },
    ]);
  });

  it('info: epoch, nodes, prices, limits', () => {
    expect(infoJson(system(), { ledgerUrl: 'http://l', packageId: PACKAGE_ID })).toEqual({
      epoch: 4,
      epochState: 'done',
      epochDurationMs: 600_000,
      nShards: 10,
      nodes: [
        { name: 'node-0', url: 'http://127.0.0.1:9100', shards: 5 },
        { name: 'node-1', url: 'http://127.0.0.1:9101', shards: 5 },
      ],
      prices: { storagePerMiBPerEpoch: '1000', writePerMiB: '2000' },
      maxBlobSize: 1_834_952,
      maxEpochsAhead: 20,
      capacity: { totalBytes: '1099511627776', usedBytes: '123' },
      ledgerUrl: 'http://l',
      packageId: PACKAGE_ID,
      systemObjectId: objectId(1),
    });
  });

  it('read: the path with --out, else the bytes in base64', () => {
    const bytes = Uint8Array.of(1, 2, 3, 250);
    expect(readJson(BLOB_ID, bytes, '/tmp/x')).toEqual({
      blobId: BLOB_ID_TEXT,
      size: 4,
      out: '/tmp/x',
    });
    expect(readJson(BLOB_ID, bytes, undefined)).toEqual({
      blobId: BLOB_ID_TEXT,
      size: 4,
      blob: 'AQID+g==',
    });
  });

  it('extend: checks Move would make, then the JSON', () => {
    const sys = system({ epoch: 4, maxEpochsAhead: 20 });
    expect(extensionEpochs(blob(1), 'max', sys)).toBe(14);
    expect(extensionEpochs(blob(1), 14, sys)).toBe(14);
    expect(() => extensionEpochs(blob(1), 15, sys)).toThrow(/at most 14 epochs/);
    expect(() => extensionEpochs(blob(1, { certifiedEpoch: null }), 1, sys)).toThrow(
      /not certified/,
    );
    expect(() => extensionEpochs(blob(1), 1, system({ epoch: 10 }))).toThrow(/expired at epoch 10/);
    const result = {
      digest: 'D1',
      gasUsedMist: 1n,
      events: [],
      ref: blob(1).ref,
      endEpoch: 12,
      costMist: 10_000n,
    };
    expect(extendJson(blob(1), 2, result)).toEqual({
      blobId: BLOB_ID_TEXT,
      objectId: objectId(1),
      previousEndEpoch: 10,
      endEpoch: 12,
      epochsExtended: 2,
      cost: '10000',
      txDigest: 'D1',
    });
  });

  it('formats MIST as SUI and bytes in binary units', () => {
    expect(formatMist(0n)).toBe('0 SUI');
    expect(formatMist(1_234n)).toBe('0.000001234 SUI');
    expect(formatMist(2_500_000_000n)).toBe('2.5 SUI');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(1n << 40n)).toBe('1.00 TiB');
  });
});

describe('blob-status: the status Walrus would report', () => {
  const permanent = (endEpoch: number): NodeBlobStatus => ({
    kind: 'permanent',
    endEpoch,
    isCertified: true,
    initialCertifiedEpoch: 2,
    deletableCounts: { total: 0, certified: 0 },
  });
  const wire = {
    permanent: {
      endEpoch: 9,
      isCertified: true,
      statusEvent: { txDigest: 'x', eventSeq: '0' },
      deletableCounts: { count_deletable_total: 1, count_deletable_certified: 0 },
      initialCertifiedEpoch: 2,
    },
  };

  it("parses the nodes' BlobStatus JSON and drops anything else", () => {
    expect(parseNodeBlobStatus('nonexistent')).toEqual({ kind: 'nonexistent' });
    expect(parseNodeBlobStatus({ invalid: { event: { txDigest: 'x', eventSeq: '1' } } })).toEqual({
      kind: 'invalid',
    });
    expect(parseNodeBlobStatus(wire)).toEqual({
      kind: 'permanent',
      endEpoch: 9,
      isCertified: true,
      initialCertifiedEpoch: 2,
      deletableCounts: { total: 1, certified: 0 },
    });
    expect(
      parseNodeBlobStatus({
        deletable: {
          initialCertifiedEpoch: null,
          deletableCounts: { count_deletable_total: 2, count_deletable_certified: 1 },
        },
      }),
    ).toEqual({
      kind: 'deletable',
      initialCertifiedEpoch: null,
      deletableCounts: { total: 2, certified: 1 },
    });
    for (const bad of [
      null,
      'Nonexistent',
      7,
      {},
      { permanent: { ...wire.permanent, endEpoch: '9' } },
      { deletable: {} },
    ]) {
      expect(parseNodeBlobStatus(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('takes the most advanced status backed by more than f shards', () => {
    // n = 10, f = 3: 4 shards are enough to be believed, 3 are not.
    const lagging = aggregateBlobStatus(
      [
        { weight: 6, status: { kind: 'nonexistent' } },
        { weight: 4, status: permanent(9) },
      ],
      10,
    );
    expect(lagging).toEqual({ status: permanent(9), weight: 4, answeredWeight: 10 });
    const liars = aggregateBlobStatus(
      [
        { weight: 7, status: permanent(9) },
        { weight: 3, status: { kind: 'invalid' } },
      ],
      10,
    );
    expect(liars?.status).toEqual(permanent(9));
    // Same lifecycle state, different details: the heavier group wins.
    const split = aggregateBlobStatus(
      [
        { weight: 4, status: permanent(9) },
        { weight: 5, status: permanent(12) },
        { weight: 1, status: undefined },
      ],
      10,
    );
    expect(split).toEqual({ status: permanent(12), weight: 5, answeredWeight: 9 });
    expect(
      aggregateBlobStatus(
        [
          { weight: 3, status: permanent(9) },
          { weight: 7, status: undefined },
        ],
        10,
      ),
    ).toBeUndefined();
  });

  it('builds the JSON with end and certified epochs', () => {
    expect(
      blobStatusJson(BLOB_ID_TEXT, { status: permanent(9), weight: 7, answeredWeight: 10 }, 10, 4),
    ).toEqual({
      blobId: BLOB_ID_TEXT,
      status: 'permanent',
      certified: true,
      certifiedEpoch: 2,
      endEpoch: 9,
      deletableCounts: { total: 0, certified: 0 },
      weight: 7,
      answeredWeight: 10,
      nShards: 10,
      epoch: 4,
    });
    const deletable: NodeBlobStatus = {
      kind: 'deletable',
      initialCertifiedEpoch: 3,
      deletableCounts: { total: 2, certified: 1 },
    };
    expect(
      blobStatusJson(BLOB_ID_TEXT, { status: deletable, weight: 10, answeredWeight: 10 }, 10, 4),
    ).toMatchObject({
      status: 'deletable',
      certified: true,
      certifiedEpoch: 3,
      endEpoch: null,
    });
    expect(
      blobStatusJson(
        BLOB_ID_TEXT,
        { status: { kind: 'nonexistent' }, weight: 10, answeredWeight: 10 },
        10,
        4,
      ),
    ).toMatchObject({
      status: 'nonexistent',
      certified: false,
      certifiedEpoch: null,
      endEpoch: null,
      deletableCounts: null,
    });
  });
});

describe("delete: which of the wallet's objects a blob ID names", () => {
  it('picks the deletable, unexpired ones and explains when there is none', () => {
    const owned = [
      blob(1),
      blob(2, { deletable: false }),
      blob(3, { storage: { ...blob(3).storage, endEpoch: 4 } }),
      blob(4, { blobId: OTHER_ID }),
    ];
    const target = { kind: 'blobId', blobId: BLOB_ID } as const;
    expect(deletableBlobs(target, owned, 4).map((b) => b.objectId)).toEqual([objectId(1)]);
    expect(() => deletableBlobs(target, [blob(2, { deletable: false })], 4)).toThrow(
      /are all permanent: only deletable blobs/,
    );
    expect(() =>
      deletableBlobs(
        { kind: 'objectId', objectId: objectId(2) },
        [blob(2, { deletable: false })],
        4,
      ),
    ).toThrow(/object 0x0+2 is permanent/);
    expect(() =>
      deletableBlobs(target, [blob(3, { storage: { ...blob(3).storage, endEpoch: 4 } })], 4),
    ).toThrow(/has expired/);
    expect(() => deletableBlobs(target, [blob(4, { blobId: OTHER_ID })], 4)).toThrow(
      /owns no Blob object with blob ID/,
    );
  });

  it("deletes through the chain, paging through the wallet's objects", async () => {
    const pages: Page<ChainBlob>[] = [
      { data: [blob(1), blob(2, { deletable: false })], nextCursor: 'c1', hasNextPage: true },
      { data: [blob(3), blob(4, { blobId: OTHER_ID })], nextCursor: 'c2', hasNextPage: false },
    ];
    const cursors: (string | null | undefined)[] = [];
    const deleted: string[] = [];
    const chain: Partial<Chain> = {
      readSystem: async () => system(),
      ownedBlobs: async (owner, options) => {
        expect(owner).toBe(OWNER);
        cursors.push(options?.cursor);
        return pages[cursors.length - 1];
      },
      deleteBlob: async (handle) => {
        const id = (handle as ChainBlob).objectId;
        deleted.push(id);
        return {
          digest: `tx-${deleted.length}`,
          gasUsedMist: 1n,
          events: [],
          storage: { objectId: `${id}-storage`, version: '1', digest: 'd' },
        };
      },
    };
    const result = await run(['delete', BLOB_ID_TEXT, '--json'], {
      session: (io) => fakeSession(chain, io),
    });
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(cursors).toEqual([null, 'c1']);
    expect(deleted).toEqual([objectId(1), objectId(3)]);
    expect(JSON.parse(result.stdout.join('\n'))).toEqual({
      deleted: [
        {
          blobId: BLOB_ID_TEXT,
          objectId: objectId(1),
          storageObjectId: `${objectId(1)}-storage`,
          txDigest: 'tx-1',
        },
        {
          blobId: BLOB_ID_TEXT,
          objectId: objectId(3),
          storageObjectId: `${objectId(3)}-storage`,
          txDigest: 'tx-2',
        },
      ],
    });
  });

  it('maps a chain abort to one error line and a hint', async () => {
    const abort = new ChainAbortError(
      'Dig3st',
      'MoveAbort(...)',
      PACKAGE_ID,
      'blob',
      8,
      'EBlobNotDeletable',
      'delete',
      1,
    );
    const chain: Partial<Chain> = {
      readSystem: async () => system(),
      readBlob: async () => blob(1),
      deleteBlob: async () => {
        throw abort;
      },
    };
    const result = await run(['delete', '--object-id', objectId(1)], {
      session: (io) => fakeSession(chain, io),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toEqual([
      'error: the blob is permanent: only deletable blobs can be deleted (transaction Dig3st aborted in blob::delete with EBlobNotDeletable 8)',
      'hint: A permanent blob stays stored until its end epoch. Store without --permanent to be able to delete.',
    ]);
  });
});

describe('error mapping', () => {
  it('says what failed and what to do next', () => {
    const cases: [unknown, RegExp, RegExp | undefined][] = [
      [
        new ChainAbortError(
          'D',
          's',
          PACKAGE_ID,
          'system',
          4,
          'EInsufficientPayment',
          'reserve_space',
          1,
        ),
        /^the payment did not cover the price \(transaction D aborted in system::reserve_space/,
        /walrus-edge info/,
      ],
      [
        new ChainAbortError('D', 's', PACKAGE_ID, 'x', 99, undefined, undefined, undefined),
        /aborted in x with code 99/,
        /Abort codes/,
      ],
      [
        new ChainExecutionError('D', 'InsufficientGas'),
        /transaction D failed: InsufficientGas/,
        /Fund the wallet/,
      ],
      [
        new ChainNetworkError('connect ECONNREFUSED', 'sui_getObject', false),
        /^cannot reach the ledger at http:\/\/l/,
        /npm start/,
      ],
      [
        new ChainObjectError(objectId(5), 'not-found', 'gone'),
        /object 0x0+5 does not exist/,
        /list-blobs/,
      ],
      [
        new BlobNotFoundError('blob X is not stored on this network'),
        /not stored/,
        /expired or been deleted/,
      ],
      [
        new BlobUnavailableError('only 2 of the 4 primary slivers'),
        /only 2 of the 4/,
        /retry later/,
      ],
      [
        new NotEnoughConfirmationsError('confirmations from 3 of 10 shards'),
        /^storing failed: confirmations/,
        /storage nodes are running/,
      ],
    ];
    for (const [error, message, hint] of cases) {
      const mapped = toCliError(error, { ledgerUrl: 'http://l' });
      expect(mapped.message).toMatch(message);
      if (hint !== undefined) expect(mapped.hint).toMatch(hint);
      expect(mapped.exitCode).toBe(1);
      expect(mapped.message).not.toContain('\n');
    }
  });
});

describe('progress', () => {
  it('is drawn only when stderr is a terminal', () => {
    expect(progressEnabled(true, {})).toBe(true);
    expect(progressEnabled(false, {})).toBe(false);
    expect(progressEnabled(true, { TERM: 'dumb' })).toBe(false);
    expect(progressEnabled(true, { WALRUS_EDGE_NO_PROGRESS: '1' })).toBe(false);
  });

  it('renders stages and sliver counts, throttled, and clears its line', () => {
    expect(progressLine(storeStep({ stage: 'upload', done: 5, total: 20 }))).toBe(
      `upload    [${'#'.repeat(8)}${'-'.repeat(22)}] 5/20 slivers`,
    );
    expect(progressLine(storeStep({ stage: 'encode', done: 0, total: 1 }))).toBe(
      `encode    [${'-'.repeat(30)}]`,
    );
    const writes: string[] = [];
    let nowMs = 0;
    const io = {
      stderrIsTty: true,
      env: {},
      writeErr: (text: string) => writes.push(text),
      now: () => nowMs,
    } as unknown as CliIo;
    const progress = createProgress(io);
    progress.update(storeStep({ stage: 'upload', done: 1, total: 20 }));
    progress.update(storeStep({ stage: 'upload', done: 2, total: 20 })); // within 100 ms: skipped
    nowMs = 150;
    progress.update(storeStep({ stage: 'upload', done: 3, total: 20 }));
    progress.update(storeStep({ stage: 'upload', done: 20, total: 20 })); // completion: always drawn
    progress.update(storeStep({ stage: 'certify', done: 0, total: 1 })); // new stage: always drawn
    progress.finish();
    expect(
      writes.map((w) => w.replace('\r\x1b[2K', '').split(' ')[0] + (/\d+\/\d+/.exec(w)?.[0] ?? '')),
    ).toEqual(['upload1/20', 'upload3/20', 'upload20/20', 'certify', '']);
    const piped: string[] = [];
    const silent = createProgress({
      ...io,
      stderrIsTty: false,
      writeErr: (text: string) => piped.push(text),
    });
    silent.update(storeStep({ stage: 'upload', done: 1, total: 20 }));
    silent.finish();
    expect(piped).toEqual([]);
  });
});

describe('output files', () => {
  it('writes atomically and leaves no temporary file', () => {
    const out = join(dir, 'atomic', 'blob.bin');
    expect(() => checkWritable(out)).toThrow(/directory .*atomic does not exist/);
    const parent = mkdtempSync(join(dir, 'out-'));
    const file = join(parent, 'blob.bin');
    checkWritable(file);
    writeFileSync(file, 'old contents');
    writeFileAtomic(file, Uint8Array.of(1, 2, 3));
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    expect(readdirSync(parent)).toEqual(['blob.bin']);
    expect(() => checkWritable(parent)).toThrow(/it is a directory/);
  });
});
