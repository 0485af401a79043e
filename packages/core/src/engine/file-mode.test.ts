import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../__tests__/helpers.js';
import { createEngine } from './create-engine.js';

describe('a file\'s mode changed between two commits of one engine', () => {
  it('is kept by the next commit, although the engine had the version cached', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shared.json');
    const engine = await createEngine({ cwd: dir, config: false, initial: { n: 0 }, logger: { level: 'silent' } });
    await engine.update(file, () => ({ n: 1 }));
    await chmod(file, 0o600);
    await engine.update(file, () => ({ n: 2 }));
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    await engine.close();
  });
});
