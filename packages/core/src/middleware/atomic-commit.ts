import type { ArchivedEvent, DocumentStore, Next, Middleware, WriteContext } from '../contract.js';
import { stateKey } from '../pipeline/middleware.js';

/**
 * Events a commit's changes moved out of the document for the store's own archive
 * ({@link DocumentStore.eventArchive}), handed to the store with the commit that drops them.
 */
export const ARCHIVED_WITH_COMMIT = stateKey<ArchivedEvent[]>('events archived with the commit');

/**
 * Work that must be done before the commit's new version becomes visible, but need not hold up
 * its writing (the backup of the new version, saved while the store writes it): the store waits
 * for it just before the switch ({@link StoreCommitOptions.ready}), and a rejection fails the
 * commit with the document as it was. Add to it with {@link holdSwitchFor}.
 */
const BEFORE_SWITCH = stateKey<Array<Promise<unknown>>>('work the switch waits for');

/** Makes the commit of `ctx` wait for `work` before its new version becomes visible (see {@link BEFORE_SWITCH}). */
export function holdSwitchFor(ctx: WriteContext, work: Promise<unknown>): void {
  // Observed here too, so a failure the commit never reaches (an earlier step failed) is not unhandled.
  work.catch(() => undefined);
  ctx.state.set(BEFORE_SWITCH, [...(ctx.state.get(BEFORE_SWITCH) ?? []), work]);
}

/**
 * `atomic-commit`: makes the prepared version the store's current one ({@link DocumentStore.commit}:
 * for files, temp file, fsync, rename, directory fsync), keeping the replaced version's mode and
 * owner, or for a restore with no readable version to replace, those its backup recorded. The
 * store proves, just before the switch, that the lock is still held, the document still the
 * version the commit loaded, and the commit not aborted; a failure after the switch puts the
 * previous version back, so a failed commit never leaves a version nobody was told about. Each
 * verified commit is recorded in the store's commit record, the baseline monitors compare against.
 */
export class AtomicCommitMiddleware implements Middleware {
  readonly name = 'atomic-commit';

  constructor(private readonly store: DocumentStore) {}

  async handle(ctx: WriteContext, next: Next): Promise<void> {
    const prepared = await ctx.prepare();
    if (!prepared.changed) return next();
    const current = ctx.current;
    const held = ctx.state.get(BEFORE_SWITCH) ?? [];
    const ready = held.length > 0 ? () => Promise.all(held).then(() => undefined) : undefined;
    const commit = await this.store.commit(ctx.file, prepared.content, {
      // A restore over content that could not be loaded replaces whatever is there.
      expected: current ? current.token : ctx.kind === 'restore' ? undefined : null,
      previous: current,
      lock: ctx.lock,
      attributes: current?.attributes ?? ctx.restoring?.attributes,
      signal: ctx.signal,
      unchangedPrefix: current ? prepared.unchangedPrefix : 0,
      archive: ctx.state.get(ARCHIVED_WITH_COMMIT),
      ready,
    });
    ctx.markCommitted(commit);
    await next();
    // Recorded on the way out, once everything inside (verify) accepted the commit, and still
    // under the lock, so the record's last entry always matches the document.
    await this.store
      .record(ctx.file, { ...commit, sha256: prepared.sha256 })
      .catch((err: unknown) => ctx.logger.warn({ file: ctx.file, err }, 'could not record the commit in the journal; a monitor may report it as an outside change'));
  }
}
