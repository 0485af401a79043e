import { ErrorCodes, PreventionError } from '@prevention/core';

/**
 * A failed file-system step on a backup, as `PREVENTION_IO_FAILED` naming the step, the data
 * file and the system error (ENOSPC, EACCES, ...). A `PreventionError` passes through as is.
 */
export function backupIoError(step: string, file: string, cause: unknown): PreventionError {
  if (cause instanceof PreventionError) return cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const what = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new PreventionError(ErrorCodes.IO_FAILED, `${step} failed for ${file} (${what}); check the backup directory's space and permissions`, {
    file,
    cause,
    details: { step, ...(typeof code === 'string' ? { systemCode: code } : {}) },
  });
}
