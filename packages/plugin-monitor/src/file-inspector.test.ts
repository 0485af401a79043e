import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, NodeFileSystem, type EngineApi } from '@prevention/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/project.js';
import { FileInspector } from './file-inspector.js';

const SCHEMA = { type: 'object', required: ['events'], properties: { events: { type: 'array' } } };

describe('FileInspector', () => {
  let engine: EngineApi;
  let inspector: FileInspector;
  let file: string;

  beforeEach(async () => {
    const dir = await tempDir();
    engine = await createEngine({ cwd: dir, config: false, files: [{ path: 'ctx.json', schema: SCHEMA, maxDepth: 4 }], logger: { level: 'silent' } });
    inspector = new FileInspector(engine, new NodeFileSystem());
    file = path.join(dir, 'ctx.json');
    await engine.write(file, { events: [] });
  });
  afterEach(() => engine.close());

  const inspect = () => inspector.inspect(file, { seen: true });

  it('trusts the last commit, and names each problem in the vocabulary check uses', async () => {
    expect(await inspect()).toMatchObject({ kind: 'ok', basis: 'journal' });

    await writeFile(file, '{"events": [');
    expect(await inspect()).toMatchObject({ kind: 'invalid-json', details: { reason: 'invalid-json' } });

    await writeFile(file, JSON.stringify({ events: [[[[['too deep']]]]] }));
    expect(await inspect()).toMatchObject({ kind: 'structure', details: { reason: 'structure' } });

    await writeFile(file, '{"events": [], "big": 12345678901234567891}');
    expect(await inspect()).toMatchObject({ kind: 'structure', details: { reason: 'inexact' } });

    await writeFile(file, JSON.stringify({ events: 'not a list' }));
    expect(await inspect()).toMatchObject({ kind: 'schema-mismatch', details: { issues: [expect.objectContaining({ path: '/events' })] } });

    await writeFile(file, JSON.stringify({ events: [{ id: 'outside' }] }));
    expect(await inspect()).toMatchObject({ kind: 'modified' });

    await rm(file);
    expect(await inspect()).toMatchObject({ kind: 'deleted' });

    await mkdir(file);
    expect(await inspect()).toMatchObject({ kind: 'unsafe-path', details: { type: 'a directory' } });
    await rm(file, { recursive: true });
    await symlink('elsewhere.json', file);
    expect(await inspect()).toMatchObject({ kind: 'unsafe-path', details: { type: 'a symbolic link' } });
  });
});
