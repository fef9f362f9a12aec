/**
 * The devnet's edge Worker as its own process: `node dist/devnet/launcher/worker-main.js --port P
 * [--persist-dir DIR]` with the Worker's variables as JSON in WALRUS_EDGE_WORKER_VARS (not in argv:
 * they carry the publisher wallet key). A separate process because Miniflare installs
 * SIGINT/SIGTERM handlers that exit at once, which would cut the launcher's orderly shutdown of the
 * other processes short. Prints `worker listening on <url>`.
 */
import { parseArgs } from 'node:util';
import type { EnvVars } from '../../workers/env.js';
import { startWorker } from './worker.js';

/** The variable that carries the Worker's bindings from the launcher. */
export const WORKER_VARS_ENV = 'WALRUS_EDGE_WORKER_VARS';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8787' }, 'persist-dir': { type: 'string' } },
});
const vars = JSON.parse(process.env[WORKER_VARS_ENV] ?? 'null') as EnvVars | null;
if (vars === null) {
  process.stderr.write(`error: ${WORKER_VARS_ENV} is not set\n`);
  process.exit(2);
}
const worker = await startWorker({
  port: Number(values.port),
  vars,
  persistDir: values['persist-dir'],
});
process.stdout.write(`worker listening on ${worker.url}\n`);
