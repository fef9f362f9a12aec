/**
 * Figures and how they are shown: each figure is a measured value, the baseline measured in the
 * same run, their ratio and the goal the ratio must reach; the run prints them as one markdown
 * table (plus a table of context: cold start, latencies, errors) and writes them all as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Measured {
  readonly value: number;
  readonly unit: string;
  /** Set when the value is a bound, not a measurement (a read cut off by its timeout). */
  readonly bound?: '≥' | '≤';
  readonly what?: string;
}

export interface Goal {
  /** `>=`: the ratio must reach it; `<=`: it must not exceed it; `<`: it must stay below it. */
  readonly op: '>=' | '<=' | '<';
  readonly ratio: number;
}

export interface Figure {
  readonly name: string;
  readonly measured?: Measured;
  readonly baseline?: Measured;
  readonly ratio?: number;
  readonly goal: Goal;
  readonly met?: boolean;
  /** Why a figure is missing, or what qualifies it. */
  readonly note?: string;
}

export interface Detail {
  readonly name: string;
  readonly value: string;
}

function reaches(ratio: number, goal: Goal): boolean {
  if (goal.op === '>=') return ratio >= goal.ratio;
  if (goal.op === '<=') return ratio <= goal.ratio;
  return ratio < goal.ratio;
}

/** A figure whose ratio is measured / baseline; skipped (with `note`) when either is missing. */
export function figure(
  name: string,
  measured: Measured | undefined,
  baseline: Measured | undefined,
  goal: Goal,
  note?: string,
): Figure {
  if (measured === undefined || baseline === undefined || baseline.value === 0) {
    return { name, measured, baseline, goal, note: note ?? 'skipped' };
  }
  const ratio = measured.value / baseline.value;
  // A bound proves a goal only in its own direction: "≥ 2x" meets "≥ 1x", not "≤ 1x".
  const bound = measured.bound;
  const provable = bound === undefined || (bound === '≥') === (goal.op === '>=');
  const met = provable && reaches(ratio, goal);
  return { name, measured, baseline, ratio, goal, met, ...(note === undefined ? {} : { note }) };
}

const number = (value: number): string =>
  !Number.isFinite(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 10
        ? value.toFixed(1)
        : value.toPrecision(2);

const shown = (m: Measured | undefined): string =>
  m === undefined ? '—' : `${m.bound ?? ''}${number(m.value)} ${m.unit}`;

const withWhat = (m: Measured | undefined): string =>
  m?.what === undefined ? shown(m) : `${shown(m)} (${m.what})`;

function ratioText(f: Figure): string {
  if (f.ratio === undefined) return '—';
  return `${f.measured?.bound ?? ''}${number(f.ratio)}x`;
}

function verdict(f: Figure): string {
  if (f.met === undefined) return 'skipped';
  return f.met ? '**met**' : 'not met';
}

export function markdownTable(figures: readonly Figure[], details: readonly Detail[]): string {
  const rows = [
    '| figure | measured | baseline (same run) | ratio | goal | met? |',
    '|---|---|---|---|---|---|',
    ...figures.map((f) => [
      f.name + (f.note === undefined ? '' : ` (${f.note})`),
      withWhat(f.measured),
      withWhat(f.baseline),
      ratioText(f),
      `${f.goal.op === '>=' ? '≥' : f.goal.op === '<=' ? '≤' : '<'} ${f.goal.ratio}x`,
      verdict(f),
    ]),
    '',
    '| context | value |',
    '|---|---|',
    ...details.map((d) => [d.name, d.value]),
  ];
  return rows.map((row) => (typeof row === 'string' ? row : `| ${row.join(' | ')} |`)).join('\n');
}

/**
 * Writes the run as JSON under `dir` (ignored by git: the folder gets a `*` .gitignore), named
 * after the bench (`edge-<time>.json`).
 */
export function writeResults(
  dir: string,
  startedAt: Date,
  results: object,
  bench = 'edge',
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.gitignore'), '*\n');
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${bench}-${stamp}.json`);
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  return path;
}
