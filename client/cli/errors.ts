/** A CLI failure: one line for the user saying what failed and why, plus the next step. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
