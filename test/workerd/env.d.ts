// Types of the workers project's bindings (vitest.config.ts sets them from the devnet, in the shape
// workers/env.ts describes) and of the `main` module behind `exports.default`.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../../workers/index.js');
  }
  interface Env extends Readonly<import('../../workers/env.js').Env> {}
}
