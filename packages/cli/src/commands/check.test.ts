import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';

describe('prevention check', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.remove());

  it('exits 2 with a hint when there is no config and no file is named', async () => {
    const result = await project.run(['check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no prevention config found');
    expect(result.stderr).toMatch(/hint: .*prevention init/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 with a hint when --config names a missing file', async () => {
    const result = await project.run(['--config', 'nope.mjs', 'check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PREVENTION_CONFIG_INVALID');
    expect(result.stderr).toContain('hint:');
  });

  it('with --json, prints a failure as a JSON error object on stdout too', async () => {
    await project.write('prevention.config.json', JSON.stringify({ files: 3 }));
    const invalid = await project.run(['check', '--json']);
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout)).toEqual({
      ok: false,
      error: { code: 'PREVENTION_CONFIG_INVALID', message: expect.stringContaining('"files" must be an array'), hint: expect.any(String) },
    });
    expect(invalid.stderr).toContain('error: ');

    await rm(project.file('prevention.config.json'));
    const none = await project.run(['check', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, error: { code: 'PREVENTION_CONFIG_INVALID', message: expect.stringContaining('no prevention config found') } });
  });

  it('exits 2 saying so when --cwd is not a directory', async () => {
    await project.write('a-file', '');
    for (const dir of ['no/such/dir', 'a-file']) {
      const result = await project.run(['--cwd', dir, 'check']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error: --cwd ${dir}: ${dir === 'a-file' ? 'not a directory' : 'no such directory'}`);
      expect(result.stderr).not.toContain('no prevention config found');
      expect(result.stderr).toMatch(/hint: .*--cwd/);
    }
  });

  it('exits 2 naming the bad key of an invalid config', async () => {
    await project.write('prevention.config.json', JSON.stringify({ files: [{ path: 'a.json' }], maxDepth: 'deep' }));
    const result = await project.run(['check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('maxDepth');
  });

  it('exits 0 on a valid committed file and 1 on a truncated one, naming the byte offset', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    expect((await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'test'])).code).toBe(0);
    const good = await project.run(['check']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/shared_context\.json\s+ok\s+valid/);

    await writeFile(project.file('shared_context.json'), '{"events": [{"id": ');
    const bad = await project.run(['check']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/shared_context\.json\s+PROBLEM\s+invalid JSON at byte 19 \(line 1, column 20\)/);
    expect(bad.stdout).toContain('changed outside prevention');

    const json = await project.run(['check', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; files: Array<{ status: string; findings: Array<{ kind: string; offset?: number }> }> };
    expect(report.ok).toBe(false);
    expect(report.files[0]!.status).toBe('problem');
    expect(report.files[0]!.findings[0]).toMatchObject({ kind: 'invalid-json', severity: 'error', offset: 19 });
  });

  it('locates a parse error by byte, line and column without quoting the file, and lists values JSON.parse would change by pointer', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    await writeFile(project.file('shared_context.json'), '{\n  "events": [],\n  "api_key": sk-live-4f9a2b7c1d\n}', { mode: 0o600 });
    for (const args of [['check'], ['check', '--json']]) {
      const damaged = await project.run(args);
      expect(damaged.code).toBe(1);
      expect(damaged.stdout + damaged.stderr).toMatch(/line 3, column 14|"line":3,"column":14/);
      for (const fragment of ['sk-live', '4f9a2b7c']) expect(damaged.stdout + damaged.stderr).not.toContain(fragment);
    }
    await writeFile(project.file('shared_context.json'), '{"events": [], "big": 12345678901234567891, "a": 1, "a": 2}');
    const inexact = await project.run(['check', '--json']);
    expect(inexact.code).toBe(1);
    const report = JSON.parse(inexact.stdout) as { files: Array<{ findings: Array<{ kind: string; pointer?: string }> }> };
    expect(report.files[0]!.findings.filter((f) => f.kind === 'structure').map((f) => f.pointer)).toEqual(['/big', '/a']);
  });

  it('says a valid file prevention never committed has no commit yet, as status does, and finds the last commit in the backups when the journal is gone', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    await project.write('shared_context.json', JSON.stringify({ version: 1, events: [] }));
    const never = await project.run(['check']);
    expect(never.code).toBe(0);
    expect(never.stdout).toMatch(/shared_context\.json\s+ok\s+valid, 25 bytes, never committed by prevention/);
    expect(never.stdout).not.toContain('matches its last commit');
    const status = await project.run(['status']);
    expect(status.stdout).toMatch(/shared_context\.json\s+ok\s+-\s+none\s+valid, 25 bytes, never committed by prevention/);

    expect((await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'test'])).code).toBe(0);
    await rm(project.file('.prevention/shared_context.json.commits.jsonl'));
    const witnessed = await project.run(['check', '--json']);
    expect(witnessed.code).toBe(0);
    const [report] = (JSON.parse(witnessed.stdout) as { files: Array<{ status: string; lastCommit?: { witness: string } }> }).files;
    expect(report).toMatchObject({ status: 'ok', lastCommit: { witness: 'backup' } });
    expect((await project.run(['check'])).stdout).toMatch(/shared_context\.json\s+ok\s+valid, \d+ bytes, matches its last commit/);
    expect((await project.run(['status'])).stdout).toMatch(/shared_context\.json\s+ok\s+\d+s ago\s+\d+s ago \(rotating\)\s+valid/);
  });

  it('gives the position of every parse error it can locate, and the reason publish gives', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    await writeFile(project.file('shared_context.json'), '{"a": x}');
    const checked = await project.run(['check']);
    const published = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b']);
    const reason = 'invalid JSON at byte 6 (line 1, column 7): expected a value (object, array, string, number, true, false or null)';
    expect(checked.stdout).toMatch(new RegExp(`shared_context\\.json\\s+PROBLEM\\s+${reason.replace(/[()]/g, '\\$&')}`));
    expect(published.stderr).toContain(reason);

    await writeFile(project.file('shared_context.json'), Buffer.concat([Buffer.from('{\n  "a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n}')]));
    expect((await project.run(['check'])).stdout).toMatch(/PROBLEM\s+not valid UTF-8 at byte 10 \(line 2, column 9\)\n/);
    await writeFile(project.file('shared_context.json'), '');
    expect((await project.run(['check'])).stdout).toMatch(/PROBLEM\s+the file is empty\n/);
  });

  it('reports schema errors by JSON pointer', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    await project.write('shared_context.json', JSON.stringify({ events: [{ id: 'x', seq: 0, type: 't', source: 's', timestamp: 'now', payload: null }] }));
    const result = await project.run(['check', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { files: Array<{ findings: Array<{ kind: string; pointer?: string }> }> };
    expect(report.files[0]!.findings.map((f) => f.pointer)).toContain('/events/0/seq');
  });

  it('checks every file a glob in the config matches, including a committed one deleted since', async () => {
    await project.write(
      'prevention.config.mjs',
      BACKUP_CONFIG.replace(`files: [{ path: 'shared_context.json',`, `files: [{ path: 'bmad/agents/**/shared_context.json',`),
    );
    const none = await project.run(['check']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no file matches the globs');
    for (const agent of ['dev', 'qa', 'gone']) {
      expect((await project.run(['publish', `bmad/agents/${agent}/shared_context.json`, '-t', 'a', '-s', agent])).code).toBe(0);
    }
    await mkdir(project.file('bmad/agents/core'), { recursive: true });
    await writeFile(project.file('bmad/agents/core/shared_context.json'), '{"events": [');
    await writeFile(project.file('bmad/agents/dev/notes.json'), 'not covered');
    await rm(project.file('bmad/agents/gone/shared_context.json'));

    const result = await project.run(['check', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { files: Array<{ file: string; status: string; findings: Array<{ kind: string }> }> };
    expect(report.files.map((f) => [path.relative(project.dir, f.file), f.status, f.findings[0]?.kind])).toEqual([
      ['bmad/agents/core/shared_context.json', 'problem', 'invalid-json'],
      ['bmad/agents/dev/shared_context.json', 'ok', undefined],
      ['bmad/agents/gone/shared_context.json', 'problem', 'deleted'],
      ['bmad/agents/qa/shared_context.json', 'ok', undefined],
    ]);
  });

  it('checks a named file without a config, and reports an edit made outside prevention as a warning', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    expect((await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'test'])).code).toBe(0);
    await project.write('shared_context.json', JSON.stringify({ version: 1, events: [] }));
    const edited = await project.run(['check']);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/warning\s+changed outside prevention/);
    const json = await project.run(['check', '--json']);
    expect((JSON.parse(json.stdout) as { files: Array<{ findings: unknown[] }> }).files[0]!.findings).toEqual([
      { kind: 'modified', severity: 'warn', message: expect.stringContaining('changed outside prevention') },
    ]);

    await project.write('plain.json', '[1, 2');
    const named = await project.run(['check', 'plain.json']);
    expect(named.code).toBe(1);
    expect(named.stdout).toMatch(/plain\.json\s+PROBLEM\s+invalid JSON at byte 5/);
  });
});
