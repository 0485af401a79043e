import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '@prevention/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.join(root, 'data');

interface Entry {
  actor: string;
  file: string;
  sha256: string;
  previousSha256: string | null;
  kind: string;
}

async function trail(): Promise<Entry[]> {
  return (await readFile(path.join(data, 'audit.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Entry);
}

describe('the audit-trail middleware, placed in the pipeline by prevention.config.mjs', () => {
  afterEach(() => rm(data, { recursive: true, force: true }));

  it('sits where the config puts it and records every verified commit, chained by sha256', async () => {
    const engine = await createEngine({ cwd: root, logger: { level: 'silent' } });
    expect(await engine.pipeline('data/shared_context.json')).toEqual(['lock', 'validate', 'backup', 'atomic-commit', 'verify', 'audit-trail']);
    const bus = engine.bus('data/shared_context.json');
    const commits = [];
    for (let i = 0; i < 3; i++) commits.push(await engine.update('data/shared_context.json', (doc: { events: unknown[] }) => void doc.events.push({ i })));
    await bus.publish({ type: 'done', source: 'test' });
    await engine.close();

    const entries = await trail();
    expect(entries).toHaveLength(4);
    expect(entries.slice(0, 3).map((e) => e.sha256)).toEqual(commits.map((c) => c.sha256));
    expect(entries[0]!.previousSha256).toBeNull();
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.previousSha256).toBe(entries[i - 1]!.sha256);
    expect(entries.every((e) => e.actor === 'example' && e.file === path.join(data, 'shared_context.json'))).toBe(true);
  });

  it('records nothing for a write the pipeline refused', async () => {
    const engine = await createEngine({ cwd: root, logger: { level: 'silent' } });
    await engine.write('data/shared_context.json', { version: 1, events: [] });
    await expect(engine.write('data/shared_context.json', { bad: () => 1 })).rejects.toMatchObject({ code: 'PREVENTION_VALIDATION_FAILED' });
    await engine.close();
    expect(await trail()).toHaveLength(1);
  });
});
