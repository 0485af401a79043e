// The team's shared context, where BMAD keeps it, checked against prevention's shared context
// schema and backed up on every write. Every agent process finds this file by itself.
import { defineConfig, sharedContextSchema } from '@prevention/core';
import backup from '@prevention/plugin-backup';

export default defineConfig({
  files: [{ path: 'bmad/agents/core/shared_context.json', schema: sharedContextSchema, initial: { version: 1, events: [] } }],
  plugins: [backup({ strategies: [{ type: 'rotating', keep: 20 }] })],
});
