/**
 * What every part of the bench shares: its options, a scratch dir, the figures and context lines
 * collected so far, and `part()`, which times a part and keeps going when one fails (its figures
 * are then reported as skipped with the error, and the run exits non-zero).
 */
import { type Devnet, waitForIdle } from './devnet.js';
import type { BenchOptions } from './options.js';
import { type Detail, type Figure, type Goal, figure } from './report.js';

const MS_PER_S = 1000;

/** A figure a part promises: listed as skipped (with the reason) if the part does not add it. */
export interface ExpectedFigure {
  readonly name: string;
  readonly goal: Goal;
}

export interface PartTiming {
  readonly name: string;
  readonly seconds: number;
  readonly error?: string;
}

export class BenchRun {
  readonly figures: Figure[] = [];
  readonly details: Detail[] = [];
  readonly parts: PartTiming[] = [];
  /** How long each measurement waited for its devnet to go idle (devnet.ts `waitForIdle`). */
  readonly settles: string[] = [];

  constructor(
    readonly options: BenchOptions,
    readonly scratchDir: string,
  ) {}

  add(figure: Figure): void {
    this.figures.push(figure);
    const ratio = figure.ratio === undefined ? undefined : `${figure.ratio.toPrecision(3)}x`;
    log(`${figure.name}: ${ratio ?? figure.note ?? 'skipped'}`);
  }

  detail(name: string, value: string): void {
    this.details.push({ name, value });
  }

  /**
   * Runs one part; an error is recorded (and logged) instead of ending the run, and every figure in
   * `expected` that the part did not add is listed as skipped with the error.
   */
  async part(
    name: string,
    expected: readonly ExpectedFigure[],
    run: () => Promise<void>,
  ): Promise<boolean> {
    log(`${name}…`);
    const startedAt = performance.now();
    let error: string | undefined;
    try {
      await run();
    } catch (thrown) {
      error = (thrown as Error).message;
      log(`${name} failed: ${error}`);
    }
    const timing = { name, seconds: (performance.now() - startedAt) / MS_PER_S };
    this.parts.push(error === undefined ? timing : { ...timing, error });
    for (const promised of expected) {
      if (this.figures.some((f) => f.name === promised.name)) continue;
      const note = error === undefined ? 'not measured' : `error: ${error}`;
      this.add(figure(promised.name, undefined, undefined, promised.goal, note));
    }
    return error === undefined;
  }

  /** Waits for the devnet to go idle before measuring `what`, and keeps how long that took. */
  async settle(devnet: Devnet, what: string, timeoutMs?: number): Promise<void> {
    const settled = await waitForIdle(devnet, timeoutMs);
    this.settles.push(`${what} ${seconds(settled.ms)}${settled.idle ? '' : ' (still busy)'}`);
  }

  get failed(): boolean {
    return this.parts.some((p) => p.error !== undefined);
  }
}

export function log(line: string): void {
  process.stderr.write(`[bench:edge] ${line}\n`);
}

export const seconds = (ms: number): string => `${(ms / MS_PER_S).toFixed(2)} s`;
export const milliseconds = (ms: number): string => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
