#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
import('../dist/src/cli/main.js').then((cli) => cli.main(process.argv.slice(2)));
