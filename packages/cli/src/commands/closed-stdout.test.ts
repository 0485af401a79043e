import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';

// `prevention events … | head -1`: the reader goes away while results are still being written.
describe('a closed stdout', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject();
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
    for (const type of ['first', 'second']) expect((await project.run(['publish', 'shared_context.json', '-t', type, '-s', 'test'])).code).toBe(0);
  });
  afterAll(() => project.remove());

  it.each([
    ['events', 'shared_context.json'],
    ['events', 'shared_context.json', '--json'],
    ['events', 'shared_context.json', '--follow'],
    ['status'],
    ['check', '--json'],
  ].map((args) => [args.join(' '), args] as const))('ends `%s` quietly with exit 0, as ripgrep does', async (_name, args) => {
    const result = await project.run(args, { closeStdout: true });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result).toMatchObject({ code: 0, signal: null });
  });
});
