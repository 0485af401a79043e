import type { BackupRecord } from '../backup/backup-strategy.js';
import type { ValidationIssue } from '../errors.js';
import type { FileStats } from '../fs/file-system.js';
import type { LastCommit } from '../commit/commit-witness.js';
import type { JsonValue } from '../json/json-value.js';
import type { LockHandle } from '../lock/file-locker.js';
import type { Logger } from '../logging/logger.js';
import type { FileSettings } from '../config/file-settings.js';
import type { Next } from './compose.js';

/** The committed version found on disk when the commit started (loaded under the lock). */
export interface CurrentVersion {
  document: JsonValue;
  bytes: Uint8Array;
  sha256: string;
  stats: FileStats;
  /**
   * Set when this version is not the last commit prevention made (an outside write the file's
   * `onOutsideWrite` policy lets through): that last commit, as its records show it.
   */
  outside?: LastCommit;
}

/** A check run on every candidate document; returns the problems found. */
export type DocumentCheck = (document: JsonValue, ctx: WriteContext) => ValidationIssue[];

/** A key into {@link WriteContext.state}, typed by the value it holds. */
export interface StateKey<T> {
  readonly description: string;
  /** Phantom field carrying the type; never set. */
  readonly __type?: T;
}

/** Creates a typed key for {@link WriteContext.state}. */
export function stateKey<T>(description: string): StateKey<T> {
  return { description };
}

/** Typed per-commit storage for middleware to share values. */
export interface ContextState {
  get<T>(key: StateKey<T>): T | undefined;
  set<T>(key: StateKey<T>, value: T): void;
}

/** What flows through the pipeline for one commit of one file. */
export interface WriteContext {
  /** Absolute path of the file being committed. */
  readonly file: string;
  /** The settings that apply to it. */
  readonly settings: FileSettings;
  /** Aborted when the commit must stop (for example the lock was lost). */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly state: ContextState;
  /** `update` for writes and updates, `restore` when a backup is being put back. */
  readonly kind: 'update' | 'restore';
  /** The lock, once the `lock` middleware holds it. */
  lock: LockHandle | undefined;
  /**
   * Checks every candidate document must pass. Middleware that run before `prepare` (such as
   * `validate`) add theirs here.
   */
  readonly checks: DocumentCheck[];
  /**
   * Loads the current version (under the lock when the pipeline has one) and applies the queued
   * changes, each on a private copy and run through `checks`; a change that throws or fails a
   * check fails alone. Idempotent: only the first call does the work.
   */
  prepare(): Promise<void>;
  /** The version on disk before this commit (after `prepare`); undefined for a new file. */
  readonly current: CurrentVersion | undefined;
  /** True when at least one change succeeded, so there is something to write. */
  readonly changed: boolean;
  /** The next document (after `prepare`). */
  readonly next: JsonValue | undefined;
  /** Its serialized bytes, exactly what will be written. */
  readonly bytes: Uint8Array | undefined;
  /** sha256 (hex) of `bytes`. */
  readonly sha256: string | undefined;
  /** Backups saved for this commit. */
  readonly backups: BackupRecord[];
  /** For a restore, the backup being put back (after `prepare`). */
  readonly restoring: BackupRecord | undefined;
  /** Status of the new file once `atomic-commit` has written it. */
  committed: FileStats | undefined;
  /** Aborts the commit with `reason`. */
  abort(reason: Error): void;
}

/** One step of the write pipeline, placed by name in the configured order. */
export interface Middleware {
  readonly name: string;
  handle(ctx: WriteContext, next: Next): Promise<void>;
}
