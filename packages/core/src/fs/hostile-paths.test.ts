import { execFileSync } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../__tests__/helpers.js';
import { NodeFileSystem } from './node-file-system.js';

describe('NodeFileSystem on paths planted by someone else', () => {
  const fs = new NodeFileSystem();

  it('readFile refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = path.join(await tempDir(), 'backup');
    execFileSync('mkfifo', [fifo]);
    await expect(fs.readFile(fifo)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('an append open does not follow a symlink to another file', async () => {
    const dir = await tempDir();
    const victim = path.join(dir, 'victim');
    await writeFile(victim, 'unchanged');
    await symlink(victim, path.join(dir, 'journal'));
    await expect(fs.open(path.join(dir, 'journal'), fs.flags.append, 0o644)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readFile(victim, 'utf8')).toBe('unchanged');
  });
});
