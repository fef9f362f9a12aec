/**
 * The house rules a reviewer would otherwise have to remember, in the spirit of TigerBeetle's
 * `tidy.zig`: checked on every `npm test` so that they stay true.
 *
 * - Folder boundaries: core/ is pure (no other folder of ours, no Node built-in, no Node globals);
 *   workers/ and durable-objects/ never reach into node-reference/ or devnet/; client/ never
 *   into node-reference/, devnet/ or workers/.
 * - A source file over 400 lines says why at its top ("Over 400 lines …" or "… past 400 lines …").
 * - Comments cite what a reader can open: every `docs/…` or `*.md` path named in code exists.
 * - The Worker's bindings are described once: wrangler.toml's [vars] are workers/env.ts's, and no
 *   secret sits in the file.
 * - No shuffle by `sort(() => Math.random() - 0.5)` (biased), no `.only`/`.skip` in tests.
 * (Formatting is Prettier's: `npm run format:check`, run by `npm test`.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WORKER_SECRETS, WORKER_VARS } from '../../workers/env.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Longest a source file may be without stating why. */
const FILE_LINES_MAX = 400;
/** The header reason must appear this early. */
const HEADER_LINES = 40;

const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((path) => path !== '' && existsSync(join(ROOT, path)));
const sources = tracked.filter((path) => /\.(ts|mjs)$/.test(path) && !path.endsWith('.d.ts'));
const text = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** Code only: comments may mention anything. */
const code = (path: string) =>
  text(path)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');

/** Relative and bare import specifiers of a file (static, dynamic and re-exports). */
function imports(path: string): string[] {
  const found: string[] = [];
  const pattern = /(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g;
  for (const match of code(path).matchAll(pattern)) found.push(match[1]);
  return found;
}

/** The top-level folder an import lands in, or undefined for packages. */
function targetFolder(path: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(ROOT, dirname(path), specifier)).split('/')[0];
}

const NODE_BUILTINS =
  /^(node:|fs$|path$|os$|crypto$|http$|https$|net$|url$|util$|stream$|child_process$|worker_threads$|zlib$)/;

describe('tidy', () => {
  it('keeps core/ pure: no other folder of ours, no Node built-in, no Node globals', () => {
    const offenders: string[] = [];
    for (const path of sources.filter((p) => p.startsWith('core/'))) {
      for (const specifier of imports(path)) {
        const folder = targetFolder(path, specifier);
        if (folder !== undefined && folder !== 'core') offenders.push(`${path} → ${specifier}`);
        if (NODE_BUILTINS.test(specifier)) offenders.push(`${path} → ${specifier}`);
      }
      if (/\bBuffer\.|\bprocess\.|\brequire\(/.test(code(path))) {
        offenders.push(`${path}: a Node global`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the edge and the SDK out of the node and the devnet', () => {
    const forbidden: Record<string, readonly string[]> = {
      workers: ['node-reference', 'devnet', 'bench', 'test'],
      'durable-objects': ['node-reference', 'devnet', 'bench', 'test'],
      client: ['node-reference', 'devnet', 'workers', 'durable-objects', 'bench', 'test'],
    };
    const offenders: string[] = [];
    for (const path of sources) {
      const banned = forbidden[path.split('/')[0]];
      if (banned === undefined) continue;
      for (const specifier of imports(path)) {
        const folder = targetFolder(path, specifier);
        if (folder !== undefined && banned.includes(folder)) {
          offenders.push(`${path} → ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it(`makes every source file over ${FILE_LINES_MAX} lines say why at its top`, () => {
    const offenders = sources
      .filter((path) => !path.startsWith('test/'))
      .filter((path) => text(path).split('\n').length > FILE_LINES_MAX)
      .filter((path) => {
        const head = text(path).split('\n').slice(0, HEADER_LINES).join('\n');
        return !/(over|past) 400 lines/i.test(head);
      });
    expect(offenders).toEqual([]);
  });

  it('cites only documents that exist', () => {
    const missing: string[] = [];
    for (const path of sources) {
      for (const match of text(path).matchAll(
        /\b((?:docs|move|node-reference)\/[\w./-]+\.md)\b/g,
      )) {
        if (!existsSync(join(ROOT, match[1]))) missing.push(`${path}: ${match[1]}`);
      }
      // A bare spec name would be a file nobody can find.
      for (const match of text(path).matchAll(
        /(?<![\w/.-])(encoding|api|contracts|edge-platform|toolchain|quilts)\.md\b/g,
      )) {
        missing.push(`${path}: ${match[0]} (cite docs/spec/${match[0]})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("describes the Worker's bindings once: wrangler.toml's [vars] are workers/env.ts's", () => {
    const toml = text('wrangler.toml');
    const vars = toml.slice(toml.indexOf('[vars]'));
    const section = vars.slice(0, vars.search(/\n\[/) === -1 ? undefined : vars.search(/\n\[/));
    const declared = [...section.matchAll(/^([A-Z][A-Z0-9_]*)\s*=/gm)].map((m) => m[1]);
    const known: readonly string[] = WORKER_VARS;
    expect(declared.filter((name) => !known.includes(name))).toEqual([]);
    for (const secret of WORKER_SECRETS) expect(declared).not.toContain(secret);
    expect(toml).toMatch(/^main = "workers\/index\.ts"$/m);
    expect(toml.match(/^compatibility_date = /gm)).toHaveLength(1);
    // No second compatibility date elsewhere: wrangler.toml is the one place.
    const elsewhere = sources.filter((path) => /compatibilityDate:\s*['"]\d{4}-/.test(code(path)));
    expect(elsewhere).toEqual([]);
  });

  it('has no biased shuffles and no focused or skipped tests', () => {
    const offenders: string[] = [];
    for (const path of sources) {
      const body = code(path);
      if (/sort\(\s*\(\)\s*=>\s*Math\.random\(\)\s*-\s*0?\.5\s*\)/.test(body)) {
        offenders.push(`${path}: biased shuffle (use shuffled() from client/lanes.ts)`);
      }
      if (path.startsWith('test/') && /\b(it|test|describe)\.(only|skip)\(/.test(body)) {
        offenders.push(`${path}: .only/.skip`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
