/**
 * The devnet's edge Worker as its own process: `node dist/devnet/launcher/worker-main.js --port P`
 * with the Worker's bindings as JSON in WALRUS_EDGE_WORKER_BINDINGS (not in argv: it carries the
 * publisher wallet key). A separate process because Miniflare installs SIGINT/SIGTERM handlers
 * that exit at once, which would cut the launcher's orderly shutdown of the other processes short.
 * Prints `worker listening on <url>`.
 */
import { parseArgs } from 'node:util';
import { startWorker, type WorkerBindings } from './worker.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8787' } } });
const bindings = JSON.parse(
  process.env.WALRUS_EDGE_WORKER_BINDINGS ?? 'null',
) as WorkerBindings | null;
if (bindings === null) {
  process.stderr.write('error: WALRUS_EDGE_WORKER_BINDINGS is not set\n');
  process.exit(2);
}
const worker = await startWorker(Number(values.port), bindings);
process.stdout.write(`worker listening on ${worker.url}\n`);
