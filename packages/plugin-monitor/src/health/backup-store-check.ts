import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { stateDirFor, type EngineApi, type FileSystem } from '@prevention/core';
import type { HealthCheck, HealthResult } from './health-check.js';

/**
 * `backup-store`: for each file, prevention's state directory beside it (where restores keep
 * the bad copy and commits journal) takes a write, and the committed version is among the
 * backups — otherwise a restore would lose acknowledged writes. For a store that keeps its
 * documents off this disk (a database) there is no directory to probe: its own health check
 * covers that it takes writes.
 */
export class BackupStoreCheck implements HealthCheck {
  readonly name = 'backup-store';

  constructor(
    private readonly engine: EngineApi,
    private readonly fs: FileSystem,
  ) {}

  async run(files: readonly string[]): Promise<HealthResult[]> {
    return Promise.all(files.map((file) => this.check(file)));
  }

  private async check(file: string): Promise<HealthResult> {
    const fail = (message: string, details?: Record<string, unknown>): HealthResult => ({ check: this.name, status: 'fail', file, message, details });
    const { store } = this.engine;
    const probeError = store.kind === 'file' ? await this.probeWrite(stateDirFor(file)) : undefined;
    if (probeError) return fail(`the backup store of ${file} is not writable: ${probeError}`);
    const last = await store.lastRecord(file).catch(() => undefined);
    if (!last) return { check: this.name, status: 'ok', file, message: `${file} has no commit to back up yet` };
    let backups;
    try {
      backups = await this.engine.backups(file);
    } catch (err) {
      return fail(`the backups of ${file} can not be listed: ${(err as Error).message}`);
    }
    if (backups.length === 0) return fail(`${file} has no backup: a corruption could not be repaired (add @prevention/plugin-backup)`);
    if (!backups.some((b) => b.sha256 === last.sha256)) {
      return fail(`the version of ${file} committed at ${last.at} has no backup: a restore would lose writes`, { committedSha256: last.sha256, newestBackup: backups[0]!.createdAt.toISOString() });
    }
    return { check: this.name, status: 'ok', file, message: `the backups of ${file} are writable and cover its committed version`, details: { newestBackup: backups[0]!.createdAt.toISOString() } };
  }

  /** Writes and removes a small file; returns what went wrong, if anything. */
  private async probeWrite(dir: string): Promise<string | undefined> {
    const probe = path.join(dir, `.monitor-probe.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await this.fs.mkdir(dir, { recursive: true });
      const fd = await this.fs.open(probe, this.fs.flags.createExclusive, 0o600);
      try {
        await this.fs.write(fd, Buffer.from('ok'), 0, 2, 0);
      } finally {
        await this.fs.close(fd);
      }
      await this.fs.unlink(probe);
      return undefined;
    } catch (err) {
      await this.fs.unlink(probe).catch(() => undefined);
      return (err as Error).message;
    }
  }
}
