import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from './__tests__/project.js';

/** Runs `prevention-monitor ...args` to its end. */
function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the prevention-monitor binary', () => {
  it('prints its usage for --help and -h, and exits 0', async () => {
    const dir = await tempDir();
    for (const flag of ['--help', '-h']) {
      const result = await run([flag], dir);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: prevention-monitor \[options\]/);
      for (const option of ['--once', '--port <port>', '--host <address>', '--config <file>', '--cwd <dir>', '--help']) expect(result.stdout).toContain(option);
      expect(result.stdout).toContain('9477');
      expect(result.stderr).toBe('');
    }
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--port'], "option '--port <port>' needs a value"],
    [['--port', '99999'], "option '--port <port>' must be a TCP port from 0 to 65535, got \"99999\""],
    [['--port', 'abc'], "option '--port <port>' must be a TCP port from 0 to 65535, got \"abc\""],
    [['extra'], "unexpected argument 'extra'"],
  ])('refuses %j with one line, a pointer to --help and exit 2, without a stack trace', async (args, message) => {
    const result = await run(args, await tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`prevention-monitor: ${message}\n(see prevention-monitor --help)\n`);
    expect(result.stdout).toBe('');
  });
});
