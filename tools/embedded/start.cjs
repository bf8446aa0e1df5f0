#!/usr/bin/env node
// `npm start`: the whole Anvil platform in one process (docs/embedded.md).
const { ensureInstalled } = require('../scripts/ensure-install.cjs');
const { parseOptions, UsageError, HELP } = require('./lib/options.cjs');

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${HELP}`);
  process.exit(2);
}
if (options.help) {
  console.log(HELP);
  process.exit(0);
}

ensureInstalled();
if (options.build) {
  console.log('Building the apps (Nx; cached when nothing changed) …');
  if (!require('./lib/workspace.cjs').build()) {
    console.error(
      'The build failed (above). Fix it, or run with --no-build to use the last builds.',
    );
    process.exit(1);
  }
}
require('./lib/host.cjs').run(options);
