/**
 * Progress on stderr for the long commands (store, read): one line redrawn in place, only when
 * stderr is a terminal, so piped and scripted runs (`--json`, child processes) see nothing.
 */
import type { ReadProgress } from '../read/blob.js';
import type { StoreProgress } from '../store.js';
import type { CliIo } from './context.js';

/** Redraws at most this often (stage changes and completion always redraw). */
export const PROGRESS_REDRAW_MS_MIN = 100;
export const PROGRESS_BAR_CHARS = 30;
/** Set to any value to turn progress off on a terminal too. */
export const NO_PROGRESS_ENV = 'WALRUS_EDGE_NO_PROGRESS';
const CLEAR_LINE = '\r\x1b[2K';
const LABEL_CHARS = 9;

/** Progress is drawn only on a terminal that understands redraws, and not when turned off. */
export function progressEnabled(
  stderrIsTty: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (!stderrIsTty) return false;
  if (env.TERM === 'dumb') return false;
  return env[NO_PROGRESS_ENV] === undefined;
}

export interface ProgressStep {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** What is counted (`slivers`); empty for one-shot stages, which show no count. */
  readonly unit: string;
}

/** One progress line, e.g. `upload    [##########--------------------] 70/200 slivers`. */
export function progressLine(step: ProgressStep): string {
  const fraction = step.total > 0 ? Math.min(Math.max(step.done / step.total, 0), 1) : 1;
  const filled = Math.round(fraction * PROGRESS_BAR_CHARS);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(PROGRESS_BAR_CHARS - filled)}]`;
  const count = step.unit === '' ? '' : ` ${step.done}/${step.total} ${step.unit}`;
  return `${step.label.padEnd(LABEL_CHARS)} ${bar}${count}`;
}

/** Store stages: encode, register, upload N/M slivers, certify. */
export function storeStep(progress: StoreProgress): ProgressStep {
  return {
    label: progress.stage,
    done: progress.done,
    total: progress.total,
    unit: progress.stage === 'upload' ? 'slivers' : '',
  };
}

/** Read stages: metadata, slivers N/M, decode. */
export function readStep(progress: ReadProgress): ProgressStep {
  return {
    label: progress.stage,
    done: progress.done,
    total: progress.total,
    unit: progress.stage === 'slivers' ? 'slivers' : '',
  };
}

export interface ProgressReporter {
  update(step: ProgressStep): void;
  /** Clears the line; call before printing results or errors. */
  finish(): void;
}

const SILENT: ProgressReporter = { update() {}, finish() {} };

export function createProgress(io: CliIo): ProgressReporter {
  if (!progressEnabled(io.stderrIsTty, io.env)) return SILENT;
  let lastLabel = '';
  let lastDrawMs = -Infinity;
  let drawn = false;
  return {
    update(step) {
      const nowMs = io.now();
      const due =
        step.label !== lastLabel ||
        step.done >= step.total ||
        nowMs - lastDrawMs >= PROGRESS_REDRAW_MS_MIN;
      if (!due) return;
      lastLabel = step.label;
      lastDrawMs = nowMs;
      drawn = true;
      io.writeErr(CLEAR_LINE + progressLine(step));
    },
    finish() {
      if (drawn) io.writeErr(CLEAR_LINE);
      drawn = false;
    },
  };
}
