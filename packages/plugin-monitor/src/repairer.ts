import path from 'node:path';
import { fileStamp, quarantineDirFor, readLastCommit, severityOf, sha256Hex, type EngineApi, type FileSystem, type Finding, type OutsideWritePolicy } from '@prevention/core';

/** What a repair did. */
export type RepairAction = 'restore' | 'chmod' | 'accept' | 'none';

/**
 * Applies a file's repair policy to a confirmed problem. Every change goes through the engine
 * and its lock, so a repair never races a writer: restores are `engine.restore` (verified, bad
 * copy quarantined), accepted content is re-committed through the pipeline (backed up and
 * journaled), and the two changes the pipeline can not make — moving aside a non-file swapped
 * in at the path, putting permissions back — run under `engine.withLock`.
 */
export class Repairer {
  constructor(
    private readonly engine: EngineApi,
    private readonly fs: FileSystem,
  ) {}

  /** The action the file's `onOutsideWrite` policy calls for on `problem`. */
  static actionFor(policy: OutsideWritePolicy, problem: Finding): RepairAction {
    if (policy === 'alert-only') return 'none';
    // Only usable content can be accepted: the rest is restored under every policy that repairs.
    if (policy === 'accept' && severityOf(problem.kind) === 'warn') return 'accept';
    return problem.kind === 'mode-changed' ? 'chmod' : 'restore';
  }

  async repair(file: string, action: RepairAction, problem: Finding): Promise<void> {
    switch (action) {
      case 'restore':
        if (problem.kind === 'unsafe-path') await this.moveAside(file);
        await this.engine.restore(file, { reason: problem.message });
        return;
      case 'chmod':
        await this.restoreMode(file);
        return;
      case 'accept':
        // The identity update loads the outside version, which the engine adopts under this
        // policy and commits through the pipeline (backed up, journaled, `outside-write:accepted`).
        await this.engine.update(file, (document) => document);
        return;
      case 'none':
        return;
    }
  }

  /** Moves whatever non-file sits at the path into quarantine, so the restore can write a file there. */
  private async moveAside(file: string): Promise<void> {
    await this.engine.withLock(file, async () => {
      const stats = await this.fs.lstat(file).catch(() => undefined);
      if (!stats || stats.isFile()) return;
      const dir = quarantineDirFor(file);
      await this.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await this.fs.rename(file, path.join(dir, `${path.basename(file)}.${fileStamp(new Date())}.${process.pid}.replaced`));
    });
  }

  /** Puts back the permissions the last commit recorded, if the content is still that commit's. */
  private async restoreMode(file: string): Promise<void> {
    await this.engine.withLock(file, async () => {
      const last = await readLastCommit(this.fs, file);
      if (!last) return;
      const fd = await this.fs.open(file, this.fs.flags.readNoFollow);
      try {
        const stats = await this.fs.fstat(fd);
        if (!stats.isFile() || sha256Hex(await this.fs.readFile(file)) !== last.sha256) return;
        await this.fs.fchmod(fd, last.mode);
      } finally {
        await this.fs.close(fd);
      }
    });
  }
}
