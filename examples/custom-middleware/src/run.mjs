// Publishes three events through the configured pipeline and prints the audit trail.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@prevention/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const engine = await createEngine({ cwd: root, logger: { level: 'warn' } });
console.log('pipeline:', (await engine.pipeline('data/shared_context.json')).join(' → '));
const bus = engine.bus('data/shared_context.json');
for (const type of ['task.created', 'task.started', 'task.done']) await bus.publish({ type, source: 'example', payload: {} });
await engine.close();
process.stdout.write(await readFile(path.join(root, 'data', 'audit.jsonl'), 'utf8'));
