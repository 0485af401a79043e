import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { NodeFileSystem, type Alert, type AlertSink } from '@prevention/core';
import { ManualClock } from '@prevention/core/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Spool } from '../delivery/spool.js';
import { capturingLogger, HangingSink, HeldSink, RecordingSink, sinkServices, tempDir, waitFor } from '../__tests__/helpers.js';
import { notificationText } from '../sinks/alert-text.js';
import { fileSink } from '../sinks/file-sink.js';
import { AlertRouter, type AlertRouterOptions } from './alert-router.js';

const corrupt = { name: 'corruption-detected', severity: 'critical', labels: { file: '/data/shared.json' }, summary: 'shared.json is corrupt' } as const;

const T0 = Date.parse('2025-08-02T23:19:01Z');

/** A router on a manual clock; every sink in `sinks` gets resolved notices unless `options.sinks` says otherwise. */
function router(stateFile: string, sinks: AlertSink | AlertSink[], options: Partial<AlertRouterOptions> = {}): AlertRouter {
  return new AlertRouter({
    sinks: [sinks].flat().map((sink) => ({ sink, sendResolved: true })),
    fs: new NodeFileSystem(),
    clock: new ManualClock(T0),
    logger: pino({ level: 'silent' }),
    stateFile,
    groupWait: 30,
    groupInterval: 60,
    repeatInterval: '1h',
    ...options,
  });
}

describe('AlertRouter', () => {
  it('tells the sinks when an occurrence that resolves by itself will stop firing, and then that it did', async () => {
    const sink = new RecordingSink();
    const clock = new ManualClock(T0);
    const alerts = router(path.join(await tempDir(), 'state.json'), sink, { clock, groupInterval: 1000 });
    await alerts.start();
    alerts.raise({ name: 'file-restored', severity: 'info', labels: { file: '/data/shared.json' }, summary: 'restored', resolveAfterMs: 600 });
    await clock.advance(30);
    const ends = new Date(T0 + 600).toISOString();
    expect(sink.notifications).toMatchObject([[{ status: 'firing', endsAt: ends }]]);
    expect(notificationText(sink.notifications[0]!)).toContain(`since ${new Date(T0).toISOString()}, ends by itself at ${ends}`);
    await clock.advance(1000);
    expect(sink.notifications[1]).toMatchObject([{ status: 'resolved', endsAt: ends }]);
    expect(notificationText(sink.notifications[1]!)).toContain(`, ended ${ends}`);
    await alerts.close();
  });

  it('sends one notification for an alert raised 50 times, one resolved notice, and nothing again after a restart', async () => {
    const stateFile = path.join(await tempDir(), 'state.json');
    const sink = new RecordingSink();
    const clock = new ManualClock(T0);
    const first = router(stateFile, sink, { clock });
    await first.start();
    // 50 raises spread over 1 s: many group intervals pass while the same alert keeps firing.
    for (let i = 0; i < 50; i++) {
      first.raise({ ...corrupt, details: { attempt: i } });
      await clock.advance(20);
    }
    await clock.advance(200);
    expect(sink.notifications).toHaveLength(1);
    expect(sink.notifications[0]).toMatchObject([{ name: 'corruption-detected', status: 'firing', labels: corrupt.labels, startsAt: new Date(T0).toISOString() }]);
    await first.close();
    expect(clock.pending).toBe(0);

    // The daemon restarts while the file is still corrupt, and the monitor raises it again.
    const second = router(stateFile, sink, { clock });
    await second.start();
    for (let i = 0; i < 10; i++) second.raise(corrupt);
    await clock.advance(300);
    expect(sink.notifications).toHaveLength(1);

    second.resolve(corrupt.name, corrupt.labels);
    second.resolve(corrupt.name, corrupt.labels);
    await clock.advance(60);
    expect(sink.notifications).toHaveLength(2);
    await clock.advance(300);
    expect(sink.notifications).toHaveLength(2);
    expect(sink.notifications[1]).toMatchObject([{ name: 'corruption-detected', status: 'resolved' }]);
    expect(sink.notifications[1]![0]!.endsAt).toBeDefined();
    await second.close();

    const third = router(stateFile, sink, { clock });
    await third.start();
    third.resolve(corrupt.name, corrupt.labels);
    await clock.advance(300);
    await third.close();
    expect(sink.notifications).toHaveLength(2);
  });

  it('re-sends a still-firing alert after repeatInterval', async () => {
    const sink = new RecordingSink();
    const clock = new ManualClock(T0);
    const r = router(path.join(await tempDir(), 'state.json'), sink, { clock, repeatInterval: 200 });
    await r.start();
    r.raise(corrupt);
    await clock.advance(30);
    expect(sink.notifications).toHaveLength(1);
    // Group turns at 90, 150 and 210 ms are too early; the one at 270 ms is the first past 30 + 200.
    await clock.advance(210);
    expect(sink.notifications).toHaveLength(1);
    await clock.advance(30);
    expect(sink.notifications).toHaveLength(2);
    await r.close();
    expect(sink.notifications[1]).toMatchObject([{ fingerprint: sink.notifications[0]![0]!.fingerprint, status: 'firing' }]);
  });

  it('groups alerts of one file into one notification and sends only news later', async () => {
    const sink = new RecordingSink();
    const clock = new ManualClock(T0);
    const r = router(path.join(await tempDir(), 'state.json'), sink, { clock, groupBy: ['file'], groupWait: 100, groupInterval: 150 });
    await r.start();
    r.raise({ name: 'commit-failed', severity: 'warning', labels: { file: '/a.json' }, summary: 'a' });
    r.raise({ name: 'validation-failed', severity: 'warning', labels: { file: '/a.json' }, summary: 'b' });
    await clock.advance(99);
    expect(sink.notifications).toHaveLength(0);
    await clock.advance(1);
    expect(sink.notifications).toHaveLength(1);
    expect(sink.notifications[0]!.map((a) => a.name).sort()).toEqual(['commit-failed', 'validation-failed']);
    r.raise({ name: 'backup-failed', severity: 'warning', labels: { file: '/a.json', strategy: 'rotating' }, summary: 'c' });
    await clock.advance(149);
    expect(sink.notifications).toHaveLength(1);
    await clock.advance(1);
    expect(sink.notifications).toHaveLength(2);
    expect(sink.notifications[1]).toHaveLength(3);
    await r.close();
  });

  it('mutes a corrupt file’s lesser warnings, but not other files’', async () => {
    const sink = new RecordingSink();
    const clock = new ManualClock(T0);
    const r = router(path.join(await tempDir(), 'state.json'), sink, { clock });
    await r.start();
    r.raise(corrupt);
    r.raise({ name: 'validation-failed', severity: 'warning', labels: { file: corrupt.labels.file }, summary: 'refused' });
    r.raise({ name: 'validation-failed', severity: 'warning', labels: { file: '/other.json' }, summary: 'refused' });
    await clock.advance(300);
    await r.close();
    const sent = sink.notifications.flat().map((a) => `${a.name} ${a.labels.file}`);
    expect(sent.sort()).toEqual(['corruption-detected /data/shared.json', 'validation-failed /other.json']);
  });

  it('does not notify silenced alerts until the silence expires', async () => {
    const sink = new RecordingSink();
    const clock = new ManualClock(T0);
    const r = router(path.join(await tempDir(), 'state.json'), sink, { clock });
    await r.start();
    r.silence({ name: 'corruption-detected' }, 400, 'planned migration');
    r.raise(corrupt);
    // The group's turns at 30, 90, ..., 390 ms fall inside the silence; the one at 450 ms does not.
    await clock.advance(390);
    expect(sink.notifications).toHaveLength(0);
    await clock.advance(60);
    expect(sink.notifications).toHaveLength(1);
    await r.close();
  });

  it('routes by severity to the sinks a route names', async () => {
    const pager = new RecordingSink('pager');
    const everything = new RecordingSink('log');
    const clock = new ManualClock(T0);
    const r = router(path.join(await tempDir(), 'state.json'), [], {
      sinks: [
        { sink: pager, sendResolved: true },
        { sink: everything, sendResolved: false },
      ],
      clock,
      groupWait: 20,
      groupInterval: 50,
      routes: [{ match: { severity: 'critical' }, sinks: ['pager', 'log'] }, { sinks: ['log'] }],
    });
    await r.start();
    r.raise(corrupt);
    r.raise({ name: 'validation-failed', severity: 'warning', labels: { file: '/other.json' }, summary: 'refused' });
    await clock.advance(200);
    r.resolve(corrupt.name, corrupt.labels);
    await clock.advance(200);
    await r.close();
    expect(pager.notifications.map((n) => n.map((a) => `${a.name}:${a.status}`))).toEqual([['corruption-detected:firing'], ['corruption-detected:resolved']]);
    // The log sink has sendResolved off: it hears of both alerts, never of the resolution.
    expect(everything.notifications.flat().map((a) => `${a.name}:${a.status}`).sort()).toEqual(['corruption-detected:firing', 'validation-failed:firing']);
  });

  it('spools what overflows the bounded queue of a stuck sink, and tells the other sinks', async () => {
    const dir = await tempDir();
    const spool = new Spool(new NodeFileSystem(), path.join(dir, 'spool'));
    const stuck = new HangingSink('stuck');
    const other = new RecordingSink('other');
    const clock = new ManualClock(T0);
    const r = router(path.join(dir, 'state.json'), [stuck, other], {
      clock,
      spool,
      groupWait: 0,
      queueSize: 2,
      sendTimeout: '1h',
      closeTimeout: 50,
    });
    await r.start();
    for (let i = 0; i < 6; i++) r.raise({ name: 'commit-failed', severity: 'warning', labels: { file: `/f${i}.json` }, summary: 'failed' });
    await clock.advance(0);
    // One is being sent (and hangs), two wait in the queue, three overflow.
    await waitFor(async () => (await spool.list()).length === 3, 2_000, 'the overflow in the spool');
    expect(stuck.calls).toBe(1);
    expect(other.notifications.flat().some((a) => a.name === 'alert-delivery-failed' && a.labels.sink === 'stuck')).toBe(true);
    // Closing waits closeTimeout for the stuck send, then spools it and the two queued.
    const closing = r.close();
    await clock.advance(50);
    await closing;
    expect((await spool.list()).filter((entry) => entry.sink === 'stuck')).toHaveLength(6);
    expect(clock.pending).toBe(0);
  });

  it('abandons a send that outlasts sendTimeout, and spools it', async () => {
    const dir = await tempDir();
    const spool = new Spool(new NodeFileSystem(), path.join(dir, 'spool'));
    const stuck = new HangingSink('stuck');
    const clock = new ManualClock(T0);
    const r = router(path.join(dir, 'state.json'), stuck, {
      clock,
      spool,
      groupWait: 0,
      sendTimeout: '30s',
    });
    await r.start();
    r.raise(corrupt);
    await clock.advance(29_999);
    expect(stuck.calls).toBe(1);
    expect(await spool.list()).toHaveLength(0);
    await clock.advance(1);
    await waitFor(async () => (await spool.list()).length === 1, 2_000, 'the abandoned notification in the spool');
    await r.close();
  });

  it('sets aside, once and with one warning per sink, the spooled notifications of sinks no longer configured', async () => {
    const dir = await tempDir();
    const spool = new Spool(new NodeFileSystem(), path.join(dir, 'spool'));
    const alert: Alert = { ...corrupt, labels: { ...corrupt.labels }, details: {}, startsAt: new Date(T0).toISOString(), status: 'firing', fingerprint: 'f1' };
    // Spooled by an earlier configuration, which had a "slack" and an "old-email" sink.
    for (const sink of ['slack', 'slack', 'old-email', 'recording']) await spool.add(sink, 'g', [alert], T0);
    const sink = new RecordingSink('recording');
    const { logger, lines } = capturingLogger();
    const clock = new ManualClock(T0);
    const options = { spool, logger, clock, retryInterval: '1m' } as const;
    const r = router(path.join(dir, 'state.json'), sink, options);
    await r.start();

    expect((await spool.list()).map((entry) => entry.sink)).toEqual(['recording']);
    expect(await readdir(spool.deadLetterDir)).toHaveLength(3);
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; sink?: string; count?: number; msg: string }).filter((line) => line.level === 40);
    expect(warnings.map(({ sink, count }) => ({ sink, count })).sort((a, b) => a.sink!.localeCompare(b.sink!))).toEqual([
      { sink: 'old-email', count: 1 },
      { sink: 'slack', count: 2 },
    ]);
    expect(warnings[0]!.msg).toMatch(/no longer configured/);

    // The configured sink's entry is still retried and delivered; the others never are.
    await clock.advance(0);
    await waitFor(async () => (await spool.list()).length === 0, 2_000, 'the retried entry to leave the spool');
    await clock.advance(180_000);
    await r.close();
    expect(sink.notifications).toHaveLength(1);
    expect(await readdir(spool.deadLetterDir)).toHaveLength(3);

    // Nothing is left to set aside on the next start, so nothing more is said.
    lines.length = 0;
    const again = router(path.join(dir, 'state.json'), sink, options);
    await again.start();
    await again.close();
    expect(lines.filter((line) => line.includes('no longer configured'))).toEqual([]);
  });

  describe('when a firing alert comes again with another severity', () => {
    const health = { name: 'health-check-failing', labels: { check: 'disk-space' }, summary: 'disk space is low' } as const;

    it('notifies a higher severity at once, through a file sink, and keeps the same or lower one deduplicated', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'alerts.jsonl');
      const sink = await fileSink({ path: file }).create(sinkServices(dir));
      const lines = async (): Promise<Alert[]> =>
        (await readFile(file, 'utf8').catch(() => ''))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Alert);
      const clock = new ManualClock(T0);
      const r = router(path.join(dir, 'state.json'), sink, { clock, groupInterval: '5m', repeatInterval: '4h' });
      await r.start();
      r.raise({ ...health, severity: 'warning' });
      await clock.advance(30);
      await waitFor(async () => (await lines()).length === 1, 2_000, 'the warning');

      await clock.advance(1_000);
      r.raise({ ...health, severity: 'warning' });
      r.raise({ ...health, severity: 'critical', summary: 'disk space is almost gone' });
      // No time passes: the escalation does not wait for the group's next turn, 5 min away.
      await waitFor(async () => (await lines()).length === 2, 2_000, 'the escalation');
      const [warning, critical] = await lines();
      expect(warning).toMatchObject({ severity: 'warning', status: 'firing' });
      expect(critical).toMatchObject({ severity: 'critical', status: 'firing', summary: 'disk space is almost gone', fingerprint: warning!.fingerprint, startsAt: warning!.startsAt });

      r.raise({ ...health, severity: 'critical' });
      r.raise({ ...health, severity: 'warning' });
      r.raise({ ...health, severity: 'critical' });
      await clock.advance(3_600_000);
      await r.close();
      await sink.close();
      expect(await lines()).toHaveLength(2);
      expect(r.firing()).toMatchObject([{ severity: 'critical' }]);
    });

    it('notifies an escalation that comes while the lesser notification is still being delivered, as soon as that delivery ends', async () => {
      const sink = new HeldSink();
      const clock = new ManualClock(T0);
      const r = router(path.join(await tempDir(), 'state.json'), sink, { clock, groupInterval: '5m' });
      await r.start();
      r.raise({ ...health, severity: 'warning' });
      await clock.advance(30);
      expect(sink.notifications.flat().map((a) => a.severity)).toEqual(['warning']);

      // The warning is still on its way when the alert gets worse.
      r.raise({ ...health, severity: 'critical' });
      await clock.advance(0);
      expect(sink.notifications).toHaveLength(1);
      sink.release();
      // No time passes: the escalation does not wait for the group's next turn, 5 min away.
      await waitFor(() => sink.notifications.length === 2, 2_000, 'the escalation');
      expect(sink.notifications[1]).toMatchObject([{ severity: 'critical', status: 'firing' }]);
      sink.release();
      await clock.advance(0);
      // Both were recorded as told: no later turn sends either again.
      await clock.advance(600_000);
      await r.close();
      expect(sink.notifications).toHaveLength(2);
    });

    it('routes the escalated alert by its new severity, without telling the first route’s sinks twice', async () => {
      const pager = new RecordingSink('pager');
      const log = new RecordingSink('log');
      const clock = new ManualClock(T0);
      const r = router(path.join(await tempDir(), 'state.json'), [pager, log], {
        clock,
        groupInterval: '5m',
        routes: [{ match: { severity: 'critical' }, sinks: ['pager'] }, { sinks: ['log'] }],
      });
      await r.start();
      r.raise({ ...health, severity: 'warning' });
      await clock.advance(30);
      expect(log.notifications.flat().map((a) => a.severity)).toEqual(['warning']);
      expect(pager.notifications).toHaveLength(0);

      r.raise({ ...health, severity: 'critical' });
      await clock.advance(0);
      expect(pager.notifications.flat().map((a) => `${a.severity}:${a.status}`)).toEqual(['critical:firing']);
      await clock.advance(600_000);
      expect(log.notifications).toHaveLength(1);

      // Both sinks were told it fired, so both hear that it resolved.
      r.resolve(health.name, health.labels);
      await clock.advance(300_000);
      await r.close();
      expect(pager.notifications.flat().map((a) => a.status)).toEqual(['firing', 'resolved']);
      expect(log.notifications.flat().map((a) => a.status)).toEqual(['firing', 'resolved']);
    });

    it('notifies an escalation that comes after a restart', async () => {
      const stateFile = path.join(await tempDir(), 'state.json');
      const sink = new RecordingSink();
      const clock = new ManualClock(T0);
      const first = router(stateFile, sink, { clock });
      await first.start();
      first.raise({ ...health, severity: 'warning' });
      await clock.advance(30);
      await first.close();

      const second = router(stateFile, sink, { clock });
      await second.start();
      second.raise({ ...health, severity: 'warning' });
      await clock.advance(300);
      expect(sink.notifications).toHaveLength(1);
      second.raise({ ...health, severity: 'critical' });
      await clock.advance(60);
      await second.close();
      expect(sink.notifications.flat().map((a) => a.severity)).toEqual(['warning', 'critical']);
    });
  });
});
