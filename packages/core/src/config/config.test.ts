import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { tempDir } from '../__tests__/helpers.js';

// Projects whose config imports '@prevention/core' live inside the repository, so that the
// package resolves the way it does for a user who installed it.
const projectsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.test-projects');
const projects: string[] = [];

async function project(files: Record<string, string>, insideRepo = false): Promise<string> {
  const dir = insideRepo ? path.join(projectsRoot, randomUUID()) : await tempDir('prevention-config-');
  if (insideRepo) projects.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

afterEach(async () => {
  await Promise.all(projects.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('configuration', () => {
  it('finds and applies prevention.config.ts', async () => {
    const dir = await project(
      {
        'package.json': JSON.stringify({ name: 'app', type: 'module' }),
        'prevention.config.ts': `
          import { defineConfig } from '@prevention/core';
          const indent: number = 0;
          export default defineConfig({
            indent,
            files: [{ path: 'data/*.json', initial: { from: 'config' } }, { path: 'data/strict.json', schema: './strict.schema.json' }],
          });
        `,
        'strict.schema.json': JSON.stringify({ type: 'object', required: ['ok'] }),
      },
      true,
    );
    const engine = await createEngine({ cwd: dir });
    expect(engine.config.configFile).toBe(path.join(dir, 'prevention.config.ts'));
    expect(await engine.read('data/a.json')).toEqual({ from: 'config' });
    await engine.update('data/a.json', (d: Record<string, unknown>) => void (d.more = 1));
    expect(await readFile(path.join(dir, 'data/a.json'), 'utf8')).toBe('{"from":"config","more":1}\n');
    await expect(engine.write('data/strict.json', { nope: true })).rejects.toMatchObject({ code: ErrorCodes.VALIDATION_FAILED });
    await engine.write('data/strict.json', { ok: true });
    await engine.close();
  });

  it.each([
    ['.preventionrc.json', JSON.stringify({ indent: 0 })],
    ['package.json', JSON.stringify({ name: 'app', prevention: { indent: 0 } })],
    ['prevention.config.mjs', 'export default { indent: 0 };'],
  ])('also finds %s', async (name, content) => {
    const dir = await project({ [name]: content, ...(name === 'package.json' ? {} : { 'package.json': '{"name":"app"}' }) });
    const engine = await createEngine({ cwd: dir });
    await engine.write('x.json', { a: 1 });
    expect(await readFile(path.join(dir, 'x.json'), 'utf8')).toBe('{"a":1}\n');
    await engine.close();
  });

  it('names an unknown key, with the known key it most likely meant', async () => {
    const dir = await project({ 'package.json': '{}', 'prevention.config.json': JSON.stringify({ files: [{ path: 'a.json', shcema: './s.json' }], lock: { stale: 5000 }, colour: true }) });
    await expect(createEngine({ cwd: dir })).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      message: expect.stringContaining('unknown key "files[0].shcema" (did you mean "schema"?)'),
      issues: [
        { path: '/files/0/shcema', message: 'unknown key "files[0].shcema" (did you mean "schema"?)' },
        { path: '/lock/stale', message: 'unknown key "lock.stale" (did you mean "staleMs"?)' },
        { path: '/colour', message: 'unknown key "colour"' },
      ],
      details: { reason: 'invalid' },
    });
  });

  it('names a key with the wrong type', async () => {
    const dir = await project({ 'package.json': '{}', 'prevention.config.json': JSON.stringify({ lock: { staleMs: '10s' } }) });
    await expect(createEngine({ cwd: dir })).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      message: expect.stringMatching(/"lock\.staleMs" must be an integer \(got "10s"\)/),
    });
  });

  it('validates options passed in code the same way', async () => {
    await expect(createEngine({ config: false, maxDepth: 'deep' as unknown as number })).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      message: expect.stringContaining('"maxDepth"'),
    });
  });

  it('reports a schema file that does not exist at start-up', async () => {
    const dir = await project({ 'package.json': '{}', 'prevention.config.json': JSON.stringify({ files: [{ path: 'a.json', schema: './missing.json' }] }) });
    await expect(createEngine({ cwd: dir })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID, message: expect.stringContaining('missing.json') });
  });
});
