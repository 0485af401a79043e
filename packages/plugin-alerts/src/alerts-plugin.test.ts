import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, definePlugin, type Alert, type AlertSink, type EngineApi } from '@prevention/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HangingSink, RecordingSink, tempDir, waitFor } from './__tests__/helpers.js';
import alerts, { defineRule, fileSink, type AlertsOptions } from './index.js';
import { ALERTS_SERVICE } from './alerts-token.js';
import { eventInjector } from '@prevention/core/testing';

/** A plugin that raises a distinct failing health check after every commit, so every write feeds the alert path. */
const healthAfterEachCommit = definePlugin({
  name: 'health-after-each-commit',
  register(api) {
    let n = 0;
    api.on('commit', ({ file }) => api.emit('health', { check: `check-${n++}`, status: 'fail', message: 'failing', file }));
  },
});

/** An engine whose `data.json` must hold `n`, alerting through `options`. */
function schemaEngine(cwd: string, options: AlertsOptions): Promise<EngineApi> {
  return createEngine({ cwd, config: false, logger: pino({ level: 'silent' }), files: [{ path: 'data.json', schema: { type: 'object', required: ['n'] } }], plugins: [alerts(options)] });
}

async function engineWith(cwd: string, sink: AlertSink): Promise<EngineApi> {
  return createEngine({
    cwd,
    config: false,
    logger: pino({ level: 'silent' }),
    plugins: [
      // One group per check, so every write makes a notification of its own.
      alerts({ sinks: [fileSink({ path: 'alerts.jsonl' }), sink], groupBy: ['check'], groupWait: 0, groupInterval: 10, sendTimeout: '1h', closeTimeout: 100 }),
      healthAfterEachCommit(),
    ],
  });
}

async function writeLatencies(engine: EngineApi, count: number): Promise<number[]> {
  for (let i = 0; i < 5; i++) await engine.write('data.json', { warmup: i });
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await engine.write('data.json', { n: i });
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

const median = (sorted: number[]): number => sorted[Math.floor(sorted.length / 2)]!;

describe('alerts plugin', () => {
  it('does not delay writes when a sink hangs forever', async () => {
    const baselineDir = await tempDir();
    const baseline = await engineWith(baselineDir, new RecordingSink('other'));
    const without = await writeLatencies(baseline, 40);
    await baseline.close();

    const cwd = await tempDir();
    const hanging = new HangingSink('other');
    const engine = await engineWith(cwd, hanging);
    const withHanging = await writeLatencies(engine, 40);
    // Every write raised an alert of its own: the hanging sink holds the first, the others wait
    // in its queue, and closing abandons them to the spool, promptly.
    expect(hanging.calls).toBe(1);
    const closing = performance.now();
    await engine.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
    expect((await readdir(path.join(cwd, 'alerts.jsonl.spool'))).length).toBeGreaterThanOrEqual(40);

    console.info(`write latency median/p90 (ms): without ${median(without).toFixed(2)}/${without[36]!.toFixed(2)}, with a hanging sink ${median(withHanging).toFixed(2)}/${withHanging[36]!.toFixed(2)}`);
    expect(median(withHanging)).toBeLessThan(median(without) * 3 + 5);
  });

  it('turns engine events into alerts with the default rules, and resolves them', async () => {
    const cwd = await tempDir();
    const recording = new RecordingSink('recording');
    const engine = await schemaEngine(cwd, { sinks: [recording], groupWait: 10, groupInterval: 30 });
    try {
      await expect(engine.write('data.json', { wrong: true })).rejects.toMatchObject({ code: 'PREVENTION_VALIDATION_FAILED' });
      await waitFor(() => recording.notifications.flat().some((a) => a.name === 'validation-failed'), 2_000, 'the validation alert');
      await engine.write('data.json', { n: 1 });
      await waitFor(() => recording.notifications.flat().some((a) => a.name === 'validation-failed' && a.status === 'resolved'), 2_000, 'its resolution');
      const file = path.join(cwd, 'data.json');
      expect(recording.notifications.flat().find((a) => a.name === 'validation-failed')).toMatchObject({ severity: 'warning', labels: { file } });
      // With no file sink configured, one is added as the fallback and the spool's home.
      expect(Object.keys(await engine.service(ALERTS_SERVICE)!.health())).toEqual(['recording', 'file']);
    } finally {
      await engine.close();
    }
    const fallback = (await readFile(path.join(cwd, '.prevention/alerts.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Alert);
    expect(fallback.map((a) => `${a.name}:${a.status}`)).toEqual(expect.arrayContaining(['validation-failed:firing', 'validation-failed:resolved']));
  });

  it('lets a rule in the options replace a default rule', async () => {
    const cwd = await tempDir();
    const recording = new RecordingSink('recording');
    const engine = await schemaEngine(cwd, {
      sinks: [recording],
      groupWait: 10,
      rules: [defineRule({ id: 'validate-failed', event: 'validate:failed', map: ({ file }) => ({ name: 'schema-violation', severity: 'critical', labels: { file }, summary: 'refused' }) })],
    });
    try {
      await expect(engine.write('data.json', { wrong: true })).rejects.toMatchObject({ code: 'PREVENTION_VALIDATION_FAILED' });
      await waitFor(() => recording.notifications.flat().some((a) => a.name === 'schema-violation'), 2_000, 'the replaced rule');
      expect(recording.notifications.flat().some((a) => a.name === 'validation-failed')).toBe(false);
    } finally {
      await engine.close();
    }
  });

  /** The alerts plugin with a recording sink, on events the test emits as a plugin would. */
  async function alertsOnInjectedEvents() {
    const cwd = await tempDir();
    const recording = new RecordingSink('recording');
    const events = eventInjector();
    const engine = await createEngine({ cwd, config: false, logger: pino({ level: 'silent' }), plugins: [alerts({ sinks: [recording], groupWait: 10, groupInterval: 30 }), events.plugin] });
    return { recording, events, engine, file: path.join(cwd, 'shared.json') };
  }

  it('resolves a corruption alert when the monitor reports it ended without a restore', async () => {
    const { recording, events, engine, file } = await alertsOnInjectedEvents();
    try {
      events.emit('corruption:detected', { file, kind: 'mode-changed', message: 'the mode changed' });
      await waitFor(() => recording.notifications.length === 1, 2_000, 'the corruption alert');
      events.emit('corruption:resolved', { file, summary: `${file} is intact again` });
      await waitFor(() => recording.notifications.length === 2, 2_000, 'the resolution');
    } finally {
      await engine.close();
    }
    expect(recording.notifications[1]).toEqual([expect.objectContaining({ name: 'corruption-detected', status: 'resolved', summary: `${file} is intact again` })]);
  });

  it('resolves a corruption alert when the file is restored, and mutes the file’s warnings meanwhile', async () => {
    const { recording, events, engine, file } = await alertsOnInjectedEvents();
    try {
      events.emit('corruption:detected', { file, kind: 'truncated', message: 'unexpected end of JSON' });
      events.emit('lock:stale-recovered', { file, lockPath: `${file}.lock`, ageMs: 12_000 });
      await waitFor(() => recording.notifications.length === 1, 2_000, 'the corruption alert');
      events.emit('restore:completed', { file, strategy: 'rotating', backupId: '3', sha256: 'abc' });
      await waitFor(() => recording.notifications.flat().some((a) => a.name === 'corruption-detected' && a.status === 'resolved'), 2_000, 'the resolution');
      await waitFor(() => recording.notifications.flat().some((a) => a.name === 'file-restored'), 2_000, 'the restore notice');
    } finally {
      await engine.close();
    }
    const sent = recording.notifications.map((n) => n.map((a) => `${a.name}:${a.status}`).sort().join(' '));
    // The stale-lock warning stayed muted while the file was corrupt; once restored it is news.
    expect(sent[0]).toBe('corruption-detected:firing');
    expect(sent.slice(1).sort()).toEqual(['corruption-detected:resolved', 'file-restored:firing', 'lock-stale-recovered:firing']);
  });

  it('says why a file was restored in the restore notice, so a corruption repaired before its group was sent is still explained', async () => {
    const { recording, events, engine, file } = await alertsOnInjectedEvents();
    try {
      // Repaired within the group's wait: the corruption alert resolves before any sink hears of it.
      events.emit('corruption:detected', { file, kind: 'invalid-json', message: 'invalid JSON at byte 14 (line 1, column 15)' });
      events.emit('restore:completed', { file, strategy: 'rotating', backupId: '3', sha256: 'abc', reason: 'invalid JSON at byte 14 (line 1, column 15)' });
      await waitFor(() => recording.notifications.flat().some((a) => a.name === 'file-restored'), 2_000, 'the restore notice');
    } finally {
      await engine.close();
    }
    const restored = recording.notifications.flat().find((a) => a.name === 'file-restored');
    expect(restored?.summary).toBe(`${file} was restored from backup 3 (rotating): invalid JSON at byte 14 (line 1, column 15)`);
    expect(restored?.details).toMatchObject({ reason: 'invalid JSON at byte 14 (line 1, column 15)' });
  });

  it('warns when an outside write was adopted, saying how many acknowledged events it dropped', async () => {
    const { recording, events, engine, file } = await alertsOnInjectedEvents();
    try {
      events.emit('outside-write:accepted', { file, sha256: 'new', lastCommitSha256: 'old', dropped: { count: 2, ids: ['e2', 'e3'] } });
      await waitFor(() => recording.notifications.length === 1, 2_000, 'the outside-write alert');
    } finally {
      await engine.close();
    }
    const [alert] = recording.notifications[0]!;
    expect(alert).toMatchObject({ name: 'outside-write-accepted', severity: 'warning', labels: { file }, details: { dropped: { count: 2, ids: ['e2', 'e3'] } } });
    expect(alert!.summary).toContain('2 acknowledged events of the last commit are no longer in it');
  });

  it('refuses a sink that is neither a definition nor an AlertSink, naming it', async () => {
    const cwd = await tempDir();
    // The engine reports a plugin's typed error as is, or wrapped in PLUGIN_FAILED.
    await expect(
      createEngine({ cwd, config: false, logger: pino({ level: 'silent' }), plugins: [alerts({ sinks: [{ name: 'nope' } as unknown as AlertSink] })] }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^PREVENTION_(CONFIG_INVALID|PLUGIN_FAILED)$/), message: expect.stringContaining('sinks[0]') });
  });
});
