import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Hex } from '@prevention/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';

interface Record {
  id: string;
  strategy: string;
  sha256: string;
  generation?: number;
}

describe('prevention backups, restore and prune', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    for (let i = 1; i <= 4; i++) expect((await project.run(['publish', 'shared_context.json', '-t', `step-${i}`, '-s', 'test'])).code).toBe(0);
  });
  afterEach(() => project.remove());

  it('lists backups newest first, restores the newest valid one after corruption, and keeps the bad copy', async () => {
    const listed = await project.run(['backups', 'shared_context.json', '--json']);
    expect(listed.code).toBe(0);
    const records = JSON.parse(listed.stdout) as Record[];
    expect(records.length).toBeGreaterThanOrEqual(4);
    const table = await project.run(['backups', 'shared_context.json']);
    expect(table.stdout).toMatch(/^GENERATION\s+ID\s+STRATEGY\s+CREATED\s+SIZE\s+SHA256\n/);
    expect(table.stdout).toContain(records[0]!.sha256.slice(0, 12));

    const good = await readFile(project.file('shared_context.json'));
    await writeFile(project.file('shared_context.json'), good.subarray(0, 40));
    const dry = await project.run(['restore', 'shared_context.json', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would restore shared_context.json from rotating backup ${records[0]!.id}`);
    expect((await readFile(project.file('shared_context.json'))).length).toBe(40);

    const restored = await project.run(['restore', 'shared_context.json']);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`from rotating backup ${records[0]!.id}`);
    expect(restored.stdout).toMatch(/kept in \.prevention\/quarantine\//);
    expect(await readFile(project.file('shared_context.json'))).toEqual(good);
    expect(await readdir(path.join(project.dir, '.prevention', 'quarantine'))).toHaveLength(1);

    const older = await project.run(['restore', 'shared_context.json', '--id', records[2]!.id, '--json']);
    expect(older.code).toBe(0);
    expect(JSON.parse(older.stdout)).toMatchObject({ dryRun: false, backup: { id: records[2]!.id } });
  });

  it('lists and restores in commit order after a publish from a clock stepped back an hour', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG.replace("[{ type: 'rotating', keep: 5 }]", "[{ type: 'rotating', keep: 5 }, { type: 'timestamped', keepLast: 5 }]"));
    await project.write('behind.mjs', 'const now = Date.now.bind(Date);\nDate.now = () => now() - 3_600_000;\n');
    const behind = { NODE_OPTIONS: `--import=${pathToFileURL(project.file('behind.mjs')).href}` };
    expect((await project.run(['publish', 'shared_context.json', '-t', 'step-5', '-s', 'test'], { env: behind })).code).toBe(0);
    const fifth = await readFile(project.file('shared_context.json'));

    const records = JSON.parse((await project.run(['backups', 'shared_context.json', '--json'])).stdout) as Record[];
    expect(records.slice(0, 2).map((r) => r.sha256)).toEqual([sha256Hex(fifth), sha256Hex(fifth)]);
    const table = await project.run(['backups', 'shared_context.json']);
    expect(table.stdout).toMatch(/^GENERATION\s+ID\s+STRATEGY\s+CREATED\s+SIZE\s+SHA256\n/);
    const [generation, shortId] = table.stdout.split('\n')[1]!.split(/\s+/);
    expect(generation).toBe(String(records[0]!.generation));
    expect(records[0]!.id.startsWith(shortId!)).toBe(true);

    await writeFile(project.file('shared_context.json'), fifth.subarray(0, 40));
    expect((await project.run(['restore', 'shared_context.json'])).code).toBe(0);
    expect(await readFile(project.file('shared_context.json'))).toEqual(fifth);
  });

  it('lists short ids that restore takes, as it takes any unique prefix; an ambiguous one lists the candidates', async () => {
    const records = JSON.parse((await project.run(['backups', 'shared_context.json', '--json'])).stdout) as Record[];
    const rows = (await project.run(['backups', 'shared_context.json'])).stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/));
    const shown = rows.map((row) => row[1]!);
    expect(shown).toHaveLength(records.length);
    shown.forEach((short, i) => {
      expect(records[i]!.id.startsWith(short)).toBe(true);
      expect(short.length).toBeLessThan(40);
    });
    expect(new Set(shown).size).toBe(shown.length);
    const full = (await project.run(['backups', 'shared_context.json', '--full-ids'])).stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[1]);
    expect(full).toEqual(records.map((r) => r.id));

    const older = records[2]!;
    const dry = await project.run(['restore', 'shared_context.json', '--id', shown[2]!, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`from rotating backup ${older.id}`);
    const restored = await project.run(['restore', 'shared_context.json', '--id', shown[2]!, '--json']);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ backup: { id: older.id, sha256: older.sha256 } });

    // Every id starts with the year: a prefix that short names them all.
    const ambiguous = await project.run(['restore', 'shared_context.json', '--id', records[0]!.id.slice(0, 4)]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/error: backup id "\d{4}" is ambiguous: \d+ backups of shared_context\.json start with it: .* \[PREVENTION_USAGE\]/);
    for (const short of shown.slice(0, 3)) expect(ambiguous.stderr).toContain(short);
    expect(ambiguous.stderr).toMatch(/hint: .*more of the id/);
  });

  it('shows a real backup id in the restore examples', async () => {
    const help = await project.run(['restore', '--help']);
    expect(help.stdout).not.toContain('--id 3 ');
    expect(help.stdout).toMatch(/--id 20\d\d-\d\d-\d\dT/);
  });

  it('exits 1 with a hint when the backup asked for does not exist', async () => {
    const result = await project.run(['restore', 'shared_context.json', '--id', 'no-such-backup']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PREVENTION_RESTORE_FAILED');
    expect(result.stderr).toMatch(/hint: .*prevention backups/);
  });

  it('prune --dry-run reports without deleting; prune applies retention', async () => {
    const keepLast = (n: number): string => BACKUP_CONFIG.replace("[{ type: 'rotating', keep: 5 }]", `[{ type: 'timestamped', keepLast: ${n} }]`);
    await project.write('prevention.config.mjs', keepLast(10));
    for (let i = 1; i <= 3; i++) expect((await project.run(['publish', 'shared_context.json', '-t', `more-${i}`, '-s', 'test'])).code).toBe(0);
    // Tighter retention from now on: what is already stored is only removed by a prune.
    await project.write('prevention.config.mjs', keepLast(2));
    const before = (JSON.parse((await project.run(['backups', 'shared_context.json', '--json'])).stdout) as Record[]).filter((r) => r.strategy === 'timestamped');
    expect(before.length).toBeGreaterThan(2);

    const dry = await project.run(['prune', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const [report] = JSON.parse(dry.stdout) as Array<{ strategy: string; removed: Record[]; dryRun: boolean }>;
    expect(report).toMatchObject({ strategy: 'timestamped', dryRun: true });
    expect(report!.removed.length).toBe(before.length - 2);
    expect(JSON.parse((await project.run(['backups', 'shared_context.json', '--json'])).stdout).filter((r: Record) => r.strategy === 'timestamped')).toHaveLength(before.length);

    const pruned = await project.run(['prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/shared_context\.json\s+timestamped\s+2\s+\d+: /);
    expect(JSON.parse((await project.run(['backups', 'shared_context.json', '--json'])).stdout).filter((r: Record) => r.strategy === 'timestamped')).toHaveLength(2);
  });
});
