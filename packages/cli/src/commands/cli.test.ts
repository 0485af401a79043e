import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../__tests__/cli-harness.js';
import { createProgram } from '../program.js';

const COMMANDS = ['init', 'check', 'publish', 'events', 'backups', 'restore', 'prune', 'monitor', 'serve', 'status', 'demo'];

describe('prevention (the program)', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject();
  });
  afterAll(() => project.remove());

  it('lists every command in --help, with examples, and exits 0', async () => {
    const result = await project.run(['--help']);
    expect(result.code).toBe(0);
    for (const name of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(result.stdout).toContain('Examples:');
  });

  it('shows a command\'s help with examples', async () => {
    const result = await project.run(['check', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: prevention check/);
    expect(result.stdout).toMatch(/Examples:\n {2}\$ prevention check/);
  });

  // The same help text for every command, rendered in-process to spare a process per command.
  it.each(COMMANDS)('%s --help has examples', (name) => {
    const command = createProgram().commands.find((c) => c.name() === name)!;
    let help = '';
    command.configureOutput({ writeOut: (text) => (help += text) });
    command.outputHelp();
    expect(help).toMatch(new RegExp(`Usage: prevention ${name}`));
    expect(help).toMatch(/Examples:\n {2}\$ prevention /);
  });

  it('exits 2 on an unknown option, pointing at --help, without a stack trace', async () => {
    const result = await project.run(['check', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stderr).toContain('--help');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an option value out of range, with a hint about the option rather than the config', async () => {
    for (const port of ['99999', '-1', 'abc']) {
      const result = await project.run(['monitor', '--port', port]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`option '--port <port>' argument '${port}' is invalid. expected a TCP port from 0 to 65535`);
      expect(result.stderr).toContain('(add --help for usage and examples)');
      expect(result.stderr).not.toContain('prevention init');
    }
  });

  it('exits 2 on an unknown command', async () => {
    const result = await project.run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('colours nothing when stdout and stderr are not terminals, even without NO_COLOR', async () => {
    const result = await project.run(['check', 'missing.json'], { env: { NO_COLOR: '' } });
    expect(result.stdout + result.stderr).not.toContain('\u001b[');
  });

  it('prints the version', async () => {
    const result = await project.run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
