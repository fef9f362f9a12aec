/**
 * `walrus-edge session create --epochs N --max-bytes N [--permanent] [--send-object-to ADDR]
 * [--expires-in S] [--json]`: for backends, a presigned, resumable upload session on the network's
 * walrus-edge Worker (client/upload-sessions.ts). The API key is $WALRUS_EDGE_UPLOAD_API_KEY, else
 * network.json's `uploadApiKey` (the devnet writes one).
 */
import { type UploadSession, UploadSessionError, createUploadSession } from '../upload-sessions.js';
import { NETWORK_OPTION, parseCommandArgs, parseObjectIdArg, positionalsExactly } from './args.js';
import type { CommandContext } from './context.js';
import { CliError, usageError } from './errors.js';
import { alignedLines } from './format.js';
import { SESSION_USAGE } from './usage.js';

export { SESSION_USAGE };
/** Overrides network.json's `uploadApiKey`. */
export const UPLOAD_API_KEY_ENV = 'WALRUS_EDGE_UPLOAD_API_KEY';

const OPTIONS = {
  ...NETWORK_OPTION,
  epochs: { type: 'string' },
  'max-bytes': { type: 'string' },
  permanent: { type: 'boolean', default: false },
  'send-object-to': { type: 'string' },
  'expires-in': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function wholeNumber(text: string | undefined, flag: string, min: number): number {
  if (text === undefined) throw usageError(`${flag} is required`, SESSION_USAGE);
  const value = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw usageError(
      `${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`,
      SESSION_USAGE,
    );
  }
  return value;
}

export async function runSession(args: readonly string[], context: CommandContext): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, SESSION_USAGE);
  const [action] = positionalsExactly(positionals, ['create'], 'session', SESSION_USAGE);
  if (action !== 'create')
    throw usageError(`unknown session action ${JSON.stringify(action)}`, SESSION_USAGE);
  const request = {
    epochs: wholeNumber(values.epochs, '--epochs', 1),
    maxBytes: wholeNumber(values['max-bytes'], '--max-bytes', 1),
    deletable: !values.permanent,
    ...(values['send-object-to'] === undefined
      ? {}
      : {
          sendObjectTo: parseObjectIdArg(
            values['send-object-to'],
            '--send-object-to',
            SESSION_USAGE,
          ),
        }),
    ...(values['expires-in'] === undefined
      ? {}
      : { expiresIn: wholeNumber(values['expires-in'], '--expires-in', 1) }),
  };
  const session = context.openSession(values.network);
  const { network, io } = session;
  const publisherUrl = network.publisherUrl;
  if (publisherUrl === undefined) {
    throw new CliError(
      `network file ${network.file} names no publisherUrl`,
      'Restart the network with `npm start`.',
    );
  }
  const apiKey = io.env[UPLOAD_API_KEY_ENV] || network.uploadApiKey;
  if (apiKey === undefined) {
    throw new CliError(
      'no upload API key',
      `Set $${UPLOAD_API_KEY_ENV}, or use a network file with "uploadApiKey" (\`npm start\` writes one).`,
    );
  }
  let created: UploadSession;
  try {
    created = await createUploadSession(publisherUrl, apiKey, request);
  } catch (error) {
    if (error instanceof UploadSessionError) throw new CliError(error.message);
    throw error;
  }
  if (values.json) {
    io.out(JSON.stringify(created));
    return;
  }
  for (const line of alignedLines([
    ['Session', created.sessionId],
    ['Upload endpoint (tus)', created.uploadEndpoint],
    ['Status', created.statusUrl],
    ['Upload page', created.pageUrl],
    ['Expires', created.expiresAt],
    ['Max bytes', String(created.maxBytes)],
  ])) {
    io.out(line);
  }
}
