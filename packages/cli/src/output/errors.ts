import { ErrorCodes, isPreventionError, PreventionError, systemErrorCode, type ErrorCode, type LimitSetting, type PreventionErrorOptions } from '@prevention/core';
import { formatBytes } from './format.js';
import type { Palette } from './style.js';

/** The exit codes of every command. */
export const ExitCode = {
  /** Everything checked out. */
  Ok: 0,
  /** The command ran and found (or hit) a problem: a corrupt file, a lost event, a failed restore. */
  Problems: 1,
  /** The command could not run as asked: bad arguments, no or invalid configuration. */
  Usage: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI raises itself: a {@link PreventionError} with the hint to print and the exit code. */
export class CliError extends PreventionError {
  /** By prototype: PreventionError's brand test would take every PreventionError for one. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Object.prototype.isPrototypeOf.call(CliError.prototype, value as object);
  }

  constructor(
    code: ErrorCode,
    message: string,
    readonly hint: string | undefined,
    readonly exitCode: ExitCode = ExitCode.Usage,
    options: PreventionErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** Codes that mean the command could not start as configured. */
const USAGE_CODES = new Set<ErrorCode>([ErrorCodes.CONFIG_INVALID, ErrorCodes.PIPELINE_INVALID, ErrorCodes.PLUGIN_FAILED]);

const HINTS: Partial<Record<ErrorCode, string>> = {
  [ErrorCodes.CONFIG_INVALID]: 'fix the setting named above, or run `prevention init` for a commented starting point',
  [ErrorCodes.PIPELINE_INVALID]: 'the pipeline must contain "atomic-commit"; see the config reference in the README',
  [ErrorCodes.PLUGIN_FAILED]: 'check the plugin list in your config: each plugin once, its dependencies before it',
  [ErrorCodes.LOCK_TIMEOUT]: 'another process holds the file lock; retry, or check for a stuck writer',
  [ErrorCodes.CORRUPT_DOCUMENT]: 'run `prevention restore <file>` to put back the newest valid backup',
  [ErrorCodes.RESTORE_FAILED]: 'list what exists with `prevention backups <file>`, then pick one with --id',
  [ErrorCodes.VALIDATION_FAILED]:
    'nothing was committed: fix what the JSON pointers above name and retry; if they are not where your change went, the file itself does not pass (see `prevention check`)',
  [ErrorCodes.BACKUP_FAILED]: 'free space or fix permissions in the backup directory',
  [ErrorCodes.IO_FAILED]: 'check the disk, the path and its permissions',
  [ErrorCodes.UNSAFE_PATH]: 'point prevention at a regular file, not a link or a directory',
};

/** What to do about a config that could not be used, by why (`details.reason`, set by core). */
function configHint(err: PreventionError): string | undefined {
  const module = typeof err.details.module === 'string' ? err.details.module : undefined;
  switch (err.details.reason) {
    case 'syntax':
      return 'fix the syntax error at the position above';
    case 'missing-module':
      return module && !module.startsWith('.') && !module.startsWith('/') ? `install it (npm install ${module}), or remove the import` : 'fix the import path: it is relative to the config file';
    case 'threw':
      return 'the config file threw while it was loaded: fix it at the position above (--debug shows the stack)';
    case 'not-found':
      return 'check the path given to --config, or run `prevention init`';
    case 'unreadable':
      return 'check that the config file is readable';
    case 'schema-unreadable':
      return `check \`${String(err.details.key)}\` in the config: a schema path is relative to the config file`;
    case 'schema-not-json':
    case 'schema-invalid':
      return `fix the schema, or point \`${String(err.details.key)}\` at another one`;
    default:
      // A config file that is not there at all needs a path, not a fix.
      return systemErrorCode(err.cause) === 'ENOENT' ? 'check the path given to --config, or run `prevention init`' : HINTS[ErrorCodes.CONFIG_INVALID];
  }
}

/** What to do about a value over one of the limits: the limit, the setting, where to change it. */
const LIMIT_HINTS: Record<LimitSetting, (value: number) => string> = {
  maxPayloadBytes: (value) =>
    `an event's payload may be at most ${formatBytes(value)} (maxPayloadBytes): send a smaller one, or raise the limit with --max-payload-bytes (in code: engine.bus(file, { maxPayloadBytes }))`,
  maxDepth: (value) => `a file may nest at most ${value} levels, counted from its root (maxDepth): nest less, or raise maxDepth in the config (top level, or the file's entry)`,
  maxBytes: (value) =>
    `the file may be at most ${formatBytes(value)} (maxBytes): store less in it (bus retention, maxEvents, moves old events to the archive), or raise maxBytes in the config`,
};

function hintFor(err: PreventionError): string | undefined {
  if (err instanceof CliError) return err.hint;
  const limit = err.issues.find((issue) => issue.limit)?.limit;
  if (limit) return LIMIT_HINTS[limit.setting](limit.value);
  if (err.code === ErrorCodes.VALIDATION_FAILED && err.details.reason === 'not-a-shared-context') {
    return 'publish to a shared context file, or pass --create to add an "events" array to this one';
  }
  if (err.code === ErrorCodes.VALIDATION_FAILED && err.details.reason === 'inexact') {
    return 'another tool wrote values JavaScript would change (named above by JSON pointer): fix them in the file; until then it is neither read nor written';
  }
  return err.code === ErrorCodes.CONFIG_INVALID ? configHint(err) : HINTS[err.code];
}

/** The exit code an error maps to. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (isPreventionError(err) && USAGE_CODES.has(err.code)) return ExitCode.Usage;
  return ExitCode.Problems;
}

/** A failure as scripts see it (`--json`): its stable code (`null` for an unexpected one), message and hint. */
export interface ErrorDescription {
  code: ErrorCode | null;
  message: string;
  hint?: string;
}

/** What to tell about a failure, in the same words on the terminal and in JSON. */
export function describeError(err: unknown): ErrorDescription {
  const message = firstLine(err instanceof Error ? err.message : String(err));
  if (!isPreventionError(err)) return { code: null, message };
  const hint = hintFor(err);
  return { code: err.code, message, ...(hint ? { hint } : {}) };
}

/**
 * Formats a failure for the terminal: one line with the message (and the error code), a hint
 * line when there is one, and the stack with its causes only in `--debug` mode.
 */
export function formatError(err: unknown, style: Palette, debug: boolean): string {
  const { code, message, hint } = describeError(err);
  const lines = [`${style.red('error:')} ${message}${code ? ` ${style.dim(`[${code}]`)}` : ''}`];
  if (hint) lines.push(`${style.dim('hint:')} ${hint}`);
  if (debug) {
    let current: unknown = err;
    while (current instanceof Error) {
      lines.push(style.dim(current.stack ?? current.message));
      current = current.cause;
    }
  }
  return lines.join('\n');
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline === -1 ? text : text.slice(0, newline);
}
