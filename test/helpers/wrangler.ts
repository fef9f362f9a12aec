/** What tests need from wrangler.toml, read from the file so there is one compatibility date. */
import { readFileSync } from 'node:fs';

const WRANGLER_TOML = new URL('../../wrangler.toml', import.meta.url);

export function compatibilityDate(): string {
  const match = /^compatibility_date = "([0-9-]+)"$/m.exec(readFileSync(WRANGLER_TOML, 'utf8'));
  if (match === null) throw new Error('wrangler.toml has no compatibility_date');
  return match[1];
}
