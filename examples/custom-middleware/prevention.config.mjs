// The audit trail goes into the pipeline by position: after `verify`, so it runs (on the way
// out) only for commits that were verified. Paths are relative to this file.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { auditTrail } from './src/audit-trail.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  files: [{ path: 'data/shared_context.json', initial: { version: 1, events: [] } }],
  pipeline: ['lock', 'validate', 'backup', 'atomic-commit', 'verify', auditTrail({ path: path.join(here, 'data', 'audit.jsonl'), actor: 'example' })],
  plugins: [backup({ strategies: [{ type: 'rotating', keep: 10 }] })],
});
