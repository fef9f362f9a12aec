/**
 * The edge Worker of the devnet, run by Miniflare's programmatic API (not the `wrangler dev` CLI,
 * whose inspector proxy cuts subrequest throughput to ~17 MiB/s: docs/spec/toolchain.md §5.4).
 * Its options come from the repository's wrangler.toml through wrangler's own reader, so the
 * compatibility date, flags and bindings are the ones a deployment gets; only the script (the
 * bundle `npm run build` writes), the variables of this network and the persistence dirs differ.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvVars } from '../../workers/env.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface RunningWorker {
  readonly url: string;
  dispose(): Promise<void>;
}

/** The bundle `npm run build` writes (scripts/bundle-worker.mjs). */
export function workerBundlePath(): string {
  return join(ROOT, 'dist', 'worker', 'index.js');
}

export interface WorkerStartOptions {
  readonly port: number;
  readonly vars: EnvVars;
  /** Where the Cache API, R2 (upload staging) and Durable Objects keep their data across restarts. */
  readonly persistDir?: string;
}

/**
 * WALRUS_EDGE_INSPECTOR_PORT=9230 opens workerd's inspector (Chrome DevTools, or a CDP client's
 * Profiler domain) for profiling the Worker on the devnet; off by default since the inspector
 * slows the isolate.
 */
function inspector(): { inspectorPort?: number } {
  const port = Number(process.env.WALRUS_EDGE_INSPECTOR_PORT);
  return Number.isInteger(port) && port > 0 && port < 65536 ? { inspectorPort: port } : {};
}

export async function startWorker(options: WorkerStartOptions): Promise<RunningWorker> {
  const [{ Miniflare, Log, LogLevel }, { unstable_getMiniflareWorkerOptions }] = await Promise.all([
    import('miniflare'),
    import('wrangler'),
  ]);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, 'wrangler.toml'));
  const persist =
    options.persistDir === undefined
      ? {}
      : {
          cachePersist: join(options.persistDir, 'cache'),
          r2Persist: join(options.persistDir, 'r2'),
          durableObjectsPersist: join(options.persistDir, 'durable-objects'),
        };
  const mf = new Miniflare({
    ...workerOptions,
    cf: false,
    host: '127.0.0.1',
    port: options.port,
    modules: true,
    scriptPath: workerBundlePath(),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    bindings: { ...workerOptions.bindings, ...options.vars },
    ...persist,
    ...inspector(),
    // Miniflare is silent by default: workerd's own warnings and errors (an isolate over its
    // memory limit, a request it drops) belong in the devnet's worker.log.
    log: new Log(LogLevel.WARN),
  } as ConstructorParameters<typeof Miniflare>[0]);
  try {
    const url = await mf.ready;
    return { url: url.origin, dispose: () => mf.dispose() };
  } catch (error) {
    // A failed start still leaves workerd running (docs/spec/toolchain.md §5.9).
    await mf.dispose();
    throw error;
  }
}
