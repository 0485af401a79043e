import path from 'node:path';
import { atomicWriteFile, NodeFileSystem } from '@prevention/core';
import { DEMO_FILE } from './messages.js';

/**
 * Writes the demo's built-in config into its temporary directory: the shared context with its
 * schema, backups on, the monitor validating every 250 ms on top of watching, and a short stale
 * lock time so a SIGKILLed agent's lock is taken over within 2 s. The imports are absolute, so
 * the agents, the monitor daemon (and a curious user running `prevention check` there) all load
 * the same file without a node_modules of their own.
 */
export async function writeDemoConfig(dir: string): Promise<string> {
  const module = (name: string): string => JSON.stringify(import.meta.resolve(name));
  const text = `// The built-in config of \`prevention demo\`.
import { defineConfig, sharedContextSchema } from ${module('@prevention/core')};
import backup from ${module('@prevention/plugin-backup')};
import monitor from ${module('@prevention/plugin-monitor')};

export default defineConfig({
  files: [{ path: ${JSON.stringify(DEMO_FILE)}, schema: sharedContextSchema, initial: { version: 1, events: [] } }],
  lock: { staleMs: 2000, timeoutMs: 60000 },
  plugins: [
    backup({ strategies: [{ type: 'rotating', keep: 30 }] }),
    monitor({ validateEvery: '250ms' }),
  ],
});
`;
  const file = path.join(dir, 'prevention.config.mjs');
  await atomicWriteFile(new NodeFileSystem(), file, Buffer.from(text), { mode: 0o644, label: 'writing the demo config' });
  return file;
}
