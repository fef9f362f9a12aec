/**
 * Seeded property tests of decoding, sliver verification, recovery symbols and inconsistency proofs:
 * random blobs, random sliver subsets, and tampering with slivers, symbols and metadata.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { parseBcsExactly } from '../../../core/bcs-exact.js';
import { deriveBlobId } from '../../../core/blob-id.js';
import { encodeBlob } from '../../../core/encoding/blob-encoder.js';
import { decodeBlob } from '../../../core/encoding/blob-decoder.js';
import { encodingParams } from '../../../core/encoding/config.js';
import {
  InvalidInconsistencyProofError,
  decodeInconsistencyProof,
  encodeInconsistencyProof,
  verifyInconsistencyProof,
} from '../../../core/encoding/inconsistency.js';
import {
  type BlobMetadata,
  MetadataVerificationError,
  decodeBlobMetadata,
  encodeBlobMetadata,
  rootHashOfMetadata,
  verifyMetadata,
} from '../../../core/encoding/metadata.js';
import {
  InconsistentBlobError,
  type RecoverySymbol,
  RecoverySymbolSource,
  SymbolVerificationError,
  recoverSliver,
  recoverSliverFromVerified,
  verifyRecoverySymbol,
  verifyRecoverySymbols,
} from '../../../core/encoding/recovery-symbols.js';
import {
  GeneralRecoverySymbolListBcs,
  decodeRecoverySymbols,
  encodeRecoverySymbols,
} from '../../../core/encoding/recovery-symbol-list.js';
import { DecodingError } from '../../../core/encoding/reed-solomon.js';
import {
  SliverVerificationError,
  computeSliverHash,
  verifySliver,
} from '../../../core/encoding/sliver-verification.js';
import type { SliverData } from '../../../core/encoding/sliver-data.js';
import { expectBytes } from '../../helpers/bytes.js';
import { randomBytes, seededRandom } from '../../helpers/random.js';

const SEED = 20261124;

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function setup(nShards: number, size: number, seed: number) {
  const blob = randomBytes(size, seed);
  const encoded = encodeBlob(blob, nShards);
  const metadata = verifyMetadata(encoded.blobId, encoded.metadata, nShards);
  const primary = (i: number): SliverData => ({
    data: encoded.primarySliver(i).slice(),
    symbolBytes: encoded.layout.symbolBytes,
    index: i,
  });
  const secondary = (j: number): SliverData => ({
    data: encoded.secondarySliver(j).slice(),
    symbolBytes: encoded.layout.symbolBytes,
    index: j,
  });
  return { blob, encoded, metadata, primary, secondary };
}

const CASES: [number, number][] = [
  [4, 0],
  [4, 37],
  [7, 1000],
  [10, 1793],
  [13, 5000],
  [31, 20_000],
  [100, 150_001],
];

describe('decoding from random sliver subsets', () => {
  for (const [n, size] of CASES) {
    it(`n=${n} size=${size}`, () => {
      const random = seededRandom(SEED + n + size);
      const { blob, metadata, primary, secondary } = setup(n, size, SEED + size);
      const { nPrimary, nSecondary } = encodingParams(n);
      const all = Array.from({ length: n }, (_, i) => i);
      for (let trial = 0; trial < 3; trial++) {
        const primaries = shuffled(all, random).slice(0, nPrimary).map(primary);
        expectBytes(decodeBlob(metadata, 'primary', primaries), blob);
        const secondaries = shuffled(all, random).slice(0, nSecondary).map(secondary);
        expectBytes(decodeBlob(metadata, 'secondary', secondaries), blob);
      }
      // The systematic fast path.
      expectBytes(decodeBlob(metadata, 'primary', all.slice(0, nPrimary).map(primary)), blob);
      expect(() =>
        decodeBlob(metadata, 'primary', all.slice(0, nPrimary - 1).map(primary)),
      ).toThrow(DecodingError);
    });
  }

  it('rejects a tampered sliver before decoding', () => {
    const { metadata, primary } = setup(10, 3000, 5);
    const slivers = [0, 1, 2, 3].map(primary);
    slivers[2].data[5] ^= 1;
    expect(() => decodeBlob(metadata, 'primary', slivers)).toThrow(SliverVerificationError);
  });
});

describe('sliver verification', () => {
  it('accepts every correct sliver and rejects tampering, wrong sizes and wrong indices', () => {
    const { metadata, primary, secondary, encoded } = setup(13, 4321, 9);
    for (let i = 0; i < 13; i++) {
      verifySliver(metadata, 'primary', primary(i));
      verifySliver(metadata, 'secondary', secondary(i));
    }
    const reason = (f: () => void) => {
      try {
        f();
      } catch (error) {
        return (error as SliverVerificationError).reason;
      }
      return 'accepted';
    };
    const tampered = primary(3);
    tampered.data[tampered.data.length - 1] ^= 0x80;
    expect(reason(() => verifySliver(metadata, 'primary', tampered))).toBe('MERKLE_ROOT_MISMATCH');
    expect(reason(() => verifySliver(metadata, 'secondary', { ...secondary(4), index: 5 }))).toBe(
      'MERKLE_ROOT_MISMATCH',
    );
    expect(reason(() => verifySliver(metadata, 'primary', secondary(4)))).toBe(
      'SLIVER_SIZE_MISMATCH',
    );
    expect(reason(() => verifySliver(metadata, 'primary', { ...primary(1), index: 13 }))).toBe(
      'INDEX_TOO_LARGE',
    );
    expect(
      reason(() =>
        verifySliver(metadata, 'primary', {
          ...primary(1),
          symbolBytes: encoded.layout.symbolBytes + 2,
        }),
      ),
    ).toBe('SYMBOL_SIZE_MISMATCH');
  });
});

describe('metadata verification', () => {
  it('round-trips BCS and rejects tampering, wrong counts and a wrong blob ID', () => {
    const { encoded } = setup(10, 999, 11);
    const bytes = encodeBlobMetadata(encoded.metadata);
    const parsed = decodeBlobMetadata(bytes);
    expect(verifyMetadata(encoded.blobId, parsed, 10).unencodedLength).toBe(999);
    const reason = (f: () => void) => {
      try {
        f();
      } catch (error) {
        return (error as MetadataVerificationError).reason;
      }
      return 'accepted';
    };
    const flipped = bytes.slice();
    flipped[20] ^= 1;
    expect(reason(() => verifyMetadata(encoded.blobId, decodeBlobMetadata(flipped), 10))).toBe(
      'BLOB_ID_MISMATCH',
    );
    expect(reason(() => verifyMetadata(encoded.blobId, parsed, 13))).toBe('WRONG_HASH_COUNT');
    expect(reason(() => decodeBlobMetadata(bytes.subarray(0, bytes.length - 1)))).toBe('MALFORMED');
    expect(reason(() => decodeBlobMetadata(Uint8Array.of(...bytes, 0)))).toBe('MALFORMED');
    const legacy = bytes.slice();
    legacy[1] = 0; // encoding type RedStuff (RaptorQ), retired
    expect(reason(() => decodeBlobMetadata(legacy))).toBe('UNSUPPORTED_ENCODING_TYPE');
    const huge: BlobMetadata = { ...parsed, unencodedLength: 10 ** 12 };
    expect(reason(() => verifyMetadata(encoded.blobId, huge, 10))).toBe('TOO_LARGE');
  });
});

describe('recovery symbols', () => {
  for (const [n, size] of [
    [7, 800],
    [10, 70_000],
    [31, 9000],
  ] as [number, number][]) {
    it(`recover random slivers n=${n} size=${size}`, () => {
      const random = seededRandom(SEED * 3 + n);
      const { metadata, primary, secondary } = setup(n, size, n * 17);
      const all = Array.from({ length: n }, (_, i) => i);
      for (let trial = 0; trial < 3; trial++) {
        const target = Math.floor(random() * n);
        // A primary target is rebuilt from symbols of secondary slivers (other nodes' columns).
        const helpers = shuffled(all, random).slice(0, encodingParams(n).nSecondary);
        const symbols = helpers.map((j) =>
          new RecoverySymbolSource(metadata, 'secondary', j, secondary(j).data).symbolFor(target),
        );
        const wire = decodeRecoverySymbols(encodeRecoverySymbols(symbols));
        expectBytes(recoverSliver(metadata, 'primary', target, wire), primary(target).data);
        const rowHelpers = shuffled(all, random).slice(0, encodingParams(n).nPrimary);
        const rowSymbols = rowHelpers.map((i) =>
          new RecoverySymbolSource(metadata, 'primary', i, primary(i).data).symbolFor(target),
        );
        expectBytes(
          recoverSliver(metadata, 'secondary', target, rowSymbols),
          secondary(target).data,
        );
      }
    });
  }

  it('rejects tampered symbols, proofs and misdirected symbols', () => {
    const { metadata, secondary } = setup(10, 5000, 3);
    const source = new RecoverySymbolSource(metadata, 'secondary', 4, secondary(4).data);
    const good = source.symbolFor(2);
    const reason = (symbols: Parameters<typeof recoverSliver>[3], target = 2) => {
      try {
        recoverSliver(metadata, 'primary', target, symbols);
      } catch (error) {
        return (error as SymbolVerificationError).reason ?? (error as Error).name;
      }
      return 'accepted';
    };
    const data = good.data.slice();
    data[0] ^= 1;
    expect(reason([{ ...good, data }])).toBe('INVALID_PROOF');
    expect(reason([{ ...good, proof: good.proof.slice(1) }])).toBe('INVALID_PROOF');
    expect(reason([{ ...good, sourceIndex: 5 }])).toBe('INVALID_PROOF');
    expect(reason([good], 3)).toBe('SYMBOL_NOT_USABLE');
    expect(reason([{ ...good, data: good.data.subarray(1) }])).toBe('SYMBOL_SIZE_MISMATCH');
    expect(reason([{ ...good, sourceIndex: 10 }])).toBe('INDEX_TOO_LARGE');
    expect(reason([good])).toBe('DecodingError');
  });

  it('writes recovery symbol lists byte for byte as @mysten/bcs does', () => {
    for (const n of [7, 10, 31]) {
      const { metadata, primary, secondary } = setup(n, 3000 + n, n);
      const symbols: RecoverySymbol[] = [];
      for (let j = 0; j < n; j += 2) {
        const column = new RecoverySymbolSource(metadata, 'secondary', j, secondary(j).data);
        const row = new RecoverySymbolSource(metadata, 'primary', j, primary(j).data);
        // Targets past the sliver's own symbols come from the expansion; odd n pads with Empty.
        for (const target of [0, n - 1, j])
          symbols.push(column.symbolFor(target), row.symbolFor(target));
      }
      expect(symbols.some((symbol) => symbol.proof.some((node) => node.$kind === 'Empty'))).toBe(
        true,
      );
      const reference = GeneralRecoverySymbolListBcs.serialize(
        symbols.map((symbol) => ({
          symbol:
            symbol.targetAxis === 'primary'
              ? { Primary: { index: symbol.sourceIndex, data: symbol.data } }
              : { Secondary: { index: symbol.sourceIndex, data: symbol.data } },
          target_index: symbol.targetIndex,
          proof: { path: [...symbol.proof] },
        })),
      ).toBytes();
      expectBytes(encodeRecoverySymbols(symbols), reference);
      expectBytes(encodeRecoverySymbols([]), Uint8Array.of(0));
    }
  });

  it('reads recovery symbol lists as @mysten/bcs does, and refuses what it cannot read exactly', () => {
    const { metadata, secondary, primary } = setup(10, 3010, 10);
    const symbols = [0, 3, 9].flatMap((j) => [
      new RecoverySymbolSource(metadata, 'secondary', j, secondary(j).data).symbolFor(9 - j),
      new RecoverySymbolSource(metadata, 'primary', j, primary(j).data).symbolFor(j),
    ]);
    const bytes = encodeRecoverySymbols(symbols);
    const reference = parseBcsExactly(GeneralRecoverySymbolListBcs, bytes);
    const decoded = decodeRecoverySymbols(bytes);
    expect(decoded.length).toBe(reference.length);
    decoded.forEach((symbol, i) => {
      const value = reference[i];
      const either = value.symbol.Primary ?? value.symbol.Secondary!;
      expect(symbol.targetAxis).toBe(value.symbol.$kind === 'Primary' ? 'primary' : 'secondary');
      expect([symbol.sourceIndex, symbol.targetIndex]).toEqual([either.index, value.target_index]);
      expectBytes(symbol.data, either.data);
      expect(symbol.proof.map((node) => node.$kind)).toEqual(value.proof.path.map((n) => n.$kind));
      symbol.proof.forEach((node, k) => {
        const other = value.proof.path[k];
        if (node.$kind === 'Digest' && other.$kind === 'Digest')
          expectBytes(node.Digest, other.Digest);
      });
      // What verification needs survives the round trip.
      expect(() =>
        verifyRecoverySymbol(metadata, symbol, symbol.targetAxis, symbol.targetIndex),
      ).not.toThrow();
    });
    // A view of a longer body reads only its own bytes.
    const longer = new Uint8Array(bytes.length + 7);
    longer.set(bytes);
    expect(decodeRecoverySymbols(longer.subarray(0, bytes.length)).length).toBe(symbols.length);
    const refused = (hex: string) => () => decodeRecoverySymbols(hexToBytes(hex));
    // One primary symbol: index 2, data [1], target 5, proof [Empty].
    expect(decodeRecoverySymbols(hexToBytes('01000200010105000100'))).toHaveLength(1);
    expect(refused('01000200010105000100ff')).toThrow('1 trailing bytes');
    expect(refused('010002000101050001')).toThrow('cut short');
    expect(refused('01020200010105000100')).toThrow('unknown symbol variant 2');
    expect(refused('01000200010105000102')).toThrow('unknown Merkle node 2');
    expect(refused('0100020081000105000100')).toThrow('non-canonical ULEB');
    expect(refused('01000200ffffffffff0f')).toThrow('long ULEB');
    // A count no body could hold allocates nothing.
    expect(refused('ffffffff0f')).toThrow('cut short');
    expect(refused('00')).not.toThrow();
  });

  it('checks a rebuilt sliver with the leaf digests of the symbols it was decoded from', () => {
    for (const n of [7, 10, 31]) {
      const { metadata, primary, secondary } = setup(n, 4000 + n, n + 1);
      const { nSecondary } = encodingParams(n);
      const target = n % 3;
      // Columns from the far end first, so the decoded positions are not just the systematic ones.
      const symbols = Array.from({ length: n }, (_, q) => n - 1 - q)
        .slice(0, nSecondary + 1)
        .map((j) =>
          new RecoverySymbolSource(metadata, 'secondary', j, secondary(j).data).symbolFor(target),
        );
      const checks = verifyRecoverySymbols(metadata, symbols, 'primary');
      const digests = new Map(symbols.map((symbol, i) => [symbol, checks[i].leafDigest!]));
      expectBytes(
        recoverSliverFromVerified(metadata, 'primary', target, symbols, (s) => digests.get(s)),
        primary(target).data,
      );
      // The digests are really used: wrong ones make a consistent sliver fail its check.
      expect(() =>
        recoverSliverFromVerified(metadata, 'primary', target, symbols, () => new Uint8Array(32)),
      ).toThrow(InconsistentBlobError);
    }
  });

  it('verifies a batch of symbols exactly as one by one, whatever the mix', () => {
    const { metadata, secondary } = setup(10, 5000, 5);
    const symbolsOf = (j: number) => {
      const source = new RecoverySymbolSource(metadata, 'secondary', j, secondary(j).data);
      return [0, 2, 7].map((target) => source.symbolFor(target));
    };
    const good = [...symbolsOf(1), ...symbolsOf(4), ...symbolsOf(8)];
    const flipped = good[4].data.slice();
    flipped[7] ^= 0x10;
    const mix: RecoverySymbol[] = [
      ...good,
      { ...good[4], data: flipped },
      { ...good[0], proof: good[0].proof.slice(1) },
      { ...good[1], sourceIndex: 5 },
      { ...good[2], data: good[2].data.subarray(1) },
      { ...good[3], targetIndex: 10 },
      { ...good[5], targetAxis: 'secondary' },
    ];
    const batch = verifyRecoverySymbols(metadata, mix, 'primary').map(
      (check) => check.error?.reason ?? 'ok',
    );
    const single = mix.map((symbol) => {
      try {
        verifyRecoverySymbol(metadata, symbol, 'primary', symbol.targetIndex);
        return 'ok';
      } catch (error) {
        return (error as SymbolVerificationError).reason;
      }
    });
    expect(batch).toEqual(single);
    expect(batch).toEqual([
      ...good.map(() => 'ok'),
      'INVALID_PROOF',
      'INVALID_PROOF',
      'INVALID_PROOF',
      'SYMBOL_SIZE_MISMATCH',
      'INDEX_TOO_LARGE',
      'SYMBOL_NOT_USABLE',
    ]);
  });
});

describe('inconsistency proofs', () => {
  it('prove an inconsistently encoded blob and reject a consistent one', () => {
    const n = 10;
    const { encoded, secondary } = setup(n, 2000, 77);
    const { nSecondary } = encodingParams(n);
    // A malicious writer commits to a tampered secondary sliver q.
    const q = 3;
    const bad = secondary(q);
    bad.data[1] ^= 0xff;
    const hashes = encoded.metadata.hashes.map((pair) => ({ ...pair }));
    hashes[n - 1 - q] = {
      ...hashes[n - 1 - q],
      secondary: computeSliverHash(encoded.layout, 'secondary', bad.data),
    };
    const forged: BlobMetadata = { ...encoded.metadata, hashes };
    const forgedId = deriveBlobId(rootHashOfMetadata(forged), forged.unencodedLength);
    const metadata = verifyMetadata(forgedId, forged, n);
    const sliverOf = (j: number) => (j === q ? bad.data : secondary(j).data);
    const target = 0;
    const helpers = Array.from({ length: nSecondary }, (_, j) => j); // includes q
    const symbols = helpers.map((j) =>
      new RecoverySymbolSource(metadata, 'secondary', j, sliverOf(j)).symbolFor(target),
    );
    let thrown: unknown;
    try {
      recoverSliver(metadata, 'primary', target, symbols);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InconsistentBlobError);
    // The same holds when the rebuilt row is checked with the symbols' verified leaf digests.
    const checks = verifyRecoverySymbols(metadata, symbols, 'primary');
    expect(() =>
      recoverSliverFromVerified(
        metadata,
        'primary',
        target,
        symbols,
        (s) => checks[symbols.indexOf(s)].leafDigest,
      ),
    ).toThrow(InconsistentBlobError);
    const proof = {
      axis: 'primary' as const,
      targetSliverIndex: target,
      symbols: (thrown as InconsistentBlobError).symbols,
    };
    const wire = decodeInconsistencyProof('primary', encodeInconsistencyProof(proof));
    expect(() => verifyInconsistencyProof(metadata, wire)).not.toThrow();

    const honestHelpers = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== q)
      .slice(0, nSecondary);
    const honest = honestHelpers.map((j) =>
      new RecoverySymbolSource(metadata, 'secondary', j, sliverOf(j)).symbolFor(target),
    );
    const reason = (p: typeof proof) => {
      try {
        verifyInconsistencyProof(metadata, p);
      } catch (error) {
        return (error as InvalidInconsistencyProofError).reason;
      }
      return 'accepted';
    };
    expect(reason({ ...proof, symbols: honest })).toBe('SLIVER_IS_CONSISTENT');
    expect(reason({ ...proof, symbols: proof.symbols.slice(1) })).toBe('WRONG_SYMBOL_COUNT');
    const tamperedData = proof.symbols[0].data.slice();
    tamperedData[0] ^= 1;
    expect(
      reason({
        ...proof,
        symbols: [{ ...proof.symbols[0], data: tamperedData }, ...proof.symbols.slice(1)],
      }),
    ).toBe('INVALID_SYMBOL');
  });
});
