/**
 * What test/workerd/global-setup.ts (Node) hands to the workerd tests through vitest's
 * `provide`/`inject`. Types only: this file is compiled both as Node code and as Worker code.
 */
export interface DevnetValues {
  /** `main`, `node-down` or `faults`: the devnet's name in fault control paths. */
  readonly label: string;
  /** The devnet's temp data dir (removed at teardown). */
  readonly dataDir: string;
  readonly nShards: number;
  /** Sui JSON-RPC of the devnet ledger. */
  readonly ledgerUrl: string;
  readonly packageId: string;
  readonly systemObjectId: string;
  /** The launcher's own Worker under Miniflare; the workerd tests run their own copy instead. */
  readonly aggregatorUrl: string;
  /**
   * `suiprivkey…` of funded wallets; [0] is network.json's walletKeyFile, the project's binding.
   * Each test file that publishes uses its own: files run in separate isolates at the same time, and
   * the Worker serializes one sender's transactions only within an isolate, so two files publishing
   * with one wallet spend the same gas coin ("… is not available for consumption").
   */
  readonly publisherSecretKeys: readonly string[];
  readonly nodes: readonly {
    readonly name: string;
    readonly url: string;
    readonly shards: readonly number[];
  }[];
  /** network.json's `uploadApiKey`: a Bearer key for upload sessions. */
  readonly uploadApiKey: string;
  /** The devnet Worker's UPLOAD_TOKEN_SECRET (keys/upload-secrets.json in its data dir). */
  readonly uploadTokenSecret: string;
  /** Names of the nodes the global setup stopped before the tests began. */
  readonly stoppedNodes: readonly string[];
}

/**
 * A second upload API key that vitest.config.ts gives the workers project's Worker beside the
 * devnet's, so tests can show that one key's sessions are invisible to another.
 */
export const SECOND_UPLOAD_API_KEY = 'second-test-key-0123456789abcdef';

/**
 * What the global setup's fault control server does to a storage node
 * (`POST {faultControlUrl}/devnets/{label}/nodes/{name}/{action}`): `stop` is SIGSTOP (a hung node:
 * its sockets stay open and nothing answers), `cont` SIGCONT, `term` SIGTERM (the node is gone).
 */
export type NodeAction = 'stop' | 'cont' | 'term';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A healthy devnet. */
    devnet: DevnetValues;
    /** Another devnet, with one storage node stopped (`stoppedNodes`). */
    devnetNodeDown: DevnetValues;
    /** A third devnet, whose nodes worker-faults.test.ts stops and continues while it runs. */
    devnetFaults: DevnetValues;
    /** The global setup's fault control server (`NodeAction`), `http://127.0.0.1:{port}`. */
    faultControlUrl: string;
  }
}
