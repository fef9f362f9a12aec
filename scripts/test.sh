#!/usr/bin/env bash
# The README's test command. Builds, type-checks, runs every vitest suite, and ends with the plain
# "N passed, N failed" line that CI reads (vitest's own summary is not one of its closing lines).
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1
results=.vitest-results.json
rm -f "$results"
npm run --silent build || { echo "0 passed, 1 failed"; exit 1; }
# (The build bundles the Worker with `wrangler deploy --dry-run`: scripts/bundle-worker.mjs. A
# Worker that wrangler cannot deploy fails here.)
npm run --silent format:check || { echo "0 passed, 1 failed"; exit 1; }
npx tsc -p tsconfig.json --noEmit || { echo "0 passed, 1 failed"; exit 1; }
npx tsc -p workers/tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
if [ -f "$results" ]; then
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);if(r.numTotalTests===0)process.exit(1)' "$results" || status=1
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
