/**
 * The edge Worker of the devnet, run by Miniflare's programmatic API (not the `wrangler dev` CLI,
 * whose inspector proxy cuts subrequest throughput to ~17 MiB/s: spec toolchain.md §5.4).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Newest date the pinned workerd (1.20260426.1) accepts; a newer one is a hard error. */
export const COMPATIBILITY_DATE = '2026-04-20';

export interface WorkerBindings {
  readonly SUI_RPC_URL: string;
  readonly WALRUS_PACKAGE_ID: string;
  readonly WALRUS_SYSTEM_OBJECT_ID: string;
  readonly PUBLISHER_SECRET_KEY: string;
  readonly PUBLISHER_BODY_BYTES_MAX: string;
}

export interface RunningWorker {
  readonly url: string;
  dispose(): Promise<void>;
}

/** The bundle `npm run build` writes (scripts/bundle-worker.mjs). */
export function workerBundlePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'worker', 'index.js');
}

export async function startWorker(port: number, bindings: WorkerBindings): Promise<RunningWorker> {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    cf: false,
    host: '127.0.0.1',
    port,
    modules: true,
    scriptPath: workerBundlePath(),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ['nodejs_compat'],
    bindings: { ...bindings },
  });
  try {
    const url = await mf.ready;
    return { url: url.origin, dispose: () => mf.dispose() };
  } catch (error) {
    // A failed start still leaves workerd running (toolchain.md §5.9).
    await mf.dispose();
    throw error;
  }
}
