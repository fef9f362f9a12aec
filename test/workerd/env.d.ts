// Types of the workers project's bindings (vitest.config.ts sets them from the devnet) and of the
// `main` module behind `exports.default`.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../../workers/index.js');
  }
  interface Env {
    readonly SUI_RPC_URL: string;
    readonly WALRUS_PACKAGE_ID: string;
    readonly WALRUS_SYSTEM_OBJECT_ID: string;
    readonly PUBLISHER_SECRET_KEY?: string;
    readonly PUBLISHER_BODY_BYTES_MAX?: string;
  }
}
