/** `npm start` options. */
import { parseArgs } from 'node:util';

export interface LauncherOptions {
  readonly dataDir: string;
  readonly nodes: number;
  readonly shards: number;
  readonly port: number;
  readonly epochMs: number;
  /** Test only: nodes read Byzantine modes from a file, re-read on SIGHUP. */
  readonly faultsFiles: boolean;
  /** The Worker's plain variables to set besides the devnet's own (workers/env.ts). */
  readonly workerVars: Readonly<Record<string, string>>;
}

/**
 * The Worker variables `--worker-var` may set: the operator's knobs. The chain, the wallet and
 * the upload secrets are the devnet's own.
 */
export const SETTABLE_WORKER_VARS: readonly string[] = [
  'PUBLISHER_BODY_BYTES_MAX',
  'PUBLISHER_QUILT_BODY_BYTES_MAX',
  'ATTRIBUTE_HEADERS',
  'DELETABLE_STATUS_TTL_S',
  'UPLOAD_SESSION_BYTES_MAX',
  'UPLOAD_RELAY_BYTES_MAX',
];

export const LAUNCHER_USAGE = `Usage: npm start -- [--nodes N] [--shards N] [--data-dir DIR] [--port PORT] [--epoch-ms MS]
       [--faults-files] [--worker-var NAME=VALUE]…

  --nodes N       storage nodes (default 7)
  --shards N      shards, at least 4 and at least one per node (default 100)
  --data-dir DIR  where the network lives (default .devnet); restarting on it resumes the network
  --port PORT     the edge Worker's port (default 8787; 0 picks a free one)
  --epoch-ms MS   epoch duration (default 600000 = 10 minutes)
  --faults-files  tests only: each node reads Byzantine modes from nodes/node-N/faults, again on
                  SIGHUP (node-reference/faults.ts; network.json names the files)
  --worker-var NAME=VALUE
                  sets one of the Worker's variables (repeatable): ${SETTABLE_WORKER_VARS.join(', ')}`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function integer(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return value;
}

function workerVarsOf(assignments: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    const name = assignment.slice(0, equals);
    if (equals < 1 || !SETTABLE_WORKER_VARS.includes(name))
      throw new UsageError(
        `--worker-var takes NAME=VALUE with NAME one of ${SETTABLE_WORKER_VARS.join(', ')}`,
      );
    vars[name] = assignment.slice(equals + 1);
  }
  return vars;
}

export function parseLauncherOptions(argv: string[]): LauncherOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        nodes: { type: 'string' },
        shards: { type: 'string' },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'epoch-ms': { type: 'string' },
        'faults-files': { type: 'boolean' },
        'worker-var': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  const nodes = integer('nodes', values.nodes, 7, 1, 64);
  const shards = integer('shards', values.shards, 100, 4, 1000);
  if (shards < nodes)
    throw new UsageError('every node needs at least one shard: --shards must be at least --nodes');
  return {
    dataDir: values['data-dir'] ?? '.devnet',
    nodes,
    shards,
    port: integer('port', values.port, 8787, 0, 65_535),
    epochMs: integer('epoch-ms', values['epoch-ms'], 600_000, 1_000, 365 * 24 * 3_600_000),
    faultsFiles: values['faults-files'] ?? false,
    workerVars: workerVarsOf(values['worker-var'] ?? []),
  };
}
