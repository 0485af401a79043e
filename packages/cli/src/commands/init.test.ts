import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sharedContextSchema } from '@prevention/core';
import { tempProject, type TempProject } from '../__tests__/cli-harness.js';

describe('prevention init', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.remove());

  it('writes a commented TypeScript config and the shared context schema that the other commands load', async () => {
    const result = await project.run(['init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('created prevention.config.ts');
    const config = await readFile(project.file('prevention.config.ts'), 'utf8');
    expect(config).toContain("path: \"shared_context.json\"");
    expect(config).toMatch(/^ {2}\/\/ /m);
    expect(JSON.parse(await readFile(project.file('schemas/shared-context.json'), 'utf8'))).toEqual(sharedContextSchema);

    const published = await project.run(['publish', 'shared_context.json', '--type', 'hello', '--source', 'test']);
    expect(published.code).toBe(0);
    const checked = await project.run(['check']);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/shared_context\.json\s+ok/);
  });

  it('refuses to overwrite without --force, and exits 1 with a hint', async () => {
    expect((await project.run(['init', '--format', 'mjs', '--file', 'ctx.json'])).code).toBe(0);
    await project.write('prevention.config.mjs', '// mine\n');
    const again = await project.run(['init', '--format', 'mjs']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exist');
    expect(again.stderr).toContain('--force');
    expect(await readFile(project.file('prevention.config.mjs'), 'utf8')).toBe('// mine\n');

    const forced = await project.run(['init', '--format', 'mjs', '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(project.file('prevention.config.mjs'), 'utf8')).toContain('defineConfig');
  });
});
