import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAppends } from '../support/append-checker.js';
import { startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const WRITERS = 8;
const APPENDS = 200;

async function run(mode: 'engine' | 'naive') {
  const dir = await tempDir();
  const file = path.join(dir, 'shared_context.json');
  const stop = path.join(dir, 'stop');
  const reader = startWorker('read-loop.mjs', [file, stop]);
  const writers = Array.from({ length: WRITERS }, (_, w) => startWorker('append-worker.mjs', [file, `w${w}`, String(APPENDS), mode]));
  const codes = await Promise.all(writers.map((w) => w.exited));
  await writeFile(stop, '');
  const readerLine = await reader.waitForLine((l) => l.startsWith('{'));
  const reads = JSON.parse(readerLine) as { reads: number; failures: number; firstFailure?: string };
  // The last two naive writes can overlap and leave the file torn: then nothing in it survived.
  let events: Array<{ id: string }> = [];
  let corrupt = false;
  try {
    events = (JSON.parse(await readFile(file, 'utf8')) as { events: Array<{ id: string }> }).events;
  } catch {
    corrupt = true;
  }
  const acked = writers.flatMap((w) => w.lines);
  const report = checkAppends(
    events.map((e) => e.id),
    acked,
    new Map(Array.from({ length: WRITERS }, (_, w) => [`w${w}`, APPENDS])),
  );
  return { codes, reads, report, corrupt, stderr: writers.map((w) => w.stderr()).join('') };
}

describe(`${WRITERS} processes × ${APPENDS} updates on one file, with a reader parsing in a loop`, () => {
  it('through the engine: every update lands exactly once, in each writer\'s order, and the reader never sees a partial file', async () => {
    const { codes, reads, report, corrupt, stderr } = await run('engine');
    console.log(`engine: ${report.present} events present of ${report.acknowledged} acknowledged; reader parsed ${reads.reads} times, ${reads.failures} failures`);
    expect(stderr).toBe('');
    expect(corrupt).toBe(false);
    expect(codes).toEqual(Array(WRITERS).fill(0));
    expect(report.acknowledged).toBe(WRITERS * APPENDS);
    expect(report.present).toBe(WRITERS * APPENDS);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.neverAttempted).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
    expect(reads.reads).toBeGreaterThan(0);
    expect(reads.failures).toBe(0);
  });

  it('the control, plain readFile/writeFile, loses updates', async () => {
    const { report, reads, corrupt } = await run('naive');
    console.log(`naive: ${report.present} events present of ${report.acknowledged} acknowledged (${report.lost.length} lost${corrupt ? ', the file left torn' : ''}); reader failed ${reads.failures} of ${reads.reads} parses`);
    expect(report.acknowledged).toBe(WRITERS * APPENDS);
    expect(report.lost.length).toBeGreaterThan(0);
  });
});
