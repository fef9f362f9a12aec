/**
 * The Worker isolate's own memory, read over workerd's inspector (Chrome DevTools Protocol,
 * `Runtime.getHeapUsage`): V8's used heap plus the ArrayBuffer backing stores the isolate holds.
 * That is what Workers' 128 MB per isolate limits; workerd's RSS (proc.ts) is an upper bound that
 * also holds Miniflare's own services (the Cache API's store, R2, Durable Objects' storage), KJ's
 * socket buffers and memory the allocator has not returned to the system.
 */
import { createServer } from 'node:net';
import { WebSocket } from 'undici';
import { RSS_SAMPLE_INTERVAL_MS } from './proc.js';

/** The id workerd's inspector gives the target of Miniflare's user Worker (`core:user:<name>`). */
const USER_WORKER_TARGET_PREFIX = 'core:user';
/** Every inspector call (and the WebSocket upgrade) has one: a stalled isolate must not stall the bench. */
const INSPECTOR_CALL_TIMEOUT_MS = 10_000;

export interface IsolateMemoryPeak {
  /** Highest used heap + backing stores seen in one sample. */
  readonly peakBytes: number;
  readonly peakHeapBytes: number;
  readonly peakBackingStoreBytes: number;
  readonly samples: number;
}

interface HeapUsage {
  readonly usedSize: number;
  readonly backingStorageSize?: number;
}

/** A TCP port free on 127.0.0.1 now (for workerd's inspector). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Samples the Worker isolate's memory every RSS_SAMPLE_INTERVAL_MS until `stop()`. */
export async function sampleIsolateMemory(
  inspectorPort: number,
): Promise<{ stop(): Promise<IsolateMemoryPeak> }> {
  const inspector = await connect(inspectorPort);
  let peak = { peakBytes: 0, peakHeapBytes: 0, peakBackingStoreBytes: 0, samples: 0 };
  let sampling = true;
  const sample = async () => {
    const usage = (await inspector.call('Runtime.getHeapUsage')) as HeapUsage;
    const backing = usage.backingStorageSize ?? 0;
    peak = {
      peakBytes: Math.max(peak.peakBytes, usage.usedSize + backing),
      peakHeapBytes: Math.max(peak.peakHeapBytes, usage.usedSize),
      peakBackingStoreBytes: Math.max(peak.peakBackingStoreBytes, backing),
      samples: peak.samples + 1,
    };
  };
  await sample();
  const loop = (async () => {
    while (sampling) {
      await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_INTERVAL_MS));
      await sample();
    }
  })();
  // Handled here so a failed sample waits for stop() to be reported, not crashes the bench first.
  loop.catch(() => undefined);
  return {
    stop: async () => {
      sampling = false;
      try {
        await loop;
      } finally {
        inspector.close();
      }
      return peak;
    },
  };
}

async function connect(port: number) {
  const targets = (await (
    await fetch(`http://127.0.0.1:${port}/json/list`, {
      signal: AbortSignal.timeout(INSPECTOR_CALL_TIMEOUT_MS),
    })
  ).json()) as { id: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.id.startsWith(USER_WORKER_TARGET_PREFIX));
  if (target === undefined) throw new Error(`no ${USER_WORKER_TARGET_PREFIX} inspector target`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    // An inspector that accepts the connection and never upgrades it must not stall the bench.
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`${target.webSocketDebuggerUrl}: no WebSocket upgrade in time`));
    }, INSPECTOR_CALL_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(timer);
      resolve(undefined);
    };
    socket.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot open ${target.webSocketDebuggerUrl}`));
    };
  });
  let lastId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.onmessage = (message) => {
    const reply = JSON.parse(String(message.data)) as { id?: number; result?: unknown };
    if (reply.id === undefined) return;
    waiting.get(reply.id)?.(reply.result);
    waiting.delete(reply.id);
  };
  return {
    call(method: string): Promise<unknown> {
      const id = ++lastId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${method}: no answer from the inspector`));
        }, INSPECTOR_CALL_TIMEOUT_MS);
        waiting.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        socket.send(JSON.stringify({ id, method }));
      });
    },
    close: () => socket.close(),
  };
}
