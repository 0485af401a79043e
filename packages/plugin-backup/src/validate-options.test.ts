import { createEngine, ErrorCodes } from '@prevention/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import backup, { type BackupPluginOptions } from './index.js';

const bad: Array<[string, unknown]> = [
  ['backup.strategies', { strategies: [] }],
  ['backup.strategies[0].type', { strategies: [{ type: 'zip' }] }],
  ['backup.strategies[0].keep', { strategies: [{ type: 'rotating' }] }],
  ['backup.strategies[0].keep', { strategies: [{ type: 'rotating', keep: 0 }] }],
  ['backup.strategies[1].keepDaily', { strategies: [{ type: 'rotating', keep: 3 }, { type: 'timestamped', keepDaily: -1 }] }],
  ['backup.strategies[0].keepWithin', { strategies: [{ type: 'content-addressed', keepWithin: 'a week' }] }],
  ['backup.strategies[0].maxTotalBytes', { strategies: [{ type: 'timestamped', maxTotalBytes: 1.5 }] }],
  ['backup.strategies[0].keepLast', { strategies: [{ type: 'rotating', keep: 2, keepLast: 3 }] }],
  ['backup.strategies[0].dir', { strategies: [{ type: 'rotating', keep: 2, dir: '' }] }],
  ['backup.strategies[1]', { strategies: [{ type: 'rotating', keep: 2 }, { type: 'rotating', keep: 5 }] }],
  ['backup.strategy', { strategy: [] }],
];

describe('backup plugin options', () => {
  it.each(bad)('refuses %s with PREVENTION_CONFIG_INVALID naming the key', (key, options) => {
    expect(() => backup(options as BackupPluginOptions)).toThrow(expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID, details: { key }, message: expect.stringContaining(key) }));
  });

  it('accepts the documented options and defaults to one rotating strategy', async () => {
    const dir = await tempDir();
    const engine = await createEngine({
      cwd: dir,
      config: false,
      logger: { level: 'silent' },
      plugins: [backup({ strategies: [{ type: 'rotating', keep: 20 }, { type: 'timestamped', keepLast: 1, keepHourly: 24, keepDaily: 7, keepWeekly: 4, keepWithin: '2w3d', maxTotalBytes: 1e6 }] })],
    });
    await engine.write('a.json', {});
    expect((await engine.backups('a.json')).map((r) => r.strategy).sort()).toEqual(['rotating', 'timestamped']);
    await engine.close();

    const plain = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' }, plugins: [backup()] });
    await plain.write('b.json', {});
    expect((await plain.backups('b.json')).map((r) => r.strategy)).toEqual(['rotating']);
    await plain.close();
  });
});
