/**
 * The CLI's failure type and exit codes, apart from errors.ts: every command (and `--help`) needs
 * these, while mapping the typed errors of core/chain and client/ onto them (`toCliError`) loads
 * the chain and storage-node clients, which only failing network commands need.
 */

/** The operation failed. */
export const EXIT_FAILURE = 1;
/** The command line is wrong (unknown command or option, missing or malformed argument). */
export const EXIT_USAGE = 2;

/** A CLI failure: one line for the user saying what failed and why, plus the next step. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** A wrong command line; the hint is the command's usage line. */
export function usageError(message: string, usage: string): CliError {
  return new CliError(message, usage, EXIT_USAGE);
}

/** node:util parseArgs's errors carry an `ERR_PARSE_ARGS_*` code (other errors' codes may be numbers). */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
