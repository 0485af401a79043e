#!/usr/bin/env node
/**
 * Bundles a package's compiled entry point into one file, in place: `node bundle-entry.mjs
 * dist/index.js` (run from the package, after `tsc`). Every dependency stays external; only the
 * package's own modules are joined. An ES module graph is resolved and loaded file by file, so an
 * agent process that imports the package would otherwise pay for finding and loading each of its
 * ~60 modules (about 25 ms of its start-up on this project's machine); one file costs one.
 * The per-file modules stay beside it, for the package's other entry points and for the types.
 */
import { build } from 'esbuild';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: bundle-entry.mjs <compiled entry>...');
  process.exit(2);
}
for (const entry of entries) {
  await build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
}
