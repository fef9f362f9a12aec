/**
 * The files of `store-quilt`, as Walrus's CLI takes them: `--paths` (files, and directories read
 * recursively; the file name is the identifier) or `--blobs` (JSON `{"path", "identifier"?,
 * "tags"?}` each). Counts and sizes are checked from the file system before any file is read, so
 * a directory of a million files or of gigabytes fails at once with the limit it passes.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError, usageError } from './cli-error.js';

/** A file to put in the quilt, before it is read. */
export interface QuiltInputFile {
  readonly path: string;
  readonly identifier: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface QuiltInputLimits {
  /** Files at most (the quilt's patch limit, n_s − 1). */
  readonly filesMax: number;
  /** Sum of the files' sizes at most (the publisher's body limit). */
  readonly bytesMax: number;
}

/** One `--blobs` value: `{"path": …, "identifier": …, "tags": {…}}`, camelCase as Walrus's. */
export function parseBlobSpec(text: string, usage: string): QuiltInputFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(
      `--blobs ${JSON.stringify(text)} is not JSON: ${(error as Error).message}`,
      usage,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError(`--blobs values are JSON objects, got ${JSON.stringify(text)}`, usage);
  const { path, identifier, tags, ...extra } = value as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length > 0)
    throw usageError(`--blobs: unknown field ${JSON.stringify(unknown[0])}`, usage);
  if (typeof path !== 'string' || path === '')
    throw usageError(`--blobs: "path" must be a non-empty string in ${text}`, usage);
  if (identifier !== undefined && typeof identifier !== 'string')
    throw usageError(`--blobs: "identifier" must be a string in ${text}`, usage);
  const tagRecord: Record<string, string> = {};
  if (tags !== undefined) {
    if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
      throw usageError(`--blobs: "tags" must be an object of strings in ${text}`, usage);
    for (const [key, tag] of Object.entries(tags)) {
      if (typeof tag !== 'string')
        throw usageError(`--blobs: tag ${JSON.stringify(key)} must be a string in ${text}`, usage);
      tagRecord[key] = tag;
    }
  }
  return { path, identifier: identifier ?? basename(path), tags: tagRecord };
}

function statOrFail(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(`cannot read ${path}: no such file`, 'Check the path.');
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * The files under `paths` (directories recursively, entries in name order), each named by its
 * file name. Stops as soon as there are more than `filesMax`: a huge tree is not walked whole.
 */
export function filesOfPaths(paths: readonly string[], filesMax: number): QuiltInputFile[] {
  const out: QuiltInputFile[] = [];
  const add = (path: string) => {
    if (out.length >= filesMax) {
      throw new CliError(
        `more than ${filesMax} files: a quilt on this network holds at most ${filesMax}`,
        'Store the files as several quilts.',
      );
    }
    out.push({ path, identifier: basename(path), tags: {} });
  };
  const walk = (path: string) => {
    const stat = statOrFail(path);
    if (stat.isFile()) return add(path);
    if (!stat.isDirectory()) return; // sockets, devices: not files to store
    for (const name of readdirSync(path).sort()) walk(join(path, name));
  };
  for (const path of paths) walk(path);
  if (out.length === 0)
    throw new CliError('no files to store', 'Give files or non-empty directories.');
  return out;
}

/** Checks count, duplicate identifiers and total size from the file system, then reads every file. */
export function readQuiltInputs(
  files: readonly QuiltInputFile[],
  limits: QuiltInputLimits,
): { file: QuiltInputFile; data: Uint8Array }[] {
  if (files.length > limits.filesMax) {
    throw new CliError(
      `${files.length} files: a quilt on this network holds at most ${limits.filesMax}`,
      'Store the files as several quilts.',
    );
  }
  const seen = new Map<string, string>();
  let total = 0;
  for (const file of files) {
    const earlier = seen.get(file.identifier);
    if (earlier !== undefined) {
      throw new CliError(
        `${earlier} and ${file.path} have the same identifier ${JSON.stringify(file.identifier)}`,
        'Identifiers must be unique in a quilt: rename a file, or give identifiers with --blobs.',
      );
    }
    seen.set(file.identifier, file.path);
    const stat = statOrFail(file.path);
    if (!stat.isFile()) throw new CliError(`cannot read ${file.path}: not a regular file`);
    total += stat.size;
    if (total > limits.bytesMax) {
      throw new CliError(
        `the files add up to more than ${limits.bytesMax} bytes, the most one quilt takes`,
        'Store the files as several quilts.',
      );
    }
  }
  return files.map((file) => {
    try {
      return { file, data: readFileSync(file.path) };
    } catch (error) {
      throw new CliError(`cannot read ${file.path}: ${(error as Error).message}`);
    }
  });
}
