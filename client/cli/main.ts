/**
 * The `walrus-edge` command line. Command names follow Walrus's CLI (`blob-id`, later `store`,
 * `read`, `blob-status`, …). Errors are one line on stderr and a non-zero exit code.
 */
import { parseArgs } from 'node:util';
import { blobIdCommand, parseShardCount } from './blob-id.js';
import { CliError } from './errors.js';

const USAGE = `Usage: walrus-edge <command> [options]

Commands:
  blob-id FILE [--n-shards N] [--json]   Print the Walrus blob ID of FILE (default n-shards: 1000)

Options:
  -h, --help                             Show this help`;

type Out = (line: string) => void;

async function runBlobId(args: string[], out: Out): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'n-shards': { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    throw new CliError('blob-id takes exactly one FILE', 'Usage: walrus-edge blob-id FILE [--n-shards N] [--json]');
  }
  await blobIdCommand({ file: positionals[0], nShards: parseShardCount(values['n-shards']), json: values.json }, out);
}

const COMMANDS: Record<string, (args: string[], out: Out) => Promise<void>> = {
  'blob-id': runBlobId,
};

/** Runs the CLI; returns the exit code. `out`/`err` are injectable for tests. */
export async function main(
  argv: string[],
  out: Out = (line) => process.stdout.write(line + '\n'),
  err: Out = (line) => process.stderr.write(line + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    err(`error: unknown command ${JSON.stringify(command)}`);
    err(USAGE);
    return 2;
  }
  try {
    await run(rest, out);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      err(`error: ${error.message}`);
      if (error.hint !== undefined) err(`hint: ${error.hint}`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`error: ${(error as Error).message}`);
      return 2;
    }
    err(`error: ${(error as Error).message}`);
    return 1;
  }
}
