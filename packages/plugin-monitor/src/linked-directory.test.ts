import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineOp, startServingDaemon, tempDir, writeProject, type Daemon } from './__tests__/project.js';

let daemon: Daemon | undefined;
afterEach(() => {
  daemon?.child.kill('SIGKILL');
  daemon = undefined;
});

describe('the monitor daemon, when a data directory is replaced by a symbolic link while it runs', () => {
  it('writes nothing into the link\'s target and raises a critical alert naming the link', async () => {
    const dir = await tempDir();
    await writeProject(dir, {
      files: ['data/shared.json'],
      extraPlugins: [`alerts({ sinks: [fileSink({ path: 'alerts.jsonl' })], groupWait: 10, stateFile: 'alerts-state.json' })`],
    });
    await mkdir(path.join(dir, 'data'));
    await engineOp(dir, 'append', 'data/shared.json', 'a1');
    daemon = (await startServingDaemon(dir)).daemon;
    // Damaged content behind the link: what would make the monitor repair (and quarantine) there.
    const elsewhere = path.join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'shared.json'), '{"events": [');
    await rename(path.join(dir, 'data'), path.join(dir, 'data.moved'));
    await symlink(elsewhere, path.join(dir, 'data'));
    const alerts = path.join(dir, 'alerts.jsonl');
    await expect.poll(async () => (await readFile(alerts, 'utf8').catch(() => '')).includes('"path-redirected"'), { timeout: 20_000, interval: 100 }).toBe(true);
    const raised = (await readFile(alerts, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { alerts?: Array<{ name: string; severity: string; labels: Record<string, string> }> })
      .flatMap((batch) => batch.alerts ?? [batch as unknown as { name: string; severity: string; labels: Record<string, string> }])
      .filter((alert) => alert.name === 'path-redirected');
    expect(raised[0]).toMatchObject({ severity: 'critical', labels: { path: path.join(dir, 'data') } });
    // The daemon goes on running; the link's target holds exactly what was put there.
    expect(daemon.child.exitCode).toBeNull();
    expect(await readdir(elsewhere)).toEqual(['shared.json']);
    expect(await readFile(path.join(elsewhere, 'shared.json'), 'utf8')).toBe('{"events": [');
  });
});
