/**
 * Command-line parsing shared by the commands: `node:util` parseArgs in strict mode, with its
 * errors turned into usage errors (exit code 2), and checks for the values commands take.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { blobIdFromString, InvalidBlobIdError } from '../../core/blob-id.js';
import { isParseArgsError, usageError } from './cli-error.js';

export { isParseArgsError } from './cli-error.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives for one option (`multiple` is not used by these commands). */
type OptionValue<T> = T extends { readonly type: 'boolean' }
  ? T extends { readonly default: boolean }
    ? boolean
    : boolean | undefined
  : T extends { readonly default: string }
    ? string
    : string | undefined;

export interface ParsedCommandArgs<O> {
  readonly values: { readonly [K in keyof O]: OptionValue<O[K]> };
  readonly positionals: string[];
}

/** Move takes epochs as a u32. */
export const EPOCHS_MAX = 0xffff_ffff;

/** The `--network FILE` option every command that talks to a network accepts. */
export const NETWORK_OPTION = { network: { type: 'string' } } as const;

/**
 * A blob ID (43 characters) or quilt patch ID (50) in base64url: one in 32 starts with `-`, which
 * parseArgs would take for an option (`walrus-edge read -m3…` failed with "Unknown option '-m'").
 */
const DASH_ID = /^-[A-Za-z0-9_-]{42}$|^-[A-Za-z0-9_-]{49}$/;
/** Stands in for a dash-led ID during parsing: NUL never occurs in a command-line argument. */
const PLACEHOLDER = '\u0000';

/**
 * Hides dash-led IDs from parseArgs: as the value of a string option they are joined to it
 * (`--out` is never followed by one, but `--quilt-patch-ids` is), as positionals they are replaced
 * by placeholders (keeping their order) and restored after parsing.
 */
function protectDashIds(
  args: readonly string[],
  options: ParseArgsOptionsConfig,
): { args: string[]; ids: string[] } {
  const out: string[] = [];
  const ids: string[] = [];
  for (const arg of args) {
    if (!DASH_ID.test(arg)) {
      out.push(arg);
      continue;
    }
    const previous = out.at(-1);
    const option = previous?.startsWith('--') ? options[previous.slice(2)] : undefined;
    if (option?.type === 'string' && !option.multiple) out[out.length - 1] = `${previous}=${arg}`;
    else {
      out.push(`${PLACEHOLDER}${ids.length}`);
      ids.push(arg);
    }
  }
  return { args: out, ids };
}

const restoreDashId = (ids: readonly string[]) => (text: string) =>
  text.startsWith(PLACEHOLDER) ? ids[Number(text.slice(1))] : text;

/** Strict parseArgs; unknown options, missing values and stray positionals are usage errors. */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  usage: string,
): ParsedCommandArgs<O> {
  const protectedArgs = protectDashIds(args, options);
  const restore = restoreDashId(protectedArgs.ids);
  try {
    const { values, positionals } = parseArgs({
      args: protectedArgs.args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return {
      values: values as unknown as ParsedCommandArgs<O>['values'],
      positionals: positionals.map(restore),
    };
  } catch (error) {
    if (isParseArgsError(error)) {
      throw usageError((error as Error).message, usage);
    }
    throw error;
  }
}

/** Exactly `count` positionals, else a usage error naming what is missing. */
export function positionalsExactly(
  positionals: readonly string[],
  names: readonly string[],
  command: string,
  usage: string,
): string[] {
  if (positionals.length < names.length) {
    throw usageError(`${command} needs ${names.slice(positionals.length).join(' and ')}`, usage);
  }
  if (positionals.length > names.length) {
    throw usageError(
      `${command} takes ${names.length === 0 ? 'no arguments' : names.join(' and ')}, ` +
        `got unexpected ${JSON.stringify(positionals[names.length])}`,
      usage,
    );
  }
  return [...positionals];
}

/** A whole number of epochs in [1, EPOCHS_MAX], or `max` (the network's max epochs ahead). */
export function parseEpochs(text: string | undefined, flag: string, usage: string): number | 'max' {
  if (text === undefined) throw usageError(`${flag} is required`, usage);
  if (text === 'max') return 'max';
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > EPOCHS_MAX) {
    throw usageError(
      `${flag} must be a whole number of epochs from 1 to ${EPOCHS_MAX}, or "max"; got ${JSON.stringify(text)}`,
      usage,
    );
  }
  return value;
}

/** A blob ID in its displayed form (43 characters of base64url). */
export function parseBlobIdArg(text: string, usage: string): Uint8Array {
  try {
    return blobIdFromString(text);
  } catch (error) {
    if (error instanceof InvalidBlobIdError) {
      throw usageError(`invalid blob ID ${JSON.stringify(text)}: ${error.message}`, usage);
    }
    throw error;
  }
}

/** A Sui object ID: `0x` and 1 to 64 hex digits; returned normalized (0x + 64 digits). */
export function parseObjectIdArg(text: string, flag: string, usage: string): string {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(text)) {
    throw usageError(
      `${flag} must be a Sui object ID (0x and up to 64 hex digits), got ${JSON.stringify(text)}`,
      usage,
    );
  }
  return normalizeSuiAddress(text.toLowerCase());
}

/** The value of one of two equivalent options (ours and Walrus's spelling); both at once is an error. */
export function eitherOption(
  values: Readonly<Record<string, unknown>>,
  names: readonly [string, string],
  usage: string,
): string | undefined {
  const [first, second] = names.map((name) => values[name] as string | undefined);
  if (first !== undefined && second !== undefined) {
    throw usageError(`give --${names[0]} or --${names[1]}, not both`, usage);
  }
  return first ?? second;
}

/** An option that takes several values, as Walrus's clap options with `num_args = 1..`. */
export interface ListOption {
  /** The option's names without `--` (the first is the one reported), e.g. ['identifiers', 'identifier']. */
  readonly names: readonly string[];
  /** Values per occurrence: exactly this many (`--tag KEY VALUE`: 2); default one or more. */
  readonly arity?: number;
  /**
   * A token starting with `--` that is still a value (a quilt patch ID may start with `--`):
   * otherwise such a token ends the list.
   */
  readonly isValue?: (token: string) => boolean;
}

/**
 * Takes the list options out of `args` (`--identifiers a b c`, `--tag K V`): node:util parseArgs
 * takes one value per option, Walrus's CLI several. A list ends at the next `--option`, at a lone
 * `--` (dropped, as clap's value terminator) or at the end. Returns each option's values (one
 * array per occurrence) and the other arguments for parseArgs.
 */
export function takeListOptions<const K extends string>(
  args: readonly string[],
  options: Readonly<Record<K, ListOption>>,
  usage: string,
): { rest: string[]; lists: Record<K, string[][]> } {
  const lists = Object.fromEntries(
    Object.keys(options).map((key) => [key, []]),
  ) as unknown as Record<K, string[][]>;
  const byName = new Map<string, K>();
  for (const key of Object.keys(options) as K[])
    for (const name of options[key].names) byName.set(`--${name}`, key);
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    const eq = token.indexOf('=');
    const flag = token.startsWith('--') && eq > 0 ? token.slice(0, eq) : token;
    const key = byName.get(flag);
    if (key === undefined) {
      rest.push(token);
      continue;
    }
    const option = options[key];
    const values = flag === token ? [] : [token.slice(eq + 1)];
    while (i + 1 < args.length && (option.arity === undefined || values.length < option.arity)) {
      const next = args[i + 1];
      if (next === '--') {
        i++;
        break;
      }
      if (next.startsWith('--') && option.isValue?.(next) !== true) break;
      values.push(next);
      i++;
    }
    const name = `--${option.names[0]}`;
    if (values.length === 0) throw usageError(`${name} needs a value`, usage);
    if (option.arity !== undefined && values.length !== option.arity)
      throw usageError(`${name} takes ${option.arity} values, got ${values.length}`, usage);
    lists[key].push(values);
  }
  return { rest, lists };
}
