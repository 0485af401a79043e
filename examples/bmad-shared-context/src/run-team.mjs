// Starts the architect, the developer and the reviewer as three processes on one shared
// context, waits for them, and prints the conversation from the file.
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@prevention/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SHARED_CONTEXT = 'bmad/agents/core/shared_context.json';

/** Runs the team on `stories` stories; resolves with every event in the shared context. */
export async function runTeam(stories = 5) {
  await rm(path.join(root, 'bmad'), { recursive: true, force: true });
  const agents = ['reviewer', 'developer', 'architect'].map((role) => fork(path.join(here, 'agent.mjs'), [role, String(stories)], { cwd: root }));
  const codes = await Promise.all(agents.map((child) => new Promise((resolve) => child.on('exit', resolve))));
  if (codes.some((code) => code !== 0)) throw new Error(`an agent failed (exit codes ${codes.join(', ')})`);
  const engine = await createEngine({ cwd: root, logger: { level: 'warn' } });
  const events = await engine.bus(SHARED_CONTEXT).events();
  await engine.close();
  return events;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const event of await runTeam()) console.log(`${String(event.seq).padStart(3)}  ${event.source.padEnd(9)}  ${event.type.padEnd(15)}  ${event.correlationId}`);
}
