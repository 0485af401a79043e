import type { Alert } from '@prevention/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sinkServices, tempDir } from '../__tests__/helpers.js';
import { HttpReceiver } from '../__tests__/http-receiver.js';
import { fingerprintOf } from '../fingerprint.js';
import type { Secret } from '../secret.js';
import { jsonPostSink, JsonPostSink } from './json-post-sink.js';

class NamesSink extends JsonPostSink {
  protected payload(alerts: Alert[]): unknown {
    return { sink: this.name, names: alerts.map((alert) => alert.name) };
  }
}

const labels = { file: '/data/a.json' };
const alert: Alert = { name: 'commit-failed', severity: 'warning', labels, summary: 'failed', details: {}, startsAt: '2026-01-05T08:00:00.000Z', status: 'firing', fingerprint: fingerprintOf('commit-failed', labels) };

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

describe('jsonPostSink', () => {
  it('names the sink after its kind unless told otherwise, and tells it resolutions by default', () => {
    expect(jsonPostSink('names', NamesSink, { url: 'http://127.0.0.1:9/' })).toMatchObject({ name: 'names', sendResolved: true });
    expect(jsonPostSink('names', NamesSink, { url: 'http://127.0.0.1:9/', name: 'ops', sendResolved: false })).toMatchObject({ name: 'ops', sendResolved: false });
  });

  it('builds the given sink, which posts its payload with the extra headers to the secret URL, declared with keepSecret', async () => {
    let authorization: string | undefined;
    receiver = new HttpReceiver((_i, req, res) => {
      authorization = req.headers.authorization;
      res.end();
    });
    const url = `${await receiver.start()}/hooks/t0ken`;
    const kept: Secret[] = [];
    const services = { ...sinkServices(await tempDir()), keepSecret: (secret: Secret) => (kept.push(secret), secret) };
    const sink = await jsonPostSink('names', NamesSink, { url, name: 'ops', headers: { authorization: 'Bearer t' } }).create(services);
    expect(sink).toBeInstanceOf(NamesSink);
    expect(kept.map((secret) => secret.reveal())).toEqual([url]);
    await sink.send([alert]);
    expect(receiver.requests).toMatchObject([{ path: '/hooks/t0ken', body: { sink: 'ops', names: ['commit-failed'] } }]);
    expect(authorization).toBe('Bearer t');
  });

  it('names the kind and the sink in its errors, not the URL', async () => {
    receiver = new HttpReceiver((_i, _req, res) => res.writeHead(400).end('bad request'));
    const url = `${await receiver.start()}/hooks/t0ken`;
    const sink = await jsonPostSink('names', NamesSink, { url, name: 'ops' }).create(sinkServices(await tempDir()));
    const error = (await sink.send([alert]).catch((err: unknown) => err)) as Error;
    expect(error.message).toMatch(/^names sink "ops" was refused with HTTP 400/);
    expect(error.message).not.toContain('t0ken');
    await expect(jsonPostSink('names', NamesSink, { urlEnv: 'PREVENTION_TEST_UNSET_VARIABLE' }).create(sinkServices(await tempDir()))).rejects.toThrow(
      'namesSink "names" url is read from the environment variable PREVENTION_TEST_UNSET_VARIABLE',
    );
  });
});
