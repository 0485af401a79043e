import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs } from '@prevention/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTarballs, packAll, userEnv } from '../../scripts/pack.mjs';

/**
 * What a user does with the README's Install section: `npm run pack`'s tarballs (scripts/pack.mjs)
 * installed with npm into an empty project outside this repository (third-party dependencies
 * from the registry, or npm's cache), then the installed `prevention` binary run there. No
 * workspace link and no `typescript` can help: the project has neither.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...userEnv(), NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the packed packages, installed into an empty project', () => {
  // One install serves every test: the directory lives until the last one.
  const dirs = new TempDirs();
  let root: string;
  let app: string;
  let tarballs: string[];
  const prevention = (...args: string[]): Promise<Run> => run(path.join(app, 'node_modules', '.bin', 'prevention'), args, app);

  beforeAll(async () => {
    root = await dirs.make('prevention-packed-');
    app = path.join(root, 'app');
    tarballs = packAll(path.join(root, 'tarballs'));
    const installed = await installTarballs(app, tarballs);
    expect(installed.code, installed.stderr).toBe(0);
  }, 300_000);

  afterAll(() => dirs.removeAll());

  it('lies outside the repository and has no typescript to fall back on', () => {
    expect(path.relative(repo, app).startsWith('..')).toBe(true);
    expect(() => createRequire(path.join(app, 'package.json')).resolve('typescript')).toThrow();
    expect(existsSync(path.join(app, 'node_modules', '@prevention', 'core', 'package.json'))).toBe(true);
  });

  it('ships in each tarball only what a user needs: dist, bin, README, LICENSE, package.json', async () => {
    expect(tarballs.map((file) => path.basename(file)).sort()).toEqual([
      'prevention-cli-0.1.0.tgz',
      'prevention-client-0.1.0.tgz',
      'prevention-core-0.1.0.tgz',
      'prevention-plugin-alerts-0.1.0.tgz',
      'prevention-plugin-backup-0.1.0.tgz',
      'prevention-plugin-monitor-0.1.0.tgz',
      'prevention-serve-0.1.0.tgz',
      'prevention-store-postgres-0.1.0.tgz',
    ]);
    for (const tarball of tarballs) {
      const listed = await run('tar', ['-tzf', tarball], root);
      const files = listed.stdout.trim().split('\n').map((entry) => entry.replace(/^package\//, ''));
      expect(files, tarball).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
      const unexpected = files.filter((file) => !/^(package\.json|README\.md|LICENSE|bin\/[\w-]+\.js|dist\/.+\.(js|d\.ts))$/.test(file) || /\.test\.|__tests__|\.tsbuildinfo/.test(file));
      expect(unexpected, tarball).toEqual([]);
    }
  });

  it('runs init (a .ts config), check, publish, events and monitor --once with the installed binary', async () => {
    const init = await prevention('init');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('created prevention.config.ts');

    const fresh = await prevention('check');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/shared_context\.json\s/);

    for (const n of [1, 2]) {
      const published = await prevention('publish', 'shared_context.json', '--type', 'task.created', '--source', 'planner', '--payload', JSON.stringify({ n }));
      expect(published.code, published.stderr).toBe(0);
    }
    const file = path.join(app, 'shared_context.json');
    const document = JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ seq: number; type: string; payload: unknown }> };
    expect(document.events.map((e) => [e.seq, e.type, e.payload])).toEqual([
      [1, 'task.created', { n: 1 }],
      [2, 'task.created', { n: 2 }],
    ]);

    const checked = await prevention('check', '--json');
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, files: [{ file, status: 'ok' }] });

    const events = await prevention('events', 'shared_context.json', '--json');
    expect(events.code, events.stderr).toBe(0);
    expect(events.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2]);

    const intact = await prevention('monitor', '--once');
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);

    // Damage the file as a crashed script would: the monitor's pass repairs it from the backups.
    await writeFile(file, '{"events": [');
    const repairing = await prevention('monitor', '--once');
    expect(repairing.code).toBe(1);
    expect(repairing.stdout).toContain('check pass found problems');
    const repaired = JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ seq: number }> };
    expect(repaired.events.map((e) => e.seq)).toEqual([1, 2]);
    const after = await prevention('check');
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it('runs prevention serve with the installed binary, and the installed client publishes through it', async () => {
    // The project of the test before: the config `init` wrote, with its plugins.
    const server = spawn(path.join(app, 'node_modules', '.bin', 'prevention'), ['serve'], { cwd: app, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let seq = 0;
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      while (!output.includes('prevention serve is listening')) {
        if (server.exitCode !== null) throw new Error(`prevention serve exited: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const script = "import { connect } from '@prevention/client'; const c = await connect({ autoStart: false }); const e = await c.bus('shared_context.json').publish({ type: 'hello', source: 'installed' }); console.log(e.seq); await c.close();";
      const published = await run(process.execPath, ['--input-type=module', '-e', script], app);
      expect(published.code, published.stderr).toBe(0);
      seq = Number(published.stdout.trim());
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
    const events = (JSON.parse(await readFile(path.join(app, 'shared_context.json'), 'utf8')) as { events: Array<{ seq: number; type: string }> }).events;
    expect(events.at(-1)).toMatchObject({ seq, type: 'hello' });
    expect(seq).toBeGreaterThan(0);
  });
});
