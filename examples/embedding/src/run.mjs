// Two agents of the framework write 50 notes each, at the same time, first with the framework's
// default store and then with prevention's, and count what survived.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, JsonFileMemoryStore } from './agent-framework.mjs';
import { PreventionMemoryStore } from './prevention-memory-store.mjs';

/**
 * Runs two agents with one store each (as two processes would have) on one file.
 * @param {(file: string) => Promise<import('./agent-framework.mjs').MemoryStore & { close?(): Promise<void> }>} openStore
 */
export async function rememberConcurrently(openStore, notesEach = 50) {
  const dir = await mkdtemp(path.join(tmpdir(), 'prevention-embedding-'));
  const file = path.join(dir, 'memory.json');
  try {
    const stores = [await openStore(file), await openStore(file)];
    const agents = stores.map((store, i) => new Agent(`agent-${i + 1}`, store));
    await Promise.all(agents.map((agent) => Promise.all(Array.from({ length: notesEach }, (_, n) => agent.remember(`note ${n}`)))));
    const memory = await stores[0].load();
    await Promise.all(stores.map((store) => store.close?.()));
    return { written: agents.length * notesEach, kept: memory.notes.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const naive = await rememberConcurrently(async (file) => new JsonFileMemoryStore(file));
  console.log(`framework default store: ${naive.kept} of ${naive.written} notes kept`);
  const safe = await rememberConcurrently((file) => PreventionMemoryStore.open(file));
  console.log(`prevention store:        ${safe.kept} of ${safe.written} notes kept`);
}
