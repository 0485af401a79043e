import type { Alert } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sinkServices, tempDir } from '../__tests__/helpers.js';
import { HttpReceiver } from '../__tests__/http-receiver.js';
import { fingerprintOf } from '../fingerprint.js';
import { webhookSink } from './webhook-sink.js';

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
});

function alert(file: string, status: Alert['status']): Alert {
  const labels = { file };
  return {
    name: 'backup-failed',
    severity: 'warning',
    labels,
    summary: `backup of ${file} failed`,
    details: {},
    startsAt: '2026-11-26T12:00:00.000Z',
    ...(status === 'resolved' ? { endsAt: '2026-11-26T12:05:00.000Z' } : {}),
    status,
    fingerprint: fingerprintOf('backup-failed', labels),
  };
}

describe('webhookSink', () => {
  it('posts an Alertmanager-like payload with the extra headers', async () => {
    let authorization: string | undefined;
    receiver = new HttpReceiver((_i, req, res) => {
      authorization = req.headers.authorization;
      res.end();
    });
    const url = `${await receiver.start()}/alerts`;
    process.env.PREVENTION_TEST_WEBHOOK_URL = url;
    try {
      const sink = await webhookSink({ name: 'pager', urlEnv: 'PREVENTION_TEST_WEBHOOK_URL', headers: { authorization: 'Bearer t' } }).create(sinkServices(await tempDir()));
      await sink.send([alert('/a.json', 'firing'), alert('/b.json', 'resolved')]);
    } finally {
      delete process.env.PREVENTION_TEST_WEBHOOK_URL;
    }
    expect(authorization).toBe('Bearer t');
    expect(receiver.requests[0]!.body).toEqual({
      version: '4',
      receiver: 'pager',
      status: 'firing',
      groupLabels: { name: 'backup-failed' },
      commonLabels: { name: 'backup-failed' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'backup-failed', severity: 'warning', file: '/a.json' },
          annotations: { summary: 'backup of /a.json failed' },
          details: {},
          startsAt: '2026-11-26T12:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: fingerprintOf('backup-failed', { file: '/a.json' }),
        },
        {
          status: 'resolved',
          labels: { alertname: 'backup-failed', severity: 'warning', file: '/b.json' },
          annotations: { summary: 'backup of /b.json failed' },
          details: {},
          startsAt: '2026-11-26T12:00:00.000Z',
          endsAt: '2026-11-26T12:05:00.000Z',
          fingerprint: fingerprintOf('backup-failed', { file: '/b.json' }),
        },
      ],
    });
  });

  it('refuses to start when the URL variable is not set, without a value in the message', async () => {
    await expect(webhookSink({ urlEnv: 'PREVENTION_TEST_UNSET_VARIABLE' }).create(sinkServices(await tempDir()))).rejects.toMatchObject({
      code: 'PREVENTION_CONFIG_INVALID',
      message: expect.stringContaining('PREVENTION_TEST_UNSET_VARIABLE'),
    });
  });
});
