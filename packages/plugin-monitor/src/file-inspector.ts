import { corruptionKind, inspectFile, inspectStored, type CommitRecord, type EngineApi, type FileStats, type FileSystem, type InspectionBaseline, type NonRegularType } from '@prevention/core';
import type { Inspection } from './inspection.js';

/** What the monitor already trusts about a file, beyond the commit journal. */
export interface TrustedState {
  /** A version accepted as the baseline without a journal record (`alert-only`, or a file never committed). */
  acceptedSha256?: string;
  /** The file existed when last seen, so its absence is a deletion even without a journal. */
  seen: boolean;
  /** The version last found intact, and when its bytes were read. */
  verified?: { stats: FileStats; readAt: number };
}

/**
 * File times come from a coarse kernel clock: two writes a few milliseconds apart can leave the
 * same times. Unchanged status only proves unchanged content for a file that had already been
 * quiet this long when it was read.
 */
const QUIET_MS = 1_000;

/** Same inode, size and times, read after a quiet period: the content can not have changed (ctime can not be set back from user space). */
function unchangedSince(verified: TrustedState['verified'], b: FileStats): boolean {
  if (!verified) return false;
  const a = verified.stats;
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.mode === b.mode && Number(a.ctimeNs / 1_000_000n) < verified.readAt - QUIET_MS;
}

/** How a finding names what replaced a file. */
const REPLACED_BY: Record<NonRegularType, string> = { 'symbolic-link': 'a symbolic link', directory: 'a directory', other: 'not a regular file' };

/** The journal's last commit; the file can not be judged without it. */
function lastCommitOf(baseline: InspectionBaseline): CommitRecord | undefined {
  if (baseline.journalError) throw baseline.journalError;
  return baseline.lastCommit;
}

/**
 * Inspects one file against its integrity baseline: the last commit in the engine's journal
 * (recorded by every process that commits through prevention), then what the monitor itself
 * accepted, then the newest backup (a commit whose journal line was lost is still backed up).
 * Anything else is classified: deleted, replaced by a non-file, unparseable or over the structure
 * limits, failing the schema, mode changed, or a valid but foreign modification.
 */
export class FileInspector {
  constructor(
    private readonly engine: EngineApi,
    private readonly fs: FileSystem,
  ) {}

  async inspect(file: string, trusted: TrustedState): Promise<Inspection & { stats?: FileStats; readAt?: number }> {
    const readAt = Date.now();
    // A store that keeps its documents off this disk (a database) is asked for the current version.
    const { store } = this.engine;
    const inspection = store.kind === 'file' ? await inspectFile(this.fs, file, { unchanged: (stats) => unchangedSince(trusted.verified, stats) }) : await inspectStored(store, file);
    switch (inspection.state) {
      case 'unchanged':
        return { kind: 'ok', basis: 'unchanged', stats: trusted.verified!.stats, readAt: trusted.verified!.readAt };
      case 'missing':
        return this.absent(file, trusted, lastCommitOf(inspection));
      case 'not-regular': {
        const what = REPLACED_BY[inspection.type];
        return { kind: 'unsafe-path', message: `${file} was replaced: it is now ${what}`, details: { type: what } };
      }
      case 'unreadable':
        throw inspection.error;
    }
    const { sha256 } = inspection;
    const stats = inspection.state === 'present' && 'stats' in inspection ? (inspection as { stats: FileStats }).stats : undefined;
    const last = lastCommitOf(inspection);
    if (last?.sha256 === sha256) return stats ? { ...this.checkMode(file, stats, last, sha256), readAt } : { kind: 'ok', sha256, basis: 'journal' };
    if (trusted.acceptedSha256 === sha256) return { kind: 'ok', sha256, basis: 'accepted', stats, readAt };

    const settings = await this.engine.settings(file);
    const content = inspection.content(settings);
    if (content.corrupt) {
      return { kind: corruptionKind(content.corrupt), sha256, message: content.corrupt.message, details: { ...content.corrupt.details, bytes: inspection.bytes.length } };
    }
    const issues = content.schemaIssues;
    if (issues.length > 0) {
      const listed = issues.slice(0, 3).map((i) => `${i.path || '/'}: ${i.message}`).join('; ');
      return { kind: 'schema-mismatch', sha256, message: `${file} does not match its schema: ${listed}`, details: { issues: issues.slice(0, 10) } };
    }
    // The rule writers apply on load: a version the records do not show was written outside.
    const standing = await this.engine.standing(file, sha256, settings.acceptOutsideAppends ? content.document : undefined);
    if (standing.kind === 'committed') return { kind: 'ok', sha256, basis: 'backup', stats, readAt };
    // An older bus's publish, adopted by the next writer (acceptOutsideAppends): nothing to repair.
    if (standing.kind === 'appended') return { kind: 'ok', sha256, basis: 'appended', stats, readAt };
    if (standing.kind === 'never-committed' && !trusted.seen) return { kind: 'ok', sha256, basis: 'first-seen', stats, readAt };
    return {
      kind: 'modified',
      sha256,
      message: `${file} was changed outside prevention: its content is valid but matches no commit`,
      details: { expectedSha256: standing.kind === 'outside' ? standing.lastCommit.sha256 : trusted.acceptedSha256, foundSha256: sha256 },
    };
  }

  /** A missing file was deleted if the journal, a backup, or the monitor itself saw it committed. */
  private async absent(file: string, trusted: TrustedState, last: CommitRecord | undefined): Promise<Inspection> {
    if (!last && !trusted.seen && (await this.engine.backups(file)).length === 0) return { kind: 'ok', basis: 'absent' };
    return { kind: 'deleted', message: `${file} was deleted`, details: last ? { lastCommit: last } : {} };
  }

  private checkMode(file: string, stats: FileStats, last: CommitRecord, sha256: string): Inspection & { stats: FileStats } {
    const mode = stats.mode & 0o7777;
    if (mode === last.mode) return { kind: 'ok', sha256, basis: 'journal', stats };
    return {
      kind: 'mode-changed',
      sha256,
      stats,
      message: `the permissions of ${file} changed from ${last.mode.toString(8)} to ${mode.toString(8)} outside prevention`,
      details: { expectedMode: last.mode.toString(8), foundMode: mode.toString(8) },
    };
  }
}
