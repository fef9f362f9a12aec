/**
 * The Move package under move/, checked the only ways this machine can (docs/spec/contracts.md §8):
 * every .move file parses with the tree-sitter grammar of @mysten/prettier-plugin-move (run
 * through scripts/check-move.mjs as CI runs it), the checker really reports broken files with a
 * line number, and the data the Move unit tests rely on (encoded-length table, BLS fixtures) agrees
 * with the reference vectors and with noble's BLS, so `sui move test` has a fair chance where the
 * Sui CLI exists.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../helpers/vectors.js';

const run = promisify(execFile);
const CHECKER = new URL('../../../scripts/check-move.mjs', import.meta.url).pathname;
const MOVE_DIR = new URL('../../../move/', import.meta.url).pathname;

async function check(...files: string[]) {
  try {
    const { stdout } = await run('node', [CHECKER, ...files], { timeout: 60_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

function moveFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'build' ? [] : moveFiles(path);
    return entry.name.endsWith('.move') ? [path] : [];
  });
}

const read = (relative: string) => readFileSync(join(MOVE_DIR, relative), 'utf8');

describe('move/ syntax check (scripts/check-move.mjs)', () => {
  it('parses every .move file of the package', async () => {
    const files = moveFiles(MOVE_DIR);
    expect(files.length).toBeGreaterThanOrEqual(17);
    const { code, stdout } = await check();
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([`${files.length} passed, 0 failed`]);
    expect(code).toBe(0);
  });

  it('reports a missing `;` with its file, line and column, and fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-move-'));
    const broken = join(dir, 'broken.move');
    writeFileSync(broken, 'module demo::broken;\n\nfun f(): u64 {\n    let x = 1\n    x\n}\n');
    const good = join(dir, 'good.move');
    writeFileSync(good, 'module demo::good;\n\npublic fun f(): u64 {\n    let x = 1;\n    x\n}\n');
    const { code, stdout } = await check(good, broken);
    expect(code).toBe(1);
    expect(stdout).toMatch(/broken\.move:4:14: missing ;/);
    expect(stdout).not.toMatch(/good\.move/);
    expect(stdout.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('reports a typo and an unclosed block on their lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walrus-edge-move-'));
    const typo = join(dir, 'typo.move');
    writeFileSync(typo, 'module demo::typo;\n\npubic fun f(): u64 { 1 }\n');
    const unclosed = join(dir, 'unclosed.move');
    writeFileSync(unclosed, 'module demo::unclosed;\n\npublic struct S has drop {\n    x: u64,\n');
    const { code, stdout } = await check(typo, unclosed);
    expect(code).toBe(1);
    expect(stdout).toMatch(/typo\.move:3:\d+: /);
    expect(stdout).toMatch(/unclosed\.move:\d+:\d+: /);
    expect(stdout.trim().split('\n').at(-1)).toBe('0 passed, 2 failed');
  });
});

describe('move/ package contents', () => {
  it('declares every module of the slim package under walrus_edge', () => {
    const modules = [
      'blob',
      'bls_aggregate',
      'committee',
      'encoding',
      'events',
      'messages',
      'metadata',
      'nodes',
      'storage_resource',
      'system',
    ];
    for (const name of modules) {
      expect(read(`sources/${name}.move`)).toContain(`module walrus_edge::${name};`);
    }
    expect(read('Move.toml')).toMatch(/edition = "2024"/);
    expect(read('sources/encoding.move')).toContain(
      'keep in sync with core/encoding/config.ts encodedBlobLength',
    );
  });

  it('uses the encoded lengths of shared/vectors/redstuff.jsonl in its Move unit tests', () => {
    const vectors = loadVectors();
    const source = read('tests/encoding_tests.move');
    const rows = [...source.matchAll(/check\((\d+), ([\d_]+), ([\d_]+), ([\d_]+)\);/g)].map((m) =>
      m.slice(1).map((value) => Number(value.replaceAll('_', ''))),
    );
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const [nShards, size, symbolSize, encodedLength] of rows) {
      const vector = vectors.find((v) => v.n_shards === nShards && v.size === size && !v.error);
      expect(vector, `vector n=${nShards} size=${size}`).toBeDefined();
      expect([symbolSize, encodedLength]).toEqual([vector!.symbol_size, vector!.encoded_length]);
    }
    // The too-large cases the Move tests expect to abort are the vectors' DataTooLarge cases.
    for (const [nShards, size] of [
      [10, 1_834_953],
      [4, 393_205],
    ]) {
      const vector = vectors.find((v) => v.n_shards === nShards && v.size === size);
      expect(vector?.error).toBe('DataTooLarge');
      expect(source).toContain(
        `encoded_blob_length(${size.toLocaleString('en').replaceAll(',', '_')}`,
      );
    }
  });
});

describe('move/tests/test_vectors.move BLS fixtures', () => {
  const bls = bls12_381.longSignatures;
  const fixtures = new Map<string, string>();
  for (const m of read('tests/test_vectors.move').matchAll(
    /fun (\w+)\(\): (?:vector<u8>|u256) \{\s*(x"[0-9a-f]*"|0x[0-9a-f]+)/g,
  )) {
    fixtures.set(m[1], m[2]);
  }
  const bytes = (name: string) => {
    const literal = fixtures.get(name);
    if (literal === undefined || !literal.startsWith('x"'))
      throw new Error(`no byte fixture ${name}`);
    return Uint8Array.from(Buffer.from(literal.slice(2, -1), 'hex'));
  };
  const u256 = (name: string) => BigInt(fixtures.get(name)!);
  const le = (value: bigint, length: number) =>
    Uint8Array.from({ length }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
  const header = (type: number, epoch: number) =>
    Uint8Array.from([type, 0, 3, ...le(BigInt(epoch), 4)]);
  const verify = (signature: string, message: Uint8Array, keys: string[]) =>
    bls.verify(
      bls.Signature.fromBytes(bytes(signature)),
      bls.hash(message),
      bls.aggregatePublicKeys(keys.map((key) => bytes(key))),
    );

  it('has proofs of possession over the 87-byte PoP message of each sender', () => {
    for (const [node, sender] of [
      ['a', 0xa1],
      ['b', 0xa2],
      ['c', 0xa3],
      ['d', 0xa4],
    ] as const) {
      const message = Uint8Array.from([
        ...header(0, 0),
        ...le(BigInt(sender), 32).reverse(),
        ...bytes(`pk_${node}`),
      ]);
      expect(message.length).toBe(87);
      expect(verify(`pop_${node}`, message, [`pk_${node}`])).toBe(true);
    }
    const rotation = Uint8Array.from([
      ...header(0, 1),
      ...le(0xa1n, 32).reverse(),
      ...bytes('pk_e'),
    ]);
    expect(verify('pop_e_by_a_epoch_1', rotation, ['pk_e'])).toBe(true);
    expect(verify('pop_a', rotation, ['pk_a'])).toBe(false);
  });

  it('has aggregate certificates over the exact message bytes the Move tests pass', () => {
    const blobId = u256('blob_id');
    expect(bytes('epoch1_cert_message')).toEqual(
      Uint8Array.from([...header(1, 1), ...le(blobId, 32), 0]),
    );
    expect(verify('epoch1_cert_sig_ab', bytes('epoch1_cert_message'), ['pk_a', 'pk_b'])).toBe(true);
    expect(
      verify('epoch1_cert_sig_bcd', bytes('epoch1_cert_message'), ['pk_b', 'pk_c', 'pk_d']),
    ).toBe(true);
    expect(verify('epoch1_invalid_sig_a', bytes('epoch1_invalid_message'), ['pk_a'])).toBe(true);
    expect(verify('unit_cert_sig_acd', bytes('unit_cert_message'), ['pk_a', 'pk_c', 'pk_d'])).toBe(
      true,
    );
    expect(verify('unit_cert_sig_acd', bytes('unit_cert_message'), ['pk_a', 'pk_b'])).toBe(false);
    const vector = loadVectors().find((v) => v.n_shards === 10 && v.size === 1000)!;
    expect(blobId).toBe(BigInt(vector.blob_id_u256_dec));
    expect(le(u256('blob_root_hash'), 32)).toEqual(
      Uint8Array.from(Buffer.from(vector.root_hash_hex, 'hex')),
    );
  });
});
