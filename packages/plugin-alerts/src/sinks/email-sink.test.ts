import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine, type Alert } from '@prevention/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import alerts from '../index.js';
import { sinkServices, tempDir, waitFor } from '../__tests__/helpers.js';
import { SmtpReceiver } from '../__tests__/smtp-receiver.js';
import { fingerprintOf } from '../fingerprint.js';
import { emailSink } from './email-sink.js';
import { fileSink } from './file-sink.js';
import { ALERTS_SERVICE } from '../alerts-token.js';

const PASSWORD = 'smtp-Pa55word-never-logged';
const labels = { file: '/data/shared.json' };
const alert: Alert = {
  name: 'corruption-detected',
  severity: 'critical',
  labels,
  summary: 'shared.json is corrupt (truncated at byte 812)',
  details: { kind: 'truncated' },
  startsAt: '2026-11-26T12:00:00.000Z',
  status: 'firing',
  fingerprint: fingerprintOf('corruption-detected', labels),
};

const receivers: SmtpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

function receiver(): SmtpReceiver {
  const r = new SmtpReceiver('alerts', PASSWORD);
  receivers.push(r);
  return r;
}

describe('emailSink', () => {
  it('logs in and delivers subject, recipients, text and HTML', async () => {
    const smtp = receiver();
    const port = await smtp.start();
    const dir = await tempDir();
    await writeFile(path.join(dir, 'smtp-password'), `${PASSWORD}\n`);
    const sink = await emailSink({
      host: '127.0.0.1',
      port,
      auth: { user: 'alerts', passFile: 'smtp-password' },
      from: 'prevention@example.test',
      to: ['ops@example.test', 'oncall@example.test'],
    }).create(sinkServices(dir));
    expect(await sink.health!()).toMatchObject({ ok: true });
    await sink.send([alert]);
    await sink.close();

    expect(smtp.received).toHaveLength(1);
    const { mail, recipients, user } = smtp.received[0]!;
    expect(user).toBe('alerts');
    expect(recipients).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(mail.subject).toBe('[prevention] [FIRING:1] corruption-detected');
    expect(mail.from?.text).toBe('prevention@example.test');
    expect(mail.text).toContain('CRITICAL corruption-detected (file=/data/shared.json): shared.json is corrupt (truncated at byte 812)');
    expect(mail.text).toContain('kind: truncated');
    expect(mail.html).toContain('<b>corruption-detected</b>');
    expect(mail.html).toContain('shared.json is corrupt (truncated at byte 812)');
  });

  it('reports a refused login through health() without the password', async () => {
    const smtp = receiver();
    const port = await smtp.start();
    const sink = await emailSink({ host: '127.0.0.1', port, auth: { user: 'alerts', pass: `${PASSWORD}-wrong` }, from: 'a@example.test', to: 'b@example.test' }).create(
      sinkServices(await tempDir()),
    );
    const health = await sink.health!();
    expect(health.ok).toBe(false);
    expect(health.message).not.toContain(PASSWORD);
    await expect(sink.send([alert])).rejects.toMatchObject({ code: 'PREVENTION_ALERT_DELIVERY_FAILED' });
    await sink.close();
  });

  it('spools an alert while the server is down and delivers it once the server is back', async () => {
    const probe = receiver();
    const port = await probe.start();
    await probe.stop();
    const cwd = await tempDir();
    process.env.PREVENTION_TEST_SMTP_PASSWORD = PASSWORD;
    const engine = await createEngine({
      cwd,
      config: false,
      logger: pino({ level: 'silent' }),
      plugins: [
        alerts({
          sinks: [
            fileSink({ path: 'logs/alerts.jsonl' }),
            emailSink({ host: '127.0.0.1', port, auth: { user: 'alerts', passEnv: 'PREVENTION_TEST_SMTP_PASSWORD' }, from: 'prevention@example.test', to: 'ops@example.test', timeoutMs: 2_000 }),
          ],
          routes: [{ match: { name: 'corruption-detected' }, sinks: ['email'] }],
          groupWait: 10,
          groupInterval: 50,
          retryInterval: 200,
        }),
      ],
    });
    const spoolDir = path.join(cwd, 'logs/alerts.jsonl.spool');
    const spooled = async (): Promise<string[]> => (await readdir(spoolDir).catch(() => [])).filter((name) => name.endsWith('.json'));
    try {
      const service = engine.service(ALERTS_SERVICE)!;
      for (const file of ['/data/a.json', '/data/b.json', '/data/c.json']) service.raise({ name: 'corruption-detected', severity: 'critical', labels: { file }, summary: `${file} is corrupt` });
      await waitFor(async () => (await spooled()).length === 3, 5_000, 'the alerts in the spool');
      const entry = JSON.parse(await readFile(path.join(spoolDir, (await spooled())[0]!), 'utf8')) as { sink: string; alerts: Alert[] };
      expect(entry).toMatchObject({ sink: 'email', alerts: [{ name: 'corruption-detected', status: 'firing' }] });

      const smtp = receiver();
      await smtp.start(port);
      await waitFor(() => smtp.received.length === 3, 5_000, 'the deliveries after the server came back');
      expect(smtp.received.map((r) => r.mail.subject)).toEqual(Array(3).fill('[prevention] [FIRING:1] corruption-detected'));
      expect(smtp.received.map((r) => r.mail.text?.split('\n')[2]).sort()).toEqual([
        'CRITICAL corruption-detected (file=/data/a.json): /data/a.json is corrupt',
        'CRITICAL corruption-detected (file=/data/b.json): /data/b.json is corrupt',
        'CRITICAL corruption-detected (file=/data/c.json): /data/c.json is corrupt',
      ]);
      await waitFor(async () => (await spooled()).length === 0, 5_000, 'the spool to empty');

      // The failure itself was an alert on the other sink, and its recovery a resolved notice.
      await waitFor(async () => (await readFile(path.join(cwd, 'logs/alerts.jsonl'), 'utf8').catch(() => '')).includes('"status":"resolved"'), 5_000, 'the recovery notice');
      const lines = (await readFile(path.join(cwd, 'logs/alerts.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Alert);
      expect(lines.map((a) => `${a.name}:${a.labels.sink}:${a.status}`)).toEqual(['alert-delivery-failed:email:firing', 'alert-delivery-failed:email:resolved']);
      expect(smtp.received).toHaveLength(3);
    } finally {
      await engine.close();
      delete process.env.PREVENTION_TEST_SMTP_PASSWORD;
    }
  });
});
