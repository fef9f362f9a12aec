/**
 * Content-Type decisions: real file headers of every format (built here from their published
 * signatures), attribute precedence, hostile attributes, truncated heads and the empty blob.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_CONTENT_SECURITY_POLICY,
  SNIFF_BYTES,
  decideContentType,
  isActiveMediaType,
} from '../../../workers/content-type.js';
import { MEDIA_TYPE_CHARS_MAX, parseMediaType } from '../../../workers/media-type.js';

type Piece = string | number[] | Uint8Array;
/** Bytes from pieces: strings are Latin-1 (one byte per character), arrays are bytes. */
function bytes(...pieces: Piece[]): Uint8Array {
  const out: number[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') for (const char of piece) out.push(char.charCodeAt(0) & 0xff);
    else out.push(...piece);
  }
  return Uint8Array.from(out);
}
const utf8 = (text: string) => new TextEncoder().encode(text);
const u16be = (value: number) => [value >> 8, value & 0xff];
const u16le = (value: number) => [value & 0xff, value >> 8];
const u32be = (value: number) => [
  value >>> 24,
  (value >> 16) & 0xff,
  (value >> 8) & 0xff,
  value & 0xff,
];
const u32le = (value: number) => u32be(value).reverse();
const zeros = (count: number) => new Array<number>(count).fill(0);

/** An ISO BMFF `ftyp` box followed by the start of the next box. */
const ftyp = (major: string, ...compatible: string[]) =>
  bytes(
    u32be(16 + 4 * compatible.length),
    'ftyp',
    major,
    u32be(0x200),
    ...compatible,
    u32be(8),
    'free',
  );

/** An EBML header with the given DocType, as mkvmerge and libwebm write it. */
const ebml = (docType: string) => {
  const body = bytes(
    [0x42, 0x86, 0x81, 0x01], // EBMLVersion 1
    [0x42, 0xf7, 0x81, 0x01], // EBMLReadVersion 1
    [0x42, 0xf2, 0x81, 0x04], // EBMLMaxIDLength 4
    [0x42, 0xf3, 0x81, 0x08], // EBMLMaxSizeLength 8
    [0x42, 0x82, 0x80 | docType.length],
    docType,
    [0x42, 0x87, 0x81, 0x04], // DocTypeVersion
    [0x42, 0x85, 0x81, 0x02], // DocTypeReadVersion
  );
  return bytes([0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length], body, [0x18, 0x53, 0x80, 0x67]);
};

/** An sfnt header (TrueType/OpenType) with a consistent table directory header. */
const sfnt = (version: Piece, tables: number) => {
  const power = 2 ** Math.floor(Math.log2(tables));
  return bytes(
    version,
    u16be(tables),
    u16be(power * 16),
    u16be(Math.log2(power)),
    u16be(tables * 16 - power * 16),
    'cmap',
    zeros(12),
  );
};

const SAMPLES: [name: string, head: Uint8Array, type: string][] = [
  [
    'png',
    bytes([0x89], 'PNG\r\n\x1a\n', u32be(13), 'IHDR', u32be(1), u32be(1), [8, 6, 0, 0, 0]),
    'image/png',
  ],
  ['jpeg (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0], u16be(16), 'JFIF\0', [1, 1]), 'image/jpeg'],
  ['jpeg (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1], u16be(100), 'Exif\0\0'), 'image/jpeg'],
  ['gif87a', bytes('GIF87a', u16le(1), u16le(1), [0x80, 0, 0]), 'image/gif'],
  ['gif89a', bytes('GIF89a', u16le(1), u16le(1), [0x80, 0, 0]), 'image/gif'],
  ['webp', bytes('RIFF', u32le(1000), 'WEBPVP8 ', u32le(900)), 'image/webp'],
  ['avif', ftyp('avif', 'avif', 'mif1', 'miaf', 'MA1B'), 'image/avif'],
  ['avif sequence', ftyp('avis', 'avis', 'msf1', 'iso8', 'mif1', 'miaf', 'MA1B'), 'image/avif'],
  ['avif (mif1 major)', ftyp('mif1', 'mif1', 'avif', 'miaf'), 'image/avif'],
  ['heic', ftyp('heic', 'mif1', 'heic'), 'image/heic'],
  ['heif', ftyp('mif1', 'mif1'), 'image/heif'],
  ['bmp', bytes('BM', u32le(70), u32le(0), u32le(54), u32le(40), u32le(1), u32le(1)), 'image/bmp'],
  ['bmp (OS/2 core header)', bytes('BM', u32le(30), u32le(0), u32le(26), u32le(12)), 'image/bmp'],
  [
    'ico',
    bytes(u16le(0), u16le(1), u16le(1), [16, 16, 0, 0], u16le(1), u16le(32), u32le(104), u32le(22)),
    'image/x-icon',
  ],
  ['mp4 (isom)', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'video/mp4'],
  ['mp4 (iso2)', ftyp('iso2', 'iso2', 'mp41'), 'video/mp4'],
  ['mp4 (mp42)', ftyp('mp42', 'mp42', 'isom'), 'video/mp4'],
  ['mp4 (mp41)', ftyp('mp41', 'mp41'), 'video/mp4'],
  ['mp4 (avc1)', ftyp('avc1', 'avc1', 'isom'), 'video/mp4'],
  ['mp4 (dash)', ftyp('dash', 'iso6', 'mp41'), 'video/mp4'],
  ['mp4 (M4V, iTunes)', ftyp('M4V ', 'M4V ', 'M4A ', 'mp42', 'isom'), 'video/mp4'],
  ['mp4 (unknown major, mp4 compatible)', ftyp('xyzw', 'isom'), 'video/mp4'],
  ['mov', ftyp('qt  ', 'qt  '), 'video/quicktime'],
  ['3gp', ftyp('3gp4', '3gp4', 'isom'), 'video/3gpp'],
  ['m4a', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), 'audio/mp4'],
  ['webm', ebml('webm'), 'video/webm'],
  ['mkv', ebml('matroska'), 'video/x-matroska'],
  ['mp3 (ID3v2.4)', bytes('ID3', [4, 0, 0], [0, 0, 0x0f, 0x76], 'TSSE'), 'audio/mpeg'],
  ['mp3 (ID3v2.3)', bytes('ID3', [3, 0, 0], [0, 0, 0, 0x23]), 'audio/mpeg'],
  ['mp3 (frame sync, MPEG-1 layer III)', bytes([0xff, 0xfb, 0x90, 0x64], zeros(30)), 'audio/mpeg'],
  ['mp3 (MPEG-2 layer III)', bytes([0xff, 0xf3, 0x84, 0xc4], zeros(30)), 'audio/mpeg'],
  ['aac (ADTS)', bytes([0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc]), 'audio/aac'],
  ['ogg vorbis', bytes('OggS', [0, 2], zeros(20), [1, 0x1e, 1], 'vorbis', zeros(8)), 'audio/ogg'],
  ['ogg opus', bytes('OggS', [0, 2], zeros(20), [1, 0x13], 'OpusHead', [1, 2]), 'audio/ogg'],
  ['ogg theora', bytes('OggS', [0, 2], zeros(20), [1, 0x2a, 0x80], 'theora', [3, 2]), 'video/ogg'],
  ['wav', bytes('RIFF', u32le(36), 'WAVEfmt ', u32le(16), u16le(1), u16le(2)), 'audio/wav'],
  ['avi', bytes('RIFF', u32le(1000), 'AVI LIST'), 'video/x-msvideo'],
  ['flac', bytes('fLaC', [0, 0, 0, 0x22], u16be(4096)), 'audio/flac'],
  ['pdf', bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3], '\n1 0 obj'), 'application/pdf'],
  ['wasm', bytes('\0asm', u32le(1), [1, 4, 1, 0x60, 0, 0]), 'application/wasm'],
  ['zip', bytes('PK', [3, 4], u16le(20), u16le(0), u16le(8)), 'application/zip'],
  ['zip (empty)', bytes('PK', [5, 6], zeros(18)), 'application/zip'],
  ['glb', bytes('glTF', u32le(2), u32le(1000), u32le(200), 'JSON'), 'model/gltf-binary'],
  ['woff', bytes('wOFF', u32be(0x00010000), u32be(2000)), 'font/woff'],
  ['woff2', bytes('wOF2', u32be(0x00010000), u32be(2000)), 'font/woff2'],
  ['ttf', sfnt([0, 1, 0, 0], 18), 'font/ttf'],
  ['ttf (Apple true)', sfnt('true', 12), 'font/ttf'],
  ['otf', sfnt('OTTO', 10), 'font/otf'],
  ['ttc', bytes('ttcf', u16be(1), u16be(0), u32be(2), u32be(20)), 'font/collection'],
  [
    'json object',
    utf8('{"name": "walrus", "sizes": [1, -2.5e3, 0.1], "ok": true, "x": null}'),
    'application/json',
  ],
  ['json array', utf8('[\n  {"a": "\\u00e9\\n"},\n  []\n]\n'), 'application/json'],
  ['json with BOM', bytes([0xef, 0xbb, 0xbf], '{}'), 'application/json'],
  // glTF JSON is JSON: "asset" may follow megabytes of buffers, so a head cannot tell reliably.
  [
    'gltf json',
    utf8('{"asset":{"version":"2.0","generator":"x"},"scenes":[{"nodes":[0]}]}'),
    'application/json',
  ],
  ['html (doctype)', utf8('<!DOCTYPE html>\n<html lang="en"><head><title>x</title>'), 'text/html'],
  ['html (no doctype)', utf8('\n\n  <HTML><BODY>hi</BODY></HTML>'), 'text/html'],
  ['html (fragment)', utf8('<div class="a">x</div>'), 'text/html'],
  ['html (script first)', utf8('<script>alert(document.domain)</script>'), 'text/html'],
  ['html (comment first)', utf8('<!-- saved from url -->\n<p>hi'), 'text/html'],
  ['html (BOM)', bytes([0xef, 0xbb, 0xbf], '<!doctype html>'), 'text/html'],
  ['html (Latin-1)', bytes('<html><body>caf', [0xe9], '</body></html>'), 'text/html'],
  ['svg', utf8('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>'), 'image/svg+xml'],
  [
    'svg (Illustrator prolog)',
    utf8(
      '<?xml version="1.0" encoding="utf-8"?>\n' +
        '<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 -->\n' +
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" ' +
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' +
        '<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg">',
    ),
    'image/svg+xml',
  ],
  [
    'svg (prefixed root)',
    utf8('<?xml version="1.0"?><svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>'),
    'image/svg+xml',
  ],
  [
    'svg (stylesheet PI)',
    utf8('<?xml version="1.0"?>\n<?xml-stylesheet href="a.css"?>\n<svg/>'),
    'image/svg+xml',
  ],
  [
    'xhtml',
    utf8('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'),
    'application/xhtml+xml',
  ],
  [
    'xml (rss)',
    utf8('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'),
    'application/xml',
  ],
  [
    'xml (doctype with subset)',
    utf8('<?xml version="1.0"?>\n<!DOCTYPE note [<!ELEMENT note (#PCDATA)>]>\n<note>x</note>'),
    'application/xml',
  ],
  ['text', utf8('Hello, world.\n'), 'text/plain; charset=utf-8'],
  ['text (UTF-8)', utf8('Grüße ✓ 😀 — 日本語\r\n\ttabbed'), 'text/plain; charset=utf-8'],
  [
    'text (form feed, ANSI colour)',
    utf8('page 1\fpage 2 \x1b[31mred\x1b[0m\n'),
    'text/plain; charset=utf-8',
  ],
  [
    'markdown',
    utf8('# Title\n\n[link](https://wal.app) and <b>not first</b>\n'),
    'text/plain; charset=utf-8',
  ],
  ['binary (NUL)', bytes('abc', [0], 'def'), 'application/octet-stream'],
  ['binary (Latin-1 text)', bytes('caf', [0xe9], ' au lait'), 'application/octet-stream'],
  ['binary (DEL)', bytes('abc', [0x7f]), 'application/octet-stream'],
  ['binary (C1 control)', bytes('a', [0xc2, 0x85], 'b'), 'application/octet-stream'],
  [
    'binary (random)',
    bytes([0x13, 0x9a, 0xfe, 0x00, 0x42, 0x07, 0xbe, 0xef]),
    'application/octet-stream',
  ],
  [
    'gzip (not recognised)',
    bytes([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]),
    'application/octet-stream',
  ],
];

/** Text that starts like a signature but is not one stays text. */
const LOOKALIKES: [name: string, head: Uint8Array, type: string][] = [
  ['BM…', utf8('BMW and BMX are acronyms.\n'), 'text/plain; charset=utf-8'],
  ['OTTO…', utf8('OTTO von Bismarck\n'), 'text/plain; charset=utf-8'],
  ['true…', utf8('true story, twelve chapters long\n'), 'text/plain; charset=utf-8'],
  ['ID3…', utf8('ID3 tags explained\n'), 'text/plain; charset=utf-8'],
  ['GIF…', utf8('GIF or JIF?\n'), 'text/plain; charset=utf-8'],
  ['RIFF…', utf8('RIFF raff\n'), 'text/plain; charset=utf-8'],
  ['log line', utf8('[2026-01-01 12:00:00] started\n'), 'text/plain; charset=utf-8'],
  ['ini', utf8('[section]\nkey=value\n'), 'text/plain; charset=utf-8'],
  ['brace prose', utf8('{not json}\n'), 'text/plain; charset=utf-8'],
  ['trailing comma', utf8('[1, 2,]'), 'text/plain; charset=utf-8'],
  ['heart', utf8('<3 you\n'), 'text/plain; charset=utf-8'],
  ['xml without declaration', utf8('<note>hi</note>'), 'text/plain; charset=utf-8'],
  ['text mentioning html', utf8('Use <html> for pages.\n'), 'text/plain; charset=utf-8'],
  ['ftyp without size', bytes(u32be(4), 'ftypisom'), 'application/octet-stream'],
  ['short bmp', bytes('BM', zeros(4)), 'application/octet-stream'],
];

describe('decideContentType: sniffing real headers', () => {
  it.each([...SAMPLES, ...LOOKALIKES])('%s', (_name, head, type) => {
    const decision = decideContentType(head);
    expect(decision.contentType).toBe(type);
    expect(decision.source).toBe('sniffed');
  });

  it.each([...SAMPLES, ...LOOKALIKES])('%s, in a full head', (_name, head, type) => {
    // What the Worker passes: the first SNIFF_BYTES of a longer blob. Padding with spaces keeps
    // text text; binary signatures only look at their own bytes.
    const padded = new Uint8Array(SNIFF_BYTES + 100).fill(0x20);
    padded.set(head);
    expect(decideContentType(padded, { blobBytes: 10_000 }).contentType).toBe(type);
  });
});

describe('decideContentType: active content', () => {
  const ACTIVE = new Set([
    'text/html',
    'image/svg+xml',
    'application/xhtml+xml',
    'application/xml',
  ]);
  it.each(SAMPLES)('%s', (_name, head, type) => {
    const decision = decideContentType(head);
    expect(decision.active).toBe(ACTIVE.has(type));
    expect(decision.headers).toEqual({
      'content-type': type,
      'x-content-type-options': 'nosniff',
      ...(ACTIVE.has(type) ? { 'content-security-policy': ACTIVE_CONTENT_SECURITY_POLICY } : {}),
    });
  });

  it('the policy is a sandbox', () => {
    expect(ACTIVE_CONTENT_SECURITY_POLICY).toBe('sandbox');
  });

  it.each([
    'text/html',
    'TEXT/HTML; charset=UTF-8',
    'application/xhtml+xml',
    'image/svg+xml',
    'text/xml',
    'application/xml',
    'application/rss+xml',
    'application/atom+xml',
    'application/mathml+xml',
    'application/xslt+xml',
    'application/xml-dtd',
    'text/xsl',
    'multipart/x-mixed-replace; boundary=x',
    'multipart/related',
    'message/rfc822',
    'application/x-mimearchive',
    'application/x-webarchive',
    'not a type', // unparseable: only a known type goes without the sandbox
  ])('%s is active', (type) => {
    expect(isActiveMediaType(type)).toBe(true);
  });

  it.each([
    'application/pdf',
    'image/png',
    'image/avif',
    'video/mp4',
    'audio/mpeg',
    'application/json',
    'model/gltf+json',
    'text/plain; charset=utf-8',
    'text/css',
    'text/javascript',
    'application/wasm',
    'application/octet-stream',
    'font/woff2',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ])('%s is not active', (type) => {
    expect(isActiveMediaType(type)).toBe(false);
  });
});

describe('decideContentType: the attribute', () => {
  const html = utf8('<!DOCTYPE html><script>alert(1)</script>');
  const text = utf8('plain words\n');

  it('wins over sniffing when valid', () => {
    expect(decideContentType(text, { attribute: 'image/png' })).toEqual({
      contentType: 'image/png',
      source: 'attribute',
      active: false,
      headers: { 'content-type': 'image/png', 'x-content-type-options': 'nosniff' },
    });
    expect(decideContentType(html, { attribute: '  video/mp4\t' }).contentType).toBe('video/mp4');
    expect(
      decideContentType(text, { attribute: 'text/plain; charset="iso-8859-1"' }).contentType,
    ).toBe('text/plain; charset="iso-8859-1"');
  });

  it('an HTML blob labelled passive stays passive (nosniff keeps it inert)', () => {
    for (const attribute of ['text/plain', 'application/pdf', 'image/png']) {
      const decision = decideContentType(html, { attribute });
      expect(decision.active, attribute).toBe(false);
      expect(decision.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('an active attribute is sandboxed whatever the bytes are', () => {
    for (const attribute of [
      'text/html',
      'Text/HTML;charset=utf-8',
      'image/svg+xml',
      'application/xml',
    ]) {
      const decision = decideContentType(text, { attribute });
      expect(decision.contentType, attribute).toBe(attribute);
      expect(decision.active, attribute).toBe(true);
      expect(decision.headers['content-security-policy'], attribute).toBe('sandbox');
    }
  });

  it.each([
    ['CRLF injection', 'text/plain\r\nSet-Cookie: a=b'],
    ['LF injection', 'text/plain\nX-Evil: 1'],
    ['trailing CRLF', 'text/html\r\n'],
    ['NUL', 'text/plain\0'],
    ['10 KB', `text/plain; x=${'a'.repeat(10_240)}`],
    ['over the limit by one', `a/${'b'.repeat(MEDIA_TYPE_CHARS_MAX - 1)}`],
    ['empty', ''],
    ['blank', '   '],
    ['no subtype', 'image'],
    ['empty subtype', 'image/'],
    ['two slashes', 'image/png/x'],
    ['space in type', 'ima ge/png'],
    ['media range', '*/*'],
    ['subtype range', 'image/*'],
    ['parameter without value', 'image/png; charset'],
    ['unterminated quote', 'text/plain; charset="utf-8'],
    ['non-ASCII', 'text/plaïn'],
    ['non-Latin-1', 'text/plain; x=\u2028'],
    ['obs-text in quotes', 'text/plain; x="caf\u00e9"'],
    ['comma list', 'text/plain, text/html'],
  ])('ignores a hostile or invalid attribute (%s) and sniffs', (_name, attribute) => {
    const decision = decideContentType(html, { attribute });
    expect(decision.source).toBe('sniffed');
    expect(decision.contentType).toBe('text/html');
    expect(decision.active).toBe(true);
    for (const value of Object.values(decision.headers)) expect(value).not.toMatch(/[\r\n]/);
  });

  it('ignores null and undefined', () => {
    expect(decideContentType(text, { attribute: null }).source).toBe('sniffed');
    expect(decideContentType(text, {}).source).toBe('sniffed');
  });

  it('parses media types per RFC 9110 §8.3.1', () => {
    expect(parseMediaType('Image/PNG')).toEqual({
      value: 'Image/PNG',
      essence: 'image/png',
      type: 'image',
      subtype: 'png',
    });
    expect(parseMediaType('image/png;')).toBeDefined(); // an empty parameter is allowed
    expect(parseMediaType('text/plain ; charset=utf-8 ;')).toBeDefined();
    expect(parseMediaType('text/plain; a="q\\"uote"; b=c')).toBeDefined();
    expect(parseMediaType('application/vnd.api+json')?.subtype).toBe('vnd.api+json');
    expect(parseMediaType(`a/${'b'.repeat(MEDIA_TYPE_CHARS_MAX - 2)}`)).toBeDefined();
    // Backtracking stays linear on a long run of separators.
    expect(parseMediaType(`a/b${';'.repeat(MEDIA_TYPE_CHARS_MAX - 4)}x`)).toBeUndefined();
  });
});

describe('decideContentType: truncated heads and the empty blob', () => {
  const check = utf8('✓'); // E2 9C 93

  it('a head cut inside a UTF-8 sequence is still text unless it is the whole blob', () => {
    const cut = bytes('abc', [...check.subarray(0, 2)]);
    expect(decideContentType(cut).contentType).toBe('text/plain; charset=utf-8');
    expect(decideContentType(cut, { blobBytes: 100 }).contentType).toBe(
      'text/plain; charset=utf-8',
    );
    expect(decideContentType(cut, { blobBytes: cut.length }).contentType).toBe(
      'application/octet-stream',
    );
  });

  it('reads SNIFF_BYTES only: a sequence cut at the limit is text, later bytes unseen', () => {
    const long = new Uint8Array(SNIFF_BYTES + 10).fill(0x61);
    long.set(check, SNIFF_BYTES - 1); // straddles the limit
    long[SNIFF_BYTES + 5] = 0; // a NUL past the limit
    expect(decideContentType(long, { blobBytes: long.length }).contentType).toBe(
      'text/plain; charset=utf-8',
    );
  });

  it('JSON cut anywhere is JSON; the same bytes as a whole blob are not', () => {
    const json = utf8('{"name": "walrus", "list": [1, 2.5, true, null, "\\u00e9"]}');
    for (let cut = 1; cut < json.length; cut++) {
      const head = json.subarray(0, cut);
      expect(decideContentType(head, { blobBytes: 1000 }).contentType, `cut at ${cut}`).toBe(
        'application/json',
      );
      expect(decideContentType(head, { blobBytes: cut }).contentType, `whole ${cut}`).toBe(
        'text/plain; charset=utf-8',
      );
    }
    expect(decideContentType(json, { blobBytes: json.length }).contentType).toBe(
      'application/json',
    );
  });

  it('markup cut in its prolog keeps what the prolog showed', () => {
    const comment = `<!-- ${'x'.repeat(SNIFF_BYTES)} -->`;
    expect(decideContentType(utf8(`<?xml version="1.0"?>${comment}<svg/>`)).contentType).toBe(
      'application/xml',
    );
    expect(decideContentType(utf8(`${comment}<svg/>`)).contentType).toBe('text/html');
    expect(decideContentType(utf8('<?xml version="1.0" enco')).contentType).toBe('application/xml');
    expect(decideContentType(utf8('<!DOCTYPE svg PUB')).contentType).toBe('image/svg+xml');
    for (const type of ['application/xml', 'text/html']) expect(isActiveMediaType(type)).toBe(true);
  });

  it('a signature cut short is not that format', () => {
    expect(decideContentType(bytes([0x89], 'PN')).contentType).toBe('application/octet-stream');
    expect(decideContentType(bytes('GIF8')).contentType).toBe('text/plain; charset=utf-8');
    expect(decideContentType(bytes([0xff, 0xd8])).contentType).toBe('application/octet-stream');
  });

  it('the empty blob is application/octet-stream, with nosniff', () => {
    for (const blobBytes of [undefined, 0]) {
      expect(decideContentType(new Uint8Array(0), { blobBytes })).toEqual({
        contentType: 'application/octet-stream',
        source: 'sniffed',
        active: false,
        headers: {
          'content-type': 'application/octet-stream',
          'x-content-type-options': 'nosniff',
        },
      });
    }
    expect(decideContentType(new Uint8Array(0), { attribute: 'text/plain' }).contentType).toBe(
      'text/plain',
    );
  });

  it('refuses a blob length shorter than its head', () => {
    expect(() => decideContentType(utf8('abc'), { blobBytes: 2 })).toThrow(RangeError);
    expect(() => decideContentType(utf8('abc'), { blobBytes: 3.5 })).toThrow(RangeError);
  });

  it('returns frozen headers', () => {
    expect(Object.isFrozen(decideContentType(utf8('x')).headers)).toBe(true);
  });
});
