#!/usr/bin/env node
// The `walrus-edge` command: the compiled CLI lives in dist/ (built by `npm run build`, which
// `npm ci` runs through the `prepare` script).
import { main } from '../dist/client/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
