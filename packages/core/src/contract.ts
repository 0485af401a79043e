/**
 * The contract of @prevention/core: the public engine, the plugin API, the pipeline's
 * middleware and write context, the config shapes and the ports. Types only: it imports no
 * implementation (only the error registry's types), so everything may depend on it, and
 * everything that other layers, plugins and clients need from each other is named here.
 */
import type { Logger as PinoLogger, LoggerOptions as PinoOptions } from 'pino';
import type { PreventionError, ValidationIssue } from './errors.js';
import type { DependencyContainer } from 'tsyringe';

// JSON documents

/** A value that JSON can represent exactly. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

// The FileSystem port: every byte prevention reads or writes goes through it, so tests can trace
// the exact sequence of operations and inject faults (ENOSPC, EIO, short writes, lies on
// re-read) at any step.

/** The part of a file's status that prevention relies on. */
export interface FileStats {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  /** Modification time in nanoseconds, for change detection finer than a millisecond. */
  mtimeNs: bigint;
  /** Status-change time in nanoseconds. */
  ctimeNs: bigint;
  /** Creation time in nanoseconds where the file system records it (0 elsewhere): tells a reused inode apart. */
  birthtimeNs: bigint;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** Free and total space of the file system holding a path. */
export interface FileSystemSpace {
  totalBytes: number;
  freeBytes: number;
  totalInodes: number;
  freeInodes: number;
}

/** Flags for {@link FileSystem.open}, so callers never need `node:fs` themselves. */
export interface OpenFlags {
  /** O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW: create a new file, fail if anything exists at the path. */
  readonly createExclusive: number;
  /** O_RDONLY|O_NOFOLLOW|O_NONBLOCK (a FIFO opens without waiting, and is then refused). */
  readonly readNoFollow: number;
  /** O_RDWR|O_APPEND|O_CREAT|O_NOFOLLOW: appends, and reads to check how the file ends. */
  readonly append: number;
  /** O_WRONLY|O_NOFOLLOW: writes into a file that exists (a clone just made), never creating one. */
  readonly writeExisting: number;
}

/** Asynchronous file operations, one method per system call that prevention makes. */
export interface FileSystem {
  readonly flags: OpenFlags;
  /** Opens a file and returns its descriptor. */
  open(path: string, flags: number, mode?: number): Promise<number>;
  /** Writes up to `length` bytes; may write fewer (callers loop). Returns the count written. */
  write(fd: number, data: Uint8Array, offset: number, length: number, position: number | null): Promise<number>;
  /** Reads up to `length` bytes into `buffer`; returns the count read (0 at end of file). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number>;
  /** Flushes the file's data and metadata to stable storage. */
  fsync(fd: number): Promise<void>;
  /** Sets the file's length (cutting or zero-extending it). */
  ftruncate(fd: number, length: number): Promise<void>;
  fstat(fd: number): Promise<FileStats>;
  fchmod(fd: number, mode: number): Promise<void>;
  fchown(fd: number, uid: number, gid: number): Promise<void>;
  close(fd: number): Promise<void>;
  /** Atomically replaces `to` with `from` (same file system). */
  rename(from: string, to: string): Promise<void>;
  /**
   * Creates `to`, which must not exist, as a copy-on-write clone of `from` (FICLONE on Linux,
   * clonefile on macOS): no data is copied, and the clone's blocks are shared until written.
   * Rejects (ENOTSUP, EXDEV, EINVAL, ...) where the file system cannot clone; it never falls
   * back to copying the bytes. Never follows a symbolic link at `from` (ELOOP), and clones only
   * a regular file.
   */
  cloneFile(from: string, to: string): Promise<void>;
  /**
   * Gives the file at `existing` a second name, `to`, which must not exist (a hard link, on the
   * same file system). A symbolic link at `existing` is linked itself, never followed.
   */
  link(existing: string, to: string): Promise<void>;
  /** Removes a name; the file's blocks are freed with its last name, so the cost can grow with its size. */
  unlink(path: string): Promise<void>;
  /**
   * Reads a whole file without following a symlink at the final component (ELOOP instead), and
   * without blocking on a FIFO or reading a device (EINVAL for anything but a regular file).
   */
  readFile(path: string): Promise<Buffer>;
  lstat(path: string): Promise<FileStats>;
  stat(path: string): Promise<FileStats>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<void>;
  rmdir(path: string): Promise<void>;
  utimes(path: string, atime: Date, mtime: Date): Promise<void>;
  realpath(path: string): Promise<string>;
  /** Flushes a directory's entries (a rename or create inside it) to stable storage. */
  syncDirectory(path: string): Promise<void>;
  /** Space left on the file system holding `path`. */
  space(path: string): Promise<FileSystemSpace>;
  /** Synchronous rmdir, only for releasing locks while the process exits. */
  rmdirSync(path: string): void;
  /**
   * Calls `onChange` with the entry's name (when the platform says it) whenever an entry of the
   * directory changes (inotify, FSEvents, ...), until the returned function is called: a hint to
   * look again, never a promise that nothing changed without a call. Throws where the platform
   * cannot watch.
   */
  watchDirectory(path: string, onChange: (name: string | undefined) => void): () => void;
}

/** A data file's permission bits and owner: what a new version of it, or a restore, must keep. */
export interface FileAttributes {
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
}

// Time

/** Cancels a timer; does nothing once the timer has fired or was already cancelled. */
export type CancelTimer = () => void;

/** Time, injectable so tests can control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fn` once, `ms` milliseconds from now, unless cancelled first. Meant for background
   * work (grouping windows, retries, watchdogs): the system clock's timers never keep the
   * process alive, so a caller that must wait for something awaits `sleep` instead.
   */
  setTimeout(fn: () => void, ms: number): CancelTimer;
}

// Logging

/** The logger type used everywhere: a pino logger. */
export type Logger = PinoLogger;

/** How to build the default logger. */
export interface LoggerOptions {
  /** Minimum level; default `warn` for an embedded engine. */
  level?: PinoOptions['level'];
  /** Human-readable output (needs the `pino-pretty` package); default: JSON. */
  pretty?: boolean;
  /** File descriptor to write to; default 2 (stderr). */
  fd?: number;
  /** Extra paths to redact. */
  redact?: string[];
}

// The cross-process lock

/** A held cross-process lock on one file. */
export interface LockHandle {
  /** The locked data file. */
  readonly file: string;
  /** Where the lock lives (for messages and health checks). */
  readonly lockPath: string;
  /** Aborted when the lock is lost (taken over as stale, or removed); the commit must stop. */
  readonly signal: AbortSignal;
  /** Set when acquiring removed a lock left by a dead holder. */
  readonly staleRecovered: { ageMs: number } | undefined;
  /** Throws `PREVENTION_LOCK_COMPROMISED` unless the lock is still provably ours. */
  assertHeld(): Promise<void>;
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
}

/** How to acquire a lock. */
export interface LockOptions {
  /** Give up with `PREVENTION_LOCK_TIMEOUT` after this long. */
  timeoutMs: number;
  /** A lock not refreshed for this long belongs to a dead or frozen holder and may be taken over. */
  staleMs: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

/** What is known about a file's lock without taking it. */
export interface LockState {
  lockPath: string;
  held: boolean;
  /** Milliseconds since the holder last refreshed it. */
  ageMs?: number;
}

/**
 * The cross-process lock port. The default implementation uses proper-lockfile; a store on a
 * distributed engine would use its own primitive (for example advisory locks).
 */
export interface FileLocker {
  acquire(file: string, options: LockOptions): Promise<LockHandle>;
  /** Reports whether `file` is locked and how old the lock is. */
  inspect(file: string): Promise<LockState>;
  /** Removes the lock if it is older than `staleMs`; returns whether it did. */
  removeStale(file: string, staleMs: number): Promise<boolean>;
}

// The storage port

/**
 * The identity of one stored version of a document: opaque to everyone but its store, and
 * different for every version written, by anyone, even one with the same bytes (a file's is its
 * inode, size and times; a database row's, its version counter). Equal tokens mean the same,
 * unchanged version.
 */
export type VersionToken = string;

/** What a store knows of a document's current version without reading its content. */
export interface StoredHead {
  token: VersionToken;
  /** Mode and owner, for a store that keeps them (files); `undefined` otherwise. */
  attributes: FileAttributes | undefined;
}

/** One stored version of a document, with its content. */
export interface StoredVersion extends StoredHead {
  bytes: Uint8Array;
}

/** The version a commit made current. */
export interface StoredCommit extends StoredHead {
  /** Size of the committed content in bytes. */
  size: number;
  /**
   * Where the bytes this commit wrote begin, when it kept the start of the previous version
   * rather than writing it (see {@link StoreCommitOptions.unchangedPrefix}); absent or 0 when
   * it wrote them all. `verify` re-reads from here.
   */
  writtenFrom?: number;
}

/** How {@link DocumentStore.commit} writes a next version. */
export interface StoreCommitOptions {
  /**
   * The version the commit replaces: its token, `null` for a document that must not exist yet,
   * or `undefined` only for a restore over content that could not be loaded (whatever is there
   * is replaced). Anything else found is refused with `PREVENTION_LOCK_COMPROMISED`, untouched.
   */
  expected: VersionToken | null | undefined;
  /**
   * The version put back if the commit fails once the new one may already be visible
   * (`undefined`: the document is removed again). The error then says whether that worked, in
   * `details.previousVersionRestored`.
   */
  previous: StoredVersion | undefined;
  /**
   * The store's lock on the document, held by the caller (absent only for a pipeline without
   * a `lock` step); checked just before the switch.
   */
  lock: LockHandle | undefined;
  /** Mode and owner for the new version; default: those of the version it replaces. */
  attributes?: FileAttributes;
  /** Checked with the lock just before the switch: an aborted commit writes nothing. */
  signal?: AbortSignal;
  /**
   * How many leading bytes of `bytes` are the same as those of `previous` (an append that left
   * the start of the document as it was). A store may take them from the previous version
   * instead of writing them again (the file store clones the file where the file system can);
   * the version it commits is exactly `bytes` either way.
   */
  unchangedPrefix?: number;
  /**
   * Events that bus retention moves out of the document in this commit, for a store with an
   * {@link DocumentStore.eventArchive}: it writes them in the commit itself, so they leave the
   * document and reach the archive together or not at all.
   */
  archive?: readonly ArchivedEvent[];
  /**
   * Work the switch must wait for (a backup of the new version, saved while the store writes
   * it): awaited once the new version is prepared (for files, written and fsynced to its temp
   * file) and before the lock and the expected version are proven and the new version made
   * visible. A rejection aborts the commit with the document as it was, and is what it throws.
   */
  ready?: () => Promise<void>;
}

/** An event that leaves a document for its store's archive. */
export interface ArchivedEvent {
  seq: number;
  /** The event as the document stored it, with its `seq`. */
  event: JsonObject;
}

/**
 * A store's own archive of the events bus retention moves out of its documents (see
 * {@link DocumentStore.eventArchive}). It holds only events of committed versions: they arrive
 * with a commit ({@link StoreCommitOptions.archive}) and a revert takes that commit's back out.
 */
export interface StoreEventArchive {
  /** The highest seq archived for `name`; 0 when none is. */
  lastSeq(name: string): Promise<number>;
  /** The archived events of `name` with `after < seq < before`, in seq order. */
  read(name: string, after: number, before: number): Promise<ArchivedEvent[]>;
}

/**
 * The storage port: everything the engine, the pipeline and the bus need from where documents
 * live. Documents are named by the engine's resolved name (for files, the absolute path). The
 * engine adds parsing, validation, group commit and repair on top; a store only keeps bytes,
 * versions and records. `FileStore` (files, proper-lockfile, atomic rename, the commit journal)
 * is the default; `@prevention/core/testing` has an in-memory one, and every store passes the
 * contract suite `documentStoreContract` exported there.
 *
 * The invariants a store must keep (each one is a test of the suite):
 *
 * 1. **Whole versions.** A reader (`load`, `readBack`) sees the previous version or the next, in
 *    full, never a mix, an empty document or a half-written one, even if the writer dies.
 * 2. **Durable before acknowledged.** `commit` resolves only once the new version survives a
 *    crash or power loss; if that cannot be made sure after the switch, it puts `previous` back
 *    (only if the document is still the version it wrote) and rejects.
 * 3. **Compare-and-swap.** `commit` switches only from the `expected` version, and `revert` only
 *    from the version its commit wrote: a version someone else wrote is never replaced by an
 *    older one (`PREVENTION_LOCK_COMPROMISED`).
 * 4. **Mutual exclusion.** Two holders of `lock` for one document never overlap, across
 *    processes (and machines, for a shared store). A holder that died releases it after the stale
 *    threshold (`staleRecovered`); a holder that lost it sees its `signal` aborted and
 *    `assertHeld` reject with `PREVENTION_LOCK_COMPROMISED`.
 * 5. **Fresh tokens.** Every committed version has a token no earlier version had.
 * 6. **The commit record** (`record`, `lastRecord`) describes the last verified commit; it may
 *    lag a crash (it is a witness, not data) but never names a version that was not committed.
 * 7. **Typed failures.** Failures are `PreventionError`s: `PREVENTION_IO_FAILED` with the cause,
 *    `PREVENTION_UNSAFE_PATH` for a name the store must not follow or replace, and a failed
 *    commit leaves the document as it was.
 */
export interface DocumentStore {
  /** What kind of store this is, for messages (`file`, `memory`, `postgres`). */
  readonly kind: string;
  /**
   * Makes the document's place ready to be written (for files: its directory) and checks it is
   * safe; called before each commit and locked maintenance. Idempotent and cheap once done.
   */
  prepare(name: string): Promise<void>;
  /** The current version's head, or `undefined` when the document does not exist. */
  head(name: string): Promise<StoredHead | undefined>;
  /**
   * The current version, or `undefined` when the document does not exist. With `unless`, a
   * version whose token is that one comes back as its head alone (the caller has its content).
   */
  load(name: string, options?: { unless?: VersionToken }): Promise<StoredVersion | StoredHead | undefined>;
  /**
   * Re-reads the committed content, for `verify`: the bytes from offset `from` (default 0) to
   * the end, so a commit that wrote only its tail re-reads only that (the length still proves
   * the whole size). `into` is a buffer the caller owns and lends for this read: a store may
   * read into it and return a view of it, when it is large enough, instead of allocating a
   * buffer the size of the document on every commit.
   */
  readBack(name: string, options?: { from?: number; into?: Uint8Array }): Promise<Uint8Array>;
  /** Takes the document's cross-process lock; released with the handle. */
  lock(name: string, options: LockOptions): Promise<LockHandle>;
  /**
   * Writes `bytes` as the next version, under the held lock, if `expected` still holds. The
   * engine hands a {@link VersionContent}, so a store that keeps the previous version's start
   * ({@link StoreCommitOptions.unchangedPrefix}) writes only the views after it;
   * `contentBytes` and `contentViews` take either form.
   */
  commit(name: string, bytes: Uint8Array | VersionContent, options: StoreCommitOptions): Promise<StoredCommit>;
  /**
   * Puts `previous` back (`undefined`: removes the document) after a commit that could not be
   * confirmed, only while the lock is held and the document is still `written`; otherwise it
   * rejects with `PREVENTION_LOCK_COMPROMISED` and changes nothing.
   */
  revert(name: string, written: StoredCommit, previous: StoredVersion | undefined, lock: LockHandle | undefined): Promise<void>;
  /** Records a verified commit in the commit record (under the lock). */
  record(name: string, commit: StoredCommit & { sha256: string }): Promise<void>;
  /** The newest entry of the commit record, if any. */
  lastRecord(name: string): Promise<CommitRecord | undefined>;
  /** Keeps bytes that are being replaced (damage, an outside write) aside; returns where. */
  quarantine(name: string, bytes: Uint8Array, reason: string): Promise<string>;
  /**
   * Releases what the store holds open (a database's connections). An engine calls it on
   * `close()` only for a store it owns, the one named by `store` in its config; a store passed
   * to `createEngine({ store })` in code stays its caller's to close.
   */
  close?(): Promise<void>;
  /**
   * The store's schema migrations, for a store that keeps its data in a schema of its own (a
   * database); absent for one that has none (files, memory). `prevention db migrate` uses it,
   * so the CLI never needs to know the store's package.
   */
  migrations?(): StoreMigrations;
  /**
   * Every document the store holds, by the names the engine gave them: for a store whose
   * documents are not files on this machine (a database), so the config's globs can be matched
   * against them. Absent for files, whose globs are expanded on the disk.
   */
  list?(): Promise<string[]>;
  /**
   * Calls `listener` with a document's name soon after it changes, by a commit of any engine
   * or by a program that bypassed prevention (so a monitor notices outside writes at once).
   * Only a wake-up: a change may be told late, twice, or (while the store reconnects) not at
   * all, so a watcher still looks on a schedule. Resolves once watching; `onError` hears of a
   * lost feed, which the store re-makes by itself, and `onResume` of it watching again (what
   * changed in between was not told: look at everything).
   */
  watch?(listener: (name: string) => void, onError: (error: PreventionError) => void, onResume?: () => void): Promise<StoreWatch>;
  /** What the store depends on, checked now (a database: the connection, its role, the schema version, standbys); never rejects. */
  health?(): Promise<StoreHealthResult>;
  /**
   * Where the store keeps the events bus retention moves out of its documents, for a store
   * that is not files on this machine (a database shared by machines): every engine on the
   * store then reads the same archive. Such a store takes {@link StoreCommitOptions.archive}.
   * Absent for files: their bus keeps the archive in JSON Lines beside the file. A bus with
   * retention refuses a store that is neither.
   */
  readonly eventArchive?: StoreEventArchive;
}

/** A running {@link DocumentStore.watch}. */
export interface StoreWatch {
  /** Stops the notifications and releases what the watch held (a connection). */
  close(): Promise<void>;
}

/** See {@link DocumentStore.health}. */
export interface StoreHealthResult {
  /** `fail`: commits cannot be trusted to work (no answer, a standby, the schema behind); `warn`: they work, something is degraded (a lagging standby). */
  status: 'ok' | 'warn' | 'fail';
  message: string;
  details?: Record<string, unknown>;
}

/** A migration a store's schema has had, or still needs. */
export interface StoreMigration {
  version: number;
  description: string;
}

/** Where a store's schema stands. */
export interface StoreMigrationStatus {
  /** The newest migration applied (0: none). */
  applied: number;
  /** The version the store needs. */
  required: number;
  /** The migrations applied, oldest first. */
  migrations: Array<StoreMigration & { appliedAt: Date }>;
  /** The migrations still to apply, in the order they will run. */
  pending: StoreMigration[];
}

/** See {@link DocumentStore.migrations}. */
export interface StoreMigrations {
  /** Where the schema stands; changes nothing. */
  status(): Promise<StoreMigrationStatus>;
  /** Applies the pending migrations and resolves with where the schema then stands. */
  apply(): Promise<StoreMigrationStatus>;
}

// Backups

/** One saved version of a file. */
export interface BackupRecord {
  /** Unique within the strategy and file; passed back to `read` and `restore`. */
  id: string;
  /** Absolute path of the file this is a backup of. */
  file: string;
  /** The strategy instance that holds it. */
  strategy: string;
  /** Wall-clock time of the save: for display and day-based retention, never to tell which backup is newer (clocks step back). */
  createdAt: Date;
  /**
   * Commit generation: strictly increasing across the versions of one file, in commit order, and
   * the same number in every strategy for the same save. What "newest" means when backups are
   * chosen or listed. Absent for a backup made before generations existed (or by a strategy
   * that does not keep it): such backups count as older than any that have one.
   */
  generation?: number;
  /** sha256 (hex) of the backed-up bytes, recorded at save time. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
  /**
   * The data file's mode and owner when this version was saved. A restore over a damaged or
   * deleted file gives them back (the owner only when running as root); absent when the file
   * was not on disk yet, or for a backup made before they were recorded.
   */
  attributes?: FileAttributes;
}

/** What a strategy is asked to save. */
export interface BackupInput {
  /** Absolute path of the data file. */
  file: string;
  /** The exact bytes of the version, as they are (or will be) on disk. */
  bytes: Uint8Array;
  sha256: string;
  /** Mode to give the backup: the data file's (0o600 while it has none); backups are never more permissive. */
  mode: number;
  /**
   * The data file's mode and owner as found on disk (absent for a file not created yet). A
   * strategy stores them with the backup and returns them as {@link BackupRecord.attributes}.
   */
  attributes?: FileAttributes;
  /** `commit`: the version being committed; `previous`: the version found on disk before it. */
  reason: 'commit' | 'previous';
  /**
   * Commit generation of this version, assigned by the engine under the file's lock: one more
   * than the highest any strategy holds for the file. A strategy stores it durably with the
   * backup and returns it as {@link BackupRecord.generation}, so the order survives restarts and
   * wall-clock steps.
   */
  generation: number;
}

/** What pruning removed, or would remove with `dryRun`. */
export interface PruneReport {
  file: string;
  strategy: string;
  kept: BackupRecord[];
  removed: BackupRecord[];
  dryRun: boolean;
}

/**
 * The BackupStrategy port. The engine's `backup` middleware saves every committed version
 * through each registered strategy before the commit's rename, and restores read them back.
 * Implementations must write backups atomically and durably (see `atomicWriteFile`).
 */
export interface BackupStrategy {
  /** Name of this instance (for example `rotating`, or `rotating:/var/backups`). Unique per engine. */
  readonly name: string;
  /**
   * Saves one version, without applying retention: the save happens before the commit's rename,
   * and a commit that fails afterwards gets its backup removed again, so pruning here could
   * cost an older backup for a write that never happened. The engine calls `prune` once the
   * commit succeeded.
   */
  save(input: BackupInput): Promise<BackupRecord>;
  /**
   * Backups of `file`, newest first in save order (never by wall-clock time). Each record carries
   * the `generation` it was saved with; the engine orders all strategies' backups by it. When it
   * fails, the engine saves nothing through this strategy for that commit: a number not proven
   * higher than the ones it holds could put the new version below older ones.
   */
  list(file: string): Promise<BackupRecord[]>;
  /** The bytes of one backup. */
  read(record: BackupRecord): Promise<Uint8Array>;
  /** Deletes one backup (used to drop the backup of a commit that failed). */
  remove(record: BackupRecord): Promise<void>;
  /**
   * Applies retention to `file`'s backups; with `dryRun` only reports. The engine calls it,
   * under the file's lock, after every commit this strategy backed up; `prevention prune` too.
   */
  prune?(file: string, options: { dryRun: boolean }): Promise<PruneReport>;
  /** Releases resources. */
  close?(): Promise<void>;
}

// Alerts

/** How bad an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One alert, as routed to sinks. */
export interface Alert {
  /** Rule name, for example `corruption-detected`. */
  name: string;
  severity: AlertSeverity;
  /** Identifying labels (file, check, ...); with `name` they form the fingerprint. */
  labels: Record<string, string>;
  /** One line for humans. */
  summary: string;
  /** More context. */
  details: Record<string, unknown>;
  startsAt: string;
  /** When it ended; on a firing alert that resolves by itself, when it will unless it happens again. */
  endsAt?: string;
  status: 'firing' | 'resolved';
  /** Stable identity for dedupe: the same problem always has the same fingerprint. */
  fingerprint: string;
}

/** Result of a sink's health check. */
export interface SinkHealth {
  ok: boolean;
  message: string;
}

/**
 * The AlertSink port: somewhere alerts are delivered (a file, Slack, email, a webhook).
 * `send` may be slow or fail; the alert router calls it off the write path.
 */
export interface AlertSink {
  /** Unique name of this sink instance. */
  readonly name: string;
  /** Delivers a group of alerts as one notification. Rejects when delivery failed. */
  send(alerts: Alert[], signal?: AbortSignal): Promise<void>;
  /** Checks the sink can deliver (for example an SMTP `verify`). */
  health?(): Promise<SinkHealth>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}

// Engine events

/** What each engine event carries. */
export interface EngineEventMap {
  /** A commit is durable and verified. */
  commit: { file: string; sha256: string; bytes: number; changes: number; durationMs: number };
  /** A commit failed; nothing was written. */
  'commit:failed': { file: string; error: PreventionError; changes: number };
  /** A lock left by a dead or frozen holder was taken over. */
  'lock:stale-recovered': { file: string; lockPath: string; ageMs: number };
  /** A change was refused by validation. */
  'validate:failed': { file: string; issues: ValidationIssue[] };
  /** A backup was saved. */
  'backup:created': { file: string; strategy: string; id: string; sha256: string; bytes: number };
  /** A backup strategy failed. */
  'backup:failed': { file: string; strategy: string; error: PreventionError; required: boolean };
  /** The file was found corrupt (by the engine on load, or by the monitor). */
  'corruption:detected': { file: string; kind: string; message: string; details?: Record<string, unknown> };
  /**
   * A corruption reported earlier ended without a restore: fixed by hand (under `alert-only`),
   * its mode put back, or the file no longer covered by the config. `summary` says which.
   */
  'corruption:resolved': { file: string; summary: string };
  /**
   * A valid outside write was adopted as the current version (`onOutsideWrite: accept`), by a
   * writer or the monitor. `dropped` counts the events of the last commit that the adopted
   * version no longer has (with their ids, at most 20), so an alert can say what was lost.
   */
  'outside-write:accepted': { file: string; sha256: string; lastCommitSha256: string; dropped: { count: number; ids: string[] } };
  /**
   * An outside write that only appended events to the last commit was adopted (the file's
   * `acceptOutsideAppends`): an older bus's publish, expected during a migration, so no alert rule
   * fires on it by default.
   */
  'outside-write:appended': { file: string; sha256: string; lastCommitSha256: string };
  /**
   * An operation was refused because a directory prevention works in (a managed file's, or a
   * folder of its own) is now reached through a symbolic link that appeared after start-up.
   */
  'path:redirected': { path: string; leadsTo: string; expected: string };
  /** A file was restored from a backup; `reason` says what was wrong with the version replaced, when the restore was a repair. */
  'restore:completed': { file: string; strategy: string; backupId: string; sha256: string; quarantined?: string; reason?: string };
  /** A health check result. */
  health: { check: string; status: 'ok' | 'warn' | 'fail'; message: string; file?: string; details?: Record<string, unknown> };
}

/** An engine event name. */
export type EngineEventName = keyof EngineEventMap;

/** Subscribing to and emitting engine events. */
export interface EngineEvents {
  /** Adds a listener; returns a function that removes it. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void;
  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void;
}

// The write pipeline

/** Calls the rest of the chain. */
export type Next = () => Promise<void>;

/** One step of an onion-style chain: work before `await next()` runs on the way in, after it on the way out. */
export type Handler<C> = (ctx: C, next: Next) => Promise<void> | void;

/** The committed version found in the store when the commit started (loaded under the lock). */
export interface CurrentVersion {
  document: JsonValue;
  bytes: Uint8Array;
  sha256: string;
  /** The store's identity of this version (see {@link DocumentStore}). */
  token: VersionToken;
  /** Its mode and owner, where the store keeps them (a file's): what the next version keeps. */
  attributes: FileAttributes | undefined;
  /**
   * Set when this version is not the last commit prevention made (an outside write the file's
   * `onOutsideWrite` policy lets through): that last commit, as its records show it.
   */
  outside?: LastCommit;
  /** Set with `outside` when the outside write only appended events to that last commit. */
  appended?: boolean;
}

/** A check run on every candidate document; returns the problems found. */
export type DocumentCheck = (document: JsonValue, ctx: WriteContext) => ValidationIssue[];

/** A key into {@link WriteContext.state}, typed by the value it holds. */
export interface StateKey<T> {
  readonly description: string;
  /** Phantom field carrying the type; never set. */
  readonly __type?: T;
}

/** Typed per-commit storage for middleware to share values. */
export interface ContextState {
  get<T>(key: StateKey<T>): T | undefined;
  set<T>(key: StateKey<T>, value: T): void;
}

/**
 * The phases of a commit, in order: `open` (nothing read yet), `loaded` (the current version is
 * known), `prepared` (the next version is built and checked), `committed` (it is the store's
 * current version), `verified` (it read back as written). A failed commit stops where it failed.
 */
export type WritePhase = 'open' | 'loaded' | 'prepared' | 'committed' | 'verified';

/** What {@link WriteContext.prepare} built: nothing to write, or the next version. */
/**
 * A version's content as the engine hands it to a store's commit: its length, its bytes from an
 * offset, and all of them. An append's new version shares most of its bytes with the version
 * before it, so its views cost nothing to take, and `bytes` is made on first use.
 */
export interface VersionContent {
  readonly length: number;
  /** The bytes from offset `from` (default 0) to the end, as views in order: nothing is copied. */
  views(from?: number): Uint8Array[];
  /** All the bytes, as one buffer. */
  bytes(): Uint8Array;
}

export type PreparedCommit =
  | { changed: false }
  | {
      changed: true;
      next: JsonValue;
      /** All the bytes (made from `content` on first use). */
      readonly bytes: Uint8Array;
      /** The bytes, sharing what they can with the version replaced. */
      content: VersionContent;
      sha256: string;
      /** How many leading bytes are those of the version replaced (0 when unknown). */
      unchangedPrefix: number;
    };

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
  /** Where the commit stands. */
  readonly phase: WritePhase;
  /** The lock, once the `lock` middleware holds it. */
  lock: LockHandle | undefined;
  /**
   * Adds a check every candidate document must pass. Only before `prepare` (middleware such as
   * `validate` add theirs on the way in); afterwards it throws `PREVENTION_MIDDLEWARE_FAILED`,
   * since the documents were already checked.
   */
  addCheck(check: DocumentCheck): void;
  /**
   * Loads the current version (under the lock when the pipeline has one) and applies the queued
   * changes, each on a private copy and run through the checks; a change that throws or fails a
   * check fails alone. Idempotent: only the first call does the work; every call resolves with
   * what it built.
   */
  prepare(): Promise<PreparedCommit>;
  /** The version in the store before this commit (once `loaded`); undefined for a new file. */
  readonly current: CurrentVersion | undefined;
  /** True once prepared when at least one change succeeded, so there is something to write. */
  readonly changed: boolean;
  /** The next document (once prepared). */
  readonly next: JsonValue | undefined;
  /** Its serialized bytes, exactly what will be written (once prepared). */
  readonly bytes: Uint8Array | undefined;
  /** sha256 (hex) of `bytes`. */
  readonly sha256: string | undefined;
  /** Backups saved for this commit. */
  readonly backups: BackupRecord[];
  /** For a restore, the backup being put back (once prepared). */
  readonly restoring: BackupRecord | undefined;
  /** The version `atomic-commit` made current (once `committed`). */
  readonly committed: StoredCommit | undefined;
  /**
   * Moves the commit to `committed`: the prepared version is now the store's current one. For
   * the step that commits (`atomic-commit`); out of order it throws `PREVENTION_MIDDLEWARE_FAILED`.
   */
  markCommitted(commit: StoredCommit): void;
  /** Moves the commit to `verified` (the `verify` step); out of order it throws `PREVENTION_MIDDLEWARE_FAILED`. */
  markVerified(): void;
  /** Aborts the commit with `reason`. */
  abort(reason: Error): void;
}

/** One step of the write pipeline, placed by name in the configured order. */
export interface Middleware {
  readonly name: string;
  handle(ctx: WriteContext, next: Next): Promise<void>;
}

// Configuration

/** A length of time: milliseconds, or a string such as `500ms`, `30s`, `5m`, `4h`, `7d`, `2w3d`. */
export type Duration = number | string;

/** A pipeline step: a built-in or plugin middleware by name, or a middleware object. */
export type PipelineEntry = string | Middleware;

/** Settings that apply per file; at the top level of the config they are the defaults. */
export interface FileOptions {
  /** JSON Schema for the document: a path (relative to the config file) or the schema itself. */
  schema?: string | Record<string, unknown>;
  /** The document a missing file starts from; default `{}`. */
  initial?: JsonValue;
  /** Largest serialized document accepted, in bytes; default 64 MiB. */
  maxBytes?: number;
  /** Deepest nesting accepted; default 256. */
  maxDepth?: number;
  /** Indentation of the written JSON (0 for compact); default 2. */
  indent?: number;
  /** The write pipeline, in order; default `lock, validate, backup, atomic-commit, verify`. */
  pipeline?: PipelineEntry[];
  lock?: {
    /** A lock not refreshed for this long is taken over; default 10,000 ms (at least 2,000). */
    staleMs?: number;
    /** Give up waiting for the lock after this long; default 30,000 ms. */
    timeoutMs?: number;
  };
  backup?: {
    /** Refuse the write when no strategy could save a backup; default true. */
    required?: boolean;
  };
  /** What to do when the file is found corrupt on load: restore from backups (default) or fail. */
  onCorrupt?: 'restore' | 'fail';
  /**
   * What to do with valid content that differs from the last commit prevention made (a script
   * rewriting the file, an editor): `restore` (default) quarantines it and puts the last commit
   * back before anything else; `accept` adopts it as the current version and emits
   * `outside-write:accepted` naming the acknowledged events it dropped; `alert-only` reports it
   * and refuses writes until someone decides. Writers and the monitor apply the same policy. A
   * file prevention never committed is adopted as it is under every policy.
   */
  onOutsideWrite?: OutsideWritePolicy;
  /**
   * Adopt an outside write that only appends events to the last commit prevention made (the
   * last commit's events unchanged and in place, new ones after them, every other key the same
   * but a legacy bus's `last_updated` and `total_events`), whatever `onOutsideWrite` says; any
   * other outside write still gets `onOutsideWrite`. For a shared context written by agents still
   * on an older bus during a migration, so neither the writers nor the monitor roll back their
   * appends. Default false.
   */
  acceptOutsideAppends?: boolean;
  /**
   * The shape new bus events are written in (`engine.bus(file)` and every publish through the
   * CLI or the local service): see {@link EventFormat}. Default `auto`.
   */
  eventFormat?: EventFormat;
}

/** See {@link FileOptions.onOutsideWrite}. */
export type OutsideWritePolicy = 'restore' | 'accept' | 'alert-only';

/** One entry of `files`: a path or glob (relative to the config file) and its settings. */
export interface FileConfig extends FileOptions {
  path: string;
}

/** The shape of `prevention.config.ts`. Top-level file options are defaults for every file. */
export interface PreventionConfig extends FileOptions {
  /** The files prevention manages, with per-file settings; later entries override earlier ones. */
  files?: FileConfig[];
  /** Plugins, registered in dependency order. */
  plugins?: Plugin[];
  /** The default logger's settings. */
  logger?: LoggerOptions;
  /**
   * Where documents live (see {@link DocumentStore}); default the file store. An engine made
   * from this config owns the store: its `close()` closes the store too.
   */
  store?: DocumentStore;
}

/** A configuration after loading and validation, with its origin. */
export interface ResolvedConfig {
  /** The working directory the engine was created with. */
  cwd: string;
  /** Directory relative paths (files, schemas) resolve against: the config file's, or `cwd`. */
  baseDir: string;
  /** The config file used, if one was found. */
  configFile: string | undefined;
  /** Top-level defaults for every file. */
  defaults: FileOptions;
  files: FileConfig[];
  plugins: Plugin[];
  logger: LoggerOptions;
  /** The config's `store`, if it names one: the engine owns it and closes it. */
  store?: DocumentStore;
}

/** A compiled JSON Schema: returns every problem found, empty when the document is valid. */
export type SchemaCheck = (document: JsonValue) => ValidationIssue[];

/** Everything that governs commits to one file, defaults filled in. */
export interface FileSettings {
  /** Absolute path. */
  file: string;
  /** The compiled schema, if the file has one. */
  schema: SchemaCheck | undefined;
  /** Where the schema came from (a path or "inline"). */
  schemaSource: string | undefined;
  initial: JsonValue;
  maxBytes: number;
  maxDepth: number;
  indent: number;
  pipeline: PipelineEntry[] | undefined;
  lock: { staleMs: number; timeoutMs: number };
  backup: { required: boolean };
  onCorrupt: 'restore' | 'fail';
  onOutsideWrite: OutsideWritePolicy;
  acceptOutsideAppends: boolean;
  eventFormat: EventFormat;
}

/** A `files` entry that is a glob, resolved against the config's directory. */
export interface FileGlob {
  /** The absolute pattern. */
  pattern: string;
  /** The directory every match lies under: the pattern up to its first glob segment. */
  base: string;
  /** How many directory levels below `base` a match can lie; `Infinity` when unbounded (`**`). */
  depth: number;
  /** True when an absolute path matches the pattern. */
  matches(file: string): boolean;
}

// Commits and their records

/** What `write`, `update` and `restore` resolve to once the commit is durable and verified. */
export interface CommitResult {
  /** Absolute path of the file. */
  file: string;
  /** sha256 (hex) of the committed bytes. */
  sha256: string;
  /** Size of the committed file in bytes. */
  bytes: number;
}

/** A document with the version it was read at, from `readVersion`. */
export interface DocumentVersion<T = JsonValue> {
  document: T;
  /** sha256 (hex) of the committed bytes; `undefined` when the file does not exist yet. */
  sha256: string | undefined;
}

/**
 * A precondition on the version a write or update applies to, checked under the lock against the
 * version it would replace (after the earlier changes of the same group commit): an optimistic
 * writer's compare-and-swap, as HTTP's `If-Match` and `If-None-Match: *`.
 */
export interface WriteCondition {
  /** Commit only if the current version's sha256 is this one. */
  ifMatch?: string;
  /** `'*'`: commit only if the file does not exist yet. */
  ifNoneMatch?: '*';
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

/** One commit, as recorded for observers in other processes (the monitor's baseline). */
export interface CommitRecord {
  sha256: string;
  size: number;
  mode: number;
  /** Inode of the committed file, as a decimal string. */
  ino: string;
  /** ISO time of the commit. */
  at: string;
  pid: number;
}

/** The last commit prevention made to a file, as its records show it. */
export interface LastCommit {
  sha256: string;
  /** The record that says so: the journal, or (the journal lost) the newest backup. */
  witness: 'journal' | 'backup';
  /** ISO time of the commit, as recorded. */
  at: string;
}

/** How a version found on disk stands against prevention's records of the file. */
export type VersionStanding =
  /** It is the last commit prevention made. */
  | { kind: 'committed' }
  /** Prevention has no record of ever committing the file: the version is adopted as it is. */
  | { kind: 'never-committed' }
  /** It differs from the last commit prevention made: somebody wrote the file behind its back. */
  | { kind: 'outside'; lastCommit: LastCommit }
  /**
   * Written outside, but it only appends events to the last commit prevention made (see
   * `acceptOutsideAppends`): reported only when the caller gave the document to compare.
   */
  | { kind: 'appended'; lastCommit: LastCommit };

// The message bus

/** An event as the bus returns it, whatever shape it is stored in. */
export interface BusEvent<P extends JsonValue = JsonValue> {
  /** Unique id (UUIDv7 for events published here; the stored id of older events). */
  id: string;
  /** Position in the file's history, strictly increasing across all processes. */
  seq: number;
  type: string;
  source: string;
  /** ISO 8601 (events written by older buses may carry local time without a zone). */
  timestamp: string;
  payload: P;
  correlationId?: string;
}

/** What `publish` takes. */
export interface PublishInput<P = unknown> {
  type: string;
  source: string;
  payload?: P;
  correlationId?: string;
}

/**
 * How new events are written. `prevention`: `{ id, seq, type, source, timestamp, payload }`.
 * `legacy-event`: `{ timestamp, event, data }` (local time, no zone) for agents that read the
 * first Python bus's shape. `legacy-event-type`: `{ event_type, data, source_agent, timestamp,
 * event_id, correlation_id }` with top-level `last_updated` and `total_events`. Legacy shapes
 * also carry `seq` (and `id`, `source` where the shape lacks them), which their readers ignore.
 * `auto` (the default) keeps the shape of the file's newest event, `prevention` for a new file.
 */
export type EventFormat = 'auto' | 'prevention' | 'legacy-event' | 'legacy-event-type';

/** Filters for `events()`. */
export interface EventQuery {
  /** Only events with a greater `seq`; default 0 (all, including the archive). */
  since?: number;
  type?: string | string[];
  source?: string | string[];
  /** At most this many (the oldest first). */
  limit?: number;
}

/** Receives one event; may be async (the next event waits for it). */
export type EventHandler = (event: BusEvent) => void | Promise<void>;

/** Options of `bus.subscribe`. */
export interface SubscribeOptions {
  /** Deliver events after this seq; default: only events published after subscribing. */
  since?: number;
  /** Only these event types. */
  types?: string[];
}

/** Options of `engine.bus(file, options)`. */
export interface BusOptions {
  /** Keep at most this many events in the live file; older ones move to the archive first. */
  maxEvents?: number;
  /** Move events older than this to the archive (the newest event always stays). */
  maxAge?: Duration;
  /** Shape of newly written events; default `auto`. */
  eventFormat?: EventFormat;
  /** Largest serialized payload accepted, in bytes; default 1 MiB. */
  maxPayloadBytes?: number;
  /** A JSON Schema per event type, checked on publish. */
  schemas?: Record<string, Record<string, unknown>>;
  /**
   * How often followers look for commits by other processes; default 50 ms. On a store with a
   * change feed (PostgreSQL's NOTIFY) the feed wakes them at once, and they poll only every
   * `pollMs` or 1 s, whichever is longer, for what a lost feed missed.
   */
  pollMs?: number;
  /** Where archived events go, for a file; default `<name>.archive.jsonl` beside the file. A store with its own event archive refuses it. */
  archivePath?: string;
  /**
   * Publish into an existing document that is an object without an `events` array, adding
   * one. Off by default: such a file is not a shared context (a state file, say), and the bus
   * would silently mix its `events` and `version` keys into it. A file that does not exist yet
   * is always started from its `initial` document.
   */
  addEvents?: boolean;
  /**
   * Hand publishes to the process already committing to the file, over a socket in its
   * `.prevention` folder, instead of queueing on its lock (the file store only; default on).
   * Processes whose buses share the options that shape a commit combine their publishes into
   * one commit per round. Off: every process commits its own publishes. `idleMs`: how long a
   * process keeps leading after the last publish it committed (default 1 s). `joinWaitMs`: how
   * long the leading process holds its next commit for the publishers it has just answered to
   * send their next publish, so they join it rather than the one after (default 5 ms; 0: never;
   * a publisher that takes longer is not held for until it comes back in time). `handOffMs`: how
   * long a closing process keeps leading, at most, while its publishers keep handing over
   * publishes, each within four join waits of the one before (default 250 ms; 0: hand over at
   * once), since the process that leads next starts cold.
   */
  relay?: boolean | { idleMs?: number; joinWaitMs?: number; handOffMs?: number };
}

/** The verdict on a bus archive. */
export interface ArchiveInspection {
  /** Absolute path of the archive. */
  archive: string;
  /** `absent`: nothing was ever archived; `damaged`: a committed line is changed or missing. */
  state: 'absent' | 'intact' | 'damaged';
  /** What is wrong, for a damaged archive (positions and counts, never content). */
  problem?: string;
  /** For a damaged archive: whether its copy holds every committed line, so a repair puts them back. */
  repairable?: boolean;
  /** Lines of committed versions the archive (or, when damaged, its copy) holds. */
  lines: number;
}

/** What {@link repairArchive} found, and whether it put the archive back. */
export interface ArchiveRepair extends ArchiveInspection {
  repaired: boolean;
}

// Plugins

/** Where a plugin's middleware goes when the configured pipeline does not name it. */
export interface MiddlewarePlacement {
  before?: string;
  after?: string;
}

/** What a plugin can do while it registers. */
export interface PluginApi {
  /** This plugin's name. */
  readonly name: string;
  /** The plugin's own child container (of the engine's): register its private services here. */
  readonly container: DependencyContainer;
  /** A logger bound to `{ plugin: name }`. */
  readonly logger: Logger;
  /** The engine's validated configuration. */
  readonly config: ResolvedConfig;
  /** The engine being built (usable once the engine is ready; see `onReady`). */
  readonly engine: EngineApi;
  /**
   * False when the engine belongs to a short-lived tool (a CLI command, a one-off script): a
   * plugin then starts no background work (watchers, schedules, servers). True by default.
   */
  readonly background: boolean;
  /**
   * Adds a middleware, referable by name in `pipeline`. With a placement it is also inserted
   * into pipelines that do not name it, before or after the named step.
   */
  addMiddleware(middleware: Middleware, placement?: MiddlewarePlacement): void;
  /** Adds a backup strategy; strategies save in registration order. */
  addBackupStrategy(strategy: BackupStrategy): void;
  /** Adds an alert sink. */
  addAlertSink(sink: AlertSink): void;
  /** Listens to an engine event; returns the unsubscribe function. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void;
  /** Emits an engine event (for example `corruption:detected` from a monitor). */
  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void;
  /** Runs once every plugin is registered and the engine is usable. */
  onReady(hook: (engine: EngineApi) => void | Promise<void>): void;
  /**
   * Runs when the engine closes: after queued commits finish, in reverse registration order,
   * and before the registered alert sinks and backup strategies are closed (so a plugin can
   * still drain work into them).
   */
  onClose(hook: () => void | Promise<void>): void;
}

/** A plugin instance, as listed in `config.plugins`. */
export interface Plugin<Options = unknown, Service = unknown> {
  readonly name: string;
  /** Names of plugins that must be registered first. */
  readonly dependencies?: readonly string[];
  readonly options?: Options;
  /** The token under which the plugin's service (what `register` returns) is offered: `engine.service(token)`. */
  readonly provides?: ServiceToken<Service>;
  /** Registers the plugin. What it returns is the plugin's service. */
  register(api: PluginApi, options: Options): Service | Promise<Service>;
}

/** What {@link definePlugin} takes. */
export interface PluginDefinition<Options, Service> {
  name: string;
  dependencies?: readonly string[];
  provides?: ServiceToken<Service>;
  register(api: PluginApi, options: Options): Service | Promise<Service>;
}

/**
 * The typed key of a plugin's service: a symbol (so it is also a tsyringe token) that carries the
 * service's type. A plugin names it in `provides`; `engine.service(token)` then returns the
 * service typed, or `undefined` when no plugin of that engine provides it. Make one with
 * `serviceToken<T>(name)`.
 */
export type ServiceToken<T> = symbol & { readonly [serviceType]?: T };
declare const serviceType: unique symbol;

// Findings: what can be wrong with a shared file

/**
 * The one vocabulary of what can be found wrong with a shared file. The monitor, `prevention
 * check` and anything else that inspects a file use these names, so a metric label, an alert and
 * a `check --json` report name the same problem the same way. Where the engine reports the same
 * damage (`details.reason` of `PREVENTION_CORRUPT_DOCUMENT`), it uses the same word.
 *
 * Types only: this module is part of the public contract and imports no implementation.
 */

/**
 * What is wrong, from the worst (no usable content at the path) to the merely worth knowing:
 *
 * - `deleted`: the file is missing, though prevention committed it;
 * - `unsafe-path`: a symbolic link, directory or other non-regular file stands at the path
 *   (prevention never follows or replaces one; `PREVENTION_UNSAFE_PATH` for a writer);
 * - `unreadable`: the file cannot be read (permissions, I/O error);
 * - `invalid-json`: the bytes are not a JSON document (empty, not UTF-8, a syntax error);
 * - `structure`: well-formed JSON prevention refuses: over the depth limit, a prototype-polluting
 *   key, or values JavaScript would change when read (a repeated key, an integer beyond 2^53);
 * - `too-large`: more bytes than the file's `maxBytes`;
 * - `schema-mismatch`: valid JSON that fails the file's JSON Schema;
 * - `archive-damaged`: the bus archive beside the file lost or changed a committed line;
 * - `modified`: valid content that no commit made: written outside prevention;
 * - `mode-changed`: the content is the last commit's, its permissions are not;
 * - `records-unreadable`: the commit records (journal, backups) cannot be read, so the file
 *   could not be compared with its last commit.
 */
export type FindingKind =
  | 'deleted'
  | 'unsafe-path'
  | 'unreadable'
  | 'invalid-json'
  | 'structure'
  | 'too-large'
  | 'schema-mismatch'
  | 'archive-damaged'
  | 'modified'
  | 'mode-changed'
  | 'records-unreadable';

/**
 * How bad a finding is. `error`: the content cannot be used as it is, so it is restored under
 * every `onOutsideWrite` policy but `alert-only`, and `check` exits 1. `warn`: the file is usable;
 * what to do about the difference is the file's policy.
 */
export type FindingSeverity = 'error' | 'warn';

/** One thing found wrong with a file. */
export interface Finding {
  kind: FindingKind;
  /** What was found, for people; it never quotes the file's content. */
  message: string;
  /** sha256 of the content found, when there is content. */
  sha256?: string;
  /** JSON pointer of the offending value (`structure`, `schema-mismatch`). */
  pointer?: string;
  /** Byte offset where parsing failed (`invalid-json`), with its line and column (1-based). */
  offset?: number;
  line?: number;
  column?: number;
  /** Particulars for logs and alerts: the expected and found sha256 or mode, the last commit, the issues... */
  details?: Record<string, unknown>;
}

// The message bus's public face

/**
 * A message bus on one shared context file, from `engine.bus(file)`: every publish is a commit
 * through the engine's pipeline, concurrent publishes are committed together, and any process
 * can follow the events.
 */
export interface MessageBusApi {
  /** Absolute path of the shared file. */
  readonly file: string;
  /** Publishes one event; resolves with it once it is durably committed. */
  publish<P = JsonValue>(input: PublishInput<P>): Promise<BusEvent>;
  /** Publishes several events in one commit, in order; all or none are committed. */
  publishMany<P = JsonValue>(inputs: ReadonlyArray<PublishInput<P>>): Promise<BusEvent[]>;
  /** Events after `since` (default 0: all, including archived ones), oldest first, filtered. */
  events(query?: EventQuery): Promise<BusEvent[]>;
  /** The seq of the newest event (0 for none). */
  lastSeq(): Promise<number>;
  /**
   * Calls `handler` for every event published by any process after `since` (default: events
   * published from now on), in `seq` order, each exactly once, one at a time. Returns the
   * function that stops it.
   */
  subscribe(handler: EventHandler, options?: SubscribeOptions): () => void;
  /** Non-event top-level keys of the file, committed through the same pipeline. */
  readonly state: {
    /** A copy of the value at `key`. */
    get<T = JsonValue>(key: string): Promise<T | undefined>;
    /** Sets `key` to `value`; other keys and the events are untouched. */
    set(key: string, value: unknown): Promise<CommitResult>;
    /** Replaces the shared state (every non-event key) with what `fn` returns for a copy of it. */
    update(fn: (state: JsonObject) => JsonObject | void): Promise<CommitResult>;
  };
  /** Checks the archive as append-only data; takes no lock and changes nothing. */
  inspectArchive(): Promise<ArchiveInspection>;
  /** Puts a damaged archive back from its copy, holding the file's lock. */
  repairArchive(): Promise<ArchiveRepair>;
  /** Stops every subscription. */
  close(): Promise<void>;
}

// The engine

/**
 * The public engine: what applications, plugins, the CLI and the local service use. Make one
 * with `createEngine`; every engine has its own container and shares nothing with others.
 */
export interface EngineApi {
  readonly logger: Logger;
  /** The validated configuration. */
  readonly config: ResolvedConfig;
  /**
   * Where the engine keeps its documents: the config's `store`, one given to `createEngine` in
   * code, or the files on this disk (`kind: 'file'`). For looking at them (`inspectStored`, the
   * store's health and change feed); every change goes through the engine's own methods.
   */
  readonly store: DocumentStore;
  /**
   * Reads and parses the committed document. A missing file gives the file's initial document;
   * a corrupt one is `PREVENTION_CORRUPT_DOCUMENT`, never an empty document. One holding values
   * JavaScript would change (a repeated key, an integer beyond 2^53) is refused with
   * `PREVENTION_VALIDATION_FAILED` naming them by JSON pointer, never handed out altered.
   */
  read<T = JsonValue>(file: string): Promise<T>;
  /**
   * Like `read`, with the version read: the sha256 of the committed bytes (`undefined` for a file
   * that does not exist yet, whose initial document is returned). Pass it as `ifMatch` to commit
   * only on top of that version.
   */
  readVersion<T = JsonValue>(file: string): Promise<DocumentVersion<T>>;
  /**
   * Replaces the document. Resolves once the commit is durable and verified. With a
   * {@link WriteCondition}, it commits only if the condition holds when its turn comes under
   * the lock, else fails alone with `PREVENTION_PRECONDITION_FAILED`.
   */
  write(file: string, document: unknown, condition?: WriteCondition): Promise<CommitResult>;
  /**
   * Runs `updater` on a copy-on-write draft of the latest committed version (only what it changes
   * is copied; the draft is revoked when it returns; being a Proxy, it takes no
   * `Object.defineProperty` and no `structuredClone`: build a new document and return it instead)
   * while holding the file's
   * locks, and commits the result. Concurrent calls for one file are committed together (group
   * commit); an updater that throws or produces an invalid document fails alone.
   */
  update<T = JsonValue>(file: string, updater: Updater<T>, condition?: WriteCondition): Promise<CommitResult>;
  /**
   * Puts a backup back through the pipeline (locked, committed atomically, verified): the one
   * with `id`, or the newest whose bytes match their recorded sha256 and that passes the file's
   * checks. The replaced file is kept in the quarantine folder. `reason` (what a repair found
   * wrong with the current version) is carried on the `restore:completed` event.
   */
  restore(file: string, options?: { id?: string; reason?: string }): Promise<RestoreResult>;
  /**
   * The backup `restore` would put back now, chosen by the same rule and checks (the file's
   * schema and every plugin's document checks), without taking the lock or writing anything.
   */
  planRestore(file: string, options?: { id?: string }): Promise<BackupRecord>;
  /** A message bus on one shared context file. */
  bus(file: string, options?: BusOptions): MessageBusApi;
  /**
   * Runs `work` holding `file`'s locks (in-process and cross-process), excluding every commit
   * to it: for maintenance such as pruning backups or checking the file from a monitor.
   */
  withLock<T>(file: string, work: () => Promise<T>): Promise<T>;
  /** Every backup of `file` across strategies, newest first. */
  backups(file: string): Promise<BackupRecord[]>;
  /**
   * How a version of `file` with this sha256 stands against prevention's records (the commit
   * journal, then the backups): the one rule every writer and reader applies to the version it
   * loads, for observers such as the monitor. Given the version's parsed `document`, an outside
   * version that only appends events to the last commit is told apart as `appended`.
   */
  standing(file: string, sha256: string, document?: JsonValue): Promise<VersionStanding>;
  /**
   * The last commit prevention made to `file` as its records show it: the commit journal, else
   * (the journal lost) the newest backup. `undefined` when it never committed the file.
   */
  lastCommit(file: string): Promise<LastCommit | undefined>;
  /** The settings that apply to `file`. */
  settings(file: string): Promise<FileSettings>;
  /** Absolute path of `file` as the engine sees it. */
  resolvePath(file: string): string;
  /** The absolute paths of the files named (not globbed) in the config. */
  configuredFiles(): string[];
  /** The config's `files` entries that are globs, with their matcher and where their matches lie. */
  fileGlobs(): FileGlob[];
  /**
   * Every file the config covers now, as absolute paths: the named files (present or not), then
   * the regular files matching a glob entry and the matching files that have a commit journal.
   * Call it again to see files created since.
   */
  managedFiles(): Promise<string[]>;
  /** The names of the pipeline steps for `file`, in order. */
  pipeline(file: string): Promise<string[]>;
  /** Listens to an engine event; returns the function that removes the listener. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void;
  /** The service a plugin of this engine provides under `token`, or `undefined` when none does. */
  service<T>(token: ServiceToken<T>): T | undefined;
  /** The alert sinks plugins added, in registration order. */
  alertSinks(): readonly AlertSink[];
  /** Waits for queued commits, then runs plugins' close hooks and releases strategies and sinks. */
  close(): Promise<void>;
}

// Engine-internal seams

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

/**
 * @internal What the message bus needs from the engine beyond {@link EngineApi}: the hot path
 * that shares the unchanged parts of a document instead of copying it. Never reachable from a
 * plugin.
 */
export interface BusHost extends Pick<EngineApi, 'settings' | 'withLock'> {
  /**
   * Commits a {@link Mutation}; also while the engine is closing its buses, which commit the
   * publishes they take in before they stop (their own new publishes they refuse, see `closing`).
   */
  mutate(file: string, mutation: Mutation): Promise<CommitResult>;
  /** Whether the engine's `close()` has been called. */
  readonly closing: boolean;
  /** The committed document itself, not a copy: callers must never mutate it. */
  readShared(file: string): Promise<JsonValue>;
  /**
   * Parses the file's current bytes into the engine's cache as a base for its next load, so
   * that this process's first commit to the file parses only what was appended since rather
   * than the whole file (for a bus whose publishes another process commits until this one
   * takes over). Never fails.
   */
  warm(file: string): Promise<void>;
}

/** @internal How the engine makes a message bus: wired by `createEngine`, so the engine never imports the bus layer above it. */
export type BusFactory = (host: BusHost, file: string, options: BusOptions, onClose: () => void) => MessageBusApi;
