// A first real run of the engine: four concurrent writers append to one file in a temp
// directory through the full pipeline, then the result is checked and printed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine } from '@prevention/core';

const dir = await mkdtemp(path.join(tmpdir(), 'prevention-first-run-'));
const file = path.join(dir, 'shared_context.json');
const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] } });
const commits = [];
engine.on('commit', (c) => commits.push(c));
const writes = [];
for (let agent = 1; agent <= 4; agent++) {
  for (let n = 1; n <= 25; n++) {
    writes.push(engine.update(file, (draft) => void draft.events.push({ id: `agent-${agent}:${n}`, at: new Date().toISOString() })));
  }
}
await Promise.all(writes);
await engine.close();
const events = JSON.parse(await readFile(file, 'utf8')).events;
const unique = new Set(events.map((e) => e.id));
console.log(`${writes.length} updates acknowledged, ${events.length} events in ${file}, ${unique.size} unique, in ${commits.length} commits`);
await rm(dir, { recursive: true, force: true });
if (unique.size !== writes.length) process.exit(1);
