import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { sinkServices, tempDir } from '../__tests__/helpers.js';
import { fingerprintOf } from '../fingerprint.js';
import { fileSink } from './file-sink.js';

function alert(i: number): Alert {
  const labels = { file: `/data/${i}.json` };
  return { name: 'commit-failed', severity: 'warning', labels, summary: 'x'.repeat(i * 50), details: { i }, startsAt: new Date(0).toISOString(), status: 'firing', fingerprint: fingerprintOf('commit-failed', labels) };
}

describe('fileSink', () => {
  it('appends one whole JSON line per alert, in order, from concurrent sends', async () => {
    const cwd = await tempDir();
    const sink = await fileSink({ path: 'logs/alerts.jsonl' }).create(sinkServices(cwd));
    await Promise.all(Array.from({ length: 40 }, (_, i) => sink.send([alert(i), alert(i + 100)])));
    await sink.close();
    const lines = (await readFile(path.join(cwd, 'logs/alerts.jsonl'), 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const parsed = lines.map((line) => JSON.parse(line) as Alert);
    expect(parsed.map((a) => a.details.i)).toEqual(Array.from({ length: 40 }, (_, i) => [i, i + 100]).flat());
    expect(await sink.health!()).toMatchObject({ ok: true });
  });

  it('fails with a typed error when the file can not be written', async () => {
    const cwd = await tempDir();
    // The directory is a file: appending below it can not work.
    await (await fileSink({ path: 'blocker' }).create(sinkServices(cwd))).send([alert(1)]);
    const sink = await fileSink({ path: 'blocker/alerts.jsonl' }).create(sinkServices(cwd));
    await expect(sink.send([alert(2)])).rejects.toMatchObject({ code: 'PREVENTION_ALERT_DELIVERY_FAILED' });
    expect((await sink.health!()).ok).toBe(false);
  });
});
