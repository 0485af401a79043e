import type { JsonValue, Updater, CommitResult, RestoreResult, Mutation, WriteCondition } from '../contract.js';
import type { PreventionError } from '../errors.js';

/** One queued request against a file. */
export type Change =
  | { kind: 'update'; updater: Updater<JsonValue>; condition?: WriteCondition; settle: Settle<CommitResult> }
  | { kind: 'mutate'; mutation: Mutation; settle: Settle<CommitResult> }
  | { kind: 'replace'; document: unknown; condition?: WriteCondition; settle: Settle<CommitResult> }
  /** A restore; with `plan`, only the choice of backup, nothing written. `reason`: why, for the event. */
  | { kind: 'restore'; id: string | undefined; plan?: boolean; reason?: string; settle: Settle<RestoreResult> };

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
