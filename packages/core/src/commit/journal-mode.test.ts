import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalPathFor } from '../store/file-layout.js';
import { tempDir } from '../__tests__/helpers.js';
import { createEngine } from '../engine/create-engine.js';

const modeOf = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

describe('the commit journal', () => {
  it('is no more readable than its file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'secret.json');
    await writeFile(file, '{}\n');
    await chmod(file, 0o600);
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
    await engine.write('secret.json', { token: 'a' });
    expect(await modeOf(journalPathFor(file))).toBe('600');
    await engine.close();
  });

  it('narrows a journal left wider than its file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'secret.json');
    await writeFile(file, '{}\n');
    await chmod(file, 0o640);
    const journal = journalPathFor(file);
    await mkdir(path.dirname(journal), { recursive: true });
    await writeFile(journal, '');
    await chmod(journal, 0o644);
    const engine = await createEngine({ cwd: dir, config: false, logger: { level: 'silent' } });
    await engine.write('secret.json', { token: 'a' });
    expect(await modeOf(journal)).toBe('640');
    await engine.close();
  });
});
