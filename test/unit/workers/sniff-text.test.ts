/** The text sniffers against independent references: TextDecoder for UTF-8, JSON.parse for JSON. */
import { describe, expect, it } from 'vitest';
import { isJsonPrefix, isUtf8Text, sniffMarkup } from '../../../workers/sniff-text.js';

// xorshift32 with a fixed seed, so a failure replays.
let state = 0x9e3779b9;
const random = (bound: number) => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % bound;
};
const encode = (text: string) => new TextEncoder().encode(text);

/** What isUtf8Text allows besides printable text: TAB, LF, FF, CR, ESC. */
const CONTROLS_ALLOWED = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);
const hasBinaryControl = (text: string) =>
  [...text].some((char) => {
    const code = char.codePointAt(0)!;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    return control && !CONTROLS_ALLOWED.has(code);
  });

describe('isUtf8Text', () => {
  it.each([
    ['overlong NUL', [0xc0, 0x80]],
    ['overlong 2-byte', [0xc1, 0xbf]],
    ['overlong 3-byte', [0xe0, 0x80, 0x80]],
    ['overlong 4-byte', [0xf0, 0x80, 0x80, 0x80]],
    ['surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['F5 lead', [0xf5, 0x80, 0x80, 0x80]],
    ['FE', [0xfe]],
    ['lone continuation', [0x80]],
    ['missing continuation', [0xe2, 0x41, 0x41]],
    ['C1 control', [0xc2, 0x80]],
    ['NUL', [0x00]],
    ['DEL', [0x7f]],
    ['vertical tab', [0x0b]],
  ])('rejects %s', (_name, bytes) => {
    expect(isUtf8Text(Uint8Array.from(bytes), false)).toBe(false);
    expect(isUtf8Text(Uint8Array.from(bytes), true)).toBe(false);
  });

  it.each([
    ['2 of 2', [0xc3]],
    ['1 of 3', [0xe2]],
    ['2 of 3', [0xe2, 0x9c]],
    ['3 of 4', [0xf0, 0x9f, 0x98]],
  ])('accepts a sequence cut at the end (%s) only when more may follow', (_name, bytes) => {
    const head = Uint8Array.from([0x61, ...bytes]);
    expect(isUtf8Text(head, false)).toBe(true);
    expect(isUtf8Text(head, true)).toBe(false);
  });

  it('agrees with a fatal TextDecoder on random bytes, whole and streamed', () => {
    const mismatches: string[] = [];
    for (let run = 0; run < 20_000; run++) {
      // Mostly high bytes so that multi-byte sequences, valid and not, are frequent.
      const bytes = Uint8Array.from({ length: 1 + random(6) }, () =>
        random(4) === 0 ? 0x20 + random(0x5f) : 0x80 + random(0x80),
      );
      let whole: string | undefined;
      try {
        whole = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        whole = undefined;
      }
      const expectedWhole = whole !== undefined && !hasBinaryControl(whole);
      if (isUtf8Text(bytes, true) !== expectedWhole) mismatches.push(`whole ${bytes}`);
      let streamed: string | undefined;
      try {
        // `stream: true` holds back a cut sequence at the end instead of failing on it.
        streamed = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
      } catch {
        streamed = undefined;
      }
      const expectedPrefix = streamed !== undefined && !hasBinaryControl(streamed);
      if (isUtf8Text(bytes, false) !== expectedPrefix) mismatches.push(`prefix ${bytes}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('accepts every prefix of real UTF-8 text', () => {
    const text = encode('Grüße, ✓ 😀 日本語 ελληνικά\r\n\tend');
    for (let cut = 0; cut <= text.length; cut++) {
      expect(isUtf8Text(text.subarray(0, cut), false), `cut at ${cut}`).toBe(true);
    }
  });
});

describe('isJsonPrefix', () => {
  const documents = [
    '{}',
    '[]',
    '{"a":1}',
    '[1,-2,3.5,-0.5e-7,1E+2,0]',
    '{"nested":{"deep":[[[{"x":[true,false,null]}]]]},"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}',
    ' \r\n\t{ "spaced" : [ 1 , 2 ] } \n',
    '["ünïcödé ✓"]',
  ];

  it.each(documents)('accepts %j whole and every prefix of it', (document) => {
    const bytes = encode(document);
    expect(isJsonPrefix(bytes, true)).toBe(true);
    for (let cut = 1; cut < bytes.length; cut++) {
      const prefix = bytes.subarray(0, cut);
      if (new TextDecoder().decode(prefix).trim() === '') continue;
      expect(isJsonPrefix(prefix, false), `cut at ${cut}`).toBe(true);
    }
  });

  it.each(['1', '"string"', 'true', ' null '])('rejects a scalar top level: %j', (document) => {
    // Valid JSON, but the sniffer labels only documents that open with `{` or `[`.
    expect(isJsonPrefix(encode(document), true)).toBe(false);
  });

  it.each([
    '{"a"}',
    '{"a":}',
    '{a:1}',
    '{"a":1,}',
    '[1,]',
    '[,1]',
    '[1 2]',
    '{"a":1]',
    '[1}',
    '[01]',
    '[1.]',
    '[.5]',
    '[+1]',
    '[1e]',
    '[tru]',
    '[True]',
    '[nul]',
    '["\\x"]',
    '["\\u12G4"]',
    '["a\tb"]', // a raw control character in a string
    '{}{}',
    '[] x',
    '{"a":1}}',
  ])('rejects %j and agrees with JSON.parse', (document) => {
    const bytes = encode(document);
    expect(isJsonPrefix(bytes, true)).toBe(false);
    expect(() => JSON.parse(document)).toThrow();
  });

  it('rejects what cannot continue into JSON even when cut', () => {
    for (const text of ['[1] started', '[section]', '{not', '[2026-01-01]', '{"a" 1', '[tx']) {
      expect(isJsonPrefix(encode(text), false), text).toBe(false);
    }
  });

  it('agrees with JSON.parse on random small documents', () => {
    const mismatches: string[] = [];
    const atoms = ['1', '-2.5', '0', 'true', 'null', '"s"', '"\\n"', '[', ']', '{', '}', ',', ':'];
    for (let run = 0; run < 20_000; run++) {
      const text =
        ['[', '{'][random(2)] +
        Array.from({ length: random(8) }, () => atoms[random(atoms.length)]).join('');
      let valid: boolean;
      try {
        const value: unknown = JSON.parse(text);
        valid = typeof value === 'object' && value !== null;
      } catch {
        valid = false;
      }
      if (isJsonPrefix(encode(text), true) !== valid) mismatches.push(text);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('sniffMarkup', () => {
  it.each([
    ['<!DOCTYPE html>', 'text/html'],
    ['<!doctype HTML>', 'text/html'],
    ['<html>', 'text/html'],
    ['<Html lang="en">', 'text/html'],
    ['<head>', 'text/html'],
    ['<iframe src=x>', 'text/html'],
    ['<a href="x">', 'text/html'],
    ['<br/>', 'text/html'],
    ['<!-- a -->', 'text/html'],
    ['<!-- a --> <!-- b --> <table>', 'text/html'],
    ['<svg>', 'image/svg+xml'],
    ['<!-- a --><svg>', 'image/svg+xml'],
    ['<?xml version="1.0"?><!DOCTYPE svg><svg>', 'image/svg+xml'],
    ['<?xml version="1.0"?><x:svg>', 'image/svg+xml'],
    ['<?xml version="1.0"?><!DOCTYPE html><html>', 'application/xhtml+xml'],
    ['<?xml version="1.0"?><feed>', 'application/xml'],
    ['<?xml version="1.0"?><div>', 'application/xml'],
    ['<?xml version="1.0"?>', 'application/xml'],
    ['<?xml', 'application/xml'],
    ['<?php echo 1; ?>', undefined],
    ['<note>', undefined],
    ['<3', undefined],
    ['<', undefined],
    ['text <html>', undefined],
    ['', undefined],
  ])('%j → %s', (text, expected) => {
    expect(sniffMarkup(encode(text))).toBe(expected);
  });
});
