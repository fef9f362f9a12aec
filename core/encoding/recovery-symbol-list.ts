/**
 * The wire form of recovery symbols (docs/spec/encoding.md §8.1): BCS `Vec<GeneralRecoverySymbol>`,
 * what GET /v1/blobs/{id}/recoverySymbols answers. Types for @mysten/bcs (the reference, and the
 * inconsistency proof's fields), and the list's writer and reader used on the hot path.
 */
import { bcs } from '@mysten/bcs';
import { DIGEST_BYTES } from '../hash/blake2b.js';
import { type MerkleNode, MerkleProofBcs, digestNode } from '../merkle.js';
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
  const reader = new ListReader(bytes);
  const count = reader.length(SYMBOL_BYTES_MIN);
  const symbols: RecoverySymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const variant = reader.byte();
    if (variant !== SYMBOL_VARIANT.primary && variant !== SYMBOL_VARIANT.secondary)
      throw new DecodingError(`undecodable recovery symbols: unknown symbol variant ${variant}`);
    const sourceIndex = reader.u16();
    // A view into `bytes`, which the caller hands over: symbols are never copied here.
    const data = reader.bytes(reader.length(1));
    const targetIndex = reader.u16();
    const proof: MerkleNode[] = new Array(reader.length(1));
    for (let k = 0; k < proof.length; k++) {
      const node = reader.byte();
      if (node === NODE_EMPTY) proof[k] = EMPTY_PROOF_NODE;
      else if (node === NODE_DIGEST) proof[k] = digestNode(reader.bytes(DIGEST_BYTES));
      else throw new DecodingError(`undecodable recovery symbols: unknown Merkle node ${node}`);
    }
    symbols[i] = {
      targetAxis: variant === SYMBOL_VARIANT.primary ? 'primary' : 'secondary',
      targetIndex,
      sourceIndex,
      data,
      proof,
    };
  }
  if (!reader.atEnd())
    throw new DecodingError(`undecodable recovery symbols: ${reader.left()} trailing bytes`);
  return symbols;
}

/** The fewest bytes one symbol takes (variant, index, empty data, target, empty proof). */
const SYMBOL_BYTES_MIN = 1 + 2 + 1 + 2 + 1;
/** BCS lengths are u32 ULEB128: at most 5 bytes. */
const ULEB_BYTES_MAX = 5;
const U32_MAX = 0xffff_ffff;
/** Shared by every Empty node read (frozen: no reader may change another's proof). */
const EMPTY_PROOF_NODE = Object.freeze({ $kind: 'Empty', Empty: true }) as MerkleNode;

/**
 * A cursor over exactly the given bytes (never the buffer around a view), for the list's reader:
 * @mysten/bcs's generic reader spent ~25 ms of the Worker's CPU (profiled in workerd) on each
 * 8 MiB read around one hung node, dispatching through struct and enum readers for every symbol
 * and proof node; this one takes 1-2 ms for 2,000 symbols.
 */
class ListReader {
  private offset = 0;
  constructor(private readonly input: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.input.length) throw cut();
    return this.input[this.offset++];
  }

  u16(): number {
    return this.byte() | (this.byte() << 8);
  }

  bytes(count: number): Uint8Array {
    if (count > this.left()) throw cut();
    const view = this.input.subarray(this.offset, this.offset + count);
    this.offset += count;
    return view;
  }

  /**
   * A ULEB128 length in its one canonical form, refused when the bytes left cannot hold that many
   * items of `itemBytesMin` each (so a hostile count allocates nothing).
   */
  length(itemBytesMin: number): number {
    let value = 0;
    for (let shift = 0, i = 0; ; shift += 7, i++) {
      if (i === ULEB_BYTES_MAX) throw new DecodingError('undecodable recovery symbols: long ULEB');
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0)
          throw new DecodingError('undecodable recovery symbols: non-canonical ULEB');
        break;
      }
    }
    if (value > U32_MAX || value * itemBytesMin > this.left()) throw cut();
    return value;
  }

  left(): number {
    return this.input.length - this.offset;
  }

  atEnd(): boolean {
    return this.offset === this.input.length;
  }
}

const cut = () => new DecodingError('undecodable recovery symbols: the list is cut short');
