import path from 'node:path';
import { createEngine, type EngineApi, type FileOptions } from '@prevention/core';
import backup from '@prevention/plugin-backup';
import { tempDir } from './temp-dir.js';

/**
 * An engine in a fresh directory with rotating backups and a shared context that starts empty:
 * `file` is its `shared_context.json`. `options` override the engine's settings.
 */
export async function backedUpProject(options: FileOptions & { files?: Array<FileOptions & { path: string }> } = {}): Promise<{ dir: string; engine: EngineApi; file: string }> {
  const dir = await tempDir();
  const engine = await createEngine({
    cwd: dir,
    config: false,
    initial: { events: [] },
    logger: { level: 'silent' },
    plugins: [backup({ strategies: [{ type: 'rotating', keep: 10 }] })],
    ...options,
  });
  return { dir, engine, file: path.join(dir, 'shared_context.json') };
}
