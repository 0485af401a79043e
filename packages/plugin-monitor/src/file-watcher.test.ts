import { closeSync, openSync, utimesSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, type FileGlob } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/project.js';
import { FileWatcher } from './file-watcher.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function globsOf(dir: string, pattern: string): Promise<FileGlob[]> {
  const engine = await createEngine({ cwd: dir, config: false, files: [{ path: pattern }], logger: { level: 'silent' } });
  await engine.close();
  return engine.fileGlobs();
}

/** A watcher on `pattern` in `dir`, and the distinct paths it reported. */
async function watching(dir: string, pattern: string): Promise<{ watcher: FileWatcher; seen: Set<string> }> {
  const seen = new Set<string>();
  const watcher = new FileWatcher([], await globsOf(dir, pattern), (file) => seen.add(file), (err) => {
    throw err;
  });
  closers.push(() => watcher.close());
  await watcher.start();
  return { watcher, seen };
}

async function put(dir: string, name: string, text = '{}'): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe('FileWatcher on a glob', () => {
  it('reports files created after start that match, in new directories too, and nothing of prevention\'s own or unmatched', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'agents'));
    const { seen } = await watching(dir, 'agents/**/shared_context.json');
    await put(dir, 'agents/dev/.prevention/shared_context.json');
    await put(dir, 'agents/dev/.shared_context.json.77.0123456789ab.tmp');
    await put(dir, 'agents/dev/notes.json');
    const created = await put(dir, 'agents/dev/shared_context.json');
    await expect.poll(() => seen.has(created), { timeout: 10_000 }).toBe(true);
    const deeper = await put(dir, 'agents/team/qa/shared_context.json');
    await expect.poll(() => seen.has(deeper), { timeout: 10_000 }).toBe(true);
    expect([...seen].sort()).toEqual([created, deeper]);
  });

  it('starts watching a base directory created after start when asked to', async () => {
    const dir = await tempDir();
    const { watcher, seen } = await watching(dir, 'data/*.json');
    await mkdir(path.join(dir, 'data'));
    await watcher.watchCreatedBases();
    const created = await put(dir, 'data/a.json');
    await expect.poll(() => seen.has(created), { timeout: 10_000 }).toBe(true);
  });
});

describe('FileWatcher on any change', () => {
  /**
   * A write in place whose file times are put back at once (`cp -p`, `rsync -t`, `tar x` leave a
   * file so): same mtime as before, atime after it. Written and re-timed in one synchronous step,
   * so nothing in this process looks at the file in between.
   */
  function writeInPlaceKeepingTimes(file: string, mtimeSeconds: number): void {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('garbage'), 0, 7, 2);
    closeSync(fd);
    utimesSync(file, mtimeSeconds + 100, mtimeSeconds);
  }

  for (const how of ['named', 'globbed'] as const) {
    it(`reports a write in place that put the file's times back, for a ${how} file`, async () => {
      const dir = await tempDir();
      const file = await put(dir, 'shared.json', JSON.stringify({ events: [1, 2, 3] }));
      const mtime = Math.floor(Date.now() / 1000) - 60;
      utimesSync(file, mtime, mtime);
      const seen: string[] = [];
      const watcher = new FileWatcher(how === 'named' ? [file] : [], how === 'globbed' ? await globsOf(dir, '*.json') : [], (changed) => seen.push(changed), (err) => {
        throw err;
      });
      closers.push(() => watcher.close());
      await watcher.start();
      writeInPlaceKeepingTimes(file, mtime);
      await expect.poll(() => seen.includes(file), { timeout: 5_000 }).toBe(true);
    });
  }
});
