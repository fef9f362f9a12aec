// Bundles the edge Worker (workers/index.ts) for Miniflare/wrangler: ESM for workerd, with the
// wasm kernels copied beside it and imported as compiled modules. Used by `npm run build`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'worker');
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(root, 'workers', 'index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  external: ['cloudflare:*', 'node:*', '*.wasm'],
  outfile: join(outdir, 'index.js'),
  logLevel: 'warning',
  // Imports of ../core/wasm/NAME.wasm are rewritten to ./NAME.wasm beside the bundle.
  plugins: [
    {
      name: 'wasm-beside-bundle',
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => ({
          path: `./${args.path.split('/').pop()}`,
          external: true,
        }));
      },
    },
  ],
});
for (const name of ['blake2b.wasm', 'gf16.wasm'])
  copyFileSync(join(root, 'core', 'wasm', name), join(outdir, name));
