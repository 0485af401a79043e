import path from 'node:path';
import { fileStamp, quarantineDirFor } from '../store/file-layout.js';
import type { MutationResult, BackupRecord, BackupStrategy, Clock, LastCommit, FileSettings, EngineEvents, FileStats, FileSystem, JsonValue, LockHandle, Logger, ContextState, CurrentVersion, DocumentCheck, StateKey, WriteCondition, WriteContext } from '../contract.js';
import { listBackups, selectBackup, type SelectedBackup } from '../backup/select-backup.js';
import { atomicWriteFile } from '../commit/atomic-write.js';
import { sha256Hex } from '../commit/sha256.js';
import { ErrorCodes, ioError, isPreventionError, PreventionError, type ValidationIssue } from '../errors.js';
import { isUnusableDocument, parseDocument } from '../json/parse-document.js';
import { checkParsedDocument, depthAt, toJsonDocument } from '../json/to-json-document.js';
import type { Change, ChangeOutcome } from './change.js';
import type { DocumentCache } from './document-cache.js';
import { droppedEvents } from './dropped-events.js';
import { loadVersion, outsideWriteRefusal } from './load-version.js';

/** What a commit needs from its engine. */
export interface CommitServices {
  fs: FileSystem;
  clock: Clock;
  cache: DocumentCache;
  events: EngineEvents;
  logger: Logger;
  strategies: readonly BackupStrategy[];
}

/** Serializes a document the way prevention writes it: indented as configured, newline-terminated. */
export function serializeDocument(document: JsonValue, indent: number): Buffer {
  return Buffer.from(`${JSON.stringify(document, null, indent || undefined)}\n`, 'utf8');
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

/** Marks an error raised while loading the current version, before any change was applied. */
export class LoadError extends Error {
  constructor(readonly error: PreventionError) {
    super(error.message);
  }
}

/** The {@link WriteContext} of one commit: a batch of changes to one file. */
export class CommitContext implements WriteContext {
  readonly state: ContextState = new MapState();
  readonly backups: BackupRecord[] = [];
  readonly checks: DocumentCheck[] = [];
  readonly outcomes: ChangeOutcome[];
  lock: LockHandle | undefined;
  committed: FileStats | undefined;
  current: CurrentVersion | undefined;
  next: JsonValue | undefined;
  bytes: Uint8Array | undefined;
  sha256: string | undefined;
  changed = false;
  /** Set when the batch applies on an outside write adopted under `onOutsideWrite: accept`. */
  accepted: { lastCommitSha256: string; dropped: { count: number; ids: string[] } } | undefined;
  /** Set for a restore: the backup chosen and where the bad copy went. */
  restored: { selected: SelectedBackup; quarantined: string | undefined } | undefined;
  private readonly controller = new AbortController();
  private preparing: Promise<void> | undefined;

  constructor(
    readonly file: string,
    readonly settings: FileSettings,
    changes: readonly Change[],
    readonly logger: Logger,
    private readonly services: CommitServices,
  ) {
    this.outcomes = changes.map((change) => ({ change, error: undefined }));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get restoring(): BackupRecord | undefined {
    return this.restored?.selected.record;
  }

  get kind(): 'update' | 'restore' {
    return this.outcomes[0]?.change.kind === 'restore' ? 'restore' : 'update';
  }

  abort(reason: Error): void {
    this.controller.abort(reason);
  }

  /** Throws the abort reason if the commit was aborted. */
  throwIfAborted(): void {
    if (this.signal.aborted) throw this.signal.reason as Error;
  }

  prepare(): Promise<void> {
    this.preparing ??= this.kind === 'restore' ? this.prepareRestore(this.checks) : this.prepareUpdates(this.checks);
    return this.preparing;
  }

  private async prepareUpdates(checks: readonly DocumentCheck[]): Promise<void> {
    try {
      this.current = await this.loadCurrent();
    } catch (err) {
      throw new LoadError(err as PreventionError);
    }
    const refusal = outsideWriteRefusal(this.file, this.current, this.settings.onOutsideWrite, 'write', this.services.strategies.length > 0);
    if (refusal) throw new LoadError(refusal);
    if (this.current?.outside) this.accepted = await this.describeAccepted(this.current, this.current.outside);
    const { maxDepth, maxBytes, indent } = this.settings;
    let working: JsonValue = this.current?.document ?? this.settings.initial;
    let anyOk = false;
    // The version a conditional change would replace: the loaded one, until a change of this
    // batch applies (then hashed only if a later change asks).
    let workingSha = this.current?.sha256;
    for (const outcome of this.outcomes) {
      this.throwIfAborted();
      const { change } = outcome;
      if (change.kind === 'mutate') {
        let next: JsonValue;
        let added: MutationResult['added'];
        try {
          ({ next, added } = await change.mutation.apply(working, this));
        } catch (cause) {
          outcome.error = isPreventionError(cause)
            ? cause
            : new PreventionError(ErrorCodes.UPDATER_FAILED, `a change to ${this.file} failed (${(cause as Error)?.message ?? String(cause)}); nothing was committed for it`, { file: this.file, cause });
          continue;
        }
        const issues = [
          ...added.flatMap(({ at, value }) => checkParsedDocument(value, { maxDepth, depth: depthAt(at) }).map((i) => ({ ...i, path: `${at}${i.path}` }))),
          ...(change.mutation.check?.(next) ?? []),
          ...(change.mutation.fullCheck ? this.runChecks(next, checks) : []),
        ];
        if (issues.length > 0) {
          outcome.error = this.validationError(issues);
          continue;
        }
        working = next;
        workingSha = undefined;
        anyOk = true;
        continue;
      }
      if (change.kind === 'restore') continue;
      if (change.condition) {
        if (anyOk && workingSha === undefined) workingSha = sha256Hex(serializeDocument(working, indent));
        outcome.error = preconditionFailure(this.file, change.condition, workingSha);
        if (outcome.error) continue;
      }
      let candidate: unknown;
      if (change.kind === 'replace') {
        candidate = change.document;
      } else {
        // The updater gets its own copy, so one that throws halfway leaves nothing behind.
        const draft = structuredClone(working);
        try {
          const returned = await change.updater(draft);
          candidate = returned === undefined ? draft : returned;
        } catch (cause) {
          outcome.error = new PreventionError(
            ErrorCodes.UPDATER_FAILED,
            `the updater for ${this.file} threw (${cause instanceof Error ? cause.message : String(cause)}); nothing was committed for it`,
            { file: this.file, cause },
          );
          continue;
        }
      }
      // The copy is what gets cached and written, so a caller keeping references can not change it later.
      const copy = toJsonDocument(candidate, { maxDepth });
      const issues = copy.ok ? this.runChecks(copy.value, checks) : copy.issues;
      if (!copy.ok || issues.length > 0) {
        outcome.error = this.validationError(issues);
        continue;
      }
      working = copy.value;
      workingSha = undefined;
      anyOk = true;
    }
    if (!anyOk) return;
    const bytes = serializeDocument(working, indent);
    if (bytes.length > maxBytes) {
      const error = this.validationError([{ path: '', message: `the document would be ${bytes.length} bytes, over the limit of ${maxBytes} (maxBytes)`, limit: { setting: 'maxBytes', value: maxBytes } }]);
      for (const outcome of this.outcomes) outcome.error ??= error;
      return;
    }
    this.next = working;
    this.bytes = bytes;
    this.sha256 = sha256Hex(bytes);
    this.changed = true;
  }

  private async prepareRestore(checks: readonly DocumentCheck[]): Promise<void> {
    const change = this.outcomes[0]!.change;
    if (change.kind !== 'restore') return;
    let badBytes: Uint8Array | undefined;
    try {
      this.current = await this.loadCurrent();
    } catch (err) {
      if (!isUnusableDocument(err)) throw err;
      badBytes = await this.services.fs.readFile(this.file).catch(() => undefined);
    }
    const selected = await selectBackup(
      this.services.strategies,
      this.file,
      (bytes) => {
        const document = parseDocument(bytes, this.file, { maxDepth: this.settings.maxDepth });
        const issues = this.runChecks(document, checks);
        if (issues.length > 0) throw this.validationError(issues);
        return document;
      },
      change.id,
    );
    if (change.plan) {
      this.restored = { selected, quarantined: undefined };
      return;
    }
    // Keep the version being replaced unless it is the very one being restored: it may be
    // someone's only copy of an outside edit, and evidence of what went wrong.
    const replaced = badBytes ?? this.current?.bytes;
    let quarantined: string | undefined;
    if (replaced && sha256Hex(replaced) !== selected.record.sha256) {
      quarantined = await this.quarantine(replaced, badBytes ? 'corrupt' : this.current?.outside ? 'outside-write' : 'replaced');
    }
    this.restored = { selected, quarantined };
    this.next = selected.document;
    this.bytes = selected.bytes;
    this.sha256 = selected.record.sha256;
    this.changed = true;
  }

  /**
   * What adopting an outside write drops: the acknowledged events of the last commit (this
   * engine's cached copy, or the backup with its sha256) that the outside version lacks.
   */
  private async describeAccepted(current: CurrentVersion, lastCommit: LastCommit): Promise<NonNullable<CommitContext['accepted']>> {
    const cached = this.services.cache.peek(this.file);
    let previous = cached?.sha256 === lastCommit.sha256 ? cached.document : undefined;
    if (previous === undefined) {
      const backup = (await listBackups(this.services.strategies, this.file).catch(() => [])).find((b) => b.record.sha256 === lastCommit.sha256);
      const bytes = backup && (await backup.strategy.read(backup.record).catch(() => undefined));
      previous = bytes && sha256Hex(bytes) === lastCommit.sha256 ? parseDocument(bytes, this.file, { maxDepth: this.settings.maxDepth }) : undefined;
    }
    return { lastCommitSha256: lastCommit.sha256, dropped: droppedEvents(previous, current.document) };
  }

  /** Keeps bad bytes aside in the quarantine folder; returns the path. */
  private async quarantine(bytes: Uint8Array, reason: string): Promise<string> {
    const dir = quarantineDirFor(this.file);
    const target = path.join(dir, `${path.basename(this.file)}.${fileStamp(new Date(this.services.clock.now()))}.${process.pid}.${reason}`);
    try {
      await this.services.fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError('creating the quarantine folder', this.file, err);
    }
    await atomicWriteFile(this.services.fs, target, bytes, { mode: 0o600, label: 'quarantining the replaced version' });
    return target;
  }

  private runChecks(document: JsonValue, checks: readonly DocumentCheck[]): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const check of checks) issues.push(...check(document, this));
    return issues;
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

/**
 * Why a conditional change may not apply on the version `sha256` (`undefined`: no file), or
 * `undefined` when it may.
 */
function preconditionFailure(file: string, condition: WriteCondition, sha256: string | undefined): PreventionError | undefined {
  if (condition.ifNoneMatch === '*' && sha256 !== undefined) {
    return new PreventionError(ErrorCodes.PRECONDITION_FAILED, `${file} already exists (sha256 ${sha256.slice(0, 12)}…), and the write asked that it not; nothing was committed for it`, {
      file,
      details: { current: sha256 },
    });
  }
  if (condition.ifMatch !== undefined && condition.ifMatch !== sha256) {
    return new PreventionError(
      ErrorCodes.PRECONDITION_FAILED,
      `${file} is ${sha256 ? `at version ${sha256.slice(0, 12)}…` : 'missing'}, not the version ${condition.ifMatch.slice(0, 12)}… the write was made against; nothing was committed for it. Read it again and retry`,
      { file, details: { current: sha256, expected: condition.ifMatch } },
    );
  }
  return undefined;
}
