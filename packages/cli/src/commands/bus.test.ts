import { access, readFile, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';

describe('prevention publish and events', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
  });
  afterEach(() => project.remove());

  it('publishes events (inline, from a file, from stdin) and lists them, filtered, as text or JSON lines', async () => {
    const first = await project.run(['publish', 'shared_context.json', '--type', 'task.created', '--source', 'planner', '--payload', '{"id":7}']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^published task\.created as seq 1 \(id [0-9a-f-]{36}\)\n$/);
    await project.write('payload.json', '{"ok":true}');
    expect((await project.run(['publish', 'shared_context.json', '-t', 'report', '-s', 'ci', '--payload-file', 'payload.json'])).code).toBe(0);
    const fromStdin = await project.run(['publish', 'shared_context.json', '-t', 'check', '-s', 'cron', '--payload-file', '-', '--json'], { input: '[1,2]' });
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ seq: 3, type: 'check', source: 'cron', payload: [1, 2] });

    const all = await project.run(['events', 'shared_context.json']);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n').map((line) => line.split('\t'))).toEqual([
      ['1', expect.any(String), 'planner', 'task.created', '{"id":7}'],
      ['2', expect.any(String), 'ci', 'report', '{"ok":true}'],
      ['3', expect.any(String), 'cron', 'check', '[1,2]'],
    ]);
    const filtered = await project.run(['events', 'shared_context.json', '--since', '1', '--type', 'check', '--json']);
    expect(filtered.stdout.trim().split('\n').map((line) => JSON.parse(line) as { seq: number })).toMatchObject([{ seq: 3 }]);
  });

  it('--format stores the event in the shape asked for, and refuses an unknown one', async () => {
    expect((await project.run(['publish', 'shared_context.json', '-t', 'legacy', '-s', 'agent', '--payload', '{"n":1}', '--format', 'legacy-event'])).code).toBe(0);
    const stored = (JSON.parse(await readFile(project.file('shared_context.json'), 'utf8')) as { events: Array<Record<string, unknown>> }).events;
    expect(stored[0]).toMatchObject({ event: 'legacy', data: { n: 1 } });
    expect(stored[0]).not.toHaveProperty('type');
    const bad = await project.run(['publish', 'shared_context.json', '-t', 'x', '-s', 'y', '--format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('yaml');
  });

  it('exits 2 on a payload that is not JSON, and 1 on a refused publish, committing nothing', async () => {
    const bad = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload', '{nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not valid JSON');
    expect(bad.stderr).toContain('hint:');
    const missing = await project.run(['publish', 'shared_context.json', '-s', 'b']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '-t, --type <type>'");
    await project.write('shared_context.json', JSON.stringify({ version: 1, events: {} }));
    const refused = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: .*PREVENTION_VALIDATION_FAILED/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('locates a payload that is not JSON by byte, line and column, without quoting it', async () => {
    const inline = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload', '{"a": x}']);
    expect(inline.code).toBe(2);
    expect(inline.stderr).toContain('error: the payload from --payload is not valid JSON at byte 6 (line 1, column 7): expected a value');
    const piped = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload-file', '-'], { input: '{\n  "token": sk-live-4f9a2b7c\n}' });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('error: the payload from standard input is not valid JSON at byte 13 (line 2, column 12)');
    for (const fragment of ['sk-live', '4f9a2b7c', 'Unexpected token']) expect(inline.stderr + piped.stderr).not.toContain(fragment);
  });

  it('names the limit a refused payload is over, and the setting that changes it', async () => {
    await project.write('big.json', JSON.stringify({ blob: 'x'.repeat(1024 * 1024) }));
    const big = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload-file', 'big.json']);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('/payload: is 1048587 bytes, over the limit of 1048576 (maxPayloadBytes)');
    expect(big.stderr).toMatch(/hint: an event's payload may be at most 1\.0 MiB \(maxPayloadBytes\).*--max-payload-bytes/);
    expect(big.stderr).not.toContain('schema');
    expect((await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload-file', 'big.json', '--max-payload-bytes', '2000000'])).code).toBe(0);

    await project.write('deep.json', `${'['.repeat(300)}${']'.repeat(300)}`);
    const deep = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload-file', 'deep.json']);
    expect(deep.code).toBe(1);
    expect(deep.stderr).toContain('nesting deeper than the limit of 256 (maxDepth)');
    expect(deep.stderr).toMatch(/hint: .*at most 256 levels.*maxDepth.*config/);

    await project.write('prevention.config.mjs', BACKUP_CONFIG.replace("initial: {", 'maxBytes: 2000000, initial: {'));
    const full = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b', '--payload-file', 'big.json', '--max-payload-bytes', '2000000']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/over the limit of 2000000 \(maxBytes\)/);
    expect(full.stderr).toMatch(/hint: the file may be at most 1\.9 MiB \(maxBytes\)/);
  });

  it('refuses a file no config entry covers, naming the nearest managed one, unless --create', async () => {
    const typo = await project.run(['publish', 'shared_contxt.json', '-t', 'a', '-s', 'b']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      'error: shared_contxt.json is not managed by prevention: no entry of `files` in prevention.config.mjs covers it (did you mean shared_context.json?) [PREVENTION_USAGE]',
    );
    expect(typo.stderr).toMatch(/hint: .*--create/);
    await expect(access(project.file('shared_contxt.json'))).rejects.toThrow();

    const created = await project.run(['publish', 'notes.json', '-t', 'a', '-s', 'b', '--create']);
    expect(created.code).toBe(0);
    expect(JSON.parse(await readFile(project.file('notes.json'), 'utf8'))).toMatchObject({ events: [{ seq: 1, type: 'a' }] });

    await rm(project.file('prevention.config.mjs'));
    const unconfigured = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b']);
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toContain('error: shared_context.json is not managed by prevention: no prevention config found');
    expect(unconfigured.stderr).toMatch(/hint: .*prevention init.*--create/);
  });

  it('refuses to publish into an existing JSON object that is not a shared context, unless --create', async () => {
    await project.write('prevention.config.mjs', BACKUP_CONFIG.replace("files: [{ path: 'shared_context.json',", "files: [{ path: 'state.json' }, { path: 'shared_context.json',"));
    await project.write('state.json', '{"counter": 3}\n');
    const refused = await project.run(['publish', 'state.json', '-t', 'a', '-s', 'b']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: .*state\.json is not a shared context: it is an object without an "events" array/);
    expect(refused.stderr).toMatch(/hint: .*--create/);
    expect(await readFile(project.file('state.json'), 'utf8')).toBe('{"counter": 3}\n');

    const adopted = await project.run(['publish', 'state.json', '-t', 'a', '-s', 'b', '--create']);
    expect(adopted.code).toBe(0);
    expect(JSON.parse(await readFile(project.file('state.json'), 'utf8'))).toMatchObject({ counter: 3, events: [{ seq: 1, type: 'a' }] });
    // A shared context now: no flag needed any more.
    expect((await project.run(['publish', 'state.json', '-t', 'b', '-s', 'b'])).code).toBe(0);
  });

  it('says, when the file itself fails its schema, that fixing the input will not help', async () => {
    // Written before prevention managed it, so adopted as it is: every publish is refused until it is fixed.
    await project.write('shared_context.json', JSON.stringify({ version: 1, events: [{ note: 'from an old script' }] }));
    const refused = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: .*\/events\/0: must have required property .*\[PREVENTION_VALIDATION_FAILED\]/);
    expect(refused.stderr).toMatch(/hint: .*the file itself does not pass \(see `prevention check`\)/);
    expect((await project.run(['check'])).stdout).toMatch(/PROBLEM\s+\/events\/0: must have required property/);
  });

  it('logs a failed repair without a stack trace, unless --debug', async () => {
    await project.write('shared_context.json', '{"a": x}');
    const failed = await project.run(['publish', 'shared_context.json', '-t', 'a', '-s', 'b']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('could not be restored from a backup');
    expect(failed.stderr).toContain('cannot restore');
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    const debug = await project.run(['--debug', 'publish', 'shared_context.json', '-t', 'a', '-s', 'b']);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('--follow prints events another process publishes, and stops cleanly on SIGTERM', async () => {
    expect((await project.run(['publish', 'shared_context.json', '-t', 'before', '-s', 'a'])).code).toBe(0);
    const follower = project.start(['events', 'shared_context.json', '--follow', '--json']);
    await follower.waitFor('"before"');
    await follower.waitFor('following', 'stderr');
    expect((await project.run(['publish', 'shared_context.json', '-t', 'after', '-s', 'b'])).code).toBe(0);
    await follower.waitFor('"after"');
    follower.child.kill('SIGTERM');
    const result = await follower.exited;
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(['before', 'after']);
  });
});
