import type { Alert, AlertSink } from '@prevention/core';
import { isPreventionError } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sinkServices, tempDir } from '../__tests__/helpers.js';
import { HttpReceiver, type Responder } from '../__tests__/http-receiver.js';
import { fingerprintOf } from '../fingerprint.js';
import { SLACK_MIN_INTERVAL_MS, slackSink, type SlackSinkOptions } from './slack-sink.js';

const WEBHOOK_PATH = '/services/T0001/B0002/s3cr3tW3bh00kT0ken';

function alert(i = 0): Alert {
  const labels = { file: `/data/file-${i}.json` };
  return {
    name: 'corruption-detected',
    severity: 'critical',
    labels,
    summary: `file-${i}.json is corrupt (truncated)`,
    details: { kind: 'truncated' },
    startsAt: '2026-11-26T12:00:00.000Z',
    status: 'firing',
    fingerprint: fingerprintOf('corruption-detected', labels),
  };
}

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

async function slackAgainst(respond: Responder | undefined, options: Partial<SlackSinkOptions> = {}): Promise<{ sink: AlertSink; url: string; server: HttpReceiver }> {
  receiver = new HttpReceiver(respond);
  const url = `${await receiver.start()}${WEBHOOK_PATH}`;
  const sink = await slackSink({ url, backoffMs: 50, ...options }).create(sinkServices(await tempDir()));
  return { sink, url, server: receiver };
}

describe('slackSink', () => {
  it('posts text and blocks to the webhook', async () => {
    const { sink, server } = await slackAgainst(undefined);
    await sink.send([alert(1)]);
    expect(server.requests).toHaveLength(1);
    const { path, body } = server.requests[0]!;
    expect(path).toBe(WEBHOOK_PATH);
    const payload = body as { text: string; blocks: Array<{ type: string; text: { text: string } }> };
    expect(payload.text).toContain('[FIRING:1] corruption-detected');
    expect(payload.text).toContain('file-1.json is corrupt (truncated)');
    expect(payload.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[FIRING:1] corruption-detected' } });
    expect(payload.blocks[1]!.type).toBe('section');
    expect(payload.blocks[1]!.text.text).toContain('*corruption-detected* (critical)');
    expect(payload.blocks[1]!.text.text).toContain('file=/data/file-1.json');
  });

  it('waits for Retry-After on 429, then delivers', async () => {
    const { sink, server } = await slackAgainst((i, _req, res) => {
      if (i === 0) res.writeHead(429, { 'retry-after': '1' }).end('rate_limited');
      else res.end('ok');
    });
    await sink.send([alert()]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('retries 5xx answers with backoff', async () => {
    const { sink, server } = await slackAgainst((i, _req, res) => {
      if (i < 2) res.writeHead(503).end('busy');
      else res.end('ok');
    }, { minIntervalMs: 1 });
    await sink.send([alert()]);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 404 and reports it without the URL', async () => {
    const { sink, server, url } = await slackAgainst((_i, _req, res) => res.writeHead(404).end('no_service'));
    const error = await sink.send([alert()]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isPreventionError(error, 'PREVENTION_ALERT_DELIVERY_FAILED')).toBe(true);
    expect((error as Error).message).toContain('HTTP 404');
    expect((error as Error).message).not.toContain(url);
    expect((error as Error).message).not.toContain('s3cr3tW3bh00kT0ken');
    expect(server.requests).toHaveLength(1);
  });

  it('sends a burst of 20 alerts no faster than one per second', async () => {
    expect(SLACK_MIN_INTERVAL_MS).toBe(1_000);
    const { sink, server } = await slackAgainst(undefined);
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.send([alert(i)])));
    expect(server.requests).toHaveLength(20);
    const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at);
    // Measured where Slack would count them: at the server, on arrival.
    console.info(`20-alert burst: min gap ${Math.min(...gaps).toFixed(1)} ms, span ${(server.requests.at(-1)!.at - server.requests[0]!.at).toFixed(0)} ms`);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000);
    expect(server.requests.at(-1)!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(19 * 1_000);
  });
});
