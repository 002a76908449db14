#!/usr/bin/env node
// The `logq` command. Runs the compiled CLI (dist/, built by `npm run build` / on install).
import('../dist/cli/main.js').catch((error) => {
  process.stderr.write(`logq: cannot load dist/cli/main.js (run "npm run build"): ${error.message}\n`);
  process.exitCode = 1;
});
