/**
 * Runs the local ledger: `node dist/devnet/ledger/main.js --port 9000 --data-dir ./ledger-data`.
 *
 * Options:
 *   --port N               listen port (0 = any free port; default 9000)
 *   --host H               bind address (default 127.0.0.1)
 *   --data-dir D           commit log directory (required; state survives restarts)
 *   --package FILE         ES module whose default export is a PackageDef or an
 *                          `(ledger) => void | Promise<void>` installer; repeatable
 *   --sui-epoch-ms N       length of a Sui epoch on this ledger (default one day)
 *   --epoch-ms N           default timer interval: the package layer's (Walrus) epoch
 *                          (default ten minutes)
 *   --faucet-mist N        amount one faucet request sends
 * Prints `ledger listening on <url>` once it accepts requests; stops cleanly on SIGINT/SIGTERM.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Ledger } from './ledger.js';
import type { PackageDef } from './registry.js';
import { serveLedger } from './server.js';

const PORT_DEFAULT = 9000;

function fail(message: string): never {
  process.stderr.write(
    `ledger: ${message}\nusage: main.js --data-dir DIR [--port N] [--host H] [--package FILE]...\n`,
  );
  process.exit(2);
}

function integer(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    fail(`${name} must be an integer in [${min}, ${max}]`);
  return value;
}

async function installPackage(ledger: Ledger, file: string): Promise<void> {
  const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  const entry = module.default;
  if (typeof entry === 'function') await (entry as (ledger: Ledger) => unknown)(ledger);
  else if (entry !== null && typeof entry === 'object' && 'packageId' in entry)
    ledger.registerPackage(entry as PackageDef);
  else fail(`${file}: default export must be a PackageDef or an installer function`);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        package: { type: 'string', multiple: true },
        'sui-epoch-ms': { type: 'string' },
        'epoch-ms': { type: 'string' },
        'faucet-mist': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  const dataDir = args['data-dir'] ?? fail('--data-dir is required');
  const port = integer(args.port, '--port', 0, 65_535) ?? PORT_DEFAULT;
  const epochTimerMs = integer(args['epoch-ms'], '--epoch-ms', 1, Number.MAX_SAFE_INTEGER);
  const suiEpochDurationMs = integer(
    args['sui-epoch-ms'],
    '--sui-epoch-ms',
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const faucet = args['faucet-mist'];
  if (faucet !== undefined && !/^[0-9]{1,20}$/.test(faucet))
    fail('--faucet-mist must be a whole number');
  const ledger = Ledger.open({
    dataDir,
    suiEpochDurationMs,
    epochTimerMs,
    faucetAmountMist: faucet === undefined ? undefined : BigInt(faucet),
  });
  for (const file of args.package ?? []) await installPackage(ledger, file);
  const server = await serveLedger(ledger, { host: args.host, port });
  process.stdout.write(`ledger listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ledger: ${signal}, shutting down\n`);
    server.close().then(
      () => {
        ledger.close();
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`ledger: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
