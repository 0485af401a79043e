import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../__tests__/cli-harness.js';

describe('prevention serve', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
    await project.write('prevention.config.json', JSON.stringify({ files: [{ path: 'ctx.json' }] }));
  });
  afterEach(() => project.remove());

  it('refuses TCP without a bearer token: exit 2, nothing started', async () => {
    const result = await project.run(['serve', '--port', '0'], { env: { PREVENTION_SERVE_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('serving on TCP needs a bearer token');
    expect(result.stderr).toContain('PREVENTION_SERVE_TOKEN');
  });

  it('takes the token from --token-file, logs where it listens and never the token, and stops on SIGTERM', async () => {
    const secret = 'token-from-file-8d2e';
    await project.write('token', `${secret}\n`);
    const running = project.start(['serve', '--port', '0', '--token-file', 'token']);
    await running.waitFor('prevention serve is listening');
    const line = JSON.parse(running.stdout().split('\n').find((l) => l.includes('is listening'))!) as { port: number; socket: string; host: string };
    expect(line).toMatchObject({ host: '127.0.0.1', socket: project.file('.prevention/prevention.sock') });
    const answer = await fetch(`http://127.0.0.1:${line.port}/v1/health`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(answer.status).toBe(200);
    running.child.kill('SIGTERM');
    const result = await running.exited;
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});
