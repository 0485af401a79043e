import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger, tempDir, waitFor } from './__tests__/helpers.js';
import { HttpReceiver } from './__tests__/http-receiver.js';
import { SmtpReceiver } from './__tests__/smtp-receiver.js';
import alerts, { consoleSink, emailSink, fileSink, slackSink, webhookSink, type SinkDefinition } from './index.js';
import { ALERTS_SERVICE } from './alerts-token.js';

const WEBHOOK_TOKEN = 'xoxTOKENs3cr3t9911';
const SMTP_PASSWORD = 'Sm7pPassw0rd-s3cr3t';

let stop: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stop.map((fn) => fn()));
  stop = [];
});

/**
 * Runs an engine whose alerts go to `sinks` (and a file sink), raises one critical alert, waits
 * until three failed deliveries are spooled and the 404 reported, and closes it. Returns the log
 * lines and everything else a secret could reach: health, the alert file and the spool.
 */
async function raiseThroughFailingSinks(sinks: SinkDefinition[]): Promise<{ lines: string[]; everything: string }> {
  const cwd = await tempDir();
  const { logger, lines } = capturingLogger();
  const engine = await createEngine({
    cwd,
    config: false,
    logger,
    plugins: [alerts({ sinks: [fileSink({ path: 'alerts.jsonl' }), ...sinks], groupWait: 10, groupInterval: 50 })],
  });
  const service = engine.service(ALERTS_SERVICE)!;
  const health = await service.health();
  service.raise({ name: 'corruption-detected', severity: 'critical', labels: { file: path.join(cwd, 'data.json') }, summary: 'data.json is corrupt' });
  const spoolDir = path.join(cwd, 'alerts.jsonl.spool');
  // The 404 is refused for good (reported, not spooled); the other three wait in the spool.
  await waitFor(async () => (await readdir(spoolDir).catch(() => [])).length >= 3, 10_000, 'the three failed deliveries in the spool');
  await waitFor(() => lines.some((line) => line.includes('HTTP 404')), 5_000, 'the 404 report');
  await engine.close();
  const everything = [
    ...lines,
    JSON.stringify(health),
    await readFile(path.join(cwd, 'alerts.jsonl'), 'utf8'),
    ...(await Promise.all((await readdir(spoolDir)).map((name) => readFile(path.join(spoolDir, name), 'utf8')))),
  ].join('\n');
  return { lines, everything };
}

describe('secrets', () => {
  it('never puts the webhook URL or the SMTP password in a log line, an alert or the spool, even when deliveries fail', async () => {
    const refusing = new HttpReceiver((_i, _req, res) => res.writeHead(404).end('no_service'));
    const failing = new HttpReceiver((_i, _req, res) => res.writeHead(500).end('internal'));
    const refusingUrl = `${await refusing.start()}/services/T1/B1/${WEBHOOK_TOKEN}`;
    const failingUrl = `${await failing.start()}/hooks/${WEBHOOK_TOKEN}`;
    const closed = new HttpReceiver();
    const closedUrl = `${await closed.start()}/hooks/${WEBHOOK_TOKEN}`;
    await closed.stop();
    const smtp = new SmtpReceiver('alerts', `${SMTP_PASSWORD}-other`);
    const smtpPort = await smtp.start();
    stop.push(
      () => refusing.stop(),
      () => failing.stop(),
      () => smtp.stop(),
    );

    const { lines, everything } = await raiseThroughFailingSinks([
      consoleSink(),
      slackSink({ name: 'slack-404', url: refusingUrl }),
      slackSink({ name: 'slack-500', url: failingUrl, maxRetries: 1, backoffMs: 10, minIntervalMs: 1 }),
      // Nothing listens there: a network error, whose message names the address.
      webhookSink({ name: 'webhook-down', url: closedUrl, maxRetries: 1, backoffMs: 10 }),
      emailSink({ name: 'email-bad-login', host: '127.0.0.1', port: smtpPort, auth: { user: 'alerts', pass: SMTP_PASSWORD }, from: 'a@example.test', to: 'b@example.test' }),
    ]);

    const failures = lines.filter((line) => line.includes('alert delivery failed'));
    expect(failures.length).toBeGreaterThanOrEqual(4);
    expect(lines.join('')).toContain('ECONNREFUSED');
    // Each notification reached the refusing webhook once: a 404 is never retried.
    const bodies = refusing.requests.map((request) => JSON.stringify(request.body));
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(everything).toContain('alert-delivery-failed');
    for (const secret of [WEBHOOK_TOKEN, SMTP_PASSWORD, refusingUrl, failingUrl, closedUrl]) expect(everything).not.toContain(secret);
  });

  it('scrubs every part of a secret a receiver echoes back: path segments, query values, userinfo, SMTP login', async () => {
    const parts = { team: 'T0QK7ZP2W', channel: 'B0QK9XR4M', token: 'xoxb-77aa91c3d2', query: 'q7Vt0kenZ81', user: 'hookuser5r', pass: 'h00kPassw9', smtpUser: 'smtpuser-k3j', smtpPass: 'Sm7pEch0-pw' };
    // Each receiver echoes the request path in its error body, as web frameworks do.
    const echo = (status: number) => new HttpReceiver((_i, req, res) => res.writeHead(status).end(`Cannot POST ${req.url ?? ''}`));
    const refusing = echo(404);
    const failing = echo(500);
    const refusingUrl = `${await refusing.start()}/services/${parts.team}/${parts.channel}/${parts.token}`;
    const failingBase = await failing.start();
    const failingUrl = `${failingBase}/hooks/${parts.token}?token=${parts.query}&v=2`;
    const withLogin = failingBase.replace('http://', `http://${parts.user}:${parts.pass}@`) + `/hooks/${parts.channel}`;
    const smtp = new SmtpReceiver('someone-else', 'other', { echo: true });
    const smtpPort = await smtp.start();
    stop.push(
      () => refusing.stop(),
      () => failing.stop(),
      () => smtp.stop(),
    );

    const { lines, everything } = await raiseThroughFailingSinks([
      slackSink({ name: 'slack-404', url: refusingUrl }),
      webhookSink({ name: 'webhook-500', url: failingUrl, maxRetries: 1, backoffMs: 10 }),
      webhookSink({ name: 'webhook-login', url: withLogin, maxRetries: 1, backoffMs: 10 }),
      emailSink({ name: 'email-echo', host: '127.0.0.1', port: smtpPort, auth: { user: parts.smtpUser, pass: parts.smtpPass }, from: 'a@example.test', to: 'b@example.test' }),
    ]);

    // The receivers did echo the secrets: the test would pass vacuously otherwise.
    expect(lines.join('')).toContain('Cannot POST');
    expect(lines.join('')).toContain('Invalid login');
    for (const secret of Object.values(parts)) expect(everything).not.toContain(secret);
  });
});
