/**
 * Everything the bench starts registers how to stop it here; the stops run once, newest first,
 * at the end of the run, on Ctrl-C / SIGTERM and on an uncaught error, so no devnet, nginx or load
 * generator outlives the bench.
 */

type Stop = () => Promise<void> | void;

const stops: { readonly name: string; readonly stop: Stop }[] = [];
let running: Promise<void> | undefined;

/** Registers `stop`; returns a function that runs it now and unregisters it. */
export function onCleanup(name: string, stop: Stop): () => Promise<void> {
  const entry = { name, stop };
  stops.push(entry);
  return async () => {
    const index = stops.indexOf(entry);
    if (index === -1) return;
    stops.splice(index, 1);
    await entry.stop();
  };
}

/** Runs every registered stop (newest first), each even if an earlier one failed. */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (stops.length > 0) {
      const { name, stop } = stops.pop()!;
      try {
        await stop();
      } catch (error) {
        process.stderr.write(`cleanup: stopping ${name} failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return running;
}

/** Ctrl-C, SIGTERM and crashes stop what was started before the process exits. */
export function installCleanupHandlers(): void {
  const bail = (why: string, code: number) => {
    process.stderr.write(`\nbench:edge: ${why}; stopping everything it started…\n`);
    void cleanupAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail('interrupted', 130));
  process.once('SIGTERM', () => bail('terminated', 143));
  process.once('uncaughtException', (error) => bail(`crashed: ${error.stack ?? error}`, 1));
  process.once('unhandledRejection', (error) => bail(`crashed: ${String(error)}`, 1));
}
