import { severityOf, type EngineApi, type EngineEventMap, type FileStats, type FileSystem, type Finding, type FindingKind, type Logger } from '@prevention/core';
import { FileInspector, type TrustedState } from './file-inspector.js';
import { isProblem, type Inspection, type Intact } from './inspection.js';
import type { MonitorMetrics } from './monitor-metrics.js';
import type { ResolvedMonitorOptions } from './monitor-options.js';
import { Repairer, type RepairAction } from './repairer.js';

/** Pause between two looks at a file that seems damaged, before trusting what is seen. */
const SETTLE_MS = 40;
/** Most looks while a damaged file keeps changing (an outside writer still at work). */
const SETTLE_ROUNDS = 10;

/** The result of checking one file. */
export interface CheckReport {
  file: string;
  /** `ok`, or the kind of problem found. */
  finding: FindingKind | 'ok';
  /** What was done about a problem. */
  action?: RepairAction;
  /** Whether that action worked (absent when nothing was done). */
  repaired?: boolean;
  /** Milliseconds from first sighting to repair. */
  detectedToRepairMs?: number;
  /** Why the check or the repair failed. */
  error?: string;
}

/** A problem seen and not yet over. */
interface OpenProblem {
  kind: FindingKind;
  sha256: string | undefined;
  /** When it was first seen, for the detection-to-repair time. */
  detectedAt: number;
  /** A failed repair is logged once, then retried quietly at every check. */
  repairFailureLogged: boolean;
}

interface FileState extends TrustedState {
  problem: OpenProblem | undefined;
  running: Promise<CheckReport> | undefined;
  again: boolean;
  /** A check failing to run (I/O error, lock timeout) is logged once per streak. */
  checkFailing: boolean;
}

/** Emits engine events (the plugin API's `emit`). */
export type EmitEvent = <E extends keyof EngineEventMap>(event: E, payload: EngineEventMap[E]) => void;

/**
 * Checks files against their integrity baseline and applies the repair policy. Checks of one
 * file never overlap: a change noticed while one runs schedules exactly one more. A problem seen
 * without the lock is confirmed under the writers' lock before anything is reported, because a
 * commit replaces the file first and journals it just after: a check landing in between must
 * not alarm. Problems are reported once (when they start or change), never on every pass.
 */
export class IntegrityChecker {
  private readonly states = new Map<string, FileState>();
  private readonly inspector: FileInspector;
  private readonly repairer: Repairer;
  private stopped = false;

  constructor(
    private readonly engine: EngineApi,
    fs: FileSystem,
    private readonly options: ResolvedMonitorOptions,
    private readonly metrics: MonitorMetrics,
    private readonly emit: EmitEvent,
    private readonly logger: Logger,
  ) {
    this.inspector = new FileInspector(engine, fs);
    this.repairer = new Repairer(engine, fs);
  }

  /** Checks `file` (and repairs it per its policy); joins a check already running. */
  check(file: string): Promise<CheckReport> {
    const state = this.stateOf(file);
    if (state.running) {
      state.again = true;
      return state.running;
    }
    // The first problem found is what the caller needs to hear about, even once repaired.
    const run = async (): Promise<CheckReport> => {
      let report: CheckReport | undefined;
      do {
        state.again = false;
        const latest = await this.checkOnce(file, state);
        if (!report || report.finding === 'ok') report = latest;
      } while (state.again && !this.stopped);
      return report;
    };
    state.running = run().finally(() => (state.running = undefined));
    return state.running;
  }

  /** Files found with unusable content (invalid, deleted, replaced) and not repaired yet. */
  corruptFiles(): string[] {
    return [...this.states].filter(([, s]) => s.problem && severityOf(s.problem.kind) === 'error').map(([file]) => file);
  }

  /**
   * Forgets the files that left the monitored list (a globbed file deleted with no commit
   * journal, so nothing to restore it from): a problem still open for one is closed, so it can
   * not keep the monitor unready or its alert firing.
   */
  retain(files: readonly string[]): void {
    const kept = new Set(files);
    for (const [file, state] of this.states) {
      if (kept.has(file) || state.running) continue;
      this.states.delete(file);
      if (!state.problem) continue;
      this.logger.info({ file, was: state.problem.kind }, 'the file no longer matches the config; it is not monitored any more');
      this.emit('corruption:resolved', { file, summary: `${file} no longer matches the config and is not monitored any more` });
      this.closeProblem(file, state);
    }
  }

  /** Stops starting new checks and waits for running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.states.values()].map((s) => s.running?.catch(() => undefined)));
  }

  private stateOf(file: string): FileState {
    let state = this.states.get(file);
    if (!state) this.states.set(file, (state = { seen: false, problem: undefined, running: undefined, again: false, checkFailing: false }));
    return state;
  }

  private async checkOnce(file: string, state: FileState): Promise<CheckReport> {
    let finding: Inspection;
    let detectedAt = Date.now();
    try {
      finding = await this.inspector.inspect(file, state);
      if (isProblem(finding)) {
        detectedAt = state.problem?.detectedAt ?? detectedAt;
        finding = await this.settle(file, state, finding);
      }
      if (isProblem(finding)) {
        // Confirm with commits excluded: no version is then between its rename and its journal line.
        finding = await this.engine.withLock(file, () => this.inspector.inspect(file, { ...state, verified: undefined }));
        if (!isProblem(finding)) this.metrics.refuted.inc();
      }
    } catch (err) {
      if (!state.checkFailing && !this.stopped) this.logger.error({ file, err }, 'could not check the file; retrying at the next change or validation');
      state.checkFailing = true;
      return { file, finding: 'ok', error: (err as Error).message };
    }
    if (state.checkFailing) this.logger.info({ file }, 'the file can be checked again');
    state.checkFailing = false;
    this.metrics.validations.inc({ result: isProblem(finding) ? 'problem' : 'ok' });
    if (!isProblem(finding)) {
      this.markIntact(file, state, finding);
      return { file, finding: 'ok' };
    }
    return this.handleProblem(file, state, finding, detectedAt);
  }

  /**
   * Waits for an outside writer to finish: a tool writing in place (truncate, then write) shows an
   * empty or partial file for a moment, and acting on that would roll back a write still landing.
   * Looks again every {@link SETTLE_MS} until two looks agree (at most {@link SETTLE_ROUNDS} times).
   */
  private async settle(file: string, state: FileState, seen: Inspection): Promise<Inspection> {
    let finding = seen;
    for (let round = 0; round < SETTLE_ROUNDS && isProblem(finding); round++) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const next = await this.inspector.inspect(file, state);
      const same = next.kind === finding.kind && next.sha256 === finding.sha256;
      finding = next;
      if (same) break;
    }
    return finding;
  }

  private markIntact(file: string, state: FileState, finding: Intact & { stats?: FileStats; readAt?: number }): void {
    if (finding.basis !== 'absent') state.seen = true;
    if (finding.basis === 'first-seen') state.acceptedSha256 = finding.sha256;
    state.verified = finding.stats && finding.readAt !== undefined ? { stats: finding.stats, readAt: finding.readAt } : undefined;
    if (!state.problem) return;
    this.logger.info({ file, was: state.problem.kind }, 'the file is intact again');
    this.emit('corruption:resolved', { file, summary: `${file} is intact again` });
    this.closeProblem(file, state);
  }

  private closeProblem(file: string, state: FileState): void {
    state.problem = undefined;
    this.metrics.corrupt.set({ file }, 0);
  }

  private async handleProblem(file: string, state: FileState, problem: Finding, detectedAt: number): Promise<CheckReport> {
    const policy = (await this.engine.settings(file)).onOutsideWrite;
    const action = Repairer.actionFor(policy, problem);
    const known = state.problem;
    if (!known || known.kind !== problem.kind || known.sha256 !== problem.sha256) {
      state.problem = { kind: problem.kind, sha256: problem.sha256, detectedAt, repairFailureLogged: false };
      this.metrics.corruptions.inc({ kind: problem.kind });
      this.metrics.corrupt.set({ file }, severityOf(problem.kind) === 'error' ? 1 : 0);
      this.logger.warn({ file, kind: problem.kind, policy, action, details: problem.details }, problem.message);
      // An accepted valid write is not corruption: it gets its own alert once accepted.
      if (action !== 'accept') this.emit('corruption:detected', { file, kind: problem.kind, message: problem.message, details: { ...problem.details, policy } });
    }
    const open = state.problem!;
    if (action === 'none') return { file, finding: problem.kind, action };
    try {
      await this.repairer.repair(file, action, problem);
    } catch (err) {
      this.metrics.repairs.inc({ action, result: 'failed' });
      if (!open.repairFailureLogged) this.logger.error({ file, kind: problem.kind, action, err }, 'could not repair the file; retrying at every validation');
      open.repairFailureLogged = true;
      return { file, finding: problem.kind, action, repaired: false, error: (err as Error).message };
    }
    const detectedToRepairMs = Date.now() - open.detectedAt;
    this.metrics.repairs.inc({ action, result: 'ok' });
    this.metrics.restoreDuration.observe(detectedToRepairMs / 1000);
    this.logger.info({ file, kind: problem.kind, action, detectedToRepairMs }, 'repaired');
    if (action === 'chmod') this.emit('corruption:resolved', { file, summary: `${file} is intact again` });
    state.seen = true;
    state.verified = undefined;
    this.closeProblem(file, state);
    // Look once more, so the repaired version becomes the verified one.
    state.again = true;
    return { file, finding: problem.kind, action, repaired: true, detectedToRepairMs };
  }
}
