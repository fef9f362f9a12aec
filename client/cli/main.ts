/**
 * The `walrus-edge` command line. Command names and flags follow Walrus's CLI (`store`, `read`,
 * `blob-status`, `list-blobs`, `delete`, `extend`, `info`, `blob-id`, `store-quilt`, `read-quilt`,
 * `list-patches-in-quilt`). Errors are one line on
 * stderr (`error: …`, then maybe `hint: …`) and a non-zero exit code: 1 when the operation
 * failed, 2 when the command line is wrong.
 */
import type { CliIo, CommandContext, Session } from './context.js';
import { CliError, EXIT_USAGE, isParseArgsError, usageError } from './cli-error.js';
import {
  BLOB_ID_USAGE,
  BLOB_STATUS_USAGE,
  DELETE_USAGE,
  EXTEND_USAGE,
  INFO_USAGE,
  LIST_BLOBS_USAGE,
  LIST_PATCHES_USAGE,
  READ_QUILT_USAGE,
  READ_USAGE,
  STORE_QUILT_USAGE,
  SESSION_USAGE,
  STORE_USAGE,
  USAGE,
} from './usage.js';

export { USAGE };

type CommandRun = (args: readonly string[], context: CommandContext) => Promise<void>;

/**
 * A command's usage, and its module loaded only when it runs: `--help` loads none, `blob-id`
 * loads the encoder but not @mysten/sui, and the network commands load the chain client. Loading
 * every command up front took most of the CLI's start-up (0.4 s of `--help`).
 */
interface Command {
  readonly usage: string;
  readonly load: () => Promise<CommandRun>;
  /** False for offline commands, which never open a network session. */
  readonly network?: false;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  store: { usage: STORE_USAGE, load: async () => (await import('./store.js')).runStore },
  read: { usage: READ_USAGE, load: async () => (await import('./read.js')).runRead },
  'blob-status': {
    usage: BLOB_STATUS_USAGE,
    load: async () => (await import('./blob-status.js')).runBlobStatus,
  },
  'list-blobs': {
    usage: LIST_BLOBS_USAGE,
    load: async () => (await import('./list-blobs.js')).runListBlobs,
  },
  delete: { usage: DELETE_USAGE, load: async () => (await import('./delete.js')).runDelete },
  extend: { usage: EXTEND_USAGE, load: async () => (await import('./extend.js')).runExtend },
  'store-quilt': {
    usage: STORE_QUILT_USAGE,
    load: async () => (await import('./store-quilt.js')).runStoreQuilt,
  },
  'read-quilt': {
    usage: READ_QUILT_USAGE,
    load: async () => (await import('./read-quilt.js')).runReadQuilt,
  },
  'list-patches-in-quilt': {
    usage: LIST_PATCHES_USAGE,
    load: async () => (await import('./list-patches.js')).runListPatches,
  },
  info: { usage: INFO_USAGE, load: async () => (await import('./info.js')).runInfo },
  session: { usage: SESSION_USAGE, load: async () => (await import('./session.js')).runSession },
  'blob-id': {
    usage: BLOB_ID_USAGE,
    load: async () => (await import('./blob-id.js')).runBlobId,
    network: false,
  },
};

/** Walrus-style aliases. */
const ALIASES: Readonly<Record<string, string>> = {
  write: 'store',
  'write-quilt': 'store-quilt',
  'resolve-quilt': 'list-patches-in-quilt',
};

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

type SessionOpener = (io: CliIo, networkFlag: string | undefined) => Session;

export interface MainOptions {
  /** Overrides parts of the process I/O (tests). */
  readonly io?: Partial<CliIo>;
  /** Replaces the network-file session (tests with a fake chain). */
  readonly openSession?: SessionOpener;
}

/** The session opener: the caller's, or the network file's (which loads @mysten/sui). */
async function sessionOpener(command: Command, options: MainOptions): Promise<SessionOpener> {
  if (options.openSession !== undefined) return options.openSession;
  if (command.network === false) return offlineSession;
  return (await import('./context.js')).openFileSession;
}

function offlineSession(): never {
  throw new Error('an offline command opened a network session');
}

/** The one-line form of a failure; the mapping of chain and client errors loads on demand. */
async function cliErrorOf(error: unknown, session: Session | undefined): Promise<CliError> {
  if (error instanceof CliError) return error;
  if (isParseArgsError(error)) return new CliError((error as Error).message, undefined, EXIT_USAGE);
  const { toCliError } = await import('./errors.js');
  return toCliError(error, {
    networkFile: session?.network.file,
    ledgerUrl: session?.network.ledgerUrl,
  });
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
    const [run, open] = await Promise.all([command.load(), sessionOpener(command, options)]);
    const context: CommandContext = {
      io,
      openSession: (networkFlag) => (session = open(io, networkFlag ?? globalNetwork)),
    };
    await run(args, context);
    return 0;
  } catch (error) {
    const failure = await cliErrorOf(error, session);
    io.err(`error: ${failure.message}`);
    if (failure.hint !== undefined) io.err(`hint: ${failure.hint}`);
    return failure.exitCode;
  }
}
