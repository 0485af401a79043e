import type { ArchiveInspection, ArchiveRepair, JsonObject, JsonValue, WriteContext } from '../contract.js';

/**
 * Where a bus keeps the events its retention moves out of the live document: JSON Lines beside
 * a file ({@link EventArchive}), or the store's own archive ({@link StoreArchive}). Either way
 * it holds only events of committed versions, each seq once.
 */
export interface BusArchive {
  /** Names the archive in inspections and messages: a path, or the store and document. */
  readonly location: string;
  /**
   * Called holding the document's lock, once per commit and before {@link append}; `boundary`
   * is the seq of the oldest event in the committed document. Returns the last seq archived.
   */
  reconcile(boundary: number, mode: number): Promise<number>;
  /** Archives `events` (each with its `seq`) as part of `commit`: durable before the commit that drops them, or in it. */
  append(events: readonly JsonObject[], mode: number, commit: WriteContext): Promise<void>;
  /** Archived events with `after < seq < before`, in `seq` order, each once. */
  read(after: number, before?: number): Promise<Array<{ raw: JsonValue; seq: number }>>;
  /** Checks the archive against `boundary` (the committed document's oldest seq); changes nothing. */
  inspect(boundary: () => Promise<number>): Promise<ArchiveInspection>;
  /** Puts a damaged archive back where it can; called holding the document's lock. */
  repair(boundary: number, mode: number): Promise<ArchiveRepair>;
}
