import { DatabaseError } from 'pg';
import { ErrorCodes, PreventionError } from '@prevention/core';

/** SQLSTATEs that mean the session is gone (or not there yet), not that the statement was wrong. */
const SESSION_LOST = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown
  '57P02', // crash_shutdown: another backend crashed, the server resets
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
]);

/** Node's codes for a socket that could not be opened or was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/** The SQLSTATE of a server error, if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  return err instanceof DatabaseError ? err.code : undefined;
}

/**
 * Whether `err` says the connection to the server failed or ended (a terminated backend, a
 * restarting server, a cut socket) rather than that the server refused a statement. Only then
 * can a COMMIT's outcome be unknown.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof DatabaseError) return SESSION_LOST.has(err.code ?? '') || (err.code ?? '').startsWith('08');
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  // node-postgres reports a socket that closed under a query without a code.
  return /connection terminated|connection ended|not queryable|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(err.message);
}

/**
 * A database failure as prevention's typed error: `PREVENTION_IO_FAILED` naming the step and the
 * document, with the SQLSTATE (or socket code) in `details` and the original as `cause`. The
 * message never includes the connection string: it may carry a password.
 */
export function databaseError(step: string, name: string, cause: unknown, details: Record<string, unknown> = {}): PreventionError {
  if (cause instanceof PreventionError) return cause;
  const state = sqlState(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const lost = isConnectionLoss(cause);
  const what = cause instanceof Error ? cause.message : String(cause);
  return new PreventionError(
    ErrorCodes.IO_FAILED,
    `${step} failed for ${name} on PostgreSQL (${what})${lost ? ': the connection to the server was lost; retry once it is back' : ''}`,
    { file: name, cause, details: { step, store: 'postgres', connectionLost: lost, ...(state ? { sqlState: state } : typeof code === 'string' ? { systemCode: code } : {}), ...details } },
  );
}
