#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).

// The AWS SDK warns on every start that its 2027 releases will need Node 22; this version
// runs on Node 20, so keep that one notice out of the output and let every other warning through.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!String(warning.message).includes('NodeVersionSupportWarning') && warning.name !== 'NodeVersionSupportWarning') {
    console.warn(`${warning.name}: ${warning.message}`);
  }
});

import('../dist/src/cli/main.js').then((cli) => cli.main(process.argv.slice(2)));
