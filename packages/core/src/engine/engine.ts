import type { DependencyContainer } from 'tsyringe';
import type { BackupRecord, Clock, FileGlob, FileSettings, ResolvedConfig, EngineEventMap, EngineEventName, EngineEvents, DocumentStore, JsonValue, Logger, CommitResult, RestoreResult, Updater, BusOptions, LastCommit, VersionStanding, CurrentVersion, Mutation, EngineApi, BusHost, BusFactory, MessageBusApi, ServiceToken, AlertSink, DocumentVersion, WriteCondition } from '../contract.js';
import { listBackups } from '../backup/select-backup.js';
import type { FileSettingsResolver } from '../config/file-settings.js';
import { engineClosed, ErrorCodes, isPreventionError, PreventionError } from '../errors.js';
import type { Change, Settle } from './change.js';
import { CommitContext, type CommitServices } from './commit-context.js';
import type { Contributions } from './contributions.js';
import type { DocumentCache } from './document-cache.js';
import { loadVersion, outsideWriteRefusal } from './load-version.js';
import { layOut } from '../json/serialize-document.js';
import { parseDocument } from '../json/parse-document.js';
import { sha256Hex } from '../commit/sha256.js';
import { lastCommittedDocument } from './last-committed-document.js';
import { appendsOnly } from './outside-events.js';
import { lastCommitOf, standingOf } from '../commit/commit-witness.js';
import { buildPipeline, type Pipeline } from './pipeline-builder.js';
import { holdFileLock, type LockServices } from '../lock/hold-file-lock.js';

/** What an engine is made of, built by `createEngine`. */
export interface EngineParts {
  logger: Logger;
  config: ResolvedConfig;
  store: DocumentStore;
  events: EngineEvents;
  clock: Clock;
  cache: DocumentCache;
  contributions: Contributions;
  lockServices: LockServices;
  resolver: FileSettingsResolver;
  makeBus: BusFactory;
  /** A store the engine made its own (its config's): closed last, after the backup strategies that may use it. */
  ownedStore: DocumentStore | undefined;
}

interface FileQueue {
  pending: Change[];
  running: Promise<void> | undefined;
}

/**
 * One prevention engine: reads and commits JSON files through the configured pipeline. Create
 * it with `createEngine`; every engine has its own DI container and shares nothing with others.
 */
export class Engine implements EngineApi, BusHost {
  readonly logger: Logger;
  readonly config: ResolvedConfig;
  readonly store: DocumentStore;
  private readonly ownedStore: DocumentStore | undefined;
  private readonly events: EngineEvents;
  private readonly cache: DocumentCache;
  private readonly contributions: Contributions;
  private readonly resolver: FileSettingsResolver;
  private readonly clock: Clock;
  private readonly queues = new Map<string, FileQueue>();
  private readonly pipelines = new WeakMap<object, Pipeline>();
  private readonly buses = new Set<MessageBusApi>();
  private readonly lockServices: LockServices;
  private readonly makeBus: BusFactory;
  private closed: Promise<void> | undefined;
  /** Set while closing waits for the buses, whose last publishes may still commit. */
  private busesClosing = false;

  /** @internal Use `createEngine`, which builds the parts (and the container plugins register services in). */
  constructor(
    private readonly container: DependencyContainer,
    parts: EngineParts,
  ) {
    ({ logger: this.logger, config: this.config, store: this.store, events: this.events, cache: this.cache, contributions: this.contributions, clock: this.clock, lockServices: this.lockServices, makeBus: this.makeBus, ownedStore: this.ownedStore } = parts);
    this.resolver = parts.resolver;
  }

  /**
   * Like `read`, with the sha256 of the committed bytes (`undefined` for a file that does not
   * exist yet): the version token for a conditional write.
   */
  async readVersion<T = JsonValue>(file: string): Promise<DocumentVersion<T>> {
    this.assertOpen();
    const absolute = this.resolver.resolvePath(file);
    const settings = await this.resolver.settingsFor(absolute);
    try {
      const version = await this.loadForReading(absolute, settings);
      return { document: structuredClone(version ? version.document : settings.initial) as T, sha256: version?.sha256 };
    } catch (err) {
      if (isPreventionError(err, ErrorCodes.CORRUPT_DOCUMENT)) this.reportCorruption(absolute, err);
      throw err;
    }
  }

  /**
   * Reads and parses the committed document. A missing file gives the file's initial document;
   * a corrupt one is `PREVENTION_CORRUPT_DOCUMENT`, never an empty document. One holding values
   * JavaScript would change (a repeated key, an integer beyond 2^53) is refused with
   * `PREVENTION_VALIDATION_FAILED` naming them by JSON pointer, never handed out altered.
   */
  async read<T = JsonValue>(file: string): Promise<T> {
    return (await this.readVersion<T>(file)).document;
  }

  /**
   * Replaces the document. Resolves once the commit is durable and verified; with a condition,
   * only if it holds under the lock (else `PREVENTION_PRECONDITION_FAILED`).
   */
  write(file: string, document: unknown, condition?: WriteCondition): Promise<CommitResult> {
    return this.enqueue(file, (settle) => ({ kind: 'replace', document, condition, settle }));
  }

  /**
   * Runs `updater` on a copy-on-write draft of the latest committed version (only what it changes
   * is copied; the draft is revoked when it returns) while holding the file's
   * locks, and commits the result. Concurrent calls for one file are committed together (group
   * commit); an updater that throws or produces an invalid document fails alone.
   */
  update<T = JsonValue>(file: string, updater: Updater<T>, condition?: WriteCondition): Promise<CommitResult> {
    return this.enqueue(file, (settle) => ({ kind: 'update', updater: updater as unknown as Updater<JsonValue>, condition, settle }));
  }

  /**
   * Puts a backup back through the pipeline (locked, committed atomically, verified): the one
   * with `id`, or the newest whose bytes match their recorded sha256 and that passes the file's
   * schema. The replaced file is kept in the quarantine folder.
   */
  restore(file: string, options: { id?: string; reason?: string } = {}): Promise<RestoreResult> {
    return this.enqueue(file, (settle) => ({ kind: 'restore', id: options.id, reason: options.reason, settle }));
  }

  /**
   * The backup `restore` would put back now. The plan runs the file's pipeline like a restore
   * (so every middleware's document checks apply) and stops once the backup is chosen: nothing is
   * written, quarantined or emitted.
   */
  async planRestore(file: string, options: { id?: string } = {}): Promise<BackupRecord> {
    const planned = await this.enqueue<RestoreResult>(file, (settle) => ({ kind: 'restore', id: options.id, plan: true, settle }));
    return planned.backup;
  }

  /**
   * @internal Commits a {@link Mutation}: the hot path for changes that share the unchanged
   * parts of the document instead of copying it (the message bus's appends).
   */
  mutate(file: string, mutation: Mutation): Promise<CommitResult> {
    return this.enqueue(file, (settle) => ({ kind: 'mutate', mutation, settle }), this.busesClosing);
  }

  /**
   * @internal The committed document itself, not a copy: callers must never mutate it. For
   * read-mostly internals (the bus) that hand out copies of small parts.
   */
  async readShared(file: string): Promise<JsonValue> {
    this.assertOpen();
    const absolute = this.resolver.resolvePath(file);
    const settings = await this.resolver.settingsFor(absolute);
    const version = await this.loadForReading(absolute, settings);
    return version ? version.document : settings.initial;
  }

  /** @internal See {@link BusHost.closing}. */
  get closing(): boolean {
    return this.closed !== undefined;
  }

  /** @internal See {@link BusHost.warm}. */
  async warm(file: string): Promise<void> {
    try {
      this.assertOpen();
      const absolute = this.resolver.resolvePath(file);
      if (this.cache.base(absolute)) return;
      const settings = await this.resolver.settingsFor(absolute);
      // Not judged (a lock-free reader of a file committed to as fast as it parses seldom can
      // judge it): kept only to parse the next load's new bytes against, which is judged.
      const found = await this.store.load(absolute);
      if (!found || !('bytes' in found)) return;
      const seed = { document: parseDocument(found.bytes, absolute, { maxDepth: settings.maxDepth }), sha256: sha256Hex(found.bytes) };
      if (layOut(seed, settings.indent)) this.cache.seed(absolute, seed);
    } catch {
      // Only a head start: the commit that needs the version loads it and reports what fails.
    }
  }

  /** Loads the current version for a reader, applying the file's outside-write policy. */
  private async loadForReading(file: string, settings: FileSettings): Promise<CurrentVersion | undefined> {
    const version = await loadVersion(this.services(), file, settings);
    const refusal = outsideWriteRefusal(file, version, settings.onOutsideWrite, 'read', this.contributions.strategies.length > 0);
    if (refusal) throw refusal;
    return version;
  }

  /**
   * A message bus on one shared context file: publish events, read them back, follow them
   * from any process. See {@link MessageBus}.
   */
  bus(file: string, options: BusOptions = {}): MessageBusApi {
    this.assertOpen();
    const bus = this.makeBus(this, this.resolver.resolvePath(file), options, () => this.buses.delete(bus));
    this.buses.add(bus);
    return bus;
  }

  /**
   * Runs `work` holding `file`'s locks (in-process and cross-process), excluding every commit
   * to it: for maintenance such as pruning backups or checking the file from a monitor.
   */
  async withLock<T>(file: string, work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const absolute = this.resolver.resolvePath(file);
    const settings = await this.resolver.settingsFor(absolute);
    await this.store.prepare(absolute);
    return holdFileLock(this.lockServices, absolute, settings.lock, () => work());
  }

  /** Every backup of `file` across strategies, newest first. */
  async backups(file: string): Promise<BackupRecord[]> {
    const entries = await listBackups(this.contributions.strategies, this.resolver.resolvePath(file));
    return entries.map((e) => e.record);
  }

  /**
   * How a version of `file` with this sha256 stands against prevention's records (the commit
   * journal, then the backups): the one rule every writer and reader applies to the version it
   * loads, for observers such as the monitor. See {@link VersionStanding}.
   */
  async standing(file: string, sha256: string, document?: JsonValue): Promise<VersionStanding> {
    const absolute = this.resolver.resolvePath(file);
    const standing = await standingOf(this.services(), absolute, sha256);
    if (standing.kind !== 'outside' || document === undefined) return standing;
    const previous = await lastCommittedDocument(this.services(), absolute, standing.lastCommit, (await this.resolver.settingsFor(absolute)).maxDepth);
    return appendsOnly(previous, document) ? { kind: 'appended', lastCommit: standing.lastCommit } : standing;
  }

  /**
   * The last commit prevention made to `file` as its records show it: the commit journal, else
   * (the journal lost) the newest backup. `undefined` when it never committed the file.
   */
  lastCommit(file: string): Promise<LastCommit | undefined> {
    return lastCommitOf(this.services(), this.resolver.resolvePath(file));
  }

  /** The settings that apply to `file`. */
  settings(file: string): Promise<FileSettings> {
    return this.resolver.settingsFor(this.resolver.resolvePath(file));
  }

  /** Absolute path of `file` as the engine sees it. */
  resolvePath(file: string): string {
    return this.resolver.resolvePath(file);
  }

  /** The absolute paths of the files named (not globbed) in the config. */
  configuredFiles(): string[] {
    return this.resolver.configuredFiles();
  }

  /** The config's `files` entries that are globs, with their matcher and where their matches lie. */
  fileGlobs(): FileGlob[] {
    return this.resolver.fileGlobs();
  }

  /**
   * Every file the config covers now, as absolute paths: the named files (present or not), then
   * the regular files matching a glob entry and the matching files that have a commit journal
   * (deleted since their last commit, say). Globs are expanded by walking their base directories
   * through the FileSystem port, skipping prevention's own entries and never following symbolic
   * links; call it again to see files created since.
   */
  managedFiles(): Promise<string[]> {
    return this.resolver.managedFiles();
  }

  /** The names of the pipeline steps for `file`, in order. */
  async pipeline(file: string): Promise<string[]> {
    return this.pipelineFor(await this.settings(file)).names;
  }

  /** Listens to an engine event; returns the function that removes the listener. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** The service a plugin of this engine provides under `token`, or `undefined` when none does. */
  service<T>(token: ServiceToken<T>): T | undefined {
    return this.container.isRegistered(token) ? this.container.resolve<T>(token) : undefined;
  }

  /** The alert sinks plugins added, in registration order. */
  alertSinks(): readonly AlertSink[] {
    return this.contributions.sinks;
  }

  /** Waits for queued commits, then runs plugins' close hooks and releases strategies and sinks. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  /** @internal Builds (once per settings object) the pipeline for a file. */
  pipelineFor(settings: FileSettings): Pipeline {
    let pipeline = this.pipelines.get(settings);
    if (!pipeline) {
      pipeline = buildPipeline(settings.pipeline, this.contributions);
      this.pipelines.set(settings, pipeline);
    }
    return pipeline;
  }

  private async shutdown(): Promise<void> {
    this.busesClosing = true;
    try {
      await Promise.all([...this.buses].map((bus) => bus.close()));
    } finally {
      this.busesClosing = false;
    }
    await Promise.all([...this.queues.values()].map((q) => q.running));
    const errors: unknown[] = [];
    for (const hook of [...this.contributions.closeHooks].reverse()) {
      await Promise.resolve()
        .then(hook)
        .catch((err: unknown) => errors.push(err));
    }
    for (const closable of [...this.contributions.sinks, ...this.contributions.strategies]) {
      await closable.close?.().catch((err: unknown) => errors.push(err));
    }
    await this.ownedStore?.close?.().catch((err: unknown) => errors.push(err));
    for (const err of errors) this.logger.error({ err }, 'error while closing the engine');
    this.cache.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw engineClosed();
  }

  private services(): CommitServices {
    return { store: this.store, cache: this.cache, events: this.events, logger: this.logger, strategies: this.contributions.strategies };
  }

  private enqueue<R>(file: string, make: (settle: Settle<R>) => Change, whileClosing = false): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (!whileClosing) this.assertOpen();
      const absolute = this.resolver.resolvePath(file);
      let queue = this.queues.get(absolute);
      if (!queue) this.queues.set(absolute, (queue = { pending: [], running: undefined }));
      queue.pending.push(make({ resolve, reject }));
      queue.running ??= this.drain(absolute, queue);
    });
  }

  /** Commits queued changes in batches: all updates waiting at once go in one commit; a restore goes alone. */
  private async drain(file: string, queue: FileQueue): Promise<void> {
    // Let callers in the same tick join the first batch.
    await Promise.resolve();
    // Updates up to the first restore, which goes alone.
    const takeUpdates = (): Change[] => {
      const restoreAt = queue.pending.findIndex((c) => c.kind === 'restore');
      return queue.pending.splice(0, restoreAt === -1 ? queue.pending.length : restoreAt);
    };
    while (queue.pending.length > 0) {
      if (queue.pending[0]!.kind === 'restore') await this.commit(file, queue.pending.splice(0, 1), true);
      else await this.commit(file, takeUpdates(), true, takeUpdates);
    }
    queue.running = undefined;
    this.queues.delete(file);
  }

  private async commit(file: string, batch: Change[], mayRepair: boolean, lateChanges?: () => Change[]): Promise<void> {
    const started = this.clock.now();
    let ctx: CommitContext;
    let pipeline: Pipeline;
    try {
      const settings = await this.resolver.settingsFor(file);
      pipeline = this.pipelineFor(settings);
      await this.store.prepare(file);
      ctx = new CommitContext(file, settings, batch, this.logger, this.services(), lateChanges);
    } catch (err) {
      this.settleAll(batch, toPreventionError(err, file));
      return;
    }
    let outcome: ReturnType<CommitContext['result']>;
    try {
      await pipeline.run(ctx);
      outcome = ctx.result(pipeline.names);
    } catch (err) {
      this.cache.delete(file);
      const loadError = err === ctx.loadError ? ctx.loadError : undefined;
      if (loadError && (isPreventionError(loadError, ErrorCodes.CORRUPT_DOCUMENT) || isPreventionError(loadError, ErrorCodes.OUTSIDE_WRITE))) {
        this.reportCorruption(file, loadError);
        if (mayRepair && repairsOnLoad(ctx.settings, loadError) && this.contributions.strategies.length > 0) {
          const repaired = await this.repair(file, loadError.message);
          if (repaired) return this.commit(file, ctx.changes, false, lateChanges);
        }
      }
      const error = toPreventionError(err, file);
      this.events.emit('commit:failed', { file, error, changes: ctx.outcomes.length });
      this.settleAll(ctx.changes, error, ctx);
      return;
    }
    if (outcome.committed) {
      const { prepared, commit } = outcome;
      const { content } = prepared;
      // The bytes are made only if something asks for them (a put-back, a backup of the previous version).
      this.cache.set(file, {
        document: prepared.next,
        get bytes() {
          return content.bytes();
        },
        sha256: prepared.sha256,
        token: commit.token,
        attributes: commit.attributes,
      });
      this.events.emit('commit', { file, sha256: prepared.sha256, bytes: content.length, changes: ctx.outcomes.length, durationMs: this.clock.now() - started });
      if (ctx.accepted && ctx.current?.appended) {
        this.logger.debug({ file, lastCommitSha256: ctx.accepted.lastCommitSha256 }, 'adopted events appended outside prevention (acceptOutsideAppends)');
        this.events.emit('outside-write:appended', { file, sha256: ctx.current.sha256, lastCommitSha256: ctx.accepted.lastCommitSha256 });
      } else if (ctx.accepted) {
        this.logger.warn({ file, ...ctx.accepted }, 'adopted a version written outside prevention (onOutsideWrite: accept)');
        this.events.emit('outside-write:accepted', { file, sha256: ctx.current!.sha256, ...ctx.accepted });
      }
    }
    const result: CommitResult = outcome.committed ? { file, sha256: outcome.prepared.sha256, bytes: outcome.prepared.content.length } : { file, sha256: '', bytes: 0 };
    for (const { change, error } of ctx.outcomes) {
      if (error) change.settle.reject(error);
      else if (change.kind === 'restore') {
        const { selected, quarantined } = ctx.restored!;
        change.settle.resolve({ ...result, backup: selected.record, quarantined });
        if (change.plan) continue;
        const reason = change.reason === undefined ? {} : { reason: change.reason };
        this.events.emit('restore:completed', { file, strategy: selected.strategy.name, backupId: selected.record.id, sha256: selected.record.sha256, quarantined, ...reason });
      } else change.settle.resolve(result);
    }
  }

  /** Restores a file found corrupt during a commit, so the queued changes can apply on the last good version. */
  private async repair(file: string, reason: string): Promise<boolean> {
    let outcome: RestoreResult | PreventionError | undefined;
    await this.commit(file, [{ kind: 'restore', id: undefined, reason, settle: { resolve: (r) => (outcome = r), reject: (e) => (outcome = e) } }], false);
    if (outcome instanceof PreventionError || outcome === undefined) {
      this.logger.error({ file, err: outcome }, 'the file is corrupt and could not be restored from a backup');
      return false;
    }
    this.logger.warn({ file, backup: outcome.backup.id, quarantined: outcome.quarantined }, 'restored a corrupt file from its newest valid backup');
    return true;
  }

  private reportCorruption(file: string, error: PreventionError): void {
    this.events.emit('corruption:detected', { file, kind: String(error.details.reason ?? 'invalid-json'), message: error.message, details: error.details });
  }

  private settleAll(batch: Change[], error: PreventionError, ctx?: CommitContext): void {
    const own = new Map(ctx?.outcomes.map((o) => [o.change, o.error]));
    for (const change of batch) change.settle.reject(own.get(change) ?? error);
  }
}

/**
 * Whether a load failure is repaired from the backups before the batch is applied: an outside
 * write is reported as damage only under `onOutsideWrite: restore`; unparseable or deleted
 * content follows `onCorrupt`.
 */
function repairsOnLoad(settings: FileSettings, error: PreventionError): boolean {
  if (!isPreventionError(error, ErrorCodes.CORRUPT_DOCUMENT)) return false;
  return error.details.reason === 'modified' || settings.onCorrupt === 'restore';
}

/** Gives an untyped failure (from a custom middleware, say) a code, keeping it as the cause. */
function toPreventionError(err: unknown, file: string): PreventionError {
  if (err instanceof PreventionError) return err;
  return new PreventionError(
    ErrorCodes.MIDDLEWARE_FAILED,
    `the commit to ${file} failed in a middleware: ${err instanceof Error ? err.message : String(err)}; the file was left unchanged`,
    { file, cause: err },
  );
}
