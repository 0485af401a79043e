import type { BackupInput, BackupRecord, BackupStrategy, EngineEvents, Next, Middleware, WriteContext } from '../contract.js';
import { ErrorCodes, PreventionError } from '../errors.js';
import { holdSwitchFor } from './atomic-commit.js';

/**
 * `backup`: saves the version being committed through every strategy while the store writes
 * it, and the switch to it waits for the save, so the store always holds the last committed
 * version and a restore loses no acknowledged write.
 * A version found on disk that no backup holds yet (a file adopted from elsewhere, an outside
 * edit) is saved first. Each saved version gets the next commit generation (see
 * `BackupRecord.generation`), counted on from what the strategies hold, so "newest" follows
 * commit order even when the wall clock steps back or the process restarts; a strategy that
 * can not list its backups is not saved to, since its number could not be proven higher. With
 * `backup.required` (the default) the commit is refused when no strategy could save it;
 * otherwise it goes ahead and `backup:failed` is emitted. If the commit
 * then fails, its backups are removed again, so a restore never brings back a write that failed.
 * Retention runs only once the commit succeeded: a failed write never costs an older backup.
 */
export class BackupMiddleware implements Middleware {
  readonly name = 'backup';

  constructor(
    /** The engine's strategies, in registration order (plugins add to this list while registering). */
    private readonly strategies: readonly BackupStrategy[],
    private readonly events: EngineEvents,
  ) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const prepared = await ctx.prepare();
    if (!prepared.changed || ctx.kind === 'restore') return next();
    const attributes = ctx.current?.attributes;
    const mode = attributes?.mode ?? 0o600;
    const { held, unlisted } = await this.listEach(ctx.file);
    // Under the lock, so no other writer can take the same number.
    let generation = 1 + [...held.values()].flat().reduce((highest, record) => Math.max(highest, record.generation ?? 0), 0);
    if (ctx.current) {
      const current = ctx.current;
      const missing = this.strategies.filter((strategy) => held.has(strategy) && held.get(strategy)![0]?.sha256 !== current.sha256);
      if (missing.length > 0) {
        await this.saveTo(missing, ctx, { file: ctx.file, bytes: current.bytes, sha256: current.sha256, mode, reason: 'previous', generation, attributes });
        generation++;
      }
    }
    // Saved while the store writes the new version; the switch waits for it, so the store
    // holds the version before anyone can read it, and a refused save leaves the file as it was.
    const saving = this.saveTo(this.strategies, ctx, { file: ctx.file, bytes: prepared.bytes, sha256: prepared.sha256, mode, reason: 'commit', generation, attributes }, unlisted);
    holdSwitchFor(ctx, saving);
    let saved: Array<{ strategy: BackupStrategy; record: BackupRecord }>;
    try {
      await next();
      saved = await saving;
    } catch (err) {
      saved = await saving.catch(() => []);
      await Promise.all(
        saved.map(({ strategy, record }) =>
          strategy.remove(record).catch((removeErr: unknown) => ctx.logger.warn({ err: removeErr, id: record.id }, 'could not remove the backup of a failed commit')),
        ),
      );
      throw err;
    }
    await this.applyRetention(ctx, saved);
  }

  /** Prunes the stores that took this commit's backup; the write is committed, so a failure here only waits for the next prune. */
  private async applyRetention(ctx: WriteContext, saved: ReadonlyArray<{ strategy: BackupStrategy }>): Promise<void> {
    for (const { strategy } of saved) {
      if (!strategy.prune) continue;
      await strategy.prune(ctx.file, { dryRun: false }).catch((err: unknown) => ctx.logger.warn({ err, file: ctx.file, strategy: strategy.name }, 'could not apply backup retention'));
    }
  }

  /** Each strategy's backups of `file`, newest first, and why the others could not list theirs. */
  private async listEach(file: string): Promise<{ held: Map<BackupStrategy, BackupRecord[]>; unlisted: Map<BackupStrategy, unknown> }> {
    const held = new Map<BackupStrategy, BackupRecord[]>();
    const unlisted = new Map<BackupStrategy, unknown>();
    await Promise.all(
      this.strategies.map((strategy) =>
        strategy.list(file).then(
          (records) => void held.set(strategy, records),
          (err: unknown) => void unlisted.set(strategy, err),
        ),
      ),
    );
    return { held, unlisted };
  }

  /**
   * Saves `input` through each of `strategies`. One in `unlisted` is not asked: the generations it
   * holds are unknown, so this version could sort below an older one there.
   */
  private async saveTo(
    strategies: readonly BackupStrategy[],
    ctx: WriteContext,
    input: BackupInput,
    unlisted: ReadonlyMap<BackupStrategy, unknown> = new Map(),
  ): Promise<Array<{ strategy: BackupStrategy; record: BackupRecord }>> {
    const saved: Array<{ strategy: BackupStrategy; record: BackupRecord }> = [];
    const failures: PreventionError[] = [];
    const required = ctx.settings.backup.required;
    for (const strategy of strategies) {
      try {
        if (unlisted.has(strategy)) {
          const cause = unlisted.get(strategy);
          throw new PreventionError(
            ErrorCodes.BACKUP_FAILED,
            `backup strategy "${strategy.name}" could not list its backups of ${ctx.file} (${cause instanceof Error ? cause.message : String(cause)}), so this version could not be numbered after them and was not saved there`,
            { file: ctx.file, cause },
          );
        }
        const record = await strategy.save(input);
        saved.push({ strategy, record });
        ctx.backups.push(record);
        this.events.emit('backup:created', { file: ctx.file, strategy: strategy.name, id: record.id, sha256: record.sha256, bytes: record.bytes });
      } catch (cause) {
        const error =
          cause instanceof PreventionError
            ? cause
            : new PreventionError(ErrorCodes.BACKUP_FAILED, `backup strategy "${strategy.name}" could not save ${ctx.file}: ${(cause as Error).message}`, { file: ctx.file, cause });
        failures.push(error);
        ctx.logger.warn({ file: ctx.file, strategy: strategy.name, err: error }, 'a backup strategy failed');
        this.events.emit('backup:failed', { file: ctx.file, strategy: strategy.name, error, required });
      }
    }
    if (saved.length === 0 && required && failures.length > 0) {
      throw new PreventionError(
        ErrorCodes.BACKUP_FAILED,
        `no backup of ${ctx.file} could be saved (${failures.map((f) => f.message).join('; ')}), so the write was refused and the file left unchanged. ` +
          'Free space or fix permissions in the backup directory, or set backup.required to false',
        { file: ctx.file, cause: failures[0], details: { strategies: failures.length } },
      );
    }
    return saved;
  }
}
