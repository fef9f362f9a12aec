import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';
import { type DevnetValues, SECOND_UPLOAD_API_KEY } from './test/workerd/devnet-values.js';
import { workerVars } from './workers/env.js';

/**
 * vitest-pool-workers 0.15 runs workerd verbose (hard-coded) and copies its info records to stdout.
 * Every fetch to a stopped storage node, although the Worker catches it, yields three records with
 * raw stack addresses (~1.7 KB); the node-down tests make ~180 of them. Drop exactly those records.
 */
const CAUGHT_REFUSED_FETCH_RECORDS = [
  /^exception = kj\/async-io-unix\.c\+\+:\d+: disconnected: connect\(\): Connection refused(\n|$)/,
  /^uncaught exception; source = Uncaught \(in promise\); stack = Error: Network connection lost\.\n?$/,
  /^uncaught exception; exception = \S+: disconnected: jsg\.Error: Network connection lost\.(\n|$)/,
];
const QUIET = Symbol.for('walrus-edge.quietWorkerdRefusedFetch');
if (!(QUIET in process.stdout)) {
  const write = process.stdout.write.bind(process.stdout);
  Object.assign(process.stdout, {
    [QUIET]: true,
    write: (chunk: unknown, ...rest: unknown[]) =>
      typeof chunk === 'string' && CAUGHT_REFUSED_FETCH_RECORDS.some((record) => record.test(chunk))
        ? true
        : (write as (...args: unknown[]) => boolean)(chunk, ...rest),
  });
}

/**
 * Two projects, one run (`npx vitest run`; `--project node|workers` picks one):
 * - `node`: test/unit/, test/network/ (process networks) and test/browser/ (Chromium), in Node
 *   child processes;
 * - `workers`: test/workerd/ (tests of workers/), inside workerd with @cloudflare/vitest-pool-workers
 *   0.15 (a Vite plugin in that version), against real devnets that test/workerd/global-setup.ts
 *   starts (with a fault control server that stops and continues their storage nodes).
 * The workers project runs first (groupOrder), so its network traffic does not compete with the
 * Node suite's processes for the 2 cores.
 */
export default defineConfig({
  test: {
    // The workers project's teardown stops three whole devnets in parallel (~1 s; up to ~12 s if
    // one hangs).
    teardownTimeout: 30_000,
    projects: [
      {
        test: {
          name: 'node',
          include: [
            'test/unit/**/*.test.ts',
            'test/network/**/*.test.ts',
            'test/browser/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude],
          // Tests start real processes and encode real blobs; 2 cores is the budget.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins: [
          // A function of `inject`: it runs after globalSetup has provided the devnet, so the
          // Worker's bindings (`env`, `exports.default`) point at that devnet.
          cloudflareTest(({ inject }) => {
            const devnet = inject('devnet') as DevnetValues | undefined;
            // Without a devnet (globalSetup did not run), the placeholder [vars] of wrangler.toml.
            const bindings =
              devnet === undefined
                ? {}
                : workerVars({
                    suiRpcUrl: devnet.ledgerUrl,
                    packageId: devnet.packageId,
                    systemObjectId: devnet.systemObjectId,
                    publisherSecretKey: devnet.publisherSecretKeys[0],
                    // Above the largest blob the tests store (~3 MB), small enough to send past.
                    publisherBodyBytesMax: 8 * 1024 * 1024,
                    uploadApiKeys: [devnet.uploadApiKey, SECOND_UPLOAD_API_KEY],
                    uploadTokenSecret: devnet.uploadTokenSecret,
                  });
            return {
              main: './workers/index.ts',
              wrangler: { configPath: './wrangler.toml' },
              miniflare: { bindings },
            };
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/workerd/**/*.test.ts'],
          globalSetup: ['./test/workerd/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
