/**
 * The `walrus-edge` command line. Command names and flags follow Walrus's CLI (`store`, `read`,
 * `blob-status`, `list-blobs`, `delete`, `extend`, `info`, `blob-id`). Errors are one line on
 * stderr (`error: …`, then maybe `hint: …`) and a non-zero exit code: 1 when the operation
 * failed, 2 when the command line is wrong.
 */
import { parseArgs } from 'node:util';
import { isParseArgsError } from './args.js';
import { blobIdCommand, parseShardCount } from './blob-id.js';
import { runBlobStatus, BLOB_STATUS_USAGE } from './blob-status.js';
import { type CliIo, type CommandContext, openFileSession, type Session } from './context.js';
import { runDelete, DELETE_USAGE } from './delete.js';
import { CliError, EXIT_USAGE, toCliError, usageError } from './errors.js';
import { runExtend, EXTEND_USAGE } from './extend.js';
import { runInfo, INFO_USAGE } from './info.js';
import { runListBlobs, LIST_BLOBS_USAGE } from './list-blobs.js';
import { NETWORK_FILE_DEFAULT, NETWORK_FILE_ENV } from './network.js';
import { NO_PROGRESS_ENV } from './progress.js';
import { runRead, READ_USAGE } from './read.js';
import { runStore, STORE_USAGE } from './store.js';

export const USAGE = `Usage: walrus-edge [--network FILE] <command> [options]

Commands:
  store FILE --epochs N|max [--permanent] [--json]
                        Encode FILE, register it, upload it to the storage nodes and certify it.
                        Deletable unless --permanent. --json prints one object:
                        {blobId, objectId, size, encodedSize, endEpoch, cost, deletable,
                        certifiedEpoch}; cost is in MIST, as a decimal string, gas not included.
  read BLOB_ID [--out FILE] [--json]
                        Reconstruct a blob; raw bytes to stdout, or to FILE (written atomically).
  blob-status BLOB_ID [--json]
                        The status the storage nodes report, backed by more than f shards.
  list-blobs [--include-expired] [--json]
                        The wallet's Blob objects.
  delete BLOB_ID | --object-id ID [--json]
                        Delete the wallet's deletable Blob objects of a blob (or one object).
  extend --object-id ID --epochs N|max [--json]
                        Buy more epochs for a certified Blob object of the wallet.
  info [--json]         Epoch, shards, storage nodes, prices and limits of the network.
  blob-id FILE [--n-shards N] [--json]
                        Print the Walrus blob ID of FILE, computed locally (default n-shards: 1000).

Options:
  --network FILE        The network file written by \`npm start\` (default: ${NETWORK_FILE_DEFAULT},
                        or $${NETWORK_FILE_ENV})
  -h, --help            Show this help; \`walrus-edge <command> --help\` for one command

JSON output puts MIST amounts and u64 byte counts in decimal strings. Progress bars go to stderr
when it is a terminal (set ${NO_PROGRESS_ENV} to turn them off).
Exit status: 0 success, 1 failure, 2 bad command line.`;

const BLOB_ID_USAGE = 'Usage: walrus-edge blob-id FILE [--n-shards N] [--json]';

async function runBlobId(args: readonly string[], context: CommandContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'n-shards': { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    throw new CliError('blob-id takes exactly one FILE', BLOB_ID_USAGE);
  }
  await blobIdCommand(
    { file: positionals[0], nShards: parseShardCount(values['n-shards']), json: values.json },
    context.io.out,
  );
}

interface Command {
  readonly usage: string;
  readonly run: (args: readonly string[], context: CommandContext) => Promise<void>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  store: { usage: STORE_USAGE, run: runStore },
  read: { usage: READ_USAGE, run: runRead },
  'blob-status': { usage: BLOB_STATUS_USAGE, run: runBlobStatus },
  'list-blobs': { usage: LIST_BLOBS_USAGE, run: runListBlobs },
  delete: { usage: DELETE_USAGE, run: runDelete },
  extend: { usage: EXTEND_USAGE, run: runExtend },
  info: { usage: INFO_USAGE, run: runInfo },
  'blob-id': { usage: BLOB_ID_USAGE, run: runBlobId },
};

/** Walrus-style aliases. */
const ALIASES: Readonly<Record<string, string>> = { write: 'store' };

function writeStdout(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}

let stdoutGuarded = false;

/**
 * A reader that closes the pipe early (`walrus-edge read ID | head -c 10`) is not a failure:
 * stop quietly, as a program killed by SIGPIPE would. Anything else on stdout is a failure.
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`error: cannot write to stdout: ${error.message}\n`);
    process.exit(1);
  });
}

export function processIo(): CliIo {
  guardStdout();
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    writeOut: writeStdout,
    writeErr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    now: () => Date.now(),
  };
}

/**
 * Global options before the command name (`walrus-edge --network F info`), as Walrus takes its
 * global flags. Returns the network flag and the rest, starting at the command.
 */
export function splitGlobalOptions(argv: readonly string[]): {
  network: string | undefined;
  rest: string[];
} {
  let network: string | undefined;
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index];
    if (arg === '--network') {
      if (index + 1 >= argv.length)
        throw usageError('--network needs a FILE', 'Usage: walrus-edge --network FILE <command> …');
      network = argv[index + 1];
      index += 2;
    } else if (arg.startsWith('--network=')) {
      network = arg.slice('--network='.length);
      index += 1;
    } else break;
  }
  return { network, rest: argv.slice(index) };
}

export interface MainOptions {
  /** Overrides parts of the process I/O (tests). */
  readonly io?: Partial<CliIo>;
  /** Replaces the network-file session (tests with a fake chain). */
  readonly openSession?: (io: CliIo, networkFlag: string | undefined) => Session;
}

/** Runs the CLI; returns the exit code. `out`/`err` and `options` are injectable for tests. */
export async function main(
  argv: string[],
  out?: (line: string) => void,
  err?: (line: string) => void,
  options: MainOptions = {},
): Promise<number> {
  const io: CliIo = { ...processIo(), ...(out && { out }), ...(err && { err }), ...options.io };
  let session: Session | undefined;
  try {
    const { network: globalNetwork, rest } = splitGlobalOptions(argv);
    const [name, ...args] = rest;
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.out(USAGE);
      return name === undefined ? EXIT_USAGE : 0;
    }
    const command = COMMANDS[ALIASES[name] ?? name];
    if (command === undefined) {
      io.err(`error: unknown command ${JSON.stringify(name)}`);
      io.err(USAGE);
      return EXIT_USAGE;
    }
    if (args.includes('-h') || args.includes('--help')) {
      io.out(command.usage);
      return 0;
    }
    const open = options.openSession ?? openFileSession;
    const context: CommandContext = {
      io,
      openSession: (networkFlag) => (session = open(io, networkFlag ?? globalNetwork)),
    };
    await command.run(args, context);
    return 0;
  } catch (error) {
    const failure = isParseArgsError(error)
      ? new CliError((error as Error).message, undefined, EXIT_USAGE)
      : toCliError(error, {
          networkFile: session?.network.file,
          ledgerUrl: session?.network.ledgerUrl,
        });
    io.err(`error: ${failure.message}`);
    if (failure.hint !== undefined) io.err(`hint: ${failure.hint}`);
    return failure.exitCode;
  }
}
