import type { EngineApi, Logger } from '@prevention/core';
import type { EmitEvent, CheckReport } from './integrity-checker.js';

/**
 * Checks the bus archive beside each monitored file and puts a damaged one back from its copy
 * (under the file's lock, the damaged bytes quarantined), unless the file's `onOutsideWrite`
 * policy is `alert-only`. Like files, a damaged archive is reported once, when the damage starts.
 */
export class ArchiveGuard {
  /** Archives seen damaged and not intact since, by path. */
  private readonly damaged = new Set<string>();

  constructor(
    private readonly engine: EngineApi,
    private readonly emit: EmitEvent,
    private readonly logger: Logger,
  ) {}

  /** The report on `file`'s archive; `undefined` when it has none. */
  async check(file: string): Promise<CheckReport | undefined> {
    const bus = this.engine.bus(file);
    try {
      const inspection = await bus.inspectArchive();
      const { archive } = inspection;
      if (inspection.state === 'absent') return undefined;
      if (inspection.state === 'intact') {
        if (this.damaged.delete(archive)) {
          this.logger.info({ file: archive }, 'the event archive is intact again');
          this.emit('corruption:resolved', { file: archive, summary: `${archive} is intact again` });
        }
        return { file: archive, finding: 'ok' };
      }
      const details = { reason: 'archive-damaged', problem: inspection.problem, repairable: inspection.repairable, liveFile: file };
      const message = `the event archive ${archive} is damaged: ${inspection.problem}`;
      if (!this.damaged.has(archive)) {
        this.damaged.add(archive);
        this.logger.warn({ file: archive, details }, message);
        this.emit('corruption:detected', { file: archive, kind: 'archive-damaged', message, details });
      }
      if ((await this.engine.settings(file)).onOutsideWrite === 'alert-only') return { file: archive, finding: 'archive-damaged', action: 'none' };
      const repair = await bus.repairArchive();
      if (!repair.repaired) return { file: archive, finding: 'archive-damaged', action: 'restore', repaired: false, error: 'its copy is damaged too' };
      this.damaged.delete(archive);
      this.logger.info({ file: archive, lines: repair.lines }, 'repaired the event archive from its copy');
      this.emit('corruption:resolved', { file: archive, summary: `${archive} is intact again` });
      return { file: archive, finding: 'archive-damaged', action: 'restore', repaired: true };
    } catch (err) {
      return { file, finding: 'ok', error: `could not check the event archive: ${(err as Error).message}` };
    } finally {
      await bus.close();
    }
  }
}
