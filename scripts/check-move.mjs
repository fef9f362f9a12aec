#!/usr/bin/env node
// Syntax check for the Move package (docs/spec/contracts.md §8.2). There is no Sui toolchain on our
// machines, so this is the one check CI can run on move/: it parses every .move file with the
// tree-sitter Move grammar that @mysten/prettier-plugin-move ships (the same parser that makes
// `prettier` refuse unparsable files) and reports every ERROR or MISSING node as
// `file:line:col: message`. It does not catch type, ability or borrow errors; `sui move build`
// does (see move/README.md).
//
// Usage: node scripts/check-move.mjs [files...]   (default: every move/**/*.move)
// Output: one line per problem, then `N passed, M failed`; exit code 1 on any failure.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MOVE_ROOT = join(REPO_ROOT, 'move');
/** Problems reported per file; a broken file can produce a cascade of follow-on errors. */
const PROBLEMS_PER_FILE_MAX = 20;
/** Characters of offending source quoted in a message. */
const SNIPPET_CHARS_MAX = 40;

// The grammar lives next to the plugin's package.json; web-tree-sitter is the plugin's own
// dependency, so resolve it from there rather than from this repository.
const require = createRequire(import.meta.url);
const pluginPackageJson = require.resolve('@mysten/prettier-plugin-move/package.json');
const pluginDir = dirname(pluginPackageJson);
const GRAMMAR_WASM = join(pluginDir, 'tree-sitter-move.wasm');
const Parser = createRequire(pluginPackageJson)('web-tree-sitter');

/** Every `*.move` file under `dir`, sorted, skipping build output and dot-directories. */
function findMoveFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'build') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findMoveFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.move')) found.push(path);
  }
  return found.sort();
}

function snippet(text) {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > SNIPPET_CHARS_MAX ? `${oneLine.slice(0, SNIPPET_CHARS_MAX)}…` : oneLine;
}

/** Collects the innermost ERROR / MISSING nodes below `node` (only subtrees that have errors). */
function collectProblems(node, out) {
  if (out.length >= PROBLEMS_PER_FILE_MAX) return;
  if (node.isMissing()) {
    out.push({ node, message: `missing ${node.type}` });
    return;
  }
  if (node.type === 'ERROR') {
    // Report the first child problem if there is a more precise one; otherwise this node.
    const before = out.length;
    for (const child of node.children) if (child.hasError()) collectProblems(child, out);
    if (out.length === before) {
      out.push({ node, message: `syntax error near \`${snippet(node.text)}\`` });
    }
    return;
  }
  for (const child of node.children) if (child.hasError()) collectProblems(child, out);
}

/**
 * Where to report a node. Tree-sitter places a MISSING token where the next token starts, often on
 * the following line; report it right after the last code before it instead (where the `;` or `}`
 * belongs), skipping blank and comment-only lines.
 */
function reportPosition(lines, node) {
  const { row, column } = node.startPosition;
  if (!node.isMissing() || lines[row].slice(0, column).trim() !== '') return { row, column };
  for (let previous = row - 1; previous >= 0; previous--) {
    const code = lines[previous].trimEnd();
    if (code.trim() !== '' && !code.trim().startsWith('//')) {
      return { row: previous, column: code.length };
    }
  }
  return { row, column };
}

/** Parses one file; returns a list of `file:line:col: message` strings (empty when it parses). */
function checkFile(parser, path) {
  const text = readFileSync(path, 'utf8');
  const tree = parser.parse(text);
  try {
    if (!tree.rootNode.hasError()) return [];
    const problems = [];
    collectProblems(tree.rootNode, problems);
    if (problems.length === 0) {
      problems.push({ node: tree.rootNode, message: 'syntax error (unlocated)' });
    }
    const shown = relative(process.cwd(), path) || path;
    const lines = text.split('\n');
    return problems.map(({ node, message }) => {
      const { row, column } = reportPosition(lines, node);
      return `${shown}:${row + 1}:${column + 1}: ${message}`;
    });
  } finally {
    tree.delete();
  }
}

async function main(argv) {
  const files = argv.length > 0 ? argv.map((file) => resolve(file)) : findMoveFiles(MOVE_ROOT);
  if (files.length === 0) {
    console.error(`no .move files found under ${MOVE_ROOT}`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Parser.Language.load(GRAMMAR_WASM));

  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let problems;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      problems = checkFile(parser, file);
    } catch (error) {
      problems = [`${relative(process.cwd(), file) || file}:1:1: cannot read: ${error.message}`];
    }
    if (problems.length === 0) {
      passed += 1;
    } else {
      failed += 1;
      for (const line of problems) console.log(line);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
