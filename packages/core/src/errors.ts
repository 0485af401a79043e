/**
 * The one registry of prevention's errors. Every failure the library raises is a
 * {@link PreventionError} with a stable `code` from {@link ErrorCodes}, the file it concerns,
 * a message that says what to do, and the underlying `cause`.
 */

/** Stable error codes. They never change meaning once published. */
export const ErrorCodes = {
  /** The cross-process lock could not be taken before the lock timeout. */
  LOCK_TIMEOUT: 'PREVENTION_LOCK_TIMEOUT',
  /** The lock was lost while a commit held it (stale takeover, lock removed); the commit was refused. */
  LOCK_COMPROMISED: 'PREVENTION_LOCK_COMPROMISED',
  /** The next document is not valid: not serializable, too large or deep, forbidden keys, or schema. */
  VALIDATION_FAILED: 'PREVENTION_VALIDATION_FAILED',
  /** The document on disk cannot be parsed or is not acceptable; it is never treated as empty. */
  CORRUPT_DOCUMENT: 'PREVENTION_CORRUPT_DOCUMENT',
  /** The committed bytes read back differ from those written; the previous version was restored. */
  VERIFY_FAILED: 'PREVENTION_VERIFY_FAILED',
  /** No backup could be saved and backups are required, so the write was refused. */
  BACKUP_FAILED: 'PREVENTION_BACKUP_FAILED',
  /** No backup could be restored (none exists, or none is valid). */
  RESTORE_FAILED: 'PREVENTION_RESTORE_FAILED',
  /** The configuration (file or object) is invalid. */
  CONFIG_INVALID: 'PREVENTION_CONFIG_INVALID',
  /** A middleware misbehaved (called `next()` twice, or is not a middleware at all). */
  MIDDLEWARE_FAILED: 'PREVENTION_MIDDLEWARE_FAILED',
  /** The pipeline as configured cannot keep prevention's promises (for example no `atomic-commit`). */
  PIPELINE_INVALID: 'PREVENTION_PIPELINE_INVALID',
  /** A plugin failed to register: duplicate name, missing dependency, or its `register` threw. */
  PLUGIN_FAILED: 'PREVENTION_PLUGIN_FAILED',
  /** A file-system operation of the commit failed (ENOSPC, EIO, EACCES, ...); the target is untouched. */
  IO_FAILED: 'PREVENTION_IO_FAILED',
  /** The path is unsafe to write: a symlink, a directory, a FIFO or another non-regular file. */
  UNSAFE_PATH: 'PREVENTION_UNSAFE_PATH',
  /**
   * The file was changed outside prevention (valid content that matches no commit prevention
   * made) and its `onOutsideWrite` policy is `alert-only`: writes are refused until someone puts
   * the last commit back (`prevention restore`) or changes the policy, so nothing is committed
   * on top of a version that may have dropped acknowledged writes.
   */
  OUTSIDE_WRITE: 'PREVENTION_OUTSIDE_WRITE',
  /** An updater function passed to `update()` threw; nothing was committed for it. */
  UPDATER_FAILED: 'PREVENTION_UPDATER_FAILED',
  /** An alert could not be delivered by a sink (it is spooled and retried). */
  ALERT_DELIVERY_FAILED: 'PREVENTION_ALERT_DELIVERY_FAILED',
  /** The engine was closed; no more operations are accepted. */
  ENGINE_CLOSED: 'PREVENTION_ENGINE_CLOSED',
  /** An operation was aborted by its caller's AbortSignal. */
  ABORTED: 'PREVENTION_ABORTED',
  /**
   * A command line asks for what cannot be done as given: an unknown option, a value out of
   * range, a name that matches nothing or more than one thing. Nothing was done.
   */
  USAGE: 'PREVENTION_USAGE',
  /**
   * A conditional write's precondition did not hold when its turn came under the lock: the file
   * is no longer the version named by `ifMatch`, or exists although `ifNoneMatch: '*'` asked
   * that it not. Nothing was committed; read the file again and retry.
   */
  PRECONDITION_FAILED: 'PREVENTION_PRECONDITION_FAILED',
  /** A request names a file the configuration does not cover (`files` entries and globs). */
  UNKNOWN_FILE: 'PREVENTION_UNKNOWN_FILE',
  /** A request to the local service is malformed: not JSON, a bad patch document, a bad parameter. */
  BAD_REQUEST: 'PREVENTION_BAD_REQUEST',
  /** A request to the local service over TCP lacks the right bearer token. */
  UNAUTHORIZED: 'PREVENTION_UNAUTHORIZED',
  /** A request body is larger than the service accepts. */
  BODY_TOO_LARGE: 'PREVENTION_BODY_TOO_LARGE',
  /** `prevention serve` is already running for this project (the pid is in the message). */
  SERVE_RUNNING: 'PREVENTION_SERVE_RUNNING',
  /**
   * The local service failed in a way it did not expect (a bug, not a refusal): the outcome of
   * the request is unknown, so read the file to see whether the change was made.
   */
  INTERNAL: 'PREVENTION_INTERNAL',
} as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** One reason a document failed validation, located by a JSON pointer (RFC 6901). */
export interface ValidationIssue {
  /** JSON pointer to the offending value, `''` for the root. */
  path: string;
  /** What is wrong there. */
  message: string;
  /** The size or depth limit the value is over, for an issue that is one: what to raise, if anything. */
  limit?: { setting: LimitSetting; value: number };
}

/**
 * The settings that bound what is stored: `maxBytes` (a file's serialized size) and `maxDepth`
 * (its nesting, from the root) are config settings; `maxPayloadBytes` (one bus event's payload)
 * is an option of `engine.bus(file, options)`.
 */
export type LimitSetting = 'maxBytes' | 'maxDepth' | 'maxPayloadBytes';

/** Options accepted by {@link PreventionError}. */
export interface PreventionErrorOptions {
  /** The file the error concerns, as an absolute path. */
  file?: string;
  /** The underlying error. */
  cause?: unknown;
  /** For validation errors: every problem found. */
  issues?: ValidationIssue[];
  /** Extra machine-readable detail (for example the byte offset of a parse error). */
  details?: Record<string, unknown>;
}

/**
 * Marks prevention's errors. A registered symbol, so an error from another copy of this package
 * (a config or plugin loaded through a different module loader) is still recognised.
 */
const BRAND = Symbol.for('prevention.PreventionError');

/** The error class for everything prevention raises. Test `err.code`, not the message. */
export class PreventionError extends Error {
  /** `instanceof` holds across copies of the package, by brand rather than by prototype. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  override readonly name = 'PreventionError';
  /** Stable code from {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** The file concerned, if any. */
  readonly file: string | undefined;
  /** Validation problems, empty unless `code` is a validation or corruption code. */
  readonly issues: ValidationIssue[];
  /** Extra machine-readable detail. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: PreventionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True when `err` is a {@link PreventionError}, optionally with the given code. */
export function isPreventionError(err: unknown, code?: ErrorCode): err is PreventionError {
  return err instanceof PreventionError && (code === undefined || err.code === code);
}

/** The `code` of a Node.js system error (`ENOENT`, `ENOSPC`, ...), if it has one. */
export function systemErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

const ioHints: Record<string, string> = {
  ENOSPC: 'the disk is full: free space and retry',
  EDQUOT: 'the disk quota is exhausted: free space and retry',
  EACCES: 'permission denied: check the owner and mode of the file and its directory',
  EPERM: 'operation not permitted: check the owner and mode of the file and its directory',
  EROFS: 'the file system is read-only',
  EIO: 'the disk reported an I/O error: check the device',
  EMFILE: 'too many open files in this process: raise the limit or close files',
  ENFILE: 'too many open files on the system',
  ENOENT: 'a directory on the path does not exist',
};

/**
 * Wraps a failed file-system step of a commit in a typed error that names the step,
 * the file and, for the usual system errors, what to do about it.
 */
export function ioError(step: string, file: string, cause: unknown): PreventionError {
  if (cause instanceof PreventionError) return cause;
  const sys = systemErrorCode(cause);
  const hint = sys !== undefined ? ioHints[sys] : undefined;
  const what = sys ?? (cause instanceof Error ? cause.message : String(cause));
  return new PreventionError(
    ErrorCodes.IO_FAILED,
    `${step} failed for ${file} (${what})${hint ? `: ${hint}` : ''}; the file was left unchanged`,
    { file, cause, details: { step, ...(sys ? { systemCode: sys } : {}) } },
  );
}

/** A call on an engine whose `close()` has been called. */
export function engineClosed(): PreventionError {
  return new PreventionError(ErrorCodes.ENGINE_CLOSED, 'the engine is closed; create a new one');
}
