import { spawn } from 'node:child_process';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { engineOp, startDaemon, startServingDaemon, startWriter, tempDir, writeProject, type Daemon } from './__tests__/project.js';
import { parsePrometheusText, total } from './__tests__/prometheus-text.js';

const here = path.dirname(fileURLToPath(import.meta.url));

let daemon: Daemon | undefined;
afterEach(() => {  daemon?.child.kill('SIGKILL');
  daemon = undefined;
});

async function metrics(base: string) {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheusText(await response.text());
}

describe('the monitor daemon', () => {
  it('raises no false alarm over 1,000 engine commits from another process', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: ['shared.json'] });
    const file = path.join(dir, 'shared.json');
    const served = await startServingDaemon(dir);
    daemon = served.daemon;
    const writer = await startWriter(dir, file, 4, 0);
    const validations = async () => total(await metrics(served.base), 'prevention_monitor_validations_total');
    // Keep writing until both hold: 1,000 commits, and the monitor has looked at the file often while
    // they landed (how many checks fit in a given stretch of writes depends on the machine's load).
    await expect.poll(() => writer.acked.size, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(1_000);
    await expect.poll(validations, { timeout: 120_000, interval: 100 }).toBeGreaterThan(100);
    await writer.stop();
    // The monitor checks the final state too (the next scheduled pass at the latest) before the verdict.
    const atStop = await validations();
    await expect.poll(validations, { timeout: 30_000, interval: 100 }).toBeGreaterThan(atStop);
    const samples = await metrics(served.base);
    const refuted = total(samples, 'prevention_monitor_refuted_sightings_total');
    console.log(`${writer.acked.size} commits: ${total(samples, 'prevention_monitor_validations_total')} checks, ${refuted} sightings of a commit in flight refuted under the lock, 0 alarms`);
    expect(writer.refused).toBe(0);
    expect(total(samples, 'prevention_monitor_corruptions_detected_total')).toBe(0);
    expect(daemon.lines.filter((l) => typeof l.kind === 'string')).toEqual([]);
  });

  it('serves Prometheus metrics that move with damage, and /readyz is 503 until a corrupt file is repaired', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: ['a.json', { path: 'b.json', onOutsideWrite: 'alert-only' }] });
    await engineOp(dir, 'append', 'a.json', 'a1');
    await engineOp(dir, 'append', 'b.json', 'b1');
    const served = await startServingDaemon(dir);
    daemon = served.daemon;
    expect((await fetch(`${served.base}/livez`)).status).toBe(200);
    expect((await fetch(`${served.base}/readyz`)).status).toBe(200);
    const before = await metrics(served.base);
    expect(total(before, 'prevention_last_commit_age_seconds', { file: path.join(dir, 'a.json') })).toBeGreaterThanOrEqual(0);

    // Under `restore`, the damage is repaired and the counters move.
    await writeFile(path.join(dir, 'a.json'), '{"events": [');
    await daemon.waitFor((l) => l.msg === 'repaired');
    const after = await metrics(served.base);
    expect(total(after, 'prevention_monitor_corruptions_detected_total', { kind: 'invalid-json' })).toBe(total(before, 'prevention_monitor_corruptions_detected_total', { kind: 'invalid-json' }) + 1);
    expect(total(after, 'prevention_restores_total')).toBe(total(before, 'prevention_restores_total') + 1);
    expect(total(after, 'prevention_monitor_restore_duration_seconds_count')).toBe(1);
    expect(total(after, 'prevention_alerts_raised_total', { event: 'corruption:detected' })).toBe(1);
    expect(total(after, 'prevention_monitor_validations_total')).toBeGreaterThan(total(before, 'prevention_monitor_validations_total'));

    // Under `alert-only`, the file stays corrupt: not ready until someone restores it.
    await writeFile(path.join(dir, 'b.json'), '\u0000\u0000\u0000');
    await expect.poll(async () => (await fetch(`${served.base}/readyz`)).status, { timeout: 5_000 }).toBe(503);
    expect(await (await fetch(`${served.base}/readyz`)).json()).toEqual({ ready: false, corrupt: [path.join(dir, 'b.json')] });
    await engineOp(dir, 'restore', 'b.json');
    await expect.poll(async () => (await fetch(`${served.base}/readyz`)).status, { timeout: 5_000 }).toBe(200);
    expect(total(await metrics(served.base), 'prevention_monitor_file_corrupt', { file: path.join(dir, 'b.json') })).toBe(0);
  });

  it('accepts a valid outside write as the baseline under `accept`, and rolls it back under `restore`', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: [{ path: 'accepted.json', onOutsideWrite: 'accept' }, 'restored.json'] });
    for (const name of ['accepted.json', 'restored.json']) await engineOp(dir, 'append', name, 'committed');
    daemon = (await startServingDaemon(dir)).daemon;
    const outside = JSON.stringify({ events: [{ id: 'committed' }, { id: 'from-python' }] });
    await writeFile(path.join(dir, 'accepted.json'), outside);
    await writeFile(path.join(dir, 'restored.json'), outside);
    const accepted = await daemon.waitFor((l) => l.msg === 'repaired' && l.action === 'accept');
    const restored = await daemon.waitFor((l) => l.msg === 'repaired' && l.action === 'restore');
    expect([accepted.kind, restored.kind]).toEqual(['modified', 'modified']);
    expect(JSON.parse(await readFile(path.join(dir, 'accepted.json'), 'utf8'))).toEqual(JSON.parse(outside));
    expect(JSON.parse(await readFile(path.join(dir, 'restored.json'), 'utf8'))).toEqual({ events: [{ id: 'committed' }] });
    // The accepted version is the new baseline: journaled, so later checks and commits build on it.
    await engineOp(dir, 'append', 'accepted.json', 'next');
    expect((JSON.parse(await readFile(path.join(dir, 'accepted.json'), 'utf8')) as { events: Array<{ id: string }> }).events.map((x) => x.id)).toEqual(['committed', 'from-python', 'next']);
    // Only the rolled-back write was reported as corruption.
    expect(daemon.lines.filter((l) => l.level === 40 && l.kind === 'modified').map((l) => path.basename(String(l.file))).sort()).toEqual(['accepted.json', 'restored.json']);
  });

  it('puts back permissions changed from outside', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: ['a.json'] });
    await engineOp(dir, 'append', 'a.json', 'x');
    const mode = (await stat(path.join(dir, 'a.json'))).mode & 0o777;
    daemon = (await startServingDaemon(dir)).daemon;
    await chmod(path.join(dir, 'a.json'), 0o666);
    const line = await daemon.waitFor((l) => l.msg === 'repaired');
    expect([line.kind, line.action]).toEqual(['mode-changed', 'chmod']);
    expect((await stat(path.join(dir, 'a.json'))).mode & 0o777).toBe(mode);
  });

  it('cleans a lock left by a SIGKILLed holder in its health check, and reports it', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: ['a.json'], lock: { staleMs: 2_000 }, monitor: `monitor({ healthEvery: '250ms' })` });
    await engineOp(dir, 'append', 'a.json', 'x');
    const served = await startServingDaemon(dir);
    daemon = served.daemon;
    const holder = spawn(process.execPath, [path.join(here, '__tests__/fixtures/hold-lock.mjs'), dir, path.join(dir, 'a.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('holding') && resolve()));
    holder.kill('SIGKILL');
    const lockPath = path.join(dir, 'a.json.lock');
    expect((await stat(lockPath)).isDirectory()).toBe(true);
    const report = await daemon.waitFor((l) => l.check === 'stale-lock' && l.status === 'warn', 10_000);
    expect(report.msg).toMatch(/removed a stale lock/);
    await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(total(await metrics(served.base), 'prevention_alerts_raised_total', { event: 'lock:stale-recovered' })).toBe(1);
  });

  it('puts no byte of a damaged 0600 file in its log, alerts or spool: position and reason only', async () => {
    const dir = await tempDir();
    await writeProject(dir, {
      files: ['secrets.json'],
      prelude: `const hanging = { name: 'hanging', send: () => new Promise(() => {}), close: async () => {} };`,
      extraPlugins: [`alerts({ sinks: [fileSink({ path: 'alerts.jsonl' }), hanging], groupWait: 10, closeTimeout: '1s', stateFile: 'alerts-state.json' })`],
    });
    const file = path.join(dir, 'secrets.json');
    // Commits keep the target's mode, so the file stays 0600 through the append and the repairs.
    await writeFile(file, '{"events": []}', { mode: 0o600 });
    await engineOp(dir, 'append', 'secrets.json', 'x');
    daemon = (await startServingDaemon(dir)).daemon;
    // Each damage puts the secret where V8's parse message quotes the bytes around the error.
    const secret = 'sk-live-4f9a2b7c1d';
    for (const damaged of [`{"events": [], "api_key": ${secret}}`, `{"events": [], "api_key": "${secret}"}} ${secret}`]) {
      const from = daemon.lines.length;
      await writeFile(file, damaged);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      await daemon.waitFor((l) => l.msg === 'repaired', 10_000, from);
    }
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    const alertLines = await readFile(path.join(dir, 'alerts.jsonl'), 'utf8');
    const spoolDir = path.join(dir, 'alerts.jsonl.spool');
    const spooled = await Promise.all((await readdir(spoolDir)).map((name) => readFile(path.join(spoolDir, name), 'utf8')));
    // Not vacuous: the damage was reported, by position, in every channel.
    for (const text of [JSON.stringify(daemon.lines), alertLines, spooled.join('')]) expect(text).toMatch(/invalid JSON at byte \d+ \(line 1, column \d+\)/);
    for (const text of [...daemon.lines.map((l) => JSON.stringify(l)), ...alertLines.split('\n'), ...spooled]) {
      for (const fragment of ['sk-live', '4f9a2b7c']) expect(text).not.toContain(fragment);
    }
  });

  it('stops on SIGTERM within 5 s with exit code 0, spooling the alert a hanging sink never took', async () => {
    const dir = await tempDir();
    await writeProject(dir, {
      files: ['a.json'],
      prelude: `const hanging = { name: 'hanging', send: () => new Promise(() => {}), close: async () => {} };`,
      extraPlugins: [`alerts({ sinks: [fileSink({ path: 'alerts.jsonl' }), hanging], groupWait: '1m', closeTimeout: '1s', stateFile: 'alerts-state.json' })`],
    });
    await engineOp(dir, 'append', 'a.json', 'x');
    daemon = (await startServingDaemon(dir)).daemon;
    await writeFile(path.join(dir, 'a.json'), 'garbage');
    await daemon.waitFor((l) => l.msg === 'repaired');
    // The alerts wait in their group (groupWait 1 min): only the stop sends them.
    const stoppedAt = performance.now();
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exited;
    const stopMs = performance.now() - stoppedAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(5_000);
    const spoolDir = path.join(dir, 'alerts.jsonl.spool');
    const spooled = await Promise.all((await readdir(spoolDir)).map(async (name) => JSON.parse(await readFile(path.join(spoolDir, name), 'utf8')) as { sink: string; alerts: Array<{ name: string }> }));
    const forHanging = spooled.filter((entry) => entry.sink === 'hanging').flatMap((entry) => entry.alerts.map((a) => a.name));
    // What the healthy sink received at the stop, the hanging one has in the spool.
    expect(forHanging).toContain('file-restored');
    expect(await readFile(path.join(dir, 'alerts.jsonl'), 'utf8')).toContain('file-restored');
    console.log(`SIGTERM → exit 0 in ${stopMs.toFixed(0)} ms; ${forHanging.length} alert(s) for the hanging sink spooled`);
  });

  it('--once checks and repairs every file once and exits 0 when all is well, 1 when it found damage', async () => {
    const dir = await tempDir();
    await writeProject(dir, { files: ['a.json'] });
    await engineOp(dir, 'append', 'a.json', 'x');
    const clean = startDaemon(dir, ['--once']);
    expect((await clean.exited).code).toBe(0);
    await writeFile(path.join(dir, 'a.json'), '{"events": [{"id": "x"}');
    const damaged = startDaemon(dir, ['--once']);
    expect((await damaged.exited).code).toBe(1);
    expect(damaged.messages('repaired')).toHaveLength(1);
    expect(JSON.parse(await readFile(path.join(dir, 'a.json'), 'utf8'))).toEqual({ events: [{ id: 'x' }] });
    // Nothing is listening or watching: the pass is done.
    expect(damaged.messages('monitoring')).toEqual([]);
  });
});
