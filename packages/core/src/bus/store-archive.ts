import type { ArchiveInspection, ArchiveRepair, ArchivedEvent, JsonObject, JsonValue, StoreEventArchive, WriteContext } from '../contract.js';
import { ARCHIVED_WITH_COMMIT } from '../middleware/atomic-commit.js';
import type { BusArchive } from './bus-archive.js';

/**
 * A bus archive kept by the store itself ({@link DocumentStore.eventArchive}): the events
 * leaving the document go to the store with the commit that drops them, so a database writes
 * both in one transaction, and every engine on the store, on any machine, reads the same
 * archive. Nothing is written before the commit, so there is never anything to reconcile.
 */
export class StoreArchive implements BusArchive {
  readonly location: string;

  constructor(
    private readonly archive: StoreEventArchive,
    private readonly name: string,
    kind: string,
  ) {
    this.location = `${kind}:${name}#archive`;
  }

  reconcile(): Promise<number> {
    return this.archive.lastSeq(this.name);
  }

  async append(events: readonly JsonObject[], _mode: number, commit: WriteContext): Promise<void> {
    let leaving = commit.state.get(ARCHIVED_WITH_COMMIT);
    if (!leaving) commit.state.set(ARCHIVED_WITH_COMMIT, (leaving = []));
    leaving.push(...events.map((event): ArchivedEvent => ({ seq: event.seq as number, event })));
  }

  async read(after: number, before = Infinity): Promise<Array<{ raw: JsonValue; seq: number }>> {
    return (await this.archive.read(this.name, after, before)).map(({ seq, event }) => ({ raw: event, seq }));
  }

  /** Damaged when the archived seqs are not consecutive, or stop short of the document's oldest event (rows deleted behind the store's back). */
  async inspect(boundary: () => Promise<number>): Promise<ArchiveInspection> {
    const [archived, oldest] = await Promise.all([this.archive.read(this.name, 0, Infinity), boundary()]);
    const lines = archived.length;
    if (lines === 0) return { archive: this.location, state: 'absent', lines };
    const gap = archived.findIndex((row, i) => i > 0 && row.seq !== archived[i - 1]!.seq + 1);
    const last = archived.at(-1)!.seq;
    const problem =
      gap !== -1
        ? `seq ${archived[gap - 1]!.seq + 1} to ${archived[gap]!.seq - 1} are missing between archived events`
        : last + 1 < oldest
          ? `seq ${last + 1} to ${oldest - 1} are in neither the archive nor the document`
          : undefined;
    // The store's history holds every committed version, but putting rows back is a database repair, not the bus's.
    return problem ? { archive: this.location, state: 'damaged', problem, repairable: false, lines } : { archive: this.location, state: 'intact', lines };
  }

  async repair(boundary: number): Promise<ArchiveRepair> {
    return { ...(await this.inspect(() => Promise.resolve(boundary))), repaired: false };
  }
}
