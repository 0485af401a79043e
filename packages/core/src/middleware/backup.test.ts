import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quarantineDirFor } from '../store/file-layout.js';
import type { BackupInput, BackupRecord, BackupStrategy, PruneReport } from '../contract.js';
import { createEngine } from '../engine/create-engine.js';
import { ErrorCodes } from '../errors.js';
import { definePlugin } from '../plugin/plugin.js';
import { tempDir } from '../__tests__/helpers.js';
import { InstrumentedFileSystem } from '../testing/instrumented-file-system.js';

/** A small strategy for the port's contract: every version in memory, newest first. */
class MemoryStrategy implements BackupStrategy {
  readonly saved: Array<{ record: BackupRecord; bytes: Uint8Array; reason: string }> = [];
  failNext: Error | undefined;
  failNextList: Error | undefined;
  constructor(
    readonly name = 'memory',
    /** Retention: the newest `keep` versions. */
    private readonly keep = Infinity,
  ) {}
  async save(input: BackupInput): Promise<BackupRecord> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const record: BackupRecord = { id: `${this.name}-${this.saved.length + 1}`, file: input.file, strategy: this.name, createdAt: new Date(Date.now() + this.saved.length), sha256: input.sha256, bytes: input.bytes.length, generation: input.generation };
    this.saved.unshift({ record, bytes: Buffer.from(input.bytes), reason: input.reason });
    return record;
  }
  async list(file: string): Promise<BackupRecord[]> {
    const error = this.failNextList;
    this.failNextList = undefined;
    if (error) throw error;
    return this.saved.filter((s) => s.record.file === file).map((s) => s.record);
  }
  async read(record: BackupRecord): Promise<Uint8Array> {
    return this.saved.find((s) => s.record.id === record.id)!.bytes;
  }
  async remove(record: BackupRecord): Promise<void> {
    this.saved.splice(this.saved.findIndex((s) => s.record.id === record.id), 1);
  }
  async prune(file: string, options: { dryRun: boolean }): Promise<PruneReport> {
    const records = await this.list(file);
    const removed = records.slice(this.keep);
    if (!options.dryRun) for (const record of removed) await this.remove(record);
    return { file, strategy: this.name, kept: records.slice(0, this.keep), removed, dryRun: options.dryRun };
  }
}

async function setup(strategies: MemoryStrategy[], required = true) {
  const dir = await tempDir();
  const file = path.join(dir, 'data.json');
  const plugin = definePlugin({ name: 'memory-backups', register: (api) => strategies.forEach((s) => api.addBackupStrategy(s)) });
  const engine = await createEngine({ cwd: dir, config: false, plugins: [plugin()], backup: { required }, logger: { level: 'silent' } });
  return { dir, file, engine };
}

describe('backup middleware', () => {
  it('is in the default pipeline once a strategy exists, and saves every committed version before the rename', async () => {
    const memory = new MemoryStrategy();
    const { file, engine } = await setup([memory]);
    expect(await engine.pipeline(file)).toEqual(['lock', 'validate', 'backup', 'atomic-commit', 'verify']);
    await engine.write(file, { v: 1 });
    await engine.write(file, { v: 2 });
    expect(memory.saved.map((s) => [JSON.parse(Buffer.from(s.bytes).toString()), s.reason])).toEqual([
      [{ v: 2 }, 'commit'],
      [{ v: 1 }, 'commit'],
    ]);
    expect(memory.saved[0]!.bytes).toEqual(await readFile(file));
    await engine.close();
  });

  it('saves the new version while the store writes it, and switches to it only once the save is done', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    const instrumented = new InstrumentedFileSystem();
    let tempWritten!: () => void;
    const written = new Promise<string>((resolve) => (tempWritten = () => resolve('the temp file was written first')));
    instrumented.inject({ when: (c) => c.op === 'fsync' && !!c.path?.endsWith('.tmp'), before: () => tempWritten(), times: Infinity });
    const order: string[] = [];
    const strategy = new (class extends MemoryStrategy {
      override async save(input: BackupInput): Promise<BackupRecord> {
        if (input.reason === 'commit' && order.length === 0) {
          // Without the overlap the store writes nothing before this resolves: the deadline answers instead.
          order.push(await Promise.race([written, new Promise<string>((resolve) => setTimeout(() => resolve('the save waited alone'), 2000))]));
          order.push(`file at save end: ${await readFile(file, 'utf8').catch(() => 'missing')}`);
        }
        return super.save(input);
      }
    })();
    const plugin = definePlugin({ name: 'slow-backups', register: (api) => api.addBackupStrategy(strategy) });
    const engine = await createEngine({ cwd: dir, config: false, plugins: [plugin()], fileSystem: instrumented.fs, logger: { level: 'silent' } });
    await engine.write(file, { v: 1 });
    expect(order).toEqual(['the temp file was written first', 'file at save end: missing']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1 });
    expect(strategy.saved.map((s) => s.reason)).toEqual(['commit']);
    await engine.close();
  });

  it('leaves the file as it was, and no temp file, when the save that ran beside the write fails', async () => {
    const memory = new MemoryStrategy();
    const { dir, file, engine } = await setup([memory]);
    await engine.write(file, { v: 1 });
    const before = await readFile(file);
    memory.failNext = new Error('disk full');
    await expect(engine.write(file, { v: 2 })).rejects.toMatchObject({ code: ErrorCodes.BACKUP_FAILED });
    expect(await readFile(file)).toEqual(before);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await engine.write(file, { v: 3 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 3 });
    await engine.close();
  });

  it('first saves a version on disk that no backup holds (a file adopted from elsewhere)', async () => {
    const memory = new MemoryStrategy();
    const { file, engine } = await setup([memory]);
    await writeFile(file, '{"from":"before"}');
    await engine.write(file, { v: 1 });
    expect(memory.saved.map((s) => s.reason)).toEqual(['commit', 'previous']);
    expect(Buffer.from(memory.saved[1]!.bytes).toString()).toBe('{"from":"before"}');
    await engine.close();
  });

  it('refuses the write when no required backup could be saved; goes ahead with a warning event otherwise', async () => {
    const only = new MemoryStrategy();
    const { file, engine } = await setup([only]);
    await engine.write(file, { v: 1 });
    const before = await readFile(file);
    only.failNext = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    await expect(engine.write(file, { v: 2 })).rejects.toMatchObject({ code: ErrorCodes.BACKUP_FAILED });
    expect(await readFile(file)).toEqual(before);
    await engine.close();

    const first = new MemoryStrategy('first');
    const second = new MemoryStrategy('second');
    const both = await setup([first, second]);
    const failed: unknown[] = [];
    both.engine.on('backup:failed', (e) => failed.push(e));
    first.failNext = new Error('disk gone');
    await both.engine.write(both.file, { v: 1 });
    expect(failed).toHaveLength(1);
    expect(second.saved).toHaveLength(1);
    await both.engine.close();
  });

  it('numbers each saved version one past the highest generation any strategy holds', async () => {
    const first = new MemoryStrategy('first');
    const second = new MemoryStrategy('second');
    const { file, engine } = await setup([first, second]);
    await writeFile(file, '{"from":"before"}');
    await engine.write(file, { v: 1 });
    await engine.write(file, { v: 2 });
    const generations = (s: MemoryStrategy) => s.saved.map((x) => [x.reason, x.record.generation]);
    expect(generations(first)).toEqual([['commit', 3], ['commit', 2], ['previous', 1]]);
    expect(generations(second)).toEqual(generations(first));
    await engine.close();
  });

  it('saves nothing to a strategy that could not list its backups: the version could not be numbered after theirs', async () => {
    const only = new MemoryStrategy();
    const { file, engine } = await setup([only]);
    await engine.write(file, { v: 1 });
    const before = await readFile(file);
    only.failNextList = Object.assign(new Error('input/output error'), { code: 'EIO' });
    await expect(engine.write(file, { v: 2 })).rejects.toMatchObject({ code: ErrorCodes.BACKUP_FAILED });
    expect(await readFile(file)).toEqual(before);
    expect(only.saved).toHaveLength(1);
    await engine.write(file, { v: 2 });
    expect(only.saved.map((s) => s.record.generation)).toEqual([2, 1]);
    await engine.close();
  });

  it('removes the backup of a commit that failed, so a restore never brings back a write that failed, and prunes only after a commit succeeded', async () => {
    const memory = new MemoryStrategy('memory', 2);
    const dir = await tempDir();
    const file = path.join(dir, 'data.json');
    let failCommit = false;
    const plugin = definePlugin({
      name: 'memory-backups',
      register: (api) => {
        api.addBackupStrategy(memory);
        api.addMiddleware({ name: 'flaky', handle: async (_ctx, next) => (failCommit ? Promise.reject(new Error('disk hiccup')) : next()) });
      },
    });
    const engine = await createEngine({ cwd: dir, config: false, plugins: [plugin()], pipeline: ['lock', 'validate', 'backup', 'flaky', 'atomic-commit', 'verify'] });
    const versions = () => memory.saved.map((s) => JSON.parse(Buffer.from(s.bytes).toString()) as unknown);
    await engine.write(file, { v: 1 });
    await engine.write(file, { v: 2 });
    failCommit = true;
    // Pruning before the outcome is known would have dropped v1 for a write that never happened.
    await expect(engine.write(file, { v: 3 })).rejects.toMatchObject({ code: ErrorCodes.MIDDLEWARE_FAILED });
    expect(versions()).toEqual([{ v: 2 }, { v: 1 }]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 2 });
    failCommit = false;
    await engine.write(file, { v: 3 });
    expect(versions()).toEqual([{ v: 3 }, { v: 2 }]);
    await engine.close();
  });

  it('repairs a file found corrupt on load from the newest valid backup, quarantines the bad copy, then applies the update', async () => {
    const memory = new MemoryStrategy();
    const { file, engine } = await setup([memory]);
    const seen: string[] = [];
    const found: string[] = [];
    engine.on('corruption:detected', ({ message }) => (seen.push('corruption'), found.push(message)));
    engine.on('restore:completed', ({ reason }) => (seen.push('restored'), found.push(reason ?? 'no reason')));
    await engine.write(file, { events: [1] });
    await writeFile(file, '{"events": [1, 2');
    await engine.update<{ events: number[] }>(file, (d) => void d.events.push(3));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ events: [1, 3] });
    expect(seen).toEqual(['corruption', 'restored']);
    // The restore says why it was made: what the load found.
    expect(found[1]).toBe(found[0]);
    const quarantined = await readdir(quarantineDirFor(file));
    expect(quarantined).toHaveLength(1);
    expect(await readFile(path.join(quarantineDirFor(file), quarantined[0]!), 'utf8')).toBe('{"events": [1, 2');
    await engine.close();
  });
});
