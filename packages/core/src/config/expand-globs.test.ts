import 'reflect-metadata';
import { mkdir, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileConfig } from '../contract.js';
import { tempDir } from '../__tests__/helpers.js';
import { createEngine } from '../engine/create-engine.js';
import type { EngineApi } from '../contract.js';
import { ErrorCodes } from '../errors.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';

const engines: EngineApi[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function engineFor(dir: string, files: FileConfig[], traced?: InstrumentedFileSystem): Promise<EngineApi> {
  const engine = await createEngine({ cwd: dir, config: false, files, logger: { level: 'silent' }, ...(traced ? { fileSystem: traced.fs } : {}) });
  engines.push(engine);
  return engine;
}

async function put(dir: string, name: string, text = '{}'): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe('engine.managedFiles', () => {
  it('lists the named files, then the files a glob matches at any depth, each once', async () => {
    const dir = await tempDir();
    await put(dir, 'agents/dev/shared_context.json');
    await put(dir, 'agents/team/qa/shared_context.json');
    await put(dir, 'agents/dev/notes.json');
    await put(dir, 'elsewhere/shared_context.json');
    const engine = await engineFor(dir, [{ path: 'named.json' }, { path: 'agents/**/shared_context.json' }, { path: 'agents/dev/shared_context.json' }]);
    expect(await engine.managedFiles()).toEqual([
      path.join(dir, 'named.json'),
      path.join(dir, 'agents/dev/shared_context.json'),
      path.join(dir, 'agents/team/qa/shared_context.json'),
    ]);
    expect(engine.configuredFiles()).toEqual([path.join(dir, 'named.json'), path.join(dir, 'agents/dev/shared_context.json')]);
  });

  it('matches under a project directory whose name has glob characters', async () => {
    const dir = path.join(await tempDir(), 'team [a] (b)');
    const file = await put(dir, 'data/x.json');
    const engine = await engineFor(dir, [{ path: 'data/*.json', maxDepth: 7 }]);
    expect(await engine.managedFiles()).toEqual([file]);
    expect((await engine.settings(file)).maxDepth).toBe(7);
  });

  it('sees files created since the last call', async () => {
    const dir = await tempDir();
    const engine = await engineFor(dir, [{ path: 'data/*.json' }]);
    expect(await engine.managedFiles()).toEqual([]);
    const later = await put(dir, 'data/later.json');
    expect(await engine.managedFiles()).toEqual([later]);
  });

  it('skips prevention\'s own entries: state directory, temp files, locks, bus archives', async () => {
    const dir = await tempDir();
    const engine = await engineFor(dir, [{ path: 'data/**' }]);
    const committed = path.join(dir, 'data/a.json');
    await engine.write(committed, { n: 1 });
    await put(dir, 'data/.prevention/backups/a.json/rotating/a.json.1');
    await put(dir, 'data/.a.json.4242.0123456789ab.tmp');
    await put(dir, 'data/a.json.lock/inside.json');
    await put(dir, 'data/a.archive.jsonl', '{"id":1}\n');
    expect(await engine.managedFiles()).toEqual([committed]);
  });

  it('never follows a symbolic link, to a directory or to a file', async () => {
    const dir = await tempDir();
    const real = await put(dir, 'data/real.json');
    await put(dir, 'outside/secret.json');
    await symlink(path.join(dir, 'outside'), path.join(dir, 'data/linked'));
    await symlink(real, path.join(dir, 'data/alias.json'));
    const engine = await engineFor(dir, [{ path: 'data/**/*.json' }]);
    expect(await engine.managedFiles()).toEqual([real]);
  });

  it('keeps a committed file that was deleted, through its journal, but not one never committed', async () => {
    const dir = await tempDir();
    const engine = await engineFor(dir, [{ path: 'data/*/shared_context.json' }]);
    const committed = path.join(dir, 'data/dev/shared_context.json');
    await engine.write(committed, { events: [] });
    const plain = await put(dir, 'data/qa/shared_context.json');
    await unlink(committed);
    await unlink(plain);
    expect(await engine.managedFiles()).toEqual([committed]);
  });

  it('walks no deeper than the glob can match', async () => {
    const dir = await tempDir();
    const top = await put(dir, 'data/top.json');
    await put(dir, 'data/deep/deeper/x.json');
    const traced = new InstrumentedFileSystem();
    const engine = await engineFor(dir, [{ path: 'data/*.json' }], traced);
    traced.reset();
    expect(await engine.managedFiles()).toEqual([top]);
    expect(traced.summary((call) => call.op === 'readdir')).toEqual([`readdir ${path.join(dir, 'data')}`]);
  });

  it('skips a directory that vanishes while walked, and fails loudly on one it cannot list', async () => {
    const dir = await tempDir();
    const kept = await put(dir, 'data/a/x.json');
    await put(dir, 'data/b/x.json');
    const traced = new InstrumentedFileSystem();
    const engine = await engineFor(dir, [{ path: 'data/*/x.json' }], traced);
    traced.inject({ when: (call) => call.op === 'readdir' && call.path === path.join(dir, 'data/b'), error: 'ENOENT' });
    expect(await engine.managedFiles()).toEqual([kept]);
    traced.inject({ when: (call) => call.op === 'readdir' && call.path === path.join(dir, 'data/b'), error: 'EACCES' });
    await expect(engine.managedFiles()).rejects.toMatchObject({ code: ErrorCodes.IO_FAILED, file: path.join(dir, 'data/b'), cause: { code: 'EACCES' } });
  });
});
