import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../__tests__/cli-harness.js';

/**
 * A config that cannot be loaded or used, on the real binary: every failure exits 2 with the
 * real error (at its file:line:column, or naming the setting) and a hint that fits it. "fix the
 * setting named above" is the hint for a bad setting only; a syntax error or a missing package
 * names no setting.
 */
describe('config errors', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.remove());

  const SETTING_HINT = 'fix the setting named above';
  // A `}` where the array needs a `]`: the error is at line 3, column 1 in every syntax.
  const UNCLOSED = 'export default {\n  files: [{ path: "a.json" }\n};\n';

  it('reports a .mjs syntax error with its line, not Node\'s internal require() message, even with --debug', async () => {
    await project.write('prevention.config.mjs', UNCLOSED);
    for (const args of [['check'], ['check', '--debug']]) {
      const result = await project.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`syntax error at ${project.file('prevention.config.mjs')}:3:1: Unexpected token '}'`);
      expect(result.stderr).not.toMatch(/Cannot require\(\) ES Module|race condition/);
      expect(result.stderr).toMatch(/hint: fix the syntax error/);
      expect(result.stderr).not.toContain(SETTING_HINT);
    }
  });

  it('refuses a .ts config with a syntax error (exit 2, its line) instead of accepting it', async () => {
    await project.write('prevention.config.ts', UNCLOSED);
    const result = await project.run(['check', 'a.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`syntax error at ${project.file('prevention.config.ts')}:3:1:`);
    expect(result.stdout).toBe('');

    await project.write('prevention.config.ts', 'const indent: number = ;\nexport default { indent };\n');
    const typed = await project.run(['check', 'a.json']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain(`${project.file('prevention.config.ts')}:1:24:`);
  });

  it('locates syntax errors in .cjs, JSON and YAML configs too', async () => {
    const cases: Array<[string, string, string]> = [
      ['prevention.config.cjs', 'module.exports = {\n  files: [{ path: "a.json" }\n};\n', ':3:1:'],
      ['prevention.config.json', '{\n  "files": [{ "path": "a.json", }]\n}\n', ':2:33:'],
      ['.preventionrc.yaml', 'files:\n  - path: a.json\n   bad: [\n', ':3:4:'],
    ];
    for (const [name, text, position] of cases) {
      const dir = await tempProject();
      try {
        await dir.write(name, text);
        const result = await dir.run(['check', 'a.json']);
        expect(result.code, name).toBe(2);
        expect(result.stderr, name).toContain(`syntax error at ${dir.file(name)}${position}`);
        expect(result.stderr, name).not.toContain(SETTING_HINT);
      } finally {
        await dir.remove();
      }
    }
  });

  it('names a package the config imports that is not installed, and says to install it', async () => {
    for (const name of ['prevention.config.mjs', 'prevention.config.ts']) {
      await project.write(name, 'import extra from "@prevention/not-installed";\nexport default { plugins: [extra()] };\n');
      const result = await project.run(['check', 'a.json']);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toContain(`the config ${project.file(name)} imports "@prevention/not-installed", which is not installed`);
      expect(result.stderr, name).toContain('hint: install it (npm install @prevention/not-installed)');
      expect(result.stderr, name).not.toContain(SETTING_HINT);
      await rm(project.file(name));
    }
  });

  it('reports an exception thrown while the config loads, at its line', async () => {
    await project.write('prevention.config.mjs', 'const settings = undefined;\nexport default { indent: settings.indent };\n');
    const result = await project.run(['check', 'a.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`loading the config ${project.file('prevention.config.mjs')}:2:35 threw TypeError: Cannot read properties of undefined`);
    expect(result.stderr).not.toContain(SETTING_HINT);
  });

  it('keeps "fix the setting named above" for a setting that is wrong', async () => {
    await project.write('prevention.config.mjs', 'export default { indent: "wide" };\n');
    const result = await project.run(['check', 'a.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"indent" must be an integer (got "wide")');
    expect(result.stderr).toContain(SETTING_HINT);
  });

  it('suggests the key an unknown one most likely meant', async () => {
    await project.write('prevention.config.json', JSON.stringify({ files: [{ path: 'shared_context.json', shema: './schemas/shared-context.json' }] }));
    const result = await project.run(['check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown key "files[0].shema" (did you mean "schema"?)');
  });

  it('names the setting of a schema file that does not exist, and mentions --config only when it was given', async () => {
    await project.write('prevention.config.json', JSON.stringify({ files: [{ path: 'shared_context.json' }, { path: 'shared_context.json', schema: './schemas/nope.json' }] }));
    const result = await project.run(['check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`files[1].schema in ${project.file('prevention.config.json')}: the schema file ${project.file('schemas/nope.json')} does not exist`);
    expect(result.stderr).toContain('hint: check `files[1].schema` in the config: a schema path is relative to the config file');
    expect(result.stderr).not.toContain('--config');

    const named = await project.run(['--config', 'nope.mjs', 'check']);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`the config file ${project.file('nope.mjs')} does not exist`);
    expect(named.stderr).toContain('hint: check the path given to --config');
  });
});
