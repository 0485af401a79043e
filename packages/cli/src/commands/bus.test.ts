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
