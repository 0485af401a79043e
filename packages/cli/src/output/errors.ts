import { ErrorCodes, isPreventionError, type ErrorCode, type PreventionError } from '@prevention/core';
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

/** An error the CLI raises itself, with the exit code and the hint to print. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string | undefined,
    readonly exitCode: ExitCode = ExitCode.Usage,
  ) {
    super(message);
    this.name = 'CliError';
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
  [ErrorCodes.VALIDATION_FAILED]: 'the change does not fit the file\'s schema; fix the input and retry',
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
      return HINTS[ErrorCodes.CONFIG_INVALID];
  }
}

function hintFor(err: PreventionError): string | undefined {
  return err.code === ErrorCodes.CONFIG_INVALID ? configHint(err) : HINTS[err.code];
}

/** The exit code an error maps to. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (isPreventionError(err) && USAGE_CODES.has(err.code)) return ExitCode.Usage;
  return ExitCode.Problems;
}

/**
 * Formats a failure for the terminal: one line with the message (and the error code), a hint
 * line when there is one, and the stack with its causes only in `--debug` mode.
 */
export function formatError(err: unknown, style: Palette, debug: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = isPreventionError(err) ? ` ${style.dim(`[${err.code}]`)}` : '';
  const lines = [`${style.red('error:')} ${firstLine(message)}${code}`];
  const hint = err instanceof CliError ? err.hint : isPreventionError(err) ? hintFor(err) : undefined;
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
