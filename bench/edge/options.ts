/** `npm run bench:edge -- [options]`. */
import { parseArgs } from 'node:util';

export const BENCH_EDGE_USAGE = `Usage: npm run bench:edge -- [--big] [--big-shards N]
         [--duration-s S] [--warmup-s S] [--connections N] [--timeout-s S] [--fault-samples N]

  --big            also stream a 1 GiB blob on its own devnet and report workerd's peak RSS
                   and the Worker isolate's own peak (over workerd's inspector; storing 1 GiB
                   takes 1.5-3 minutes here)
  --big-shards N   shards of that devnet (default 1000: 1 GiB primary slivers of ~3 MB;
                   at 100 they are ~32 MB)
  --duration-s S   measured window of each load run (default 10)
  --warmup-s S     warm-up before it, results dropped (default 2)
  --connections N  requests in flight during load runs (default 30)
  --timeout-s S    timeout of every client request and CLI read (default 120)
  --fault-samples N  fresh blobs read per case (healthy/hung, Worker/CLI); the median is the
                   figure (default 3)`;

export interface BenchOptions {
  readonly big: boolean;
  readonly bigShards: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly faultSamples: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const MS_PER_S = 1000;

function integer(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        big: { type: 'boolean' },
        'big-shards': { type: 'string' },
        'duration-s': { type: 'string' },
        'warmup-s': { type: 'string' },
        connections: { type: 'string' },
        'timeout-s': { type: 'string' },
        'fault-samples': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  return {
    big: values.big ?? false,
    // The launcher accepts 4..1000 shards.
    bigShards: integer('big-shards', values['big-shards'], 1000, 7, 1000),
    durationMs: integer('duration-s', values['duration-s'], 10, 1, 600) * MS_PER_S,
    warmupMs: integer('warmup-s', values['warmup-s'], 2, 0, 600) * MS_PER_S,
    connections: integer('connections', values.connections, 30, 1, 1000),
    timeoutMs: integer('timeout-s', values['timeout-s'], 120, 1, 3600) * MS_PER_S,
    faultSamples: integer('fault-samples', values['fault-samples'], 3, 1, 15),
  };
}
