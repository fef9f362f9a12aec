/**
 * The wire form of recovery symbols (docs/spec/encoding.md §8.1): BCS `Vec<GeneralRecoverySymbol>`,
 * what GET /v1/blobs/{id}/recoverySymbols answers. Types for @mysten/bcs (the reference, and the
 * inconsistency proof's fields), and the list's writer and reader used on the hot path.
 */
import { bcs } from '@mysten/bcs';
import { parseBcsExactly } from '../bcs-exact.js';
import { DIGEST_BYTES } from '../hash/blake2b.js';
import { MerkleProofBcs } from '../merkle.js';
import { uleb128Bytes, writeUleb128 } from '../uleb128.js';
import type { SliverAxis } from './mapping.js';
import type { RecoverySymbol } from './recovery-symbols.js';
import { DecodingError } from './reed-solomon.js';

/** BCS `DecodingSymbol<A>`: the source sliver's index and the symbol bytes. */
export const DecodingSymbolBcs = bcs.struct('DecodingSymbol', {
  index: bcs.u16(),
  data: bcs.byteVector(),
});
/** BCS `EitherDecodingSymbol`: variant = axis of the sliver the symbol recovers. */
export const EitherDecodingSymbolBcs = bcs.enum('EitherDecodingSymbol', {
  Primary: DecodingSymbolBcs,
  Secondary: DecodingSymbolBcs,
});
/** BCS `GeneralRecoverySymbol` (what GET /v1/blobs/{id}/recoverySymbols returns, in a vector). */
export const GeneralRecoverySymbolBcs = bcs.struct('GeneralRecoverySymbol', {
  symbol: EitherDecodingSymbolBcs,
  target_index: bcs.u16(),
  proof: MerkleProofBcs,
});
export const GeneralRecoverySymbolListBcs = bcs.vector(GeneralRecoverySymbolBcs);

/** BCS enum variants of EitherDecodingSymbol (by target axis) and of a Merkle Node. */
const SYMBOL_VARIANT: Record<SliverAxis, number> = { primary: 0, secondary: 1 };
const NODE_EMPTY = 0;
const NODE_DIGEST = 1;

/**
 * BCS `Vec<GeneralRecoverySymbol>`, written by hand into one exactly sized buffer: a node answers a
 * reader rebuilding rows with megabytes of symbols, and @mysten/bcs's growing writer spent as long
 * on that as the node spent expanding the slivers. Byte-identical to GeneralRecoverySymbolListBcs
 * (a unit test holds the two together).
 */
export function encodeRecoverySymbols(symbols: readonly RecoverySymbol[]): Uint8Array {
  let total = uleb128Bytes(symbols.length);
  for (const symbol of symbols) {
    total += 1 + 2 + uleb128Bytes(symbol.data.length) + symbol.data.length + 2;
    total += uleb128Bytes(symbol.proof.length);
    for (const node of symbol.proof) total += node.$kind === 'Empty' ? 1 : 1 + DIGEST_BYTES;
  }
  if (total > RECOVERY_RESPONSE_BYTES_MAX) {
    throw new RangeError(`a recovery symbol list of ${total} bytes exceeds the response bound`);
  }
  const out = new Uint8Array(total);
  let o = writeUleb128(out, 0, symbols.length);
  const u16 = (value: number) => {
    out[o++] = value & 0xff;
    out[o++] = value >>> 8;
  };
  for (const symbol of symbols) {
    out[o++] = SYMBOL_VARIANT[symbol.targetAxis];
    u16(symbol.sourceIndex);
    o = writeUleb128(out, o, symbol.data.length);
    out.set(symbol.data, o);
    o += symbol.data.length;
    u16(symbol.targetIndex);
    o = writeUleb128(out, o, symbol.proof.length);
    for (const node of symbol.proof) {
      if (node.$kind === 'Empty') {
        out[o++] = NODE_EMPTY;
      } else {
        out[o++] = NODE_DIGEST;
        out.set(node.Digest, o);
        o += DIGEST_BYTES;
      }
    }
  }
  return out;
}

/** Bound on a recovery-symbol response: n_s symbols of 65 534 bytes with 16-node proofs, plus framing. */
export const RECOVERY_RESPONSE_BYTES_MAX = 64 * 1024 * 1024;

export function decodeRecoverySymbols(bytes: Uint8Array): RecoverySymbol[] {
  if (bytes.length > RECOVERY_RESPONSE_BYTES_MAX)
    throw new DecodingError('recovery symbol list is too large');
  let values: (typeof GeneralRecoverySymbolBcs.$inferType)[];
  try {
    values = parseBcsExactly(GeneralRecoverySymbolListBcs, bytes);
  } catch (error) {
    throw new DecodingError(`undecodable recovery symbols: ${(error as Error).message}`);
  }
  return values.map((value) => {
    const primary = value.symbol.$kind === 'Primary';
    const symbol = primary ? value.symbol.Primary! : value.symbol.Secondary!;
    return {
      targetAxis: primary ? 'primary' : 'secondary',
      targetIndex: value.target_index,
      sourceIndex: symbol.index,
      // A view into `bytes`, which the caller hands over. (Uint8Array.from would copy it through
      // the iterator protocol, byte by byte: 0.3 s of a degraded 64 MiB read.)
      data: symbol.data,
      proof: value.proof.path,
    };
  });
}
