import { readFile, writeFile } from 'node:fs/promises';
import { createEngine, type BusEvent } from '@prevention/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';

const MONITOR_CONFIG = BACKUP_CONFIG.replace("import backup from '@prevention/plugin-backup';", "import backup from '@prevention/plugin-backup';\nimport monitor from '@prevention/plugin-monitor';").replace(
  'plugins: [backup(',
  "plugins: [monitor({ port: 0, validateEvery: '1h' }), backup(",
);

const summary = (events: BusEvent[]) => events.map((e) => [e.seq, e.id, e.payload]);

describe('the bus archive in check, status, restore and monitor --once', () => {
  let project: TempProject;
  let acked: BusEvent[];
  const archive = () => project.file('shared_context.archive.jsonl');
  const readAll = async () => {
    const engine = await createEngine({ cwd: project.dir });
    try {
      return await engine.bus('shared_context.json').events({ since: 0 });
    } finally {
      await engine.close();
    }
  };

  beforeEach(async () => {
    project = await tempProject();
    await project.write('prevention.config.mjs', MONITOR_CONFIG);
    const engine = await createEngine({ cwd: project.dir });
    const bus = engine.bus('shared_context.json', { maxEvents: 5 });
    acked = [];
    for (let n = 0; n < 20; n += 4) acked.push(...(await bus.publishMany(Array.from({ length: 4 }, (_, i) => ({ type: 't', source: 's', payload: n + i })))));
    await engine.close();
  });
  afterEach(() => project.remove());

  /** Damage from outside: the archive truncated to its first 10 lines, and one of those changed. */
  async function damage(): Promise<void> {
    const lines = (await readFile(archive(), 'utf8')).split('\n').slice(0, 10);
    lines[3] = JSON.stringify({ ...(JSON.parse(lines[3]!) as BusEvent), payload: 'forged' });
    await writeFile(archive(), `${lines.join('\n')}\n`);
  }

  it('check and status exit 1 on a truncated archive with a changed line; restore puts every acknowledged event back', async () => {
    expect((await project.run(['check'])).code).toBe(0);
    await damage();
    const check = await project.run(['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/event archive shared_context\.archive\.jsonl is damaged/);
    const status = await project.run(['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/event archive shared_context\.archive\.jsonl is damaged/);
    const restore = await project.run(['restore', 'shared_context.json']);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/put back its event archive from its copy \(15 committed lines/);
    expect((await project.run(['check'])).code).toBe(0);
    expect(summary(await readAll())).toEqual(summary(acked));
  });

  it('monitor --once exits 1 on a damaged archive and repairs it, every acknowledged event back; the next pass exits 0', async () => {
    expect((await project.run(['monitor', '--once'])).code).toBe(0);
    await damage();
    const repaired = await project.run(['monitor', '--once']);
    expect(repaired.code).toBe(1);
    expect(summary(await readAll())).toEqual(summary(acked));
    expect((await project.run(['monitor', '--once'])).code).toBe(0);
    expect((await project.run(['check'])).code).toBe(0);
  });
});
