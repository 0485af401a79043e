import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEngine, type EngineApi } from '@prevention/core';
import { MONITOR_SERVICE } from '@prevention/plugin-monitor';
import { describe, expect, it } from 'vitest';
import { fixture, startWorker } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const HOUR = 60 * 60 * 1000;

/** A project whose config backs `data.json` up with `strategies` and monitors it (without watching: the test runs each check). */
async function project(strategies: string): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const url = (name: string) => JSON.stringify(pathToFileURL(fileURLToPath(import.meta.resolve(name))).href);
  await writeFile(
    path.join(dir, 'prevention.config.mjs'),
    `import backup from ${url('@prevention/plugin-backup')};\nimport monitor from ${url('@prevention/plugin-monitor')};\n` +
      `export default { files: [{ path: 'data.json' }], plugins: [backup({ strategies: ${strategies} }), monitor({ autoStart: false, watch: false })] };\n`,
  );
  return { dir, file: path.join(dir, 'data.json') };
}

/** Writes `document` from a separate process whose wall clock is `offsetMs` off; resolves with the sha256 it committed. */
async function writeFromShiftedProcess(file: string, document: unknown, offsetMs: number): Promise<string> {
  const worker = startWorker('write-once-worker.mjs', [file, JSON.stringify(document)], {
    NODE_OPTIONS: `--import=${pathToFileURL(fixture('shifted-clock.mjs')).href}`,
    PREVENTION_CLOCK_OFFSET_MS: String(offsetMs),
  });
  const line = await worker.waitForLine((l) => l.startsWith('written '));
  expect(await worker.exited).toBe(0);
  const [, sha256, childNow] = line.split(' ');
  // The child's clock really was that far off this one.
  expect(Math.abs(Number(childNow) - offsetMs - Date.now())).toBeLessThan(Math.abs(offsetMs) / 2);
  return sha256!;
}

const SETUPS = {
  'one strategy': "[{ type: 'timestamped', keepLast: 10 }]",
  'two strategies': "[{ type: 'rotating', keep: 10 }, { type: 'content-addressed', keepLast: 10 }]",
};

describe.each(Object.entries(SETUPS))('a commit from a process whose clock stepped back an hour, %s', (_, strategies) => {
  async function afterFourCommits(): Promise<{ engine: EngineApi; file: string; fourth: string }> {
    const { dir, file } = await project(strategies);
    const engine = await createEngine({ cwd: dir, logger: { level: 'silent' } });
    for (const n of [1, 2, 3]) await engine.write('data.json', { commit: n });
    const fourth = await writeFromShiftedProcess(file, { commit: 4 }, -HOUR);
    await truncate(file, 4);
    return { engine, file, fourth };
  }

  it('is what engine.restore brings back after the file is truncated', async () => {
    const { engine, file, fourth } = await afterFourCommits();
    const result = await engine.restore('data.json');
    expect(result.sha256).toBe(fourth);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ commit: 4 });
    await engine.close();
  });

  it("is what the monitor's repair brings back after the file is truncated", async () => {
    const { engine, file } = await afterFourCommits();
    const report = await engine.service(MONITOR_SERVICE)!.check('data.json');
    expect(report).toMatchObject({ action: 'restore', repaired: true });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ commit: 4 });
    await engine.close();
  });
});
