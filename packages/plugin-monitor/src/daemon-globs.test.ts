import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineOp, startDaemon, startServingDaemon, tempDir, writeProject, type Daemon } from './__tests__/project.js';
import { parsePrometheusText, total } from './__tests__/prometheus-text.js';

const GLOB = 'agents/**/shared_context.json';

let daemon: Daemon | undefined;
afterEach(() => {
  daemon?.child.kill('SIGKILL');
  daemon = undefined;
});

async function events(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

describe('the monitor daemon on globbed files', () => {
  it('monitors the files a glob matches: outside damage is repaired, and a deleted one is restored from its journal', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: [GLOB] });
    const dev = path.join(dir, 'agents/dev/shared_context.json');
    const qa = path.join(dir, 'agents/team/qa/shared_context.json');
    await engineOp(dir, 'append', dev, 'dev-1');
    await engineOp(dir, 'append', qa, 'qa-1');
    const served = await startServingDaemon(dir);
    daemon = served.daemon;
    expect(daemon.messages('monitoring')[0]?.files).toBe(2);
    const samples = parsePrometheusText(await (await fetch(`${served.base}/metrics`)).text());
    expect(total(samples, 'prevention_last_commit_age_seconds', { file: qa })).toBeGreaterThanOrEqual(0);

    await writeFile(qa, '{"events": [');
    const repaired = await daemon.waitFor((l) => l.msg === 'repaired' && l.file === qa);
    expect(repaired.kind).toBe('invalid-json');
    expect(await events(qa)).toEqual({ events: [{ id: 'qa-1' }] });
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    // Gone from the directory walk, the deleted file is still listed through its commit journal.
    await unlink(dev);
    const once = startDaemon(dir, ['--once']);
    expect((await once.exited).code).toBe(1);
    expect(once.lines.find((l) => l.msg === 'repaired')).toMatchObject({ file: dev, kind: 'deleted' });
    expect(await events(dev)).toEqual({ events: [{ id: 'dev-1' }] });
  });

  it('watches for files created after start that match a glob', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'agents'));
    // Only the watcher can see the new file in time: the next validation pass is an hour away.
    await writeProject(dir, { files: [GLOB], monitor: `monitor({ validateEvery: '1h' })` });
    daemon = (await startServingDaemon(dir)).daemon;
    expect(daemon.messages('monitoring')[0]?.files).toBe(0);
    const created = path.join(dir, 'agents/new-agent/shared_context.json');
    await engineOp(dir, 'append', created, 'first');
    await writeFile(created, 'garbage');
    const repaired = await daemon.waitFor((l) => l.msg === 'repaired' && l.file === created);
    expect(repaired.kind).toBe('invalid-json');
    expect(await events(created)).toEqual({ events: [{ id: 'first' }] });
  });

  it('lists the globs again at every validation pass, without a watcher', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: [GLOB], monitor: `monitor({ watch: false, validateEvery: '200ms' })` });
    daemon = (await startServingDaemon(dir)).daemon;
    const created = path.join(dir, 'agents/late/shared_context.json');
    await engineOp(dir, 'append', created, 'first');
    await writeFile(created, JSON.stringify({ events: [{ nope: true }] }));
    const repaired = await daemon.waitFor((l) => l.msg === 'repaired' && l.file === created);
    expect(repaired.kind).toBe('schema-mismatch');
    expect(await events(created)).toEqual({ events: [{ id: 'first' }] });
  });
});
