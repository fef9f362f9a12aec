/**
 * Structured logs: one JSON object per line and per event, `{"time","level","event",…fields}`.
 * Event names are stable dotted identifiers (`node.listening`, `sliver.stored`) so tests and
 * operators can match them; fields carry the details.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function serializable(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Writes JSON lines to `write` (stdout by default) for events at `minLevel` or above. */
export function jsonLogger(
  minLevel: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const min = LEVEL_RANK[minLevel];
  return {
    log(level, event, fields = {}) {
      if (LEVEL_RANK[level] < min) return;
      const record: Record<string, unknown> = { time: new Date().toISOString(), level, event };
      for (const [key, value] of Object.entries(fields)) record[key] = serializable(value);
      write(`${JSON.stringify(record)}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
