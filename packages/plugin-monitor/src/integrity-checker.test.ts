import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, NodeFileSystem } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/project.js';
import { IntegrityChecker } from './integrity-checker.js';
import { MonitorMetrics } from './monitor-metrics.js';
import { resolveMonitorOptions } from './monitor-options.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('IntegrityChecker.retain', () => {
  it('forgets a globbed file that left the list, closing its open problem', async () => {
    const dir = await tempDir();
    const engine = await createEngine({ cwd: dir, config: false, files: [{ path: 'agents/*/ctx.json' }], logger: { level: 'silent' } });
    closers.push(() => engine.close());
    const fs = new NodeFileSystem();
    const metrics = new MonitorMetrics(engine.store, () => []);
    const emitted: Array<{ event: string; payload: unknown }> = [];
    const checker = new IntegrityChecker(engine, fs, resolveMonitorOptions({}), metrics, (event, payload) => void emitted.push({ event, payload }), engine.logger);
    closers.push(() => checker.stop());
    const file = path.join(dir, 'agents/dev/ctx.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{}');
    expect((await checker.check(file)).finding).toBe('ok');

    // Never committed, so no journal and no backup: the deletion is reported and can not be repaired.
    await rm(path.dirname(file), { recursive: true });
    expect(await checker.check(file)).toMatchObject({ finding: 'deleted', repaired: false });
    expect(checker.corruptFiles()).toEqual([file]);

    checker.retain(await engine.managedFiles());
    expect(checker.corruptFiles()).toEqual([]);
    expect((await metrics.corrupt.get()).values.find((v) => v.labels.file === file)?.value).toBe(0);
    expect(emitted).toContainEqual({ event: 'corruption:resolved', payload: { file, summary: expect.stringContaining('is not monitored any more') } });
  });
});

describe('IntegrityChecker on a file with acceptOutsideAppends', () => {
  it('takes an older bus appending events for intact, and still reports any other outside write', async () => {
    const dir = await tempDir();
    const engine = await createEngine({ cwd: dir, config: false, initial: { events: [] }, files: [{ path: 'ctx.json', acceptOutsideAppends: true }], logger: { level: 'silent' } });
    closers.push(() => engine.close());
    const fs = new NodeFileSystem();
    const checker = new IntegrityChecker(engine, fs, resolveMonitorOptions({}), new MonitorMetrics(engine.store, () => []), () => undefined, engine.logger);
    closers.push(() => checker.stop());
    const file = path.join(dir, 'ctx.json');
    await engine.bus('ctx.json').publish({ type: 'a', source: 'node' });
    expect((await checker.check(file)).finding).toBe('ok');
    const committed = JSON.parse(await readFile(file, 'utf8')) as { events: unknown[] };
    await writeFile(file, JSON.stringify({ ...committed, events: [...committed.events, { timestamp: 't', event: 'python', data: {} }], last_updated: 't' }));
    expect((await checker.check(file)).finding).toBe('ok');
    await writeFile(file, JSON.stringify({ ...committed, events: [] }));
    expect((await checker.check(file)).finding).toBe('modified');
  });
});
