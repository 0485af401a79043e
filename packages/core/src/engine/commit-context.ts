import type { VersionContent, BackupRecord, BackupStrategy, LastCommit, FileSettings, EngineEvents, JsonValue, LockHandle, Logger, ContextState, CurrentVersion, DocumentCheck, DocumentStore, PreparedCommit, StateKey, StoredCommit, WriteContext, WritePhase } from '../contract.js';
import { selectBackup, type SelectedBackup } from '../backup/select-backup.js';
import { sha256Hex } from '../commit/sha256.js';
import { ByteRope } from '../json/byte-rope.js';
import { ErrorCodes, PreventionError, type ValidationIssue } from '../errors.js';
import { isUnusableDocument, parseDocument } from '../json/parse-document.js';
import { applyChanges } from './apply-changes.js';
import type { Change, ChangeOutcome } from './change.js';
import type { DocumentCache } from './document-cache.js';
import { droppedEvents } from './outside-events.js';
import { lastCommittedDocument } from './last-committed-document.js';
import { loadVersion, outsideWriteRefusal } from './load-version.js';

/** What a commit needs from its engine. */
export interface CommitServices {
  store: DocumentStore;
  cache: DocumentCache;
  events: EngineEvents;
  logger: Logger;
  strategies: readonly BackupStrategy[];
}

/** A prepared version whose bytes are made from its content only when asked for. */
function preparedVersion(next: JsonValue, content: VersionContent, sha256: string, unchangedPrefix: number): PreparedCommit {
  return {
    changed: true,
    next,
    content,
    sha256,
    unchangedPrefix,
    get bytes() {
      return content.bytes();
    },
  };
}

class MapState implements ContextState {
  private readonly map = new Map<StateKey<unknown>, unknown>();
  get<T>(key: StateKey<T>): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  set<T>(key: StateKey<T>, value: T): void {
    this.map.set(key, value);
  }
}

/** Set when the batch applies on an outside write adopted under `onOutsideWrite: accept`. */
export interface AcceptedOutsideWrite {
  lastCommitSha256: string;
  dropped: { count: number; ids: string[] };
}

/** Set for a restore: the backup chosen and where the bad copy went. */
export interface RestoreChoice {
  selected: SelectedBackup;
  quarantined: string | undefined;
}

/**
 * The {@link WriteContext} of one commit: a batch of changes to one file, moving through its
 * phases once each. Every phase's result is set in one step, so no middleware sees half of one.
 */
export class CommitContext implements WriteContext {
  readonly state: ContextState = new MapState();
  readonly backups: BackupRecord[] = [];
  readonly outcomes: ChangeOutcome[];
  lock: LockHandle | undefined;
  /** The load phase's failure, when loading the current version is what failed the commit. */
  loadError: PreventionError | undefined;
  /** Set when the batch applies on an outside write adopted under `onOutsideWrite: accept`. */
  accepted: AcceptedOutsideWrite | undefined;
  /** Set for a restore: the backup chosen and where the bad copy went. */
  restored: RestoreChoice | undefined;
  private currentPhase: WritePhase = 'open';
  private loaded: CurrentVersion | undefined;
  private prepared: PreparedCommit | undefined;
  private commit: StoredCommit | undefined;
  private readonly checks: DocumentCheck[] = [];
  private readonly controller = new AbortController();
  private preparing: Promise<PreparedCommit> | undefined;

  constructor(
    readonly file: string,
    readonly settings: FileSettings,
    changes: readonly Change[],
    readonly logger: Logger,
    private readonly services: CommitServices,
    /**
     * Changes queued for the file since the batch was taken: asked once, when the current
     * version is loaded and the changes are about to apply, so callers that arrived while the
     * lock was being taken and the file loaded join this commit instead of waiting for the next.
     */
    private readonly lateChanges: () => readonly Change[] = () => [],
  ) {
    this.outcomes = changes.map((change) => ({ change, error: undefined }));
  }

  /** Every change of this commit, those that joined late included. */
  get changes(): Change[] {
    return this.outcomes.map((o) => o.change);
  }

  get phase(): WritePhase {
    return this.currentPhase;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get current(): CurrentVersion | undefined {
    return this.loaded;
  }

  get changed(): boolean {
    return this.prepared?.changed === true;
  }

  get next(): JsonValue | undefined {
    return this.prepared?.changed ? this.prepared.next : undefined;
  }

  get bytes(): Uint8Array | undefined {
    return this.prepared?.changed ? this.prepared.bytes : undefined;
  }

  get sha256(): string | undefined {
    return this.prepared?.changed ? this.prepared.sha256 : undefined;
  }

  get committed(): StoredCommit | undefined {
    return this.commit;
  }

  get restoring(): BackupRecord | undefined {
    return this.restored?.selected.record;
  }

  get kind(): 'update' | 'restore' {
    return this.outcomes[0]?.change.kind === 'restore' ? 'restore' : 'update';
  }

  /**
   * What the commit came to: nothing to write, or the version committed. A batch that built a
   * version the pipeline never committed is a pipeline that did not call `next()`.
   */
  result(pipeline: readonly string[]): { committed: false } | { committed: true; prepared: Extract<PreparedCommit, { changed: true }>; commit: StoredCommit } {
    if (!this.prepared?.changed) return { committed: false };
    if (!this.commit) {
      throw new PreventionError(
        ErrorCodes.MIDDLEWARE_FAILED,
        `nothing was committed to ${this.file}: a middleware before "atomic-commit" did not call next() (pipeline: ${pipeline.join(', ')})`,
        { file: this.file },
      );
    }
    return { committed: true, prepared: this.prepared, commit: this.commit };
  }

  addCheck(check: DocumentCheck): void {
    if (this.currentPhase !== 'open') this.outOfOrder('add a document check', 'before the commit is prepared');
    this.checks.push(check);
  }

  markCommitted(commit: StoredCommit): void {
    if (this.currentPhase !== 'prepared' || !this.prepared?.changed) this.outOfOrder('mark the commit committed', 'once a changed version is prepared');
    this.commit = commit;
    this.currentPhase = 'committed';
  }

  markVerified(): void {
    if (this.currentPhase !== 'committed') this.outOfOrder('mark the commit verified', 'once it is committed');
    this.currentPhase = 'verified';
  }

  abort(reason: Error): void {
    this.controller.abort(reason);
  }

  prepare(): Promise<PreparedCommit> {
    this.preparing ??= (this.kind === 'restore' ? this.prepareRestore() : this.prepareUpdates()).then((prepared) => {
      this.prepared = prepared;
      this.currentPhase = 'prepared';
      return prepared;
    });
    return this.preparing;
  }

  private outOfOrder(what: string, when: string): never {
    throw new PreventionError(ErrorCodes.MIDDLEWARE_FAILED, `a middleware tried to ${what} of ${this.file} in phase "${this.currentPhase}"; that is only possible ${when}`, { file: this.file, details: { phase: this.currentPhase } });
  }

  private setLoaded(version: CurrentVersion | undefined): void {
    this.loaded = version;
    this.currentPhase = 'loaded';
  }

  private async prepareUpdates(): Promise<PreparedCommit> {
    let current: CurrentVersion | undefined;
    try {
      current = await this.loadCurrent();
      const refusal = outsideWriteRefusal(this.file, current, this.settings.onOutsideWrite, 'write', this.services.strategies.length > 0);
      if (refusal) throw refusal;
    } catch (err) {
      this.loadError = err as PreventionError;
      throw err;
    }
    if (current?.outside) this.accepted = await this.describeAccepted(current, current.outside);
    this.setLoaded(current);
    for (const change of this.lateChanges()) this.outcomes.push({ change, error: undefined });
    const applied = await applyChanges({ document: current?.document ?? this.settings.initial, sha256: current?.sha256 }, this.outcomes, {
      file: this.file,
      settings: this.settings,
      checks: this.checks,
      commit: this,
      refuse: (issues) => this.validationError(issues),
    });
    return applied ? preparedVersion(applied.document, applied.content, applied.sha256, applied.unchangedPrefix) : { changed: false };
  }

  private async prepareRestore(): Promise<PreparedCommit> {
    const change = this.outcomes[0]!.change;
    if (change.kind !== 'restore') return { changed: false };
    let badBytes: Uint8Array | undefined;
    let current: CurrentVersion | undefined;
    try {
      current = await this.loadCurrent();
    } catch (err) {
      if (!isUnusableDocument(err)) throw err;
      const found = await this.services.store.load(this.file).catch(() => undefined);
      badBytes = found && 'bytes' in found ? found.bytes : undefined;
    }
    this.setLoaded(current);
    const selected = await selectBackup(
      this.services.strategies,
      this.file,
      (bytes) => {
        const document = parseDocument(bytes, this.file, { maxDepth: this.settings.maxDepth });
        const issues = this.checks.flatMap((check) => check(document, this));
        if (issues.length > 0) throw this.validationError(issues);
        return document;
      },
      change.id,
    );
    if (change.plan) {
      this.restored = { selected, quarantined: undefined };
      return { changed: false };
    }
    // Keep the version being replaced unless it is the very one being restored: it may be
    // someone's only copy of an outside edit, and evidence of what went wrong.
    const replaced = badBytes ?? current?.bytes;
    let quarantined: string | undefined;
    if (replaced && sha256Hex(replaced) !== selected.record.sha256) {
      quarantined = await this.services.store.quarantine(this.file, replaced, badBytes ? 'corrupt' : current?.outside ? 'outside-write' : 'replaced');
    }
    this.restored = { selected, quarantined };
    return preparedVersion(selected.document, ByteRope.of(selected.bytes), selected.record.sha256, 0);
  }

  /**
   * What adopting an outside write drops: the acknowledged events of the last commit (this
   * engine's cached copy, or the backup with its sha256) that the outside version lacks.
   */
  private async describeAccepted(current: CurrentVersion, lastCommit: LastCommit): Promise<AcceptedOutsideWrite> {
    const previous = await lastCommittedDocument(this.services, this.file, lastCommit, this.settings.maxDepth);
    return { lastCommitSha256: lastCommit.sha256, dropped: droppedEvents(previous, current.document) };
  }

  private validationError(issues: ValidationIssue[]): PreventionError {
    const listed = issues
      .slice(0, 5)
      .map((i) => `${i.path || '/'}: ${i.message}`)
      .join('; ');
    this.services.events.emit('validate:failed', { file: this.file, issues });
    return new PreventionError(
      ErrorCodes.VALIDATION_FAILED,
      `refused to write ${this.file}: ${listed}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}. The file was left unchanged`,
      { file: this.file, issues },
    );
  }

  private loadCurrent(): Promise<CurrentVersion | undefined> {
    return loadVersion(this.services, this.file, this.settings);
  }
}
