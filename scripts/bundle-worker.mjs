// Bundles the edge Worker exactly as a deployment would: `wrangler deploy --dry-run` reads
// wrangler.toml (main = workers/index.ts, the wasm kernels as compiled modules) and writes the
// bundle to dist/worker/, which the devnet launcher runs under Miniflare — so what the devnet and
// the tests run is what `wrangler deploy` uploads. Offline: no login, no telemetry, no update check.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'worker');
rmSync(outdir, { recursive: true, force: true });
const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'deploy',
    '--dry-run',
    '--outdir',
    outdir,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      CI: 'true',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    },
  },
);
if (result.status !== 0) {
  process.stderr.write(result.stdout?.toString() ?? '');
  process.stderr.write('error: wrangler could not bundle the Worker\n');
  process.exit(1);
}
