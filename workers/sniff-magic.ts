/**
 * Binary formats recognised by their signatures in the first bytes of a blob. Each check needs only
 * what it reads to be present, and short signatures made of text-like bytes (`BM`, `OTTO`, `ID3`,
 * `true`) are confirmed by the header fields that follow, so a text file that happens to start
 * with them stays text.
 */

const ascii = (head: Uint8Array, text: string, offset = 0): boolean => {
  if (head.length < offset + text.length) return false;
  for (let index = 0; index < text.length; index++) {
    if (head[offset + index] !== text.charCodeAt(index)) return false;
  }
  return true;
};
const bytes = (head: Uint8Array, expected: readonly number[], offset = 0): boolean =>
  head.length >= offset + expected.length &&
  expected.every((byte, index) => head[offset + index] === byte);
const u16be = (head: Uint8Array, offset: number) => (head[offset] << 8) | head[offset + 1];
const u16le = (head: Uint8Array, offset: number) => head[offset] | (head[offset + 1] << 8);
const u32be = (head: Uint8Array, offset: number) =>
  ((head[offset] << 24) | (head[offset + 1] << 16) | (head[offset + 2] << 8) | head[offset + 3]) >>>
  0;
const u32le = (head: Uint8Array, offset: number) =>
  (head[offset] | (head[offset + 1] << 8) | (head[offset + 2] << 16) | (head[offset + 3] << 24)) >>>
  0;
const fourcc = (head: Uint8Array, offset: number) =>
  String.fromCharCode(...head.subarray(offset, offset + 4));

/** ISO BMFF brands (the `ftyp` box) of plain MP4 video; a file may list them as compatible only. */
// prettier-ignore
const MP4_BRANDS = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'mp41', 'mp42', 'mp71',
  'avc1', 'dash', 'msnv', 'ndas', 'mmp4', 'f4v ', 'f4p ', 'cmfc', 'cmf2', 'M4V ', 'M4VH', 'M4VP',
]);
const M4A_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

/** The `ftyp` box: size, `ftyp`, major brand, minor version, compatible brands. */
function isoBmff(head: Uint8Array): string | undefined {
  if (head.length < 12 || !ascii(head, 'ftyp', 4)) return undefined;
  const boxBytes = u32be(head, 0);
  if (boxBytes < 16 || boxBytes % 4 !== 0) return undefined;
  const major = fourcc(head, 8);
  const compatible: string[] = [];
  for (let offset = 16; offset + 4 <= Math.min(boxBytes, head.length); offset += 4) {
    compatible.push(fourcc(head, offset));
  }
  const brands = [major, ...compatible];
  if (major === 'avif' || major === 'avis') return 'image/avif';
  if (HEIF_BRANDS.has(major) || HEIC_BRANDS.has(major)) {
    if (compatible.includes('avif') || compatible.includes('avis')) return 'image/avif';
    return HEIC_BRANDS.has(major) || compatible.some((brand) => HEIC_BRANDS.has(brand))
      ? 'image/heic'
      : 'image/heif';
  }
  if (major === 'qt  ') return 'video/quicktime';
  if (M4A_BRANDS.has(major)) return 'audio/mp4';
  if (major.startsWith('3gp')) return 'video/3gpp';
  if (major.startsWith('3g2')) return 'video/3gpp2';
  if (brands.some((brand) => MP4_BRANDS.has(brand))) return 'video/mp4';
  return undefined;
}

/** EBML variable-length integer: its length in bytes from the first byte's leading zeros. */
function vintBytes(first: number): number {
  for (let length = 1; length <= 8; length++) if (first & (0x100 >> length)) return length;
  return 0;
}

const EBML_DOC_TYPE_ID = 0x4282;
const EBML_HEADER_ID_BYTES = 4;

/** Matroska and WebM share the EBML header; its DocType element tells them apart. */
function ebml(head: Uint8Array): string | undefined {
  if (!bytes(head, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  // Skip the header's own size, then walk its children (IDs and sizes are vints).
  let offset = EBML_HEADER_ID_BYTES + vintBytes(head[EBML_HEADER_ID_BYTES] ?? 0);
  while (offset < head.length) {
    const idBytes = vintBytes(head[offset]);
    if (idBytes === 0 || idBytes > 4 || offset + idBytes >= head.length) return undefined;
    let id = 0;
    for (let index = 0; index < idBytes; index++) id = id * 256 + head[offset + index];
    offset += idBytes;
    const sizeBytes = vintBytes(head[offset]);
    if (sizeBytes === 0 || offset + sizeBytes > head.length) return undefined;
    let size = head[offset] & (0xff >> sizeBytes);
    for (let index = 1; index < sizeBytes; index++) size = size * 256 + head[offset + index];
    offset += sizeBytes;
    if (id === EBML_DOC_TYPE_ID) {
      const docType = String.fromCharCode(...head.subarray(offset, offset + size));
      if (docType.startsWith('webm')) return 'video/webm';
      if (docType.startsWith('matroska')) return 'video/x-matroska';
      return undefined;
    }
    offset += size;
  }
  return undefined;
}

/** MPEG audio frame header: 11 sync bits, then version, layer, bitrate and rate fields. */
function mpegAudio(head: Uint8Array): string | undefined {
  if (head.length < 4 || head[0] !== 0xff || (head[1] & 0xe0) !== 0xe0) return undefined;
  const layer = (head[1] >> 1) & 0x3;
  if ((head[1] & 0xf0) === 0xf0 && layer === 0) {
    // ADTS (AAC): 12 sync bits, layer 0; sampling frequency index 13–15 are reserved.
    return ((head[2] >> 2) & 0xf) < 13 ? 'audio/aac' : undefined;
  }
  const version = (head[1] >> 3) & 0x3;
  const bitrateIndex = head[2] >> 4;
  const rateIndex = (head[2] >> 2) & 0x3;
  const valid = version !== 1 && layer !== 0 && bitrateIndex !== 0xf && rateIndex !== 0x3;
  return valid ? 'audio/mpeg' : undefined;
}

/** sfnt (TrueType, OpenType): numTables, then searchRange = 16 × the largest power of 2 ≤ it. */
function sfntTables(head: Uint8Array): boolean {
  if (head.length < 12) return false;
  const tables = u16be(head, 4);
  return tables > 0 && u16be(head, 6) === 16 * 2 ** Math.floor(Math.log2(tables));
}

/** BMP: `BM`, file size, two reserved zero words, pixel offset, a known DIB header size. */
function bmp(head: Uint8Array): boolean {
  if (head.length < 18 || !ascii(head, 'BM')) return false;
  return u32le(head, 6) === 0 && [12, 40, 52, 56, 64, 108, 124].includes(u32le(head, 14));
}

/** ICO: reserved 0, type 1, a non-zero image count; the first entry's reserved byte is 0. */
function ico(head: Uint8Array): boolean {
  if (!bytes(head, [0x00, 0x00, 0x01, 0x00]) || head.length < 6 || u16le(head, 4) === 0) {
    return false;
  }
  return head.length < 10 || head[9] === 0;
}

/** The media type a binary signature at the start of `head` announces, if any. */
export function sniffMagic(head: Uint8Array): string | undefined {
  if (bytes(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (bytes(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(head, 'GIF87a') || ascii(head, 'GIF89a')) return 'image/gif';
  if (ascii(head, 'RIFF') && head.length >= 12) {
    const form = fourcc(head, 8);
    if (form === 'WEBP') return 'image/webp';
    if (form === 'WAVE') return 'audio/wav';
    if (form === 'AVI ') return 'video/x-msvideo';
    return undefined;
  }
  const mp4 = isoBmff(head);
  if (mp4 !== undefined) return mp4;
  const matroska = ebml(head);
  if (matroska !== undefined) return matroska;
  if (ascii(head, 'OggS') && head[4] === 0) {
    // The first page holds the first stream's identification header.
    const page = String.fromCharCode(...head.subarray(0, 64));
    return page.includes('theora') ? 'video/ogg' : 'audio/ogg';
  }
  if (ascii(head, 'fLaC')) return 'audio/flac';
  // ID3v2: `ID3`, major version 2–4, revision below 0xFF.
  if (ascii(head, 'ID3') && head.length >= 5 && head[3] >= 2 && head[3] <= 4 && head[4] < 0xff) {
    return 'audio/mpeg';
  }
  if (ascii(head, '%PDF-')) return 'application/pdf';
  if (bytes(head, [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])) return 'application/wasm';
  if (bytes(head, [0x50, 0x4b]) && [0x0304, 0x0506, 0x0708].includes(u16be(head, 2))) {
    return 'application/zip';
  }
  if (ascii(head, 'glTF') && head.length >= 8 && [1, 2].includes(u32le(head, 4))) {
    return 'model/gltf-binary';
  }
  if (ascii(head, 'wOFF')) return 'font/woff';
  if (ascii(head, 'wOF2')) return 'font/woff2';
  if (ascii(head, 'OTTO') && sfntTables(head)) return 'font/otf';
  if ((bytes(head, [0x00, 0x01, 0x00, 0x00]) || ascii(head, 'true')) && sfntTables(head)) {
    return 'font/ttf';
  }
  if (ascii(head, 'ttcf') && head.length >= 8 && [1, 2].includes(u16be(head, 4))) {
    return 'font/collection';
  }
  if (bmp(head)) return 'image/bmp';
  if (ico(head)) return 'image/x-icon';
  return mpegAudio(head);
}
