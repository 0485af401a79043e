import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine } from '@prevention/core';
import alerts from '@prevention/plugin-alerts';
import { afterEach, describe, expect, it } from 'vitest';
import { discordSink } from './discord-sink.js';
import { eventInjector } from '@prevention/core/testing';

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('the Discord sink, used by the alerts plugin', () => {
  it('receives a corruption alert as a message with one embed', async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(path.join(tmpdir(), 'discord-sink-'));
    await writeFile(path.join(dir, 'discord-webhook'), `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/1/token\n`);

    const events = eventInjector();
    const engine = await createEngine({
      cwd: dir,
      config: false,
      logger: { level: 'silent' },
      plugins: [alerts({ sinks: [discordSink({ urlFile: 'discord-webhook' })], groupWait: 10 }), events.plugin],
    });
    const file = path.join(dir, 'shared.json');
    events.emit('corruption:detected', { file, kind: 'truncated', message: 'unexpected end of JSON input' });
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await engine.close();
    server.close();

    expect(received).toEqual([
      {
        content: '[FIRING:1] corruption-detected',
        embeds: [{ title: 'corruption-detected', description: `${file} is corrupt (truncated)`, color: 0xb00020, fields: [{ name: 'file', value: file, inline: true }], timestamp: expect.any(String) }],
      },
    ]);
  });
});
