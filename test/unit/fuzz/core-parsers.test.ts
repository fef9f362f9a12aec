/**
 * Fuzzing the core parsers of what storage nodes and clients send each other (blob IDs, BCS
 * metadata, slivers, recovery symbols, inconsistency proofs, quilt patch IDs and indexes). Properties: any input either
 * parses or is refused with the parser's own error class (which the HTTP layers map to a 4xx with a
 * reason) — never a TypeError, RangeError or a hang; where a format has both directions, decoding
 * what was encoded gives the value back, and encoding what was decoded gives the bytes back.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  InvalidBlobIdError,
  blobIdFromString,
  blobIdToString,
  fromBase64Url,
  toBase64Url,
} from '../../../core/blob-id.js';
import {
  type BlobMetadata,
  MetadataVerificationError,
  decodeBlobMetadata,
  decodeBlobMetadataWithId,
  encodeBlobMetadata,
  encodeBlobMetadataWithId,
  verifyMetadata,
} from '../../../core/encoding/metadata.js';
import { SHARDS_MIN } from '../../../core/encoding/config.js';
import {
  decodeInconsistencyProof,
  encodeInconsistencyProof,
} from '../../../core/encoding/inconsistency.js';
import { DecodingError } from '../../../core/encoding/reed-solomon.js';
import {
  decodeRecoverySymbols,
  encodeRecoverySymbols,
} from '../../../core/encoding/recovery-symbol-list.js';
import type { RecoverySymbol } from '../../../core/encoding/recovery-symbols.js';
import {
  SliverDecodeError,
  decodeSliverData,
  encodeSliverData,
} from '../../../core/encoding/sliver-data.js';
import { digestNode } from '../../../core/merkle.js';
import { InvalidQuiltPatchIdError, QuiltDecodeError } from '../../../core/quilt/errors.js';
import { quiltGeometry } from '../../../core/quilt/geometry.js';
import {
  quiltPatchIdBytes,
  quiltPatchIdFromBytes,
  quiltPatchIdFromString,
  quiltPatchIdToString,
} from '../../../core/quilt/patch-id.js';
import { decodeQuiltIndex } from '../../../core/quilt/quilt-index.js';
import { uleb128Bytes, writeUleb128 } from '../../../core/uleb128.js';
import { fuzzParameters, throwsOnly } from '../../helpers/fuzz.js';

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Text the way a hostile peer writes it: mostly base64url-ish, sometimes anything. */
const idText = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

/** Small mutations of a valid encoding: they reach deeper than random bytes do. */
function mutated(valid: Uint8Array) {
  return fc.oneof(
    fc.nat({ max: valid.length }).map((cut) => valid.subarray(0, cut)),
    fc
      .tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), fc.integer({ min: 1, max: 255 }))
      .map(([at, xor]) => {
        const copy = valid.slice();
        if (copy.length > 0) copy[at] ^= xor;
        return copy;
      }),
    fc.uint8Array({ minLength: 1, maxLength: 16 }).map((tail) => {
      const longer = new Uint8Array(valid.length + tail.length);
      longer.set(valid);
      longer.set(tail, valid.length);
      return longer;
    }),
  );
}

describe('fuzz: blob IDs', () => {
  it('any text is a blob ID that prints back the same, or InvalidBlobIdError', () => {
    fc.assert(
      fc.property(idText, (text) => {
        const id = throwsOnly(() => blobIdFromString(text), InvalidBlobIdError) as
          Uint8Array | undefined;
        if (id !== undefined) {
          expect(id.length).toBe(32);
          expect(blobIdToString(id)).toBe(text);
        }
      }),
      fuzzParameters('blob-id-text'),
    );
  });

  it('every 32 bytes round-trip through the text form', () => {
    fc.assert(
      fc.property(digest, (id) => {
        expect(blobIdFromString(blobIdToString(id))).toEqual(id);
      }),
      fuzzParameters('blob-id-roundtrip'),
    );
  });

  it('base64url of any bytes round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
      fuzzParameters('base64url-roundtrip'),
    );
  });
});

const metadataArb: fc.Arbitrary<BlobMetadata> = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.array(fc.record({ primary: digest, secondary: digest }), { minLength: 1, maxLength: 12 }),
  )
  .map(([unencodedLength, hashes]) => ({ encodingType: 'RS2', unencodedLength, hashes }));

describe('fuzz: BCS blob metadata', () => {
  it('encode then decode gives the metadata back (with and without the blob ID)', () => {
    fc.assert(
      fc.property(metadataArb, digest, (metadata, blobId) => {
        expect(decodeBlobMetadata(encodeBlobMetadata(metadata))).toEqual(metadata);
        const withId = decodeBlobMetadataWithId(encodeBlobMetadataWithId(blobId, metadata));
        expect(withId.blobId).toEqual(blobId);
        expect(withId.metadata).toEqual(metadata);
      }),
      fuzzParameters('metadata-roundtrip'),
    );
  });

  it('random and mutated bytes decode to canonical metadata or MetadataVerificationError', () => {
    const valid = encodeBlobMetadataWithId(new Uint8Array(32).fill(7), {
      encodingType: 'RS2',
      unencodedLength: 1000,
      hashes: Array.from({ length: 4 }, (_, i) => ({
        primary: new Uint8Array(32).fill(i),
        secondary: new Uint8Array(32).fill(100 + i),
      })),
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated(valid)), (bytes) => {
        const decoded = throwsOnly(
          () => decodeBlobMetadataWithId(bytes),
          MetadataVerificationError,
        ) as ReturnType<typeof decodeBlobMetadataWithId> | undefined;
        // Canonical: whatever decodes, encodes back to exactly the bytes received.
        if (decoded !== undefined)
          expect(encodeBlobMetadataWithId(decoded.blobId, decoded.metadata)).toEqual(bytes);
      }),
      fuzzParameters('metadata-hostile-bytes'),
    );
  });

  it('hostile metadata is refused with MetadataVerificationError, whatever its hash count', () => {
    // n is the committee's (trusted); the metadata and the blob ID it claims are the peer's.
    fc.assert(
      fc.property(
        metadataArb,
        digest,
        fc.integer({ min: SHARDS_MIN, max: 12 }),
        (metadata, id, n) => {
          expect(() => verifyMetadata(id, metadata, n)).toThrow(MetadataVerificationError);
        },
      ),
      fuzzParameters('metadata-verify'),
    );
  });
});

describe('fuzz: slivers', () => {
  const sliverArb = fc
    .tuple(fc.integer({ min: 1, max: 64 }), fc.nat({ max: 20 }), fc.nat({ max: 0xffff }))
    .chain(([symbolBytes, symbols, index]) =>
      fc
        .uint8Array({ minLength: symbolBytes * symbols, maxLength: symbolBytes * symbols })
        .map((data) => ({ data, symbolBytes, index })),
    );

  it('encode then decode gives the sliver back', () => {
    fc.assert(
      fc.property(sliverArb, (sliver) => {
        const back = decodeSliverData(encodeSliverData(sliver));
        expect(back.index).toBe(sliver.index);
        expect(back.symbolBytes).toBe(sliver.symbolBytes);
        expect(back.data).toEqual(sliver.data);
      }),
      fuzzParameters('sliver-roundtrip'),
    );
  });

  it('random and mutated bytes decode to a consistent sliver or SliverDecodeError', () => {
    const valid = encodeSliverData({ data: new Uint8Array(24).fill(9), symbolBytes: 4, index: 3 });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated(valid)), (bytes) => {
        const sliver = throwsOnly(() => decodeSliverData(bytes), SliverDecodeError) as
          ReturnType<typeof decodeSliverData> | undefined;
        if (sliver !== undefined) {
          expect(sliver.data.length % sliver.symbolBytes).toBe(0);
          expect(encodeSliverData(sliver)).toEqual(bytes);
        }
      }),
      fuzzParameters('sliver-hostile-bytes'),
    );
  });
});

describe('fuzz: recovery symbols', () => {
  const symbolArb: fc.Arbitrary<RecoverySymbol> = fc.record({
    targetAxis: fc.constantFrom('primary' as const, 'secondary' as const),
    targetIndex: fc.nat({ max: 0xffff }),
    sourceIndex: fc.nat({ max: 0xffff }),
    data: fc.uint8Array({ maxLength: 40 }),
    proof: fc.array(digest.map(digestNode), { maxLength: 5 }),
  });

  it('encode then decode gives the symbols back', () => {
    fc.assert(
      fc.property(fc.array(symbolArb, { maxLength: 6 }), (symbols) => {
        const back = decodeRecoverySymbols(encodeRecoverySymbols(symbols));
        expect(back.length).toBe(symbols.length);
        back.forEach((symbol, i) => {
          expect(symbol.targetAxis).toBe(symbols[i].targetAxis);
          expect(symbol.targetIndex).toBe(symbols[i].targetIndex);
          expect(symbol.sourceIndex).toBe(symbols[i].sourceIndex);
          expect(Uint8Array.from(symbol.data)).toEqual(symbols[i].data);
          expect(symbol.proof.length).toBe(symbols[i].proof.length);
        });
      }),
      fuzzParameters('recovery-symbols-roundtrip'),
    );
  });

  it('random and mutated bytes decode or fail with DecodingError', () => {
    const valid = encodeRecoverySymbols([
      {
        targetAxis: 'secondary',
        targetIndex: 5,
        sourceIndex: 2,
        data: new Uint8Array(8).fill(1),
        proof: [digestNode(new Uint8Array(32).fill(3))],
      },
    ]);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated(valid)), (bytes) => {
        const symbols = throwsOnly(() => decodeRecoverySymbols(bytes), DecodingError) as
          RecoverySymbol[] | undefined;
        if (symbols !== undefined) expect(encodeRecoverySymbols(symbols)).toEqual(bytes);
      }),
      fuzzParameters('recovery-symbols-hostile-bytes'),
    );
  });
});

describe('fuzz: inconsistency proofs', () => {
  const proofArb = fc.record({
    axis: fc.constantFrom('primary' as const, 'secondary' as const),
    targetSliverIndex: fc.nat({ max: 0xffff }),
    symbols: fc.array(
      fc.record({
        sourceIndex: fc.nat({ max: 0xffff }),
        data: fc.uint8Array({ maxLength: 24 }),
        proof: fc.array(digest.map(digestNode), { maxLength: 4 }),
      }),
      { maxLength: 5 },
    ),
  });

  it('encode then decode gives the proof back', () => {
    fc.assert(
      fc.property(proofArb, (proof) => {
        const back = decodeInconsistencyProof(
          proof.axis,
          encodeInconsistencyProof({
            ...proof,
            symbols: proof.symbols.map((s) => ({
              ...s,
              targetAxis: proof.axis,
              targetIndex: proof.targetSliverIndex,
            })),
          }),
        );
        expect(back.targetSliverIndex).toBe(proof.targetSliverIndex);
        expect(back.symbols.map((s) => [s.sourceIndex, Uint8Array.from(s.data)])).toEqual(
          proof.symbols.map((s) => [s.sourceIndex, s.data]),
        );
      }),
      fuzzParameters('inconsistency-proof-roundtrip'),
    );
  });

  it('random and mutated bytes decode or fail with DecodingError', () => {
    const valid = encodeInconsistencyProof({
      axis: 'primary',
      targetSliverIndex: 3,
      symbols: [
        {
          targetAxis: 'primary',
          targetIndex: 3,
          sourceIndex: 1,
          data: new Uint8Array(6).fill(2),
          proof: [digestNode(new Uint8Array(32).fill(4))],
        },
      ],
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated(valid)), (bytes) => {
        throwsOnly(() => decodeInconsistencyProof('primary', bytes), DecodingError);
      }),
      fuzzParameters('inconsistency-proof-hostile-bytes'),
    );
  });
});

describe('fuzz: quilt patch IDs and indexes', () => {
  it('any text is a patch ID that prints back the same, or InvalidQuiltPatchIdError', () => {
    fc.assert(
      fc.property(fc.oneof(idText, fc.uint8Array({ maxLength: 40 }).map(toBase64Url)), (text) => {
        const id = throwsOnly(() => quiltPatchIdFromString(text), InvalidQuiltPatchIdError) as
          ReturnType<typeof quiltPatchIdFromString> | undefined;
        if (id !== undefined) {
          expect(quiltPatchIdToString(id)).toBe(text);
          expect(id.startIndex).toBeGreaterThan(0);
          expect(id.endIndex).toBeGreaterThan(id.startIndex);
        }
      }),
      fuzzParameters('quilt-patch-id-text'),
    );
  });

  it('every valid patch ID round-trips through bytes and text', () => {
    fc.assert(
      fc.property(
        digest,
        fc.integer({ min: 1, max: 0xfffe }),
        fc.integer({ min: 1, max: 0xffff }),
        (quiltId, startIndex, width) => {
          const endIndex = Math.min(0xffff, startIndex + width);
          fc.pre(endIndex > startIndex);
          const id = { quiltId, startIndex, endIndex };
          expect(quiltPatchIdFromBytes(quiltPatchIdBytes(id))).toEqual(id);
          expect(quiltPatchIdFromString(quiltPatchIdToString(id))).toEqual(id);
        },
      ),
      fuzzParameters('quilt-patch-id-roundtrip'),
    );
  });

  it('random index columns decode or fail with QuiltDecodeError', () => {
    // n = 10 → n_p = 4 rows? The geometry is what the metadata says; try several sizes.
    const geometryArb = fc
      .tuple(fc.constantFrom(10, 16, 100), fc.integer({ min: 1, max: 24 }))
      .map(([n, symbolBytes]) => quiltGeometry(n, symbolBytes * 2));
    fc.assert(
      fc.property(
        geometryArb.chain((geometry) =>
          fc.tuple(
            fc.constant(geometry),
            fc.array(
              fc.uint8Array({ minLength: geometry.columnBytes, maxLength: geometry.columnBytes }),
              { minLength: 0, maxLength: 4 },
            ),
          ),
        ),
        ([geometry, columns]) => {
          const index = throwsOnly(() => decodeQuiltIndex(geometry, columns), QuiltDecodeError) as
            ReturnType<typeof decodeQuiltIndex> | undefined;
          if (index !== undefined) {
            let previousEnd = 1;
            for (const patch of index.patches) {
              expect(patch.startIndex).toBeGreaterThanOrEqual(previousEnd);
              expect(patch.endIndex).toBeGreaterThan(patch.startIndex);
              expect(patch.endIndex).toBeLessThanOrEqual(geometry.columnCount);
              previousEnd = patch.endIndex;
            }
          }
        },
      ),
      fuzzParameters('quilt-index-columns'),
    );
  });
});

describe('fuzz: ULEB128', () => {
  it('writes exactly uleb128Bytes(value) bytes, 7 bits each, the last without its high bit', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (value) => {
        const out = new Uint8Array(8);
        const end = writeUleb128(out, 1, value);
        expect(end - 1).toBe(uleb128Bytes(value));
        let decoded = 0;
        for (let i = 0; i < end - 1; i++) decoded += (out[1 + i] & 0x7f) * 128 ** i;
        expect(decoded).toBe(value);
        expect(out[end - 1] & 0x80).toBe(0);
      }),
      fuzzParameters('uleb128'),
    );
  });
});
