import type { BackupRecord } from '../backup/backup-strategy.js';
import type { PreventionError, ValidationIssue } from '../errors.js';
import type { JsonValue } from '../json/json-value.js';
import type { WriteContext } from '../pipeline/middleware.js';

/** What `write`, `update` and `restore` resolve to once the commit is durable and verified. */
export interface CommitResult {
  /** Absolute path of the file. */
  file: string;
  /** sha256 (hex) of the committed bytes. */
  sha256: string;
  /** Size of the committed file in bytes. */
  bytes: number;
}

/** What `restore` resolves to. */
export interface RestoreResult extends CommitResult {
  /** The backup that was restored. */
  backup: BackupRecord;
  /** Where the replaced (bad) file was kept, if there was one. */
  quarantined: string | undefined;
}

/**
 * Receives a private copy of the latest committed document. Mutate it and return nothing, or
 * return the next document. May be called with the result of earlier updaters in the same
 * group commit; it is called exactly once.
 */
export type Updater<T = JsonValue> = (draft: T) => T | void | Promise<T | void>;

/**
 * An engine-internal change that builds the next document from the current one without
 * copying it (sharing unchanged parts), for hot paths such as appending events. `apply` must
 * not mutate its input, and must list what it puts in: the engine checks those values against
 * the file's limits, like every other commit, without walking the parts shared with a version
 * that passed them; then `check` runs on the result, plus the file's full checks when
 * `fullCheck` is set. It runs holding the file's lock, and gets the commit it is part of:
 * `commit.current` is the committed version (`document` may already hold earlier changes of
 * the same commit), `commit.state` is shared by the commit's changes.
 */
export interface Mutation {
  apply(document: JsonValue, commit: WriteContext): MutationResult | Promise<MutationResult>;
  check?(next: JsonValue): ValidationIssue[];
  fullCheck?: boolean;
}

/** What a {@link Mutation} built. */
export interface MutationResult {
  next: JsonValue;
  /**
   * Every value put into `next` that is not shared with the document given, with the JSON
   * pointer where it sits (containers around them that only gained or lost entries need not be
   * listed).
   */
  added: ReadonlyArray<{ at: string; value: JsonValue }>;
}

/** One queued request against a file. */
export type Change =
  | { kind: 'update'; updater: Updater<JsonValue>; settle: Settle<CommitResult> }
  | { kind: 'mutate'; mutation: Mutation; settle: Settle<CommitResult> }
  | { kind: 'replace'; document: unknown; settle: Settle<CommitResult> }
  | { kind: 'restore'; id: string | undefined; settle: Settle<RestoreResult> };

/** How a change's caller is answered. */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: PreventionError): void;
}

/** The per-commit bookkeeping of one change. */
export interface ChangeOutcome {
  change: Change;
  error: PreventionError | undefined;
}
